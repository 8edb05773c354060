package dev.jvisor.arch.a64.isa;

/**
 * Lane-parallel arithmetic on a 64-bit half of a vector register ("SIMD within a register"), for the instructions
 * string and memory functions run in their inner loops. Every function treats its arguments as 64/esize lanes of
 * esize bits and never lets a carry or borrow cross a lane boundary; comparisons return all-ones lanes for true.
 */
final class SimdSwar {
    private SimdSwar() {}

    /** The top bit of every lane. */
    static long top(int esize) {
        return SimdOps.lowBits(esize) << (esize - 1);
    }

    /** Widens a word holding only lane top bits to whole lanes. */
    private static long spread(long topBits, int esize) {
        return (topBits >>> (esize - 1)) * SimdOps.mask(esize);
    }

    static long add(long a, long b, int esize) {
        long t = top(esize);
        return ((a & ~t) + (b & ~t)) ^ ((a ^ b) & t);
    }

    static long sub(long a, long b, int esize) {
        long t = top(esize);
        return ((a | t) - (b & ~t)) ^ ((a ^ ~b) & t);
    }

    /** Unsigned a >= b: no borrow out of the top bit of a - b. */
    static long geUnsigned(long a, long b, int esize) {
        long borrow = (~a & b) | (~(a ^ b) & sub(a, b, esize));
        return spread(~borrow & top(esize), esize);
    }

    /** Signed comparisons are unsigned ones with the sign bits flipped (offset binary). */
    static long geSigned(long a, long b, int esize) {
        long t = top(esize);
        return geUnsigned(a ^ t, b ^ t, esize);
    }

    static long gtUnsigned(long a, long b, int esize) {
        return ~geUnsigned(b, a, esize);
    }

    static long gtSigned(long a, long b, int esize) {
        return ~geSigned(b, a, esize);
    }

    static long select(long mask, long ifSet, long ifClear) {
        return (ifSet & mask) | (ifClear & ~mask);
    }

    static long maxUnsigned(long a, long b, int esize) {
        return select(geUnsigned(a, b, esize), a, b);
    }

    static long minUnsigned(long a, long b, int esize) {
        return select(geUnsigned(a, b, esize), b, a);
    }

    static long maxSigned(long a, long b, int esize) {
        return select(geSigned(a, b, esize), a, b);
    }

    static long minSigned(long a, long b, int esize) {
        return select(geSigned(a, b, esize), b, a);
    }

    /** The even-numbered lanes of x packed into the low 32 bits (esize 8, 16 or 32). */
    static long evens(long x, int esize) {
        return switch (esize) {
            case 8 -> {
                x &= 0x00FF_00FF_00FF_00FFL;
                x = (x | x >>> 8) & 0x0000_FFFF_0000_FFFFL;
                yield (x | x >>> 16) & 0xFFFF_FFFFL;
            }
            case 16 -> {
                x &= 0x0000_FFFF_0000_FFFFL;
                yield (x | x >>> 16) & 0xFFFF_FFFFL;
            }
            default -> x & 0xFFFF_FFFFL;
        };
    }

    static long odds(long x, int esize) {
        return evens(x >>> esize, esize);
    }
}
