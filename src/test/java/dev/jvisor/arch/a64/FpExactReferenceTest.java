package dev.jvisor.arch.a64;

import dev.jvisor.arch.a64.fp.FpFormat;
import dev.jvisor.arch.a64.fp.SoftFloat;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Cross-checks the soft-float core against exact arithmetic: BigDecimal computes a + b, a * b, a / b (as an exact
 * comparison), sqrt (by squaring the candidate) and a * b + c exactly, and the reference rounds by looking at which
 * neighbour the exact value lies between. Runs in all four FPCR rounding modes, results from denormal to huge.
 */
class FpExactReferenceTest {
    static final int[] MODES = {SoftFloat.RN, SoftFloat.RP, SoftFloat.RM, SoftFloat.RZ};
    final Random random = new Random(20261125);
    final Cpu cpu = new A64Harness().cpu;
    final List<String> failures = new ArrayList<>();

    double randomDouble(int minExp, int maxExp) {
        int exp = minExp + random.nextInt(maxExp - minExp + 1);
        double m = 1 + random.nextDouble();
        if (random.nextInt(4) == 0) m = 1 + (random.nextLong() >>> 40) * 0x1p-24;
        double v = Math.scalb(m, exp);
        return random.nextBoolean() ? v : -v;
    }

    /** Rounds the exact value to double in the given mode, from the neighbours it lies between. */
    static double reference(BigDecimal exact, int mode) {
        if (exact.signum() == 0) return mode == SoftFloat.RM ? -0.0 : 0.0;
        double d = exact.doubleValue();
        if (Double.isInfinite(d)) {
            boolean neg = d < 0;
            boolean toInf = mode == SoftFloat.RN || (mode == SoftFloat.RP && !neg) || (mode == SoftFloat.RM && neg);
            return toInf ? d : Math.copySign(Double.MAX_VALUE, d);
        }
        int cmp = exact.compareTo(new BigDecimal(d));
        if (cmp == 0 || mode == SoftFloat.RN) return d;
        double below = cmp > 0 ? d : Math.nextDown(d), above = cmp > 0 ? Math.nextUp(d) : d;
        return switch (mode) {
            case SoftFloat.RP -> above;
            case SoftFloat.RM -> below;
            default -> exact.signum() > 0 ? below : above;
        };
    }

    static float referenceFloat(BigDecimal exact, int mode) {
        if (exact.signum() == 0) return mode == SoftFloat.RM ? -0.0f : 0.0f;
        float f = exact.floatValue();
        if (Float.isInfinite(f)) {
            boolean neg = f < 0;
            boolean toInf = mode == SoftFloat.RN || (mode == SoftFloat.RP && !neg) || (mode == SoftFloat.RM && neg);
            return toInf ? f : Math.copySign(Float.MAX_VALUE, f);
        }
        int cmp = exact.compareTo(new BigDecimal(f));
        if (cmp == 0 || mode == SoftFloat.RN) return f;
        float below = cmp > 0 ? f : Math.nextDown(f), above = cmp > 0 ? Math.nextUp(f) : f;
        return switch (mode) {
            case SoftFloat.RP -> above;
            case SoftFloat.RM -> below;
            default -> exact.signum() > 0 ? below : above;
        };
    }

    void check(String what, int mode, BigDecimal exact, long got, FpFormat f) {
        long want;
        boolean inexact;
        if (f == FpFormat.DOUBLE) {
            double r = reference(exact, mode);
            want = Double.doubleToRawLongBits(r);
            inexact = Double.isInfinite(r) || exact.compareTo(new BigDecimal(r)) != 0;
        } else {
            float r = referenceFloat(exact, mode);
            want = Float.floatToRawIntBits(r) & 0xFFFF_FFFFL;
            inexact = Float.isInfinite(r) || exact.compareTo(new BigDecimal(r)) != 0;
        }
        double minNormal = f == FpFormat.DOUBLE ? Double.MIN_NORMAL : Float.MIN_NORMAL;
        boolean tiny = exact.abs().compareTo(new BigDecimal(minNormal)) < 0;
        int flags = (inexact ? SoftFloat.IXC : 0) | (inexact && tiny ? SoftFloat.UFC : 0);
        int gotFlags = cpu.fpsr & ~SoftFloat.OFC;
        if (got != want || gotFlags != flags) {
            failures.add(String.format("%s mode %d: want %x flags %x, got %x flags %x", what, mode, want, flags, got,
                gotFlags));
        }
    }

    void run(int mode) {
        cpu.fpcr = mode << SoftFloat.RMODE_SHIFT;
        cpu.fpsr = 0;
    }

    static BigDecimal exact(double d) { return new BigDecimal(d); }

    @Test
    void doublePrecisionAgreesWithExactArithmetic() {
        FpFormat f = FpFormat.DOUBLE;
        for (int i = 0; i < 400; i++) {
            // Exponent ranges chosen so that some results are denormal and some overflow.
            boolean extreme = i % 4 == 0;
            double a = extreme ? randomDouble(-1040, 1023) : randomDouble(-60, 60);
            double b = extreme ? randomDouble(-1040, 1023) : randomDouble(-60, 60);
            double c = extreme ? randomDouble(-1074, 1023) : randomDouble(-120, 120);
            if (i % 7 == 0) b = -a * (1 + Math.scalb(random.nextInt(9) - 4, -50));
            // An addend that nearly cancels the product: the fused result keeps the product's low bits.
            if (i % 5 == 1 && !extreme) c = Math.nextUp(-a * b) * (random.nextBoolean() ? 1 : 1 + Math.scalb(1.0, -52));
            long ba = Double.doubleToRawLongBits(a), bb = Double.doubleToRawLongBits(b),
                bc = Double.doubleToRawLongBits(c);
            for (int mode : MODES) {
                String ops = a + ", " + b + ", " + c;
                run(mode);
                check("add " + ops, mode, exact(a).add(exact(b)), SoftFloat.add(cpu, f, ba, bb), f);
                run(mode);
                check("mul " + ops, mode, exact(a).multiply(exact(b)), SoftFloat.mul(cpu, f, ba, bb), f);
                run(mode);
                check("fma " + ops, mode, exact(a).multiply(exact(b)).add(exact(c)), SoftFloat.mulAdd(cpu, f, bc, ba,
                    bb), f);
                run(mode);
                long q = SoftFloat.div(cpu, f, ba, bb);
                check("div " + ops, mode, divisionReference(a, b), q, f);
                run(mode);
                double x = Math.abs(a);
                check("sqrt " + x, mode, sqrtReference(x), SoftFloat.sqrt(cpu, f, Double.doubleToRawLongBits(x)), f);
            }
        }
        assertEquals("", String.join("\n", failures.subList(0, Math.min(30, failures.size()))),
            failures.size() + " failures");
    }

    @Test
    void singlePrecisionAgreesWithExactArithmetic() {
        FpFormat f = FpFormat.SINGLE;
        for (int i = 0; i < 400; i++) {
            boolean extreme = i % 4 == 0;
            float a = (float) (extreme ? randomDouble(-140, 127) : randomDouble(-30, 30));
            float b = (float) (extreme ? randomDouble(-140, 127) : randomDouble(-30, 30));
            float c = (float) (extreme ? randomDouble(-149, 127) : randomDouble(-60, 60));
            if (a == 0 || b == 0 || Float.isInfinite(a) || Float.isInfinite(b) || Float.isInfinite(c)) continue;
            long ba = Float.floatToRawIntBits(a) & 0xFFFF_FFFFL, bb = Float.floatToRawIntBits(b) & 0xFFFF_FFFFL;
            long bc = Float.floatToRawIntBits(c) & 0xFFFF_FFFFL;
            for (int mode : MODES) {
                String ops = a + ", " + b + ", " + c;
                run(mode);
                check("add " + ops, mode, exact(a).add(exact(b)), SoftFloat.add(cpu, f, ba, bb), f);
                run(mode);
                check("mul " + ops, mode, exact(a).multiply(exact(b)), SoftFloat.mul(cpu, f, ba, bb), f);
                run(mode);
                check("fma " + ops, mode, exact(a).multiply(exact(b)).add(exact(c)), SoftFloat.mulAdd(cpu, f, bc, ba,
                    bb), f);
                run(mode);
                check("div " + ops, mode, divisionReference(a, b), SoftFloat.div(cpu, f, ba, bb), f);
            }
        }
        assertEquals("", String.join("\n", failures.subList(0, Math.min(30, failures.size()))),
            failures.size() + " failures");
    }

    /** The exact quotient is not finite in decimal: find the double neighbours by exact multiplication instead. */
    BigDecimal divisionReference(double a, double b) {
        BigDecimal approx = exact(a).divide(exact(b), new MathContext(60));
        BigDecimal rest = exact(a).subtract(approx.multiply(exact(b)));
        if (rest.signum() == 0) return approx;
        // Move the approximation by far less than any double's spacing in the direction of the true quotient.
        BigDecimal nudge = approx.abs().multiply(new BigDecimal("1e-45"));
        return rest.signum() * exact(b).signum() > 0 ? approx.add(nudge) : approx.subtract(nudge);
    }

    /** sqrt(x) to 60 digits, nudged toward the true root; exact when the root is representable. */
    BigDecimal sqrtReference(double x) {
        BigDecimal root = exact(x).sqrt(new MathContext(60));
        int cmp = root.multiply(root).compareTo(exact(x));
        if (cmp == 0) return root;
        BigDecimal nudge = root.multiply(new BigDecimal("1e-45"));
        return cmp < 0 ? root.add(nudge) : root.subtract(nudge);
    }
}
