package dev.jvisor.arch.a64.fp;

/**
 * One IEEE 754 binary interchange format as AArch64 stores it. Values of every format travel as raw bits in a long
 * (zero-extended), so one arithmetic core serves half, single and double precision.
 */
public final class FpFormat {
    public static final FpFormat HALF = new FpFormat("half", 5, 10);
    public static final FpFormat SINGLE = new FpFormat("single", 8, 23);
    public static final FpFormat DOUBLE = new FpFormat("double", 11, 52);

    public final String name;
    public final int expBits;
    public final int fracBits;
    public final int bias;
    /** The unbiased exponent of the smallest normal number (ARM's minimum_exp). */
    public final int minExp;
    public final long signBit;
    public final long expMask;
    public final long fracMask;
    public final long quietBit;
    public final long infinity;
    public final long maxNormal;
    /** FPDefaultNaN: positive, quiet, zero payload. */
    public final long defaultNaN;

    private FpFormat(String name, int expBits, int fracBits) {
        this.name = name;
        this.expBits = expBits;
        this.fracBits = fracBits;
        this.bias = (1 << (expBits - 1)) - 1;
        this.minExp = 1 - bias;
        this.signBit = 1L << (expBits + fracBits);
        this.fracMask = (1L << fracBits) - 1;
        this.expMask = ((1L << expBits) - 1) << fracBits;
        this.quietBit = 1L << (fracBits - 1);
        this.infinity = expMask;
        this.maxNormal = expMask - 1;
        this.defaultNaN = expMask | quietBit;
    }

    public boolean isNaN(long bits) {
        return (bits & expMask) == expMask && (bits & fracMask) != 0;
    }

    public boolean isSignalling(long bits) {
        return isNaN(bits) && (bits & quietBit) == 0;
    }

    public boolean isInfinite(long bits) {
        return (bits & ~signBit) == infinity;
    }

    public boolean isZero(long bits) {
        return (bits & ~signBit) == 0;
    }

    public boolean isDenormal(long bits) {
        return (bits & expMask) == 0 && (bits & fracMask) != 0;
    }

    public boolean isNegative(long bits) {
        return (bits & signBit) != 0;
    }

    /**
     * The unbiased exponent of the leading significand bit of a finite non-zero value: the value lies in
     * [2^exp, 2^(exp+1)).
     */
    public int exponent(long bits) {
        int biased = (int) ((bits & expMask) >>> fracBits);
        if (biased != 0) return biased - bias;
        return minExp - fracBits + 63 - Long.numberOfLeadingZeros(bits & fracMask);
    }

    /**
     * The significand of a finite non-zero value, normalized so that its leading bit is bit 62: the value's magnitude
     * is {@code significand * 2^(exponent - 62)}.
     */
    public long significand(long bits) {
        long frac = bits & fracMask;
        if ((bits & expMask) != 0) return (frac | 1L << fracBits) << (62 - fracBits);
        return frac << (Long.numberOfLeadingZeros(frac) - 1);
    }

    public long zero(boolean negative) {
        return negative ? signBit : 0;
    }

    /** The value as a Java double; exact for every format (half and single widen without loss). */
    public double toDouble(long bits) {
        if (this == DOUBLE) return Double.longBitsToDouble(bits);
        if (this == SINGLE) return Float.intBitsToFloat((int) bits);
        return Float.float16ToFloat((short) bits);
    }

    @Override
    public String toString() {
        return name;
    }
}
