/* libm: the elementary functions over ordinary arguments and their edge cases (zeros, infinities, NaN, huge, tiny,
 * subnormal, near-poles). glibc computes them with plain FP instructions, so every bit of every result shows whether
 * the emulated FPU rounds, fuses and flags exactly like the hardware. */
#include <float.h>
#include <math.h>
#include <stdio.h>

#define OPAQUE(v) ({ __typeof__((v) + 0) o_ = (v); __asm__ volatile("" : "+w"(o_)); o_; })

static const double args[] = {
    0.0, -0.0, 1e-310, 1e-20, 0.5, 1.0, -1.0, 1.5707963267948966, 2.0, 3.141592653589793, -3.0, 10.0, 22.5, 100.0,
    709.78, 710.0, -745.2, 1e22, 1e300, DBL_MAX, INFINITY, -INFINITY, NAN,
};
#define NA (sizeof args / sizeof args[0])

static void unary(const char *name, double (*f)(double)) {
    printf("%s:", name);
    for (size_t i = 0; i < NA; i++) printf(" %a", f(OPAQUE(args[i])));
    putchar('\n');
}

static void binary(const char *name, double (*f)(double, double)) {
    printf("%s:\n", name);
    for (size_t i = 0; i < NA; i += 2) {
        printf(" ");
        for (size_t j = 1; j < NA; j += 3) printf(" %a", f(OPAQUE(args[i]), OPAQUE(args[j])));
        putchar('\n');
    }
}

static double my_remainder(double a, double b) { return remainder(a, b); }
static double my_fmod(double a, double b) { return fmod(a, b); }

int main(void) {
    unary("sin", sin); unary("cos", cos); unary("tan", tan); unary("exp", exp); unary("expm1", expm1);
    unary("log", log); unary("log1p", log1p); unary("log2", log2); unary("log10", log10); unary("sqrt", sqrt);
    unary("cbrt", cbrt); unary("floor", floor); unary("ceil", ceil); unary("round", round); unary("trunc", trunc);
    unary("atan", atan); unary("asin", asin); unary("acos", acos); unary("sinh", sinh); unary("tanh", tanh);
    unary("erf", erf); unary("lgamma", lgamma); unary("tgamma", tgamma);
    binary("pow", pow); binary("atan2", atan2); binary("hypot", hypot); binary("fmod", my_fmod);
    binary("remainder", my_remainder); binary("nextafter", nextafter); binary("copysign", copysign);
    printf("fma:");
    for (size_t i = 0; i < NA; i += 2) printf(" %a", fma(OPAQUE(args[i]), OPAQUE(args[(i + 5) % NA]), OPAQUE(args[(i + 9) % NA])));
    putchar('\n');
    printf("fma exactness: %a %a\n", fma(OPAQUE(0x1.0000001p0), OPAQUE(0x1.0000001p0), OPAQUE(-1.0)),
           fma(OPAQUE(0x1.fffffffffffffp0), OPAQUE(0x1.fffffffffffffp0), OPAQUE(-0x1.ffffffffffffep1)));
    printf("frexp/ldexp:");
    for (size_t i = 0; i < NA; i++) {
        int e = 0;
        double m = frexp(OPAQUE(args[i]), &e);
        printf(" %a*2^%d=%a", m, e, ldexp(m, e));
    }
    printf("\nldexp edges: %a %a %a %a\n", ldexp(OPAQUE(1.0), 1023), ldexp(OPAQUE(1.0), 1024), ldexp(OPAQUE(1.0), -1074),
           ldexp(OPAQUE(1.5), -1075));
    printf("float: sinf %a cosf %a expf %a logf %a powf %a sqrtf %a\n", sinf(OPAQUE(1.0f)), cosf(OPAQUE(1e6f)),
           expf(OPAQUE(88.7f)), logf(OPAQUE(3.0f)), powf(OPAQUE(2.5f), OPAQUE(-3.25f)), sqrtf(OPAQUE(2.0f)));
    double acc = 0;
    for (int k = 1; k <= 2000; k++) acc += sin(k * 0.001) * exp(-k * 0.0005) / sqrt(k);
    printf("series %.17g %a\n", acc, acc);
    puts("done");
    return 0;
}
