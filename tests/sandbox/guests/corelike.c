/* A CoreMark-style workload for the process-VM benchmark (issue #5). EEMBC's CoreMark is not in
 * Debian and nothing is downloaded at build time, so this program runs the same four kinds of
 * kernel CoreMark is made of, written here from their description: linked-list search and sort,
 * small integer matrix arithmetic, a byte-driven state machine, and CRC-16 over the results.
 * Its figures are NOT CoreMark scores; they compare engines on a CoreMark-like integer load.
 *
 * It keeps CoreMark's calls, too. CoreMark's kernels live in separate files, so its CRC helpers
 * (CRC of a 32-bit value = two of 16 bits = four bytes), its list sort's comparison (passed as a
 * function pointer) and its state machine's step (one call per token) are real calls and returns
 * in every build; SEPARATE keeps them so here. With them all inlined (this file before 2026-11-25)
 * qemu-riscv64 ran it at 0.42 of native speed, against about 0.20 for CoreMark (issue #5): calls,
 * returns and jumps through pointers are much of what an emulator pays for.
 *
 *   corelike [ITERATIONS]      prints the final CRC (identical on every engine) and iterations */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEPARATE __attribute__((noinline))   /* a function CoreMark has in another file */

SEPARATE static uint16_t crc16(uint16_t crc, uint8_t byte)
{
    for (int i = 0; i < 8; i++) {
        const int mix = (crc ^ byte) & 1;
        crc >>= 1;
        if (mix)
            crc ^= 0xa001;
        byte >>= 1;
    }
    return crc;
}

SEPARATE static uint16_t crc_u16(uint16_t crc, uint16_t v)
{
    crc = crc16(crc, (uint8_t)v);
    return crc16(crc, (uint8_t)(v >> 8));
}

SEPARATE static uint16_t crc_u32(uint16_t crc, uint32_t v)
{
    crc = crc_u16(crc, (uint16_t)v);
    return crc_u16(crc, (uint16_t)(v >> 16));
}

/* ---- linked list: find, reverse, merge sort ---- */
struct node {
    struct node* next;
    int16_t key, value;
};

#define LIST_NODES 96
static struct node pool[LIST_NODES];

static struct node* list_build(uint32_t seed)
{
    struct node* head = NULL;
    for (int i = 0; i < LIST_NODES; i++) {
        seed = seed * 1103515245u + 12345u;
        pool[i].key = (int16_t)((seed >> 16) & 0x7fff);
        pool[i].value = (int16_t)i;
        pool[i].next = head;
        head = &pool[i];
    }
    return head;
}

static struct node* list_reverse(struct node* head)
{
    struct node* prev = NULL;
    while (head) {
        struct node* next = head->next;
        head->next = prev;
        prev = head;
        head = next;
    }
    return prev;
}

typedef int (*compare)(const struct node*, const struct node*);
SEPARATE static int by_key(const struct node* a, const struct node* b) { return a->key - b->key; }
SEPARATE static int by_value(const struct node* a, const struct node* b) { return a->value - b->value; }

SEPARATE static struct node* list_sort(struct node* head, compare cmp)
{
    /* bottom-up merge sort, as CoreMark's list benchmark does */
    int width = 1;
    for (;;) {
        struct node *p = head, *tail = NULL;
        head = NULL;
        int merges = 0;
        while (p) {
            merges++;
            struct node* q = p;
            int psize = 0;
            for (int i = 0; i < width && q; i++) {
                psize++;
                q = q->next;
            }
            int qsize = width;
            while (psize > 0 || (qsize > 0 && q)) {
                struct node* e;
                if (psize == 0) {
                    e = q; q = q->next; qsize--;
                } else if (qsize == 0 || !q) {
                    e = p; p = p->next; psize--;
                } else {
                    if (cmp(p, q) <= 0) { e = p; p = p->next; psize--; }
                    else { e = q; q = q->next; qsize--; }
                }
                if (tail) tail->next = e; else head = e;
                tail = e;
            }
            p = q;
        }
        tail->next = NULL;
        if (merges <= 1)
            return head;
        width *= 2;
    }
}

SEPARATE static uint16_t bench_list(uint32_t seed, uint16_t crc)
{
    struct node* head = list_build(seed);
    for (int round = 0; round < 4; round++) {
        int16_t wanted = (int16_t)((seed >> round) & 0x7fff);
        int found = 0;
        for (struct node* n = head; n; n = n->next)
            if (n->key == wanted || (n->key & 0xff) == (wanted & 0xff)) { found++; crc = crc16(crc, (uint8_t)n->value); }
        crc = crc16(crc, (uint8_t)found);
        head = list_reverse(head);
        head = list_sort(head, by_key);
        crc = crc16(crc, (uint8_t)head->key);
        head = list_sort(head, by_value);
    }
    return crc;
}

/* ---- matrix: add constant, multiply by constant, by vector, by matrix, bit extraction ---- */
#define N 12
static int16_t ma[N][N], mb[N][N];
static int32_t mc[N][N];

SEPARATE static uint16_t bench_matrix(uint32_t seed, uint16_t crc)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            seed = seed * 1664525u + 1013904223u;
            ma[i][j] = (int16_t)((seed >> 20) & 0xff);
            mb[i][j] = (int16_t)((seed >> 12) & 0xff);
        }
    const int16_t k = (int16_t)(seed & 0x3f);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            ma[i][j] = (int16_t)(ma[i][j] + k);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            mc[i][j] = ma[i][j] * k;
    for (int i = 0; i < N; i++) {
        int32_t sum = 0;
        for (int j = 0; j < N; j++)
            sum += ma[i][j] * mb[j][0];
        crc = crc_u32(crc, (uint32_t)sum);
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int32_t sum = 0;
            for (int x = 0; x < N; x++)
                sum += ma[i][x] * mb[x][j];
            mc[i][j] = sum;
        }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            crc = crc16(crc, (uint8_t)((mc[i][j] >> 2) & 0xf));
    return crc;
}

/* ---- state machine: classify comma-separated tokens as int, float, exponent or invalid ---- */
enum state { START, INT, S1, FLOAT, S2, EXPONENT, INVALID, COUNT };

/* Classifies one token and moves past its ',': one call per token, as CoreMark's state kernel does. */
SEPARATE static enum state next_token(const char** text)
{
    enum state s = START;
    const char* c = *text;
    for (; *c; c++) {
        const char ch = *c;
        if (ch == ',') { c++; break; }
        switch (s) {
        case START:
            if (ch >= '0' && ch <= '9') s = INT;
            else if (ch == '+' || ch == '-') s = S1;
            else if (ch == '.') s = FLOAT;
            else s = INVALID;
            break;
        case S1: s = (ch >= '0' && ch <= '9') ? INT : ch == '.' ? FLOAT : INVALID; break;
        case INT: s = (ch >= '0' && ch <= '9') ? INT : ch == '.' ? FLOAT : INVALID; break;
        case FLOAT: s = (ch >= '0' && ch <= '9') ? FLOAT : (ch == 'e' || ch == 'E') ? S2 : INVALID; break;
        case S2: s = (ch == '+' || ch == '-') ? EXPONENT : INVALID; break;
        case EXPONENT: s = (ch >= '0' && ch <= '9') ? EXPONENT : INVALID; break;
        default: break;
        }
    }
    *text = c;
    return s;
}

SEPARATE static uint16_t bench_state(uint32_t seed, uint16_t crc)
{
    static const char* const pieces[] = {"5012", "1234", "-874", "+122", "35.54400", ".1234500", "-110.700",
                                         "+0.64400", "5.500e+3", "-.123e-2", "-87e+832", "+0.6e-12",
                                         "T0.3e-1F", "-T.T++Tq", "1T3.4e4z", "34.0e-T^"};
    char text[256];
    size_t at = 0;
    while (at + 10 < sizeof text) {
        seed = seed * 22695477u + 1u;
        const char* p = pieces[(seed >> 16) & 15];
        size_t len = strlen(p);
        memcpy(text + at, p, len);
        at += len;
        text[at++] = ',';
    }
    text[at] = 0;
    unsigned counts[COUNT] = {0};
    for (int pass = 0; pass < 2; pass++) {
        for (const char* c = text; *c;)
            counts[next_token(&c)]++;
        /* corrupt a few bytes between the passes, as CoreMark does */
        for (size_t i = (seed & 7); i < at; i += 29)
            if (text[i] != ',') text[i] ^= 0x11;
    }
    for (int i = 0; i < COUNT; i++)
        crc = crc_u32(crc, counts[i]);
    return crc;
}

int main(int argc, char** argv)
{
    const long iterations = argc > 1 ? atol(argv[1]) : 2000;
    uint16_t crc = 0;
    for (long i = 0; i < iterations; i++) {
        const uint32_t seed = (uint32_t)i * 2654435761u + crc;
        crc = bench_list(seed, crc);
        crc = bench_matrix(seed, crc);
        crc = bench_state(seed, crc);
    }
    printf("corelike: %ld iterations, crc 0x%04x\n", iterations, crc);
    return 0;
}
