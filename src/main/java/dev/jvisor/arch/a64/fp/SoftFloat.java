package dev.jvisor.arch.a64.fp;

import dev.jvisor.arch.a64.Cpu;

import java.math.BigInteger;

/**
 * AArch64 floating-point arithmetic, bit-exact with the ARM ARM pseudocode (FPUnpack, FPProcessNaNs, FPRound and the
 * operations built on them): all rounding modes of FPCR.RMode, FPCR.FZ and FPCR.DN, NaN propagation, and the
 * cumulative FPSR flags. Operands and results are raw bits in a long for any {@link FpFormat}.
 *
 * <p>Exact results are formed in integers: a significand normalized to bit 62 with the bits that fall off below
 * bit 0 "jammed" (ORed) into bit 0, which keeps enough information to round correctly in every mode. Round to
 * nearest, the case real programs run, first tries the host's IEEE arithmetic (which rounds the same way) and checks
 * exactness with an error-free transformation; it only falls back for NaNs, infinities, flushed denormals and
 * results near the edges of the exponent range, where the flags need the full treatment.
 */
public final class SoftFloat {
    private SoftFloat() {}

    // FPSR cumulative exception bits.
    public static final int IOC = 1, DZC = 1 << 1, OFC = 1 << 2, UFC = 1 << 3, IXC = 1 << 4, IDC = 1 << 7;
    // FPCR control bits.
    public static final int AHP = 1 << 26, DN = 1 << 25, FZ = 1 << 24, RMODE_SHIFT = 22, RMODE_MASK = 3 << RMODE_SHIFT;
    /** Rounding modes; the first four are FPCR.RMode's encodings. */
    public static final int RN = 0, RP = 1, RM = 2, RZ = 3, TIES_AWAY = 4, ODD = 5;

    public static int roundingMode(int fpcr) {
        return fpcr >>> RMODE_SHIFT & 3;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Operand unpacking and NaNs

    /** FPUnpack's denormal handling: with FPCR.FZ a denormal single or double input reads as zero and sets IDC. */
    static long flushInput(Cpu c, FpFormat f, long bits) {
        if ((c.fpcr & FZ) != 0 && f != FpFormat.HALF && f.isDenormal(bits)) {
            c.fpsr |= IDC;
            return bits & f.signBit;
        }
        return bits;
    }

    /** FPProcessNaN: a signalling NaN is quietened and raises Invalid Operation; FPCR.DN replaces any NaN. */
    static long processNaN(Cpu c, FpFormat f, long nan) {
        if ((nan & f.quietBit) == 0) {
            c.fpsr |= IOC;
            nan |= f.quietBit;
        }
        return (c.fpcr & DN) != 0 ? f.defaultNaN : nan;
    }

    /** FPProcessNaNs for two operands, at least one a NaN: signalling NaNs first, then the first operand. */
    static long processNaNs(Cpu c, FpFormat f, long a, long b) {
        if (f.isSignalling(a)) return processNaN(c, f, a);
        if (f.isSignalling(b)) return processNaN(c, f, b);
        return processNaN(c, f, f.isNaN(a) ? a : b);
    }

    /** FPProcessNaNs3, at least one operand a NaN. */
    static long processNaNs3(Cpu c, FpFormat f, long a, long b, long d) {
        if (f.isSignalling(a)) return processNaN(c, f, a);
        if (f.isSignalling(b)) return processNaN(c, f, b);
        if (f.isSignalling(d)) return processNaN(c, f, d);
        return processNaN(c, f, f.isNaN(a) ? a : f.isNaN(b) ? b : d);
    }

    static long invalid(Cpu c, FpFormat f) {
        c.fpsr |= IOC;
        return f.defaultNaN;
    }

    /** The sign an exact zero sum of non-zero or opposite-signed values takes: negative only when rounding down. */
    static long exactZero(Cpu c, FpFormat f) {
        return roundingMode(c.fpcr) == RM ? f.signBit : 0;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Rounding

    /** Shifts right by {@code n} (any non-negative amount), ORing every bit shifted out into bit 0. */
    static long shiftRightJam(long x, int n) {
        if (n == 0) return x;
        if (n >= 63) return x != 0 ? 1 : 0;
        return x >>> n | ((x & ((1L << n) - 1)) != 0 ? 1 : 0);
    }

    /** FPRound with the FPCR's mode and flush-to-zero setting. */
    static long round(Cpu c, FpFormat f, boolean negative, int exp, long sig) {
        return round(c, f, negative, exp, sig, roundingMode(c.fpcr));
    }

    static long round(Cpu c, FpFormat f, boolean negative, int exp, long sig, int rounding) {
        return round(c, f, negative, exp, sig, rounding, (c.fpcr & FZ) != 0 && f != FpFormat.HALF);
    }

    /**
     * FPRound: rounds {@code (-1)^negative * sig * 2^(exp-62)} to format {@code f}. {@code sig} has bit 62 set and bit
     * 63 clear; its bit 0 may be a sticky bit standing for non-zero bits below it. As the ARM ARM specifies, tininess
     * (for flush-to-zero and for Underflow) is judged on the unrounded value, and Underflow needs an inexact result.
     */
    static long round(Cpu c, FpFormat f, boolean negative, int exp, long sig, int rounding, boolean flushToZero) {
        return round(c, f, negative, exp, sig, rounding, flushToZero, false);
    }

    /**
     * FPRound, optionally to the alternative half-precision format (FPCR.AHP), which has no infinities or NaNs: its
     * top exponent holds normal numbers and a result beyond them saturates with Invalid Operation instead of
     * overflowing.
     */
    static long round(Cpu c, FpFormat f, boolean negative, int exp, long sig, int rounding, boolean flushToZero,
                      boolean alternativeHalf) {
        long sign = negative ? f.signBit : 0;
        if (flushToZero && exp < f.minExp) {
            c.fpsr |= UFC;
            return sign;
        }
        int biasedExp = exp - f.minExp + 1;
        int shift = 62 - f.fracBits;
        if (biasedExp <= 0) {
            shift += 1 - biasedExp;
            biasedExp = 0;
        }
        long mant, rest, half;
        if (shift < 63) {
            mant = sig >>> shift;
            rest = sig & ((1L << shift) - 1);
            half = 1L << (shift - 1);
        } else if (shift == 63) {
            mant = 0;
            rest = sig;
            half = 1L << 62;
        } else {
            // Below half an ulp of the smallest denormal but not zero: any value in (0, 1/2) decides alike.
            mant = 0;
            rest = 1;
            half = 2;
        }
        boolean inexact = rest != 0;
        if (biasedExp == 0 && inexact) c.fpsr |= UFC;
        boolean up = switch (rounding) {
            case RN -> rest > half || (rest == half && (mant & 1) != 0);
            case RP -> inexact && !negative;
            case RM -> inexact && negative;
            case TIES_AWAY -> rest >= half;
            default -> false;
        };
        // For a normal number mant carries the implicit bit, so adding it to (biasedExp - 1) << F both forms the
        // encoding and lets a carry out of the fraction bump the exponent.
        long bits = (biasedExp == 0 ? 0 : (long) (biasedExp - 1) << f.fracBits) + mant + (up ? 1 : 0);
        if (rounding == ODD && inexact) bits |= 1;
        if (alternativeHalf) {
            if (biasedExp >= 1 << f.expBits || bits > (f.signBit - 1)) {
                c.fpsr |= IOC;
                return sign | (f.signBit - 1);
            }
        } else if (biasedExp >= 1 << f.expBits || bits >= f.infinity) {
            c.fpsr |= OFC | IXC;
            boolean toInfinity = switch (rounding) {
                case RN, TIES_AWAY -> true;
                case RP -> !negative;
                case RM -> negative;
                default -> false;
            };
            return sign | (toInfinity ? f.infinity : f.maxNormal);
        }
        if (inexact) c.fpsr |= IXC;
        return sign | bits;
    }

    /**
     * Whether the host's IEEE arithmetic gives the architectural result: rounding to nearest, and no operand that
     * FPCR.FZ would flush (-ffast-math programs run with FZ set). The fast paths also insist on a normal result, so
     * flushing never applies to what they return.
     */
    private static boolean hostRounds(Cpu c, FpFormat f, long a, long b) {
        int fpcr = c.fpcr;
        if ((fpcr & RMODE_MASK) != 0) return false;
        return (fpcr & FZ) == 0 || (!f.isDenormal(a) && !f.isDenormal(b));
    }

    private static boolean hostRounds(Cpu c, FpFormat f, long a, long b, long d) {
        return hostRounds(c, f, a, b) && ((c.fpcr & FZ) == 0 || !f.isDenormal(d));
    }

    /**
     * Whether FPSR.IXC is still clear. The flag is cumulative and programs rarely clear it, so once it is set the
     * fast paths skip the error-free transformation that would only set it again.
     */
    private static boolean inexactUnknown(Cpu c) {
        return (c.fpsr & IXC) == 0;
    }

    /**
     * Boldo and Muller's ErrFma: with r = fma(x, y, z) and p = x * y, both rounded to nearest, x * y + z - r is
     * exactly the sum of this method's two last terms; away from the exponent range's edges that sum rounds to zero
     * only when it is zero, so the result is non-zero exactly when the fused result was inexact.
     */
    private static double fmaError(double x, double y, double z, double r, double p) {
        double pLow = Math.fma(x, y, -p);
        double zHigh = z + pLow, t = zHigh - z, zLow = (z - (zHigh - t)) + (pLow - t);
        double sum = p + zHigh, t2 = sum - p, sumLow = (p - (sum - t2)) + (zHigh - t2);
        return ((sum - r) + sumLow) + zLow;
    }

    private static boolean inRange(double r, double low, double high) {
        double m = Math.abs(r);
        return m >= low && m <= high;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Arithmetic

    public static long add(Cpu c, FpFormat f, long a, long b) {
        if (hostRounds(c, f, a, b)) {
            if (f == FpFormat.DOUBLE) {
                double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b), r = x + y;
                if (inRange(r, 0x1p-1021, 0x1p1020)) {
                    double yv = r - x;
                    if (inexactUnknown(c) && (x - (r - yv)) + (y - yv) != 0) c.fpsr |= IXC;
                    return Double.doubleToRawLongBits(r);
                }
            } else if (f == FpFormat.SINGLE) {
                double x = Float.intBitsToFloat((int) a), y = Float.intBitsToFloat((int) b), d = x + y;
                float r = (float) d;
                if (inRange(r, 0x1p-125, 0x1p127)) {
                    double yv = d - x;
                    if (inexactUnknown(c) && (r != d || (x - (d - yv)) + (y - yv) != 0)) c.fpsr |= IXC;
                    return Float.floatToRawIntBits(r) & 0xFFFF_FFFFL;
                }
            }
        }
        return addSlow(c, f, a, b);
    }

    public static long sub(Cpu c, FpFormat f, long a, long b) {
        if (f.isNaN(b)) return add(c, f, a, b);
        return add(c, f, a, b ^ f.signBit);
    }

    /** FPAdd; FPSub is this with the second operand's sign flipped (but a NaN propagates unchanged). */
    static long addSlow(Cpu c, FpFormat f, long a, long b) {
        a = flushInput(c, f, a);
        b = flushInput(c, f, b);
        if (f.isNaN(a) || f.isNaN(b)) return processNaNs(c, f, a, b);
        boolean infA = f.isInfinite(a), infB = f.isInfinite(b);
        if (infA || infB) {
            if (infA && infB && f.isNegative(a) != f.isNegative(b)) return invalid(c, f);
            return infA ? a : b;
        }
        boolean zeroA = f.isZero(a), zeroB = f.isZero(b);
        if (zeroA && zeroB) return a == b ? a : exactZero(c, f);
        if (zeroA) return b;
        if (zeroB) return a;
        return addFinite(c, f, f.isNegative(a), f.exponent(a), f.significand(a),
            f.isNegative(b), f.exponent(b), f.significand(b));
    }

    private static long addFinite(Cpu c, FpFormat f, boolean sa, int ea, long ma, boolean sb, int eb, long mb) {
        if (ea < eb || (ea == eb && ma < mb)) {
            boolean ts = sa; sa = sb; sb = ts;
            int te = ea; ea = eb; eb = te;
            long tm = ma; ma = mb; mb = tm;
        }
        mb = shiftRightJam(mb, ea - eb);
        long m;
        int e = ea;
        if (sa == sb) {
            m = ma + mb;
            if (m < 0) {
                m = m >>> 1 | (m & 1);
                e++;
            }
        } else {
            m = ma - mb;
            if (m == 0) return exactZero(c, f);
            int lz = Long.numberOfLeadingZeros(m) - 1;
            m <<= lz;
            e -= lz;
        }
        return round(c, f, sa, e, m);
    }

    public static long mul(Cpu c, FpFormat f, long a, long b) {
        if (hostRounds(c, f, a, b)) {
            if (f == FpFormat.DOUBLE) {
                double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b), r = x * y;
                if (inRange(r, 0x1p-900, 0x1p1020)) {
                    if (inexactUnknown(c) && Math.fma(x, y, -r) != 0) c.fpsr |= IXC;
                    return Double.doubleToRawLongBits(r);
                }
            } else if (f == FpFormat.SINGLE) {
                double d = (double) Float.intBitsToFloat((int) a) * Float.intBitsToFloat((int) b);
                float r = (float) d;
                if (inRange(r, 0x1p-125, 0x1p127)) {
                    if (inexactUnknown(c) && r != d) c.fpsr |= IXC;
                    return Float.floatToRawIntBits(r) & 0xFFFF_FFFFL;
                }
            }
        }
        return mulSlow(c, f, a, b);
    }

    private static long mulSlow(Cpu c, FpFormat f, long a, long b) {
        a = flushInput(c, f, a);
        b = flushInput(c, f, b);
        if (f.isNaN(a) || f.isNaN(b)) return processNaNs(c, f, a, b);
        return mulChecked(c, f, a, b, false);
    }

    /** FPMulX: as FPMul, except that infinity times zero is 2.0 with the product's sign. */
    public static long mulx(Cpu c, FpFormat f, long a, long b) {
        a = flushInput(c, f, a);
        b = flushInput(c, f, b);
        if (f.isNaN(a) || f.isNaN(b)) return processNaNs(c, f, a, b);
        return mulChecked(c, f, a, b, true);
    }

    private static long mulChecked(Cpu c, FpFormat f, long a, long b, boolean infTimesZeroIsTwo) {
        boolean negative = f.isNegative(a) != f.isNegative(b);
        boolean infA = f.isInfinite(a), infB = f.isInfinite(b), zeroA = f.isZero(a), zeroB = f.isZero(b);
        if ((infA && zeroB) || (zeroA && infB)) {
            if (infTimesZeroIsTwo) return f.zero(negative) | (long) (f.bias + 1) << f.fracBits;
            return invalid(c, f);
        }
        if (infA || infB) return f.zero(negative) | f.infinity;
        if (zeroA || zeroB) return f.zero(negative);
        long ma = f.significand(a), mb = f.significand(b);
        long hi = Math.multiplyHigh(ma, mb), lo = ma * mb;
        long m = hi << 2 | lo >>> 62 | ((lo & ((1L << 62) - 1)) != 0 ? 1 : 0);
        int e = f.exponent(a) + f.exponent(b);
        if (m < 0) {
            m = m >>> 1 | (m & 1);
            e++;
        }
        return round(c, f, negative, e, m);
    }

    public static long div(Cpu c, FpFormat f, long a, long b) {
        if (hostRounds(c, f, a, b)) {
            if (f == FpFormat.DOUBLE) {
                double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b), r = x / y;
                if (inRange(r, 0x1p-900, 0x1p900) && inRange(x, 0x1p-900, 0x1p900) && inRange(y, 0x1p-900, 0x1p900)) {
                    if (inexactUnknown(c) && Math.fma(-r, y, x) != 0) c.fpsr |= IXC;
                    return Double.doubleToRawLongBits(r);
                }
            } else if (f == FpFormat.SINGLE) {
                double x = Float.intBitsToFloat((int) a), y = Float.intBitsToFloat((int) b);
                float r = (float) (x / y);
                if (inRange(r, 0x1p-125, 0x1p127) && y != 0) {
                    if (inexactUnknown(c) && (double) r * y != x) c.fpsr |= IXC;
                    return Float.floatToRawIntBits(r) & 0xFFFF_FFFFL;
                }
            }
        }
        return divSlow(c, f, a, b);
    }

    private static long divSlow(Cpu c, FpFormat f, long a, long b) {
        a = flushInput(c, f, a);
        b = flushInput(c, f, b);
        if (f.isNaN(a) || f.isNaN(b)) return processNaNs(c, f, a, b);
        boolean negative = f.isNegative(a) != f.isNegative(b);
        boolean infA = f.isInfinite(a), infB = f.isInfinite(b), zeroA = f.isZero(a), zeroB = f.isZero(b);
        if ((infA && infB) || (zeroA && zeroB)) return invalid(c, f);
        if (infA || zeroB) {
            if (!infA) c.fpsr |= DZC;
            return f.zero(negative) | f.infinity;
        }
        if (zeroA || infB) return f.zero(negative);
        long ma = f.significand(a), mb = f.significand(b);
        int e = f.exponent(a) - f.exponent(b);
        long rem = ma;
        if (ma < mb) {
            rem <<= 1;
            e--;
        }
        // Restoring division, one quotient bit per step from bit 62 down; rem stays below 2 * mb < 2^64.
        long q = 0;
        for (int i = 0; i < 63; i++) {
            q <<= 1;
            if (Long.compareUnsigned(rem, mb) >= 0) {
                rem -= mb;
                q |= 1;
            }
            rem <<= 1;
        }
        if (rem != 0) q |= 1;
        return round(c, f, negative, e, q);
    }

    public static long sqrt(Cpu c, FpFormat f, long a) {
        if (hostRounds(c, f, a, a)) {
            if (f == FpFormat.DOUBLE) {
                double x = Double.longBitsToDouble(a);
                if (inRange(x, 0x1p-900, Double.MAX_VALUE) && x > 0) {
                    double r = Math.sqrt(x);
                    if (inexactUnknown(c) && Math.fma(-r, r, x) != 0) c.fpsr |= IXC;
                    return Double.doubleToRawLongBits(r);
                }
            } else if (f == FpFormat.SINGLE) {
                double x = Float.intBitsToFloat((int) a);
                if (inRange(x, 0x1p-126, Float.MAX_VALUE) && x > 0) {
                    float r = (float) Math.sqrt(x);
                    if (inexactUnknown(c) && (double) r * r != x) c.fpsr |= IXC;
                    return Float.floatToRawIntBits(r) & 0xFFFF_FFFFL;
                }
            }
        }
        return sqrtSlow(c, f, a);
    }

    private static long sqrtSlow(Cpu c, FpFormat f, long a) {
        a = flushInput(c, f, a);
        if (f.isNaN(a)) return processNaN(c, f, a);
        if (f.isZero(a)) return a;
        if (f.isNegative(a)) return invalid(c, f);
        if (f.isInfinite(a)) return a;
        int e = f.exponent(a);
        // sqrt(m * 2^(e-62)): scale m by 2^62 or 2^63 so the power of two left over is even and the root of the
        // scaled significand has its leading bit at 62.
        int scale = 62 + (e & 1);
        BigInteger radicand = BigInteger.valueOf(f.significand(a)).shiftLeft(scale);
        BigInteger root = radicand.sqrt();
        long m = root.longValue();
        if (!root.multiply(root).equals(radicand)) m |= 1;
        return round(c, f, false, e >> 1, m);
    }

    /**
     * FPMulAdd: {@code addend + a * b} with a single rounding, scaled by {@code 2^scale} before rounding (FRSQRTS
     * halves its fused result). The caller has already applied FMSUB/FNMADD-style negations to the raw operands, so a
     * negated NaN operand propagates with its sign flipped, as the ARM ARM's FPNeg-before-FPMulAdd specifies.
     */
    public static long mulAdd(Cpu c, FpFormat f, long addend, long a, long b) {
        if (f == FpFormat.DOUBLE && hostRounds(c, f, a, b, addend)) {
            double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b), z = Double.longBitsToDouble(addend);
            double r = Math.fma(x, y, z), p = x * y;
            if (inRange(r, 0x1p-900, 0x1p1020) && inRange(p, 0x1p-900, 0x1p1020)
                && (z == 0 || inRange(z, 0x1p-900, 0x1p1020))) {
                if (inexactUnknown(c) && fmaError(x, y, z, r, p) != 0) c.fpsr |= IXC;
                return Double.doubleToRawLongBits(r);
            }
        }
        if (f == FpFormat.SINGLE && hostRounds(c, f, a, b, addend)) {
            // The product of two singles is exact in double; when the sum with the addend is exact too (no bits
            // lost to alignment), rounding that double to single is the fused result.
            double z = Float.intBitsToFloat((int) addend);
            double p = (double) Float.intBitsToFloat((int) a) * Float.intBitsToFloat((int) b), s = p + z;
            double pv = s - z;
            float r = (float) s;
            if ((z - (s - pv)) + (p - pv) == 0 && inRange(r, 0x1p-125, 0x1p127)) {
                if (inexactUnknown(c) && r != s) c.fpsr |= IXC;
                return Float.floatToRawIntBits(r) & 0xFFFF_FFFFL;
            }
        }
        return mulAddSlow(c, f, addend, a, b);
    }

    private static long mulAddSlow(Cpu c, FpFormat f, long addend, long a, long b) {
        addend = flushInput(c, f, addend);
        a = flushInput(c, f, a);
        b = flushInput(c, f, b);
        boolean infA = f.isInfinite(a), infB = f.isInfinite(b), zeroA = f.isZero(a), zeroB = f.isZero(b);
        if (f.isNaN(addend) || f.isNaN(a) || f.isNaN(b)) {
            long r = processNaNs3(c, f, addend, a, b);
            // An infinity times zero is invalid even when the addend is a quiet NaN.
            if (f.isNaN(addend) && !f.isSignalling(addend) && ((infA && zeroB) || (zeroA && infB))) {
                return invalid(c, f);
            }
            return r;
        }
        return mulAddNumbers(c, f, addend, a, b, 0);
    }

    private static long mulAddNumbers(Cpu c, FpFormat f, long addend, long a, long b, int scale) {
        boolean infA = f.isInfinite(a), infB = f.isInfinite(b), zeroA = f.isZero(a), zeroB = f.isZero(b);
        boolean infC = f.isInfinite(addend), zeroC = f.isZero(addend);
        boolean signC = f.isNegative(addend), signP = f.isNegative(a) != f.isNegative(b);
        boolean infP = infA || infB, zeroP = zeroA || zeroB;
        if ((infA && zeroB) || (zeroA && infB) || (infC && infP && signC != signP)) return invalid(c, f);
        if (infC) return addend;
        if (infP) return f.zero(signP) | f.infinity;
        if (zeroC && zeroP) return signC == signP ? f.zero(signC) : exactZero(c, f);
        if (zeroP) {
            if (scale == 0) return addend;
            return round(c, f, signC, f.exponent(addend) + scale, f.significand(addend));
        }
        // The exact product, 124 to 126 bits, in (pHi:pLo) with its leading bit moved to bit 126 of 128.
        long ma = f.significand(a), mb = f.significand(b);
        long pHi = Math.multiplyHigh(ma, mb), pLo = ma * mb;
        int eP = f.exponent(a) + f.exponent(b);
        if ((pHi & 1L << 61) != 0) {
            eP++;
            pHi = pHi << 1 | pLo >>> 63;
            pLo <<= 1;
        } else {
            pHi = pHi << 2 | pLo >>> 62;
            pLo <<= 2;
        }
        if (zeroC) {
            return round(c, f, signP, eP + scale, pHi | (pLo != 0 ? 1 : 0));
        }
        long cHi = f.significand(addend), cLo = 0;
        int eC = f.exponent(addend);
        // Put the larger exponent in (xHi:xLo), align the other to it with a sticky shift, then add or subtract.
        boolean sx, sy;
        int ex, ey;
        long xHi, xLo, yHi, yLo;
        if (eP >= eC) {
            sx = signP; ex = eP; xHi = pHi; xLo = pLo;
            sy = signC; ey = eC; yHi = cHi; yLo = cLo;
        } else {
            sx = signC; ex = eC; xHi = cHi; xLo = cLo;
            sy = signP; ey = eP; yHi = pHi; yLo = pLo;
        }
        int d = ex - ey;
        if (d >= 128) {
            yLo = (yHi | yLo) != 0 ? 1 : 0;
            yHi = 0;
        } else if (d >= 64) {
            long lost = (d == 64 ? 0 : yHi << (128 - d)) | yLo;
            yLo = (d == 64 ? yHi : yHi >>> (d - 64)) | (lost != 0 ? 1 : 0);
            yHi = 0;
        } else if (d > 0) {
            long lost = yLo << (64 - d);
            yLo = (yLo >>> d | yHi << (64 - d)) | (lost != 0 ? 1 : 0);
            yHi >>>= d;
        }
        long rHi, rLo;
        int e = ex;
        if (sx == sy) {
            rLo = xLo + yLo;
            rHi = xHi + yHi + (Long.compareUnsigned(rLo, xLo) < 0 ? 1 : 0);
            if (rHi < 0) {
                rLo = rLo >>> 1 | rHi << 63 | (rLo & 1);
                rHi >>>= 1;
                e++;
            }
        } else {
            rLo = xLo - yLo;
            rHi = xHi - yHi - (Long.compareUnsigned(xLo, yLo) < 0 ? 1 : 0);
            if (rHi < 0) {
                // Equal exponents with the addend the larger after all: flip the difference and its sign.
                rLo = -rLo;
                rHi = ~rHi + (rLo == 0 ? 1 : 0);
                sx = sy;
            }
            if (rHi == 0 && rLo == 0) return exactZero(c, f);
            int lz = rHi != 0 ? Long.numberOfLeadingZeros(rHi) - 1 : 63 + Long.numberOfLeadingZeros(rLo);
            if (lz >= 64) {
                rHi = rLo << (lz - 64);
                rLo = 0;
            } else if (lz > 0) {
                rHi = rHi << lz | rLo >>> (64 - lz);
                rLo <<= lz;
            }
            e -= lz;
        }
        return round(c, f, sx, e + scale, rHi | (rLo != 0 ? 1 : 0));
    }

    /** FPRecipStepFused (FRECPS): 2 - a * b with one rounding; infinity times zero gives 2. */
    public static long recipStep(Cpu c, FpFormat f, long a, long b) {
        return stepFused(c, f, a, b, 1, 0);
    }

    /** FPRSqrtStepFused (FRSQRTS): (3 - a * b) / 2 with one rounding; infinity times zero gives 1.5. */
    public static long rsqrtStep(Cpu c, FpFormat f, long a, long b) {
        return stepFused(c, f, a, b, 3, -1);
    }

    private static long stepFused(Cpu c, FpFormat f, long a, long b, int constant, int scale) {
        a ^= f.signBit;
        a = flushInput(c, f, a);
        b = flushInput(c, f, b);
        if (f.isNaN(a) || f.isNaN(b)) return processNaNs(c, f, a, b);
        if ((f.isInfinite(a) && f.isZero(b)) || (f.isZero(a) && f.isInfinite(b))) {
            return constant == 3 ? (long) f.bias << f.fracBits | f.quietBit : (long) (f.bias + 1) << f.fracBits;
        }
        // 2.0 is 1.0 * 2^1; 3.0 is 1.5 * 2^1, whose leading fraction bit is the one a quiet NaN uses.
        long k = (long) (f.bias + 1) << f.fracBits | (constant == 3 ? f.quietBit : 0);
        return mulAddNumbers(c, f, k, a, b, scale);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Comparison, maximum and minimum

    /** FPCompare as FCMP (quiet) or FCMPE (signalling) does it, returning NZCV in bits 31..28. */
    public static int compare(Cpu c, FpFormat f, long a, long b, boolean signalling) {
        a = flushInput(c, f, a);
        b = flushInput(c, f, b);
        if (f.isNaN(a) || f.isNaN(b)) {
            if (signalling || f.isSignalling(a) || f.isSignalling(b)) c.fpsr |= IOC;
            return Cpu.C | Cpu.V;
        }
        double x = f.toDouble(a), y = f.toDouble(b);
        if (x == y) return Cpu.Z | Cpu.C;
        return x < y ? Cpu.N : Cpu.C;
    }

    /** FPCompareEQ (FCMEQ): false for any NaN, Invalid only for a signalling one. */
    public static boolean compareEq(Cpu c, FpFormat f, long a, long b) {
        a = flushInput(c, f, a);
        b = flushInput(c, f, b);
        if (f.isNaN(a) || f.isNaN(b)) {
            if (f.isSignalling(a) || f.isSignalling(b)) c.fpsr |= IOC;
            return false;
        }
        return f.toDouble(a) == f.toDouble(b);
    }

    /** FPCompareGE / FPCompareGT: false and Invalid for any NaN. */
    public static boolean compareGe(Cpu c, FpFormat f, long a, long b, boolean orEqual) {
        a = flushInput(c, f, a);
        b = flushInput(c, f, b);
        if (f.isNaN(a) || f.isNaN(b)) {
            c.fpsr |= IOC;
            return false;
        }
        double x = f.toDouble(a), y = f.toDouble(b);
        return orEqual ? x >= y : x > y;
    }

    /** FPMax ({@code max}) or FPMin; with {@code numeric}, FPMaxNum/FPMinNum, where one quiet NaN loses. */
    public static long maxMin(Cpu c, FpFormat f, long a, long b, boolean max, boolean numeric) {
        if (numeric) {
            boolean qa = f.isNaN(a) && !f.isSignalling(a), qb = f.isNaN(b) && !f.isSignalling(b);
            long loser = f.infinity | (max ? f.signBit : 0);
            if (qa && !qb) a = loser;
            else if (!qa && qb) b = loser;
        }
        a = flushInput(c, f, a);
        b = flushInput(c, f, b);
        if (f.isNaN(a) || f.isNaN(b)) return processNaNs(c, f, a, b);
        if (f.isZero(a) && f.isZero(b)) {
            return max ? a & b : a | b;
        }
        double x = f.toDouble(a), y = f.toDouble(b);
        return (max ? x > y : x < y) ? a : b;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Conversions

    /**
     * FPConvert between formats (FCVT, FCVTN, FCVTL, FCVTXN with {@link #ODD}). Half precision is IEEE, or with
     * FPCR.AHP the alternative format, whose all-ones exponent is just another binade.
     */
    public static long convert(Cpu c, FpFormat from, FpFormat to, long a, int rounding) {
        if (from == FpFormat.DOUBLE && to == FpFormat.SINGLE && rounding == RN) {
            double x = Double.longBitsToDouble(a);
            float r = (float) x;
            if (inRange(x, 0x1p-125, 0x1p127)) {
                if (inexactUnknown(c) && r != x) c.fpsr |= IXC;
                return Float.floatToRawIntBits(r) & 0xFFFF_FFFFL;
            }
        }
        return convertSlow(c, from, to, a, rounding);
    }

    private static long convertSlow(Cpu c, FpFormat from, FpFormat to, long a, int rounding) {
        boolean alternativeHalf = (c.fpcr & AHP) != 0;
        boolean negative = from.isNegative(a);
        if (from == FpFormat.HALF) {
            if (alternativeHalf) {
                if (from.isZero(a)) return to.zero(negative);
                return round(c, to, negative, alternativeExponent(a), from.significand(a), rounding, false);
            }
        } else {
            a = flushInput(c, from, a);
        }
        boolean toAlternative = to == FpFormat.HALF && alternativeHalf;
        if (from.isNaN(a)) {
            if (toAlternative) {
                c.fpsr |= IOC;
                return to.zero(negative);
            }
            if (from.isSignalling(a)) c.fpsr |= IOC;
            if ((c.fpcr & DN) != 0) return to.defaultNaN;
            // The payload keeps its most significant bits: align the fraction fields at the top.
            long frac = a & from.fracMask;
            int widen = to.fracBits - from.fracBits;
            frac = widen >= 0 ? frac << widen : frac >>> -widen;
            return to.zero(negative) | to.infinity | to.quietBit | frac;
        }
        if (from.isInfinite(a)) {
            if (toAlternative) {
                c.fpsr |= IOC;
                return to.zero(negative) | (to.signBit - 1);
            }
            return to.zero(negative) | to.infinity;
        }
        if (from.isZero(a)) return to.zero(negative);
        boolean flushToZero = (c.fpcr & FZ) != 0 && to != FpFormat.HALF;
        return round(c, to, negative, from.exponent(a), from.significand(a), rounding, flushToZero, toAlternative);
    }

    /** The exponent of a non-zero alternative half-precision value, where exponent 31 is an ordinary binade. */
    private static int alternativeExponent(long half) {
        if ((half & FpFormat.HALF.expMask) == FpFormat.HALF.expMask) return 31 - FpFormat.HALF.bias;
        return FpFormat.HALF.exponent(half);
    }

    /**
     * FPToFixed: {@code a * 2^fbits} rounded to an integer of {@code intBits} bits, saturating with Invalid
     * Operation (NaN gives 0); Inexact only when the result did not saturate.
     */
    public static long toFixed(Cpu c, FpFormat f, long a, int fbits, boolean unsigned, int intBits, int rounding) {
        if (rounding == RZ && fbits == 0 && !unsigned && f != FpFormat.HALF) {
            // FCVTZS, the conversion C casts compile to: Java's casts truncate the same way inside the range.
            double x = f.toDouble(a);
            if (Math.abs(x) < (intBits == 64 ? 0x1p63 : 0x1p31) && ((c.fpcr & FZ) == 0 || !f.isDenormal(a))) {
                long r = (long) x;
                if (inexactUnknown(c) && r != x) c.fpsr |= IXC;
                return intBits == 64 ? r : r & 0xFFFF_FFFFL;
            }
        }
        return toFixedSlow(c, f, a, fbits, unsigned, intBits, rounding);
    }

    private static long toFixedSlow(Cpu c, FpFormat f, long a, int fbits, boolean unsigned, int intBits,
                                    int rounding) {
        a = flushInput(c, f, a);
        if (f.isNaN(a)) {
            c.fpsr |= IOC;
            return 0;
        }
        if (f.isZero(a)) return 0;
        boolean negative = f.isNegative(a);
        long mag;
        boolean inexact = false, overflow;
        if (f.isInfinite(a)) {
            mag = 0;
            overflow = true;
        } else {
            int e = f.exponent(a) + fbits;
            long m = f.significand(a);
            overflow = e >= 64;
            mag = 0;
            if (!overflow) {
                long rest, half;
                if (e >= 62) {
                    mag = m << (e - 62);
                    rest = 0;
                    half = 1;
                } else if (e >= 0) {
                    int shift = 62 - e;
                    mag = m >>> shift;
                    rest = m & ((1L << shift) - 1);
                    half = 1L << (shift - 1);
                } else if (e == -1) {
                    rest = m;
                    half = 1L << 62;
                } else {
                    rest = 1;
                    half = 2;
                }
                inexact = rest != 0;
                boolean up = switch (rounding) {
                    case RN -> rest > half || (rest == half && (mag & 1) != 0);
                    case RP -> inexact && !negative;
                    case RM -> inexact && negative;
                    case TIES_AWAY -> rest >= half;
                    default -> false;
                };
                if (up) {
                    mag++;
                    if (mag == 0) overflow = true;
                }
            }
        }
        long result;
        if (!overflow) {
            if (unsigned) {
                if (negative && mag != 0) overflow = true;
                else if (intBits < 64 && Long.compareUnsigned(mag, (1L << intBits) - 1) > 0) overflow = true;
            } else {
                long limit = 1L << (intBits - 1);
                if (Long.compareUnsigned(mag, negative ? limit : limit - 1) > 0) overflow = true;
            }
        }
        if (overflow) {
            c.fpsr |= IOC;
            if (unsigned) result = negative ? 0 : intBits == 64 ? -1L : (1L << intBits) - 1;
            else result = negative ? -1L << (intBits - 1) : (1L << (intBits - 1)) - 1;
        } else {
            if (inexact) c.fpsr |= IXC;
            result = negative ? -mag : mag;
        }
        return intBits == 64 ? result : result & ((1L << intBits) - 1);
    }

    /** FixedToFP: the integer {@code value} (sign- or zero-extended to 64 bits) divided by {@code 2^fbits}, rounded. */
    public static long fromFixed(Cpu c, FpFormat f, long value, int fbits, boolean unsigned, int rounding) {
        if (rounding == RN && fbits == 0 && (!unsigned || value >= 0) && f != FpFormat.HALF) {
            // Java's long-to-floating conversions round to nearest and the result is never tiny. Converting back
            // shows whether it was exact, except for 2^63 (values near Long.MAX_VALUE round up to it), which the
            // cast back saturates: it is never exact.
            if (f == FpFormat.DOUBLE) {
                double d = value;
                if (inexactUnknown(c) && (d == 0x1p63 || (long) d != value)) c.fpsr |= IXC;
                return Double.doubleToRawLongBits(d);
            }
            float r = value;
            if (inexactUnknown(c) && (r == 0x1p63f || (long) r != value)) c.fpsr |= IXC;
            return Float.floatToRawIntBits(r) & 0xFFFF_FFFFL;
        }
        if (value == 0) return 0;
        boolean negative = !unsigned && value < 0;
        long mag = negative ? -value : value;
        int lz = Long.numberOfLeadingZeros(mag);
        long m = lz == 0 ? mag >>> 1 | (mag & 1) : mag << (lz - 1);
        return round(c, f, negative, 63 - lz - fbits, m, rounding);
    }

    /** FPRoundInt (FRINT*): rounds to an integral value in the same format; Inexact only when {@code exact}. */
    public static long roundInt(Cpu c, FpFormat f, long a, int rounding, boolean exact) {
        a = flushInput(c, f, a);
        if (f.isNaN(a)) return processNaN(c, f, a);
        if (f.isInfinite(a) || f.isZero(a)) return a;
        int e = f.exponent(a);
        if (e >= f.fracBits) return a;
        boolean negative = f.isNegative(a);
        long m = f.significand(a), mag, rest, half;
        if (e >= 0) {
            int shift = 62 - e;
            mag = m >>> shift;
            rest = m & ((1L << shift) - 1);
            half = 1L << (shift - 1);
        } else if (e == -1) {
            mag = 0;
            rest = m;
            half = 1L << 62;
        } else {
            mag = 0;
            rest = 1;
            half = 2;
        }
        boolean inexact = rest != 0;
        boolean up = switch (rounding) {
            case RN -> rest > half || (rest == half && (mag & 1) != 0);
            case RP -> inexact && !negative;
            case RM -> inexact && negative;
            case TIES_AWAY -> rest >= half;
            default -> false;
        };
        if (up) mag++;
        if (exact && inexact) c.fpsr |= IXC;
        if (mag == 0) return f.zero(negative);
        // mag < 2^(F+1) is exactly representable: pack it directly.
        int top = 63 - Long.numberOfLeadingZeros(mag);
        return f.zero(negative) | (long) (top + f.bias) << f.fracBits | (mag << (f.fracBits - top)) & f.fracMask;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Estimates (FRECPE, FRSQRTE, FRECPX)

    /** RecipEstimate: 9-bit reciprocal of a 9-bit fixed-point value in [0.5, 1), both rounded to nearest. */
    static int recipEstimate(int a) {
        a = a * 2 + 1;
        int b = (1 << 19) / a;
        return (b + 1) / 2;
    }

    /** RecipSqrtEstimate: 9-bit reciprocal square root of a value in [0.25, 1). */
    static int recipSqrtEstimate(int a) {
        if (a < 256) a = a * 2 + 1;
        else a = ((a >> 1) << 1) + 1 << 1;
        int b = 512;
        while ((long) a * (b + 1) * (b + 1) < 1L << 28) b++;
        return (b + 1) / 2;
    }

    /** FPRecipEstimate (FRECPE). */
    public static long recipEstimate(Cpu c, FpFormat f, long a) {
        a = flushInput(c, f, a);
        boolean negative = f.isNegative(a);
        if (f.isNaN(a)) return processNaN(c, f, a);
        if (f.isInfinite(a)) return f.zero(negative);
        if (f.isZero(a)) {
            c.fpsr |= DZC;
            return f.zero(negative) | f.infinity;
        }
        int e = f.exponent(a);
        if (e < -f.bias - 1) {
            // So small that the reciprocal overflows.
            int mode = roundingMode(c.fpcr);
            boolean toInfinity = mode == RN || (mode == RP && !negative) || (mode == RM && negative);
            c.fpsr |= OFC | IXC;
            return f.zero(negative) | (toInfinity ? f.infinity : f.maxNormal);
        }
        if ((c.fpcr & FZ) != 0 && f != FpFormat.HALF && e >= f.bias - 1) {
            c.fpsr |= UFC;
            return f.zero(negative);
        }
        // The ARM ARM works on a double-layout fraction: 52 bits, then renormalizes denormals by one or two places.
        long fraction = (a & f.fracMask) << (52 - f.fracBits);
        int exp = (int) ((a & f.expMask) >>> f.fracBits);
        if (exp == 0) {
            if ((fraction & 1L << 51) == 0) {
                exp = -1;
                fraction = fraction << 2 & ((1L << 52) - 1);
            } else {
                fraction = fraction << 1 & ((1L << 52) - 1);
            }
        }
        int scaled = (int) (256 | fraction >>> 44);
        int resultExp = 2 * f.bias - 1 - exp;
        long estimate = recipEstimate(scaled);
        fraction = (estimate & 0xFF) << 44;
        if (resultExp == 0) {
            fraction = 1L << 51 | fraction >>> 1;
        } else if (resultExp == -1) {
            fraction = 1L << 50 | fraction >>> 2;
            resultExp = 0;
        }
        return f.zero(negative) | (long) resultExp << f.fracBits | fraction >>> (52 - f.fracBits);
    }

    /** FPRSqrtEstimate (FRSQRTE). */
    public static long rsqrtEstimate(Cpu c, FpFormat f, long a) {
        a = flushInput(c, f, a);
        if (f.isNaN(a)) return processNaN(c, f, a);
        if (f.isZero(a)) {
            c.fpsr |= DZC;
            return a | f.infinity;
        }
        if (f.isNegative(a)) return invalid(c, f);
        if (f.isInfinite(a)) return 0;
        long fraction = (a & f.fracMask) << (52 - f.fracBits);
        int exp = (int) ((a & f.expMask) >>> f.fracBits);
        if (exp == 0) {
            while ((fraction & 1L << 51) == 0) {
                fraction <<= 1;
                exp--;
            }
            fraction = fraction << 1 & ((1L << 52) - 1);
        }
        // An even biased exponent means a value in [0.5, 1) * 4^k, an odd one [0.25, 0.5) * 4^k.
        int scaled = (exp & 1) == 0 ? (int) (256 | fraction >>> 44) : (int) (128 | fraction >>> 45);
        int resultExp = (3 * f.bias - 1 - exp) / 2;
        long estimate = recipSqrtEstimate(scaled);
        return (long) resultExp << f.fracBits | (estimate & 0xFF) << (f.fracBits - 8);
    }

    /** FPRecpX (FRECPX): the exponent inverted, fraction cleared; a crude scaling for range reduction. */
    public static long recipExponent(Cpu c, FpFormat f, long a) {
        a = flushInput(c, f, a);
        if (f.isNaN(a)) return processNaN(c, f, a);
        long sign = a & f.signBit;
        long exp = (a & f.expMask) >>> f.fracBits;
        long maxExp = f.expMask >>> f.fracBits;
        if (exp == 0) return sign | (maxExp - 1) << f.fracBits;
        return sign | (~exp & maxExp) << f.fracBits;
    }
}
