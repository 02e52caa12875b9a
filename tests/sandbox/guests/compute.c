/* A deterministic workload whose output must be the same under vireo exec, qemu-riscv64 and
 * natively: integer mixing, a sieve, sorting, string formatting and libm. `compute N` scales the
 * work (default 1); the benchmark uses a large N. It touches no file and makes no system call
 * beyond what printf and malloc need, so running it under qemu-riscv64 is safe. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ull;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dull;
    x ^= x >> 33;
    return x;
}

static int cmp(const void* a, const void* b)
{
    const uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char** argv)
{
    const long scale = argc > 1 ? atol(argv[1]) : 1;

    uint64_t h = 1;
    for (long i = 0; i < 500000 * scale; i++)
        h = mix(h + (uint64_t)i);
    printf("mix %016llx\n", (unsigned long long)h);

    const int limit = 1000000;
    char* sieve = calloc(limit, 1);
    int primes = 0;
    for (long round = 0; round < scale; round++) {
        memset(sieve, 0, limit);
        primes = 0;
        for (int i = 2; i < limit; i++) {
            if (sieve[i])
                continue;
            primes++;
            for (long j = (long)i * i; j < limit; j += i)
                sieve[j] = 1;
        }
    }
    free(sieve);
    printf("primes below %d: %d\n", limit, primes);

    const int n = 50000;
    uint32_t* v = malloc(sizeof *v * n);
    uint64_t s = 42;
    for (long round = 0; round < scale; round++) {
        for (int i = 0; i < n; i++)
            v[i] = (uint32_t)(s = mix(s));
        qsort(v, n, sizeof *v, cmp);
    }
    printf("sorted min %u median %u max %u\n", v[0], v[n / 2], v[n - 1]);
    free(v);

    double acc = 0;
    for (long i = 1; i <= 100000 * scale; i++) {
        const double x = (double)i / 1000.0;
        acc += sin(x) * exp(-x / 1000.0) + sqrt(x) / (1.0 + log(x + 1.0));
    }
    printf("float %.9e\n", acc);
    float f = 1.0f;
    for (int i = 0; i < 1000; i++)
        f = fmaf(f, 1.0001f, 0.5f) / 1.0002f;
    printf("single %.7g\n", (double)f);

    char text[128];
    unsigned long digest = 5381;
    for (long i = 0; i < 30000 * scale; i++) {
        int len = snprintf(text, sizeof text, "%ld:%x:%.3f", i, (unsigned)(i * 2654435761u), (double)i / 7.0);
        for (int k = 0; k < len; k++)
            digest = digest * 33 + (unsigned char)text[k];
    }
    printf("strings %lx\n", digest);
    return 0;
}
