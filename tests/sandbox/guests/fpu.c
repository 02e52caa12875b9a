/* Double-precision arithmetic over special values, each result printed with the exception flags it
 * raised: the translator runs much of it on the host's SSE (emit_fp in src/riscv/jit/translator.cpp)
 * and must print exactly what the interpreter and qemu-riscv64 print (tests/sandbox/exec_test.cpp).
 * Every rounding-mode form is here: static RNE and RTZ, and DYN under each frm value. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const uint64_t kValues[] = {
    0x0000000000000000ull, 0x8000000000000000ull,   /* +0, -0 */
    0x3ff0000000000000ull, 0xbff0000000000000ull,   /* 1, -1 */
    0x3ff8000000000000ull, 0x4008000000000000ull,   /* 1.5, 3 */
    0x3fd5555555555555ull, 0x3fb999999999999aull,   /* 1/3, 0.1 */
    0x7fe1ccf385ebc8a0ull, 0xffe1ccf385ebc8a0ull,   /* 1e308, -1e308 */
    0x0010000000000000ull, 0x0000000000000001ull,   /* smallest normal, smallest subnormal */
    0x000fffffffffffffull,                          /* largest subnormal */
    0x7ff0000000000000ull, 0xfff0000000000000ull,   /* +inf, -inf */
    0x7ff8000000000000ull, 0x7ff8000000000123ull,   /* canonical qNaN, qNaN with a payload */
    0xfff8000000000000ull, 0x7ff0000000000001ull,   /* negative qNaN, sNaN */
    0x41e0000000000000ull, 0xc1e0000000000000ull,   /* 2^31, -2^31 */
    0x41dfffffffe00000ull, 0x41dfffffffc00000ull,   /* 2^31 - 0.5, 2^31 - 1 */
    0x43e0000000000000ull, 0xc3e0000000000000ull,   /* 2^63, -2^63 */
    0x4012000000000000ull, 0xc012000000000000ull,   /* 4.5, -4.5 */
    0x4004000000000000ull,                          /* 2.5 */
};
#define COUNT (sizeof kValues / sizeof kValues[0])

static double d(uint64_t bits) { double v; memcpy(&v, &bits, 8); return v; }
static uint64_t bits(double v) { uint64_t b; memcpy(&b, &v, 8); return b; }
static void clear_flags(void) { __asm__ volatile("fsflags zero"); }
static unsigned flags(void) { unsigned f; __asm__ volatile("frflags %0" : "=r"(f)); return f; }

/* Two f registers in, one out; insn names the operands (%0 = %1 op %2) and any rm operand. */
#define BINARY(name, insn)                                                                           \
    static uint64_t name(uint64_t a, uint64_t b)                                                     \
    {                                                                                                \
        double r;                                                                                    \
        __asm__ volatile(insn : "=f"(r) : "f"(d(a)), "f"(d(b)));                                     \
        return bits(r);                                                                              \
    }
/* Without an rm operand the assembler writes DYN (frm is 0, RNE, until the DYN sweep below). */
BINARY(add_plain, "fadd.d %0, %1, %2") BINARY(sub_plain, "fsub.d %0, %1, %2")
BINARY(mul_plain, "fmul.d %0, %1, %2") BINARY(div_plain, "fdiv.d %0, %1, %2")
BINARY(add_static, "fadd.d %0, %1, %2, rne") BINARY(add_rtz, "fadd.d %0, %1, %2, rtz")
BINARY(add_dyn, "fadd.d %0, %1, %2, dyn") BINARY(div_dyn, "fdiv.d %0, %1, %2, dyn")
BINARY(mul_dyn, "fmul.d %0, %1, %2, dyn")
BINARY(sgnj, "fsgnj.d %0, %1, %2") BINARY(sgnjn, "fsgnjn.d %0, %1, %2") BINARY(sgnjx, "fsgnjx.d %0, %1, %2")

#define FMA(name, insn)                                                                              \
    static uint64_t name(uint64_t a, uint64_t b, uint64_t c)                                         \
    {                                                                                                \
        double r;                                                                                    \
        __asm__ volatile(insn " %0, %1, %2, %3" : "=f"(r) : "f"(d(a)), "f"(d(b)), "f"(d(c)));       \
        return bits(r);                                                                              \
    }
FMA(fmadd, "fmadd.d") FMA(fmsub, "fmsub.d") FMA(fnmsub, "fnmsub.d") FMA(fnmadd, "fnmadd.d")

#define COMPARE(name, insn)                                                                          \
    static uint64_t name(uint64_t a, uint64_t b)                                                     \
    {                                                                                                \
        uint64_t r;                                                                                  \
        __asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "f"(d(a)), "f"(d(b)));                      \
        return r;                                                                                    \
    }
COMPARE(feq, "feq.d") COMPARE(flt, "flt.d") COMPARE(fle, "fle.d")

/* One-operand forms: F_F takes and gives an f register, F_X gives an x register, X_F takes one. */
#define F_F(name, insn)                                                                              \
    static uint64_t name(uint64_t a)                                                                 \
    {                                                                                                \
        double r;                                                                                    \
        __asm__ volatile(insn : "=f"(r) : "f"(d(a)));                                                \
        return bits(r);                                                                              \
    }
#define F_X(name, insn)                                                                              \
    static uint64_t name(uint64_t a)                                                                 \
    {                                                                                                \
        uint64_t r;                                                                                  \
        __asm__ volatile(insn : "=r"(r) : "f"(d(a)));                                                \
        return r;                                                                                    \
    }
#define X_F(name, insn)                                                                              \
    static uint64_t name(uint64_t a)                                                                 \
    {                                                                                                \
        double r;                                                                                    \
        __asm__ volatile(insn : "=f"(r) : "r"(a));                                                   \
        return bits(r);                                                                              \
    }
F_F(sqrt_plain, "fsqrt.d %0, %1") F_F(sqrt_dyn, "fsqrt.d %0, %1, dyn")
F_F(fneg, "fneg.d %0, %1") F_F(fabs_, "fabs.d %0, %1")
F_X(w_rtz, "fcvt.w.d %0, %1, rtz") F_X(w_rne, "fcvt.w.d %0, %1, rne") F_X(w_dyn, "fcvt.w.d %0, %1, dyn")
F_X(w_rup, "fcvt.w.d %0, %1, rup") F_X(l_rtz, "fcvt.l.d %0, %1, rtz") F_X(l_dyn, "fcvt.l.d %0, %1, dyn")
F_X(fmv_x, "fmv.x.d %0, %1")
X_F(from_w, "fcvt.d.w %0, %1") X_F(from_l, "fcvt.d.l %0, %1") X_F(from_l_dyn, "fcvt.d.l %0, %1, dyn")
X_F(fmv_d, "fmv.d.x %0, %1")

typedef uint64_t (*Binary)(uint64_t, uint64_t);
typedef uint64_t (*Unary)(uint64_t);

/* The f-registers are passed as doubles: d() of a value's bits loads them unchanged (fld/fmv). */
static void binary(const char* name, Binary op)
{
    for (unsigned i = 0; i < COUNT; i++)
        for (unsigned j = 0; j < COUNT; j++) {
            clear_flags();
            const uint64_t r = op(kValues[i], kValues[j]);
            printf("%s %016llx %016llx = %016llx %02x\n", name, (unsigned long long)kValues[i],
                   (unsigned long long)kValues[j], (unsigned long long)r, flags());
        }
}

static void unary(const char* name, Unary op)
{
    for (unsigned i = 0; i < COUNT; i++) {
        clear_flags();
        const uint64_t r = op(kValues[i]);
        printf("%s %016llx = %016llx %02x\n", name, (unsigned long long)kValues[i], (unsigned long long)r, flags());
    }
}

static void integer_sources(const char* name, Unary op)
{
    static const uint64_t ints[] = {0, 1, (uint64_t)-1, 0x7fffffff, 0x80000000, 0xffffffff80000000ull,
                                    0x7fffffffffffffffull, 0x8000000000000000ull, 0x20000000000001ull,
                                    0x123456789abcdefull, 0x1234567};
    for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        clear_flags();
        const uint64_t r = op(ints[i]);
        printf("%s %016llx = %016llx %02x\n", name, (unsigned long long)ints[i], (unsigned long long)r, flags());
    }
}

int main(void)
{
    binary("fadd", add_plain);
    binary("fsub", sub_plain);
    binary("fmul", mul_plain);
    binary("fdiv", div_plain);
    binary("fadd.rne", add_static);
    binary("fadd.rtz", add_rtz);
    binary("feq", feq);
    binary("flt", flt);
    binary("fle", fle);
    binary("fsgnj", sgnj);
    binary("fsgnjn", sgnjn);
    binary("fsgnjx", sgnjx);
    for (unsigned i = 0; i < COUNT; i += 2)
        for (unsigned j = 1; j < COUNT; j += 2)
            for (unsigned k = 0; k < COUNT; k += 3) {
                const uint64_t a = kValues[i], b = kValues[j], c = kValues[k];
                uint64_t r[4];
                unsigned f[4];
                clear_flags(); r[0] = fmadd(a, b, c); f[0] = flags();
                clear_flags(); r[1] = fmsub(a, b, c); f[1] = flags();
                clear_flags(); r[2] = fnmsub(a, b, c); f[2] = flags();
                clear_flags(); r[3] = fnmadd(a, b, c); f[3] = flags();
                printf("fma %016llx %016llx %016llx = %016llx %02x %016llx %02x %016llx %02x %016llx %02x\n",
                       (unsigned long long)a, (unsigned long long)b, (unsigned long long)c,
                       (unsigned long long)r[0], f[0], (unsigned long long)r[1], f[1],
                       (unsigned long long)r[2], f[2], (unsigned long long)r[3], f[3]);
            }
    unary("fsqrt", sqrt_plain);
    unary("fcvt.w.rtz", w_rtz);
    unary("fcvt.w.rne", w_rne);
    unary("fcvt.w.rup", w_rup);
    unary("fcvt.l.rtz", l_rtz);
    unary("fmv.x.d", fmv_x);
    unary("fneg", fneg);
    unary("fabs", fabs_);
    integer_sources("fcvt.d.w", from_w);
    integer_sources("fcvt.d.l", from_l);
    integer_sources("fmv.d.x", fmv_d);

    /* DYN under each frm value (0-4): the translator's inline code only serves RNE. */
    for (unsigned rm = 0; rm <= 4; rm++) {
        __asm__ volatile("fsrm %0" : : "r"(rm));
        printf("frm %u\n", rm);
        binary("fadd.dyn", add_dyn);
        binary("fdiv.dyn", div_dyn);
        binary("fmul.dyn", mul_dyn);
        unary("fsqrt.dyn", sqrt_dyn);
        unary("fcvt.w.dyn", w_dyn);
        unary("fcvt.l.dyn", l_dyn);
        integer_sources("fcvt.d.l.dyn", from_l_dyn);
    }
    __asm__ volatile("fsrm zero");

    /* Flags accumulate across instructions and clear when fflags is written. */
    clear_flags();
    add_plain(kValues[2], kValues[6]);              /* 1 + 1/3: inexact */
    div_plain(kValues[2], kValues[0]);              /* 1 / 0: divide by zero */
    printf("accumulated %02x\n", flags());
    clear_flags();
    add_plain(kValues[2], kValues[2]);              /* exact */
    printf("after clearing %02x\n", flags());
    unsigned long long sum = 0;
    for (int i = 1; i <= 1000; i++)               /* a loop the translator runs */
        sum += bits(d(bits((double)i)) / 7.0) >> 40;
    printf("loop %llx %02x\n", sum, flags());
    return 0;
}
