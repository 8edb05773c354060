/* Floating point: arithmetic on special values (signed zeros, subnormals, infinities, NaNs), conversions between
 * double, float, half and integers (AArch64 saturates where C is undefined), the four IEEE rounding modes, and the
 * cumulative exception flags. Values are printed exactly (%a) and in decimal (%.17g / %.9g). */
#include <fenv.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define OPAQUE(v) ({ __typeof__((v) + 0) o_ = (v); __asm__ volatile("" : "+w"(o_)); o_; })

static const double dvals[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, 3.0, 1.0 / 3.0, 0.1, -2.5, 1e300, -1e-300, DBL_MAX, DBL_MIN, 4.9406564584124654e-324,
    2.2250738585072009e-308, 9007199254740993.0, 4294967295.5, -2147483648.75, 1.8446744073709552e19, INFINITY, -INFINITY, NAN,
};
#define ND (sizeof dvals / sizeof dvals[0])

static const float fvals[] = {0.0f, -0.0f, 1.0f, 0.1f, -3.5f, FLT_MAX, FLT_MIN, 1.4e-45f, 16777217.0f, INFINITY, NAN};
#define NF (sizeof fvals / sizeof fvals[0])

static uint64_t bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* The saturating conversions are what FCVTZS/FCVTZU do; C leaves out-of-range conversion undefined. */
static int64_t fcvtzs64(double d) { int64_t r; __asm__("fcvtzs %0, %d1" : "=r"(r) : "w"(d)); return r; }
static uint64_t fcvtzu64(double d) { uint64_t r; __asm__("fcvtzu %0, %d1" : "=r"(r) : "w"(d)); return r; }
static int32_t fcvtzs32(double d) { int32_t r; __asm__("fcvtzs %w0, %d1" : "=r"(r) : "w"(d)); return r; }
static uint32_t fcvtzu32(float f) { uint32_t r; __asm__("fcvtzu %w0, %s1" : "=r"(r) : "w"(f)); return r; }
static int64_t fcvtas64(double d) { int64_t r; __asm__("fcvtas %0, %d1" : "=r"(r) : "w"(d)); return r; }
static int64_t fcvtms64(double d) { int64_t r; __asm__("fcvtms %0, %d1" : "=r"(r) : "w"(d)); return r; }

static void flags(const char *what) {
    int f = fetestexcept(FE_ALL_EXCEPT);
    printf("  %-28s flags:%s%s%s%s%s\n", what, f & FE_INVALID ? " invalid" : "", f & FE_DIVBYZERO ? " divbyzero" : "",
           f & FE_OVERFLOW ? " overflow" : "", f & FE_UNDERFLOW ? " underflow" : "", f & FE_INEXACT ? " inexact" : "");
    feclearexcept(FE_ALL_EXCEPT);
}

static void arithmetic(void) {
    puts("== double arithmetic");
    for (size_t i = 0; i < ND; i++) {
        for (size_t j = 0; j < ND; j += 2) {
            double a = OPAQUE(dvals[i]), b = OPAQUE(dvals[j]);
            printf("%a %a: + %a - %a * %a / %a fma %a max %a min %a cmp %d%d%d%d\n", a, b, a + b, a - b, a * b, a / b,
                   fma(a, b, 1.0), fmax(a, b), fmin(a, b), a < b, a == b, a > b, isunordered(a, b));
        }
        double a = OPAQUE(dvals[i]);
        printf("%a = %.17g: sqrt %a neg %a abs %a signbit %d class %d bits %016" PRIx64 "\n", a, a, sqrt(a), -a, fabs(a),
               signbit(a) != 0, fpclassify(a), bits(a));
    }
    puts("== float arithmetic");
    for (size_t i = 0; i < NF; i++) {
        for (size_t j = 0; j < NF; j += 3) {
            float a = OPAQUE(fvals[i]), b = OPAQUE(fvals[j]);
            printf("%a %a: + %.9g - %.9g * %a / %a fma %a sqrt %a bits %08x\n", a, b, a + b, a - b, a * b, a / b,
                   fmaf(a, b, -1.0f), sqrtf(a), fbits(a / b));
        }
    }
}

static void conversions(void) {
    puts("== conversions");
    for (size_t i = 0; i < ND; i++) {
        double d = OPAQUE(dvals[i]);
        float f = (float)d;
        __fp16 h = (__fp16)d;
        printf("%.17g: float %a (%08x) half %a s64 %" PRId64 " u64 %" PRIu64 " s32 %d as %" PRId64 " ms %" PRId64 "\n", d, f,
               fbits(f), (double)h, fcvtzs64(d), fcvtzu64(d), fcvtzs32(d), fcvtas64(d), fcvtms64(d));
    }
    for (size_t i = 0; i < NF; i++) printf("%a: u32 %u\n", fvals[i], fcvtzu32(OPAQUE(fvals[i])));
    const int64_t ints[] = {0, 1, -1, INT64_MAX, INT64_MIN, 9007199254740993LL, -9007199254740995LL, 16777217, 0x7fffffffffffff01LL};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        int64_t v = ints[i];
        __asm__ volatile("" : "+r"(v));
        printf("%" PRId64 ": double %a float %a from-u64 %a from-u32 %a\n", v, (double)v, (float)v, (double)(uint64_t)v,
               (float)(uint32_t)v);
    }
}

static void rounding(void) {
    puts("== rounding modes");
    const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    const char *names[] = {"nearest", "upward", "downward", "towardzero"};
    for (int m = 0; m < 4; m++) {
        if (fesetround(modes[m]) != 0) printf("fesetround %s failed\n", names[m]);
        double third = OPAQUE(1.0) / OPAQUE(3.0), neg = OPAQUE(-2.0) / OPAQUE(3.0);
        double big = OPAQUE(DBL_MAX) * OPAQUE(2.0);
        float narrowed = (float)OPAQUE(0.1);
        printf("%s (get %d): 1/3 %a -2/3 %a sqrt2 %a max*2 %a (float)0.1 %a 1e16+1 %.17g\n", names[m],
               fegetround() == modes[m], third, neg, sqrt(OPAQUE(2.0)), big, narrowed, OPAQUE(1e16) + OPAQUE(1.0));
        for (double x = -2.5; x <= 2.5; x += 0.5) {
            double v = OPAQUE(x);
            printf("  %4.1f: rint %4.1f nearbyint %4.1f lrint %ld round %4.1f trunc %4.1f floor %4.1f ceil %4.1f\n", x,
                   rint(v), nearbyint(v), lrint(v), round(v), trunc(v), floor(v), ceil(v));
        }
        printf("  (int64)(double)2^63-1 via llrint %lld, (double)(2^53+1) %a\n", llrint(OPAQUE(9.3e18)),
               (double)OPAQUE(9007199254740993LL));
    }
    fesetround(FE_TONEAREST);
}

static void exceptions(void) {
    puts("== exception flags");
    feclearexcept(FE_ALL_EXCEPT);
    flags("none");
    volatile double r;
    r = OPAQUE(1.0) + OPAQUE(2.0); flags("1+2");
    r = OPAQUE(1.0) / OPAQUE(3.0); flags("1/3");
    r = OPAQUE(1.0) / OPAQUE(0.0); flags("1/0");
    r = OPAQUE(0.0) / OPAQUE(0.0); flags("0/0");
    r = OPAQUE(INFINITY) - OPAQUE(INFINITY); flags("inf-inf");
    r = sqrt(OPAQUE(-1.0)); flags("sqrt(-1)");
    r = OPAQUE(DBL_MAX) * OPAQUE(2.0); flags("DBL_MAX*2");
    r = OPAQUE(DBL_MIN) * OPAQUE(DBL_MIN); flags("DBL_MIN*DBL_MIN");
    r = OPAQUE(DBL_MIN) / OPAQUE(4.0); flags("DBL_MIN/4 (exact subnormal)");
    r = OPAQUE(DBL_MIN) / OPAQUE(3.0); flags("DBL_MIN/3");
    r = (double)fcvtzs32(OPAQUE(1e10)); flags("fcvtzs32(1e10)");
    r = (double)fcvtzs64(OPAQUE(NAN)); flags("fcvtzs64(nan)");
    r = (double)fcvtzs64(OPAQUE(2.5)); flags("fcvtzs64(2.5)");
    r = OPAQUE(NAN) + OPAQUE(1.0); flags("qnan+1");
    r = (double)(OPAQUE(NAN) < OPAQUE(1.0)); flags("qnan<1 (signalling compare)");
    r = (double)isless(OPAQUE(NAN), OPAQUE(1.0)); flags("isless(qnan,1) (quiet)");
    r = (double)(float)OPAQUE(1e300); flags("(float)1e300");
    r = (double)(float)OPAQUE(0.1); flags("(float)0.1");
    r = fma(OPAQUE(INFINITY), OPAQUE(0.0), OPAQUE(1.0)); flags("fma(inf,0,1)");
    (void)r;
    feraiseexcept(FE_OVERFLOW | FE_INEXACT); flags("feraiseexcept(overflow|inexact)");
    fexcept_t saved;
    feraiseexcept(FE_DIVBYZERO);
    fegetexceptflag(&saved, FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    fesetexceptflag(&saved, FE_ALL_EXCEPT); flags("restored divbyzero");
}

int main(void) {
    arithmetic();
    conversions();
    rounding();
    exceptions();
    puts("done");
    return 0;
}
