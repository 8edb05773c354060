/* Floating point through glibc: libm (which leans on FMA, conversions and rounding), printf/strtod round trips,
   fenv rounding modes and exception flags, and loops GCC vectorizes into Advanced SIMD FP at -O3. */
#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile double vd[] = {0.1, 1.0 / 3, 2.5, -7.25, 1e-310, 1e300, 123456.789, -0.0, 0.5, 3.0};
static volatile float vf[] = {0.1f, 1.0f / 3, 2.5f, -7.25f, 1e-40f, 1e30f, 1234.5f, -0.0f, 0.5f, 3.0f};

static const char *mode_name(int m) {
    return m == FE_TONEAREST ? "RN" : m == FE_UPWARD ? "RP" : m == FE_DOWNWARD ? "RM" : "RZ";
}

static void flags(const char *what) {
    printf("%s flags:%s%s%s%s%s\n", what, fetestexcept(FE_INVALID) ? " invalid" : "",
           fetestexcept(FE_DIVBYZERO) ? " divbyzero" : "", fetestexcept(FE_OVERFLOW) ? " overflow" : "",
           fetestexcept(FE_UNDERFLOW) ? " underflow" : "", fetestexcept(FE_INEXACT) ? " inexact" : "");
}

#define N 1024
static double xs[N], ys[N];
static float fs[N], gs[N];

int main(void) {
    for (int i = 0; i < 10; i++) {
        double x = vd[i];
        printf("d %a: sin %a cos %a exp %a log %a sqrt %a cbrt %a tanh %a\n", x, sin(x), cos(x), exp(x), log(fabs(x)),
               sqrt(fabs(x)), cbrt(x), tanh(x));
        printf("  pow %a atan2 %a hypot %a fmod %a rint %a lround %ld trunc %a\n", pow(fabs(x), 0.75), atan2(x, 2.0),
               hypot(x, 3.0), fmod(x, 0.7), rint(x), lround(x), trunc(x));
        float f = vf[i];
        printf("f %a: sinf %a expf %a logf %a sqrtf %a powf %a\n", f, sinf(f), expf(f), logf(fabsf(f)), sqrtf(fabsf(f)),
               powf(fabsf(f), 1.5f));
    }
    int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        double third = vd[9];
        printf("%s: 1/3 %a -1/3 %a sqrt2 %a fma %a rint(2.5) %a (float)0.1 %a llrint %lld\n", mode_name(modes[m]),
               1.0 / third, -1.0 / third, sqrt(2.0 + vd[7]), fma(vd[0], vd[1], vd[3]), rint(vd[2]), (double) (float) vd[0],
               llrint(vd[6]));
        printf("  big %a tiny %a strtod %a %a\n", vd[5] * 1e10, vd[4] * 1e-10, strtod("0.1", 0), strtod("1e-320", 0));
    }
    fesetround(FE_TONEAREST);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double r = vd[0] + vd[1];
    flags("add");
    feclearexcept(FE_ALL_EXCEPT);
    r = vd[5] * vd[5];
    flags("mul overflow");
    feclearexcept(FE_ALL_EXCEPT);
    r = vd[4] / 3;
    flags("denormal quotient");
    feclearexcept(FE_ALL_EXCEPT);
    r = vd[1] / vd[7];
    flags("divide by zero");
    feclearexcept(FE_ALL_EXCEPT);
    r = sqrt(-vd[8]);
    flags("sqrt(-0.5)");
    feclearexcept(FE_ALL_EXCEPT);
    r = vd[2] * 4;
    flags("exact");
    (void) r;

    char buf[64];
    for (int i = 0; i < 10; i++) {
        snprintf(buf, sizeof buf, "%.17g", vd[i]);
        printf("%s round-trips %d; %.3e %g %f\n", buf, strtod(buf, 0) == vd[i], vd[i], vd[i], vd[i] / 1e290);
    }

    for (int i = 0; i < N; i++) {
        xs[i] = (i + 1) * 0.37;
        ys[i] = 1.0 / (i + 3);
        fs[i] = i * 0.25f - 40;
        gs[i] = 1.0f / (i + 1);
    }
    double dot = 0;
    for (int i = 0; i < N; i++) { xs[i] = xs[i] * ys[i] + 0.5; ys[i] = sqrt(xs[i]) / (ys[i] + 1); }
    for (int i = 0; i < N; i++) dot += xs[i] * ys[i];
    for (int i = 0; i < N; i++) { fs[i] = fs[i] < 0 ? -fs[i] : fs[i] * gs[i]; gs[i] = fmaxf(fs[i], gs[i]) + (float) i; }
    int cvt = 0;
    for (int i = 0; i < N; i++) cvt += (int) fs[i] + (int) (gs[i] * 3.0f);
    float fsum = 0;
    for (int i = 0; i < N; i++) fsum += fs[i] * gs[i];
    printf("vector: dot %a fsum %a cvt %d xs[77] %a gs[1000] %a\n", dot, fsum, cvt, xs[77], gs[1000]);
    return 0;
}
