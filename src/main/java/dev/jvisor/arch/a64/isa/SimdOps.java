package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;

/**
 * Lane plumbing shared by the integer Advanced SIMD sections: element access, saturation with FPSR.QC, shifts with
 * the architecture's rounding, and lane loops parameterised by a {@link LaneOp}.
 *
 * <p>Lane loops collect the result in two locals and store Vd only at the end, so Vd may be any of the sources.
 * Elements reach a {@link LaneOp} zero- or sign-extended to 64 bits as the instruction's signedness says; its result
 * is truncated to the element width by the loop.
 */
final class SimdOps {
    private SimdOps() {}

    /** FPSR.QC, the sticky "a saturating instruction clipped a result" bit. */
    static final int QC = 1 << 27;

    /** Element sizes an instruction allows, as a bit set over the {@code size} field (bit 0: bytes, bit 3: 64-bit). */
    static final int B = 1, H = 2, S = 4, D = 8, HS = H | S, BHS = B | H | S, ALL = B | H | S | D;

    /** One lane of an operation: {@code d} is the destination's old element, {@code n} and {@code m} the sources. */
    @FunctionalInterface
    interface LaneOp {
        long apply(Cpu c, long d, long n, long m, int esize);
    }

    static long mask(int esize) {
        return -1L >>> (64 - esize);
    }

    static long sext(long x, int esize) {
        int s = 64 - esize;
        return x << s >> s;
    }

    /** A one in the lowest bit of every element: 0x0101..01 for bytes. */
    static long lowBits(int esize) {
        return switch (esize) {
            case 8 -> 0x0101_0101_0101_0101L;
            case 16 -> 0x0001_0001_0001_0001L;
            case 32 -> 0x0000_0001_0000_0001L;
            default -> 1L;
        };
    }

    static long elem(Cpu c, int reg, int i, int esize) {
        int bit = i * esize;
        return c.v[2 * reg + (bit >>> 6)] >>> (bit & 63) & mask(esize);
    }

    static long elem(Cpu c, int reg, int i, int esize, boolean signed) {
        long e = elem(c, reg, i, esize);
        return signed ? sext(e, esize) : e;
    }

    static boolean q(int insn) {
        return (insn & 1 << 30) != 0;
    }

    static boolean unsigned(int insn) {
        return (insn & 1 << 29) != 0;
    }

    static int size(int insn) {
        return insn >>> 22 & 3;
    }

    /** Rejects sizes the instruction does not allow, and the 1D arrangement no integer vector operation has. */
    static int vectorEsize(int insn, int sizes) {
        int size = size(insn);
        if ((sizes >>> size & 1) == 0 || size == 3 && !q(insn)) throw new UndefinedInstruction();
        return 8 << size;
    }

    static int scalarEsize(int insn, int sizes) {
        int size = size(insn);
        if ((sizes >>> size & 1) == 0) throw new UndefinedInstruction();
        return 8 << size;
    }

    /** Writes a 64- or 128-bit result; a 64-bit one clears the upper half. */
    static void put(Cpu c, int rd, boolean q, long lo, long hi) {
        c.v[2 * rd] = lo;
        c.v[2 * rd + 1] = q ? hi : 0;
    }

    // ---- saturation ----

    static long satSigned(Cpu c, long v, int esize) {
        long max = (1L << (esize - 1)) - 1;
        if (v > max) {
            c.fpsr |= QC;
            return max;
        }
        if (v < ~max) {
            c.fpsr |= QC;
            return ~max;
        }
        return v;
    }

    /** Saturates a signed value (esize below 64) to the unsigned range of esize bits. */
    static long satUnsigned(Cpu c, long v, int esize) {
        if (v < 0) {
            c.fpsr |= QC;
            return 0;
        }
        if (v > mask(esize)) {
            c.fpsr |= QC;
            return mask(esize);
        }
        return v;
    }

    /** Saturates an unsigned 64-bit value to the unsigned range of esize bits. */
    static long satUnsignedOfUnsigned(Cpu c, long v, int esize) {
        if (Long.compareUnsigned(v, mask(esize)) > 0) {
            c.fpsr |= QC;
            return mask(esize);
        }
        return v;
    }

    static long signedLimit(Cpu c, boolean negative, int esize) {
        c.fpsr |= QC;
        long max = esize == 64 ? Long.MAX_VALUE : (1L << (esize - 1)) - 1;
        return negative ? ~max : max;
    }

    static long satAddSigned(Cpu c, long a, long b, int esize) {
        if (esize < 64) return satSigned(c, a + b, esize);
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? signedLimit(c, a < 0, 64) : r;
    }

    static long satSubSigned(Cpu c, long a, long b, int esize) {
        if (esize < 64) return satSigned(c, a - b, esize);
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? signedLimit(c, a < 0, 64) : r;
    }

    /** 2 * a * b for signed halves of a {@code wide}-bit result: only (-2^(w/2-1))^2 doubled overflows, and saturates. */
    static long satDoublingProduct(Cpu c, long a, long b, int wide) {
        long p = a * b;
        return p == 1L << (wide - 2) ? signedLimit(c, false, wide) : 2 * p;
    }

    /** Writes a 64-bit narrowed result into the lower half of Vd (clearing the upper) or, for the "2" forms, the upper. */
    static void putNarrow(Cpu c, int rd, boolean upper, long result) {
        if (upper) {
            c.v[2 * rd + 1] = result;
        } else {
            c.v[2 * rd] = result;
            c.v[2 * rd + 1] = 0;
        }
    }

    // ---- shifts ----

    /** {@code a} shifted right by {@code s} (1..128) with round-half-up when {@code round}; a is esize-extended. */
    static long shiftRight(long a, int s, boolean signed, boolean round) {
        if (!round) return signed ? a >> Math.min(s, 63) : s >= 64 ? 0 : a >>> s;
        // Shift all but the last bit, then add the last bit back: no intermediate wider than 64 bits is needed.
        if (signed) {
            long t = a >> Math.min(s - 1, 63);
            return (t >> 1) + (t & 1);
        }
        long t = s - 1 >= 64 ? 0 : a >>> (s - 1);
        return (t >>> 1) + (t & 1);
    }

    /**
     * {@code a} shifted left by {@code s} (0 or more), saturated to esize bits. {@code a} is sign-extended when
     * {@code signedIn}; the result range is unsigned when {@code unsignedOut} (SQSHLU) or when the input is unsigned.
     */
    static long satShiftLeft(Cpu c, long a, int s, int esize, boolean signedIn, boolean unsignedOut) {
        if (a == 0) return 0;
        if (signedIn && !unsignedOut) {
            if (s >= esize) return signedLimit(c, a < 0, esize);
            long r = a << s;
            if (esize < 64) return satSigned(c, r, esize);
            return r >> s == a ? r : signedLimit(c, a < 0, esize);
        }
        if (signedIn && a < 0) {
            c.fpsr |= QC;
            return 0;
        }
        if (s >= esize) {
            c.fpsr |= QC;
            return mask(esize);
        }
        long r = a << s;
        if (esize < 64) return satUnsignedOfUnsigned(c, r, esize);
        if (r >>> s == a) return r;
        c.fpsr |= QC;
        return -1L;
    }

    /**
     * The register-controlled shifts (SSHL, URSHL, SQRSHL...): the bottom byte of {@code m} is a signed amount, left
     * when positive, right when negative.
     */
    static long shiftByRegister(Cpu c, long a, long m, int esize, boolean signed, boolean round, boolean saturate) {
        int s = (byte) m;
        if (s >= 0) {
            if (saturate) return satShiftLeft(c, a, s, esize, signed, false);
            return s >= esize ? 0 : a << s;
        }
        return shiftRight(a, -s, signed, round);
    }

    // ---- lane loops ----

    /** Applies {@code op} to elements 0..count-1 of Vd, Vn, Vm and writes Vd; elements past count become zero. */
    static void lanes(Cpu c, int rd, int rn, int rm, int count, int esize, boolean signed, LaneOp op) {
        int perHalf = Math.min(count, 64 / esize);
        long lo = half(c, c.v[2 * rd], c.v[2 * rn], c.v[2 * rm], perHalf, esize, signed, op);
        long hi = count > perHalf
            ? half(c, c.v[2 * rd + 1], c.v[2 * rn + 1], c.v[2 * rm + 1], perHalf, esize, signed, op)
            : 0;
        c.v[2 * rd] = lo;
        c.v[2 * rd + 1] = hi;
    }

    /** The lanes of one 64-bit half: d, n and m are that half of Vd, Vn and Vm. */
    private static long half(Cpu c, long d, long n, long m, int count, int esize, boolean signed, LaneOp op) {
        long mask = mask(esize), r = 0;
        for (int i = 0, s = 0; i < count; i++, s += esize) {
            long a = n >>> s & mask, b = m >>> s & mask;
            if (signed) {
                a = sext(a, esize);
                b = sext(b, esize);
            }
            r |= (op.apply(c, d >>> s & mask, a, b, esize) & mask) << s;
        }
        return r;
    }

    /** A vector three-same instruction: Vd.T = op(Vd.T, Vn.T, Vm.T) lane by lane. */
    static long same(Cpu c, int insn, long pc, int sizes, boolean signed, LaneOp op) {
        int esize = vectorEsize(insn, sizes);
        lanes(c, insn & 31, insn >>> 5 & 31, insn >>> 16 & 31, (q(insn) ? 128 : 64) / esize, esize, signed, op);
        return pc + 4;
    }

    /** A scalar three-same instruction on element 0. */
    static long sameScalar(Cpu c, int insn, long pc, int sizes, boolean signed, LaneOp op) {
        int esize = scalarEsize(insn, sizes);
        lanes(c, insn & 31, insn >>> 5 & 31, insn >>> 16 & 31, 1, esize, signed, op);
        return pc + 4;
    }

    /** A vector one-source instruction: Vd.T = op(Vd.T, Vn.T) lane by lane (op sees Vn as both n and m). */
    static long unary(Cpu c, int insn, long pc, int sizes, boolean signed, LaneOp op) {
        int esize = vectorEsize(insn, sizes);
        int rn = insn >>> 5 & 31;
        lanes(c, insn & 31, rn, rn, (q(insn) ? 128 : 64) / esize, esize, signed, op);
        return pc + 4;
    }

    static long unaryScalar(Cpu c, int insn, long pc, int sizes, boolean signed, LaneOp op) {
        int esize = scalarEsize(insn, sizes);
        int rn = insn >>> 5 & 31;
        lanes(c, insn & 31, rn, rn, 1, esize, signed, op);
        return pc + 4;
    }
}
