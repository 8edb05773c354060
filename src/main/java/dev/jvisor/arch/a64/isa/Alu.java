package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;

/**
 * Arithmetic shared by the integer instructions: flag computation, operand shifts and extensions, the bitmask
 * immediate decoder and the CRC32 step. Everything is a small static method of its arguments so that, with a
 * constant instruction word, HotSpot folds the decoding parts away.
 */
final class Alu {
    private Alu() {}

    /**
     * NZCV of {@code r = a + b + carryIn} in 64 bits. Subtraction is {@code a + ~b + 1}, so callers pass {@code ~b}
     * for SUBS and CMP. The carry out of bit 63 is the majority of a, b and the carry into bit 63, and the carry
     * into bit 63 is {@code a ^ b ^ r} there, which folds into the expression below.
     */
    static int addFlags64(long a, long b, long r) {
        long carry = (a & b) | ((a | b) & ~r);
        long overflow = (a ^ r) & (b ^ r);
        return (int) (r >>> 32) & Cpu.N | (r == 0 ? Cpu.Z : 0) | (int) (carry >>> 63) << 29
            | (int) (overflow >>> 63) << 28;
    }

    /** {@link #addFlags64} for 32-bit operands. */
    static int addFlags32(int a, int b, int r) {
        int carry = (a & b) | ((a | b) & ~r);
        int overflow = (a ^ r) & (b ^ r);
        return r & Cpu.N | (r == 0 ? Cpu.Z : 0) | (carry >>> 31) << 29 | (overflow >>> 31) << 28;
    }

    /** NZCV of a logical result: N and Z from it, C and V cleared. */
    static int logicFlags64(long r) {
        return (int) (r >>> 32) & Cpu.N | (r == 0 ? Cpu.Z : 0);
    }

    static int logicFlags32(int r) {
        return r & Cpu.N | (r == 0 ? Cpu.Z : 0);
    }

    /** {@code value} shifted by type 0 LSL, 1 LSR, 2 ASR, 3 ROR; amount is 0..63. */
    static long shift64(long value, int type, int amount) {
        return switch (type) {
            case 0 -> value << amount;
            case 1 -> value >>> amount;
            case 2 -> value >> amount;
            default -> Long.rotateRight(value, amount);
        };
    }

    /** {@link #shift64} on a 32-bit value; amount is 0..31. */
    static int shift32(int value, int type, int amount) {
        return switch (type) {
            case 0 -> value << amount;
            case 1 -> value >>> amount;
            case 2 -> value >> amount;
            default -> Integer.rotateRight(value, amount);
        };
    }

    /** ExtendReg: option 0..7 = UXTB, UXTH, UXTW, UXTX, SXTB, SXTH, SXTW, SXTX, then shifted left by 0..4. */
    static long extend(long value, int option, int shift) {
        long v = switch (option) {
            case 0 -> value & 0xFF;
            case 1 -> value & 0xFFFF;
            case 2 -> value & 0xFFFF_FFFFL;
            case 4 -> (byte) value;
            case 5 -> (short) value;
            case 6 -> (int) value;
            default -> value;
        };
        return v << shift;
    }

    /**
     * The ARM ARM's DecodeBitMasks for a logical immediate (the wmask only): a run of imms+1 ones in an element of
     * 2, 4, ..., 64 bits, rotated right by immr within the element and replicated to 64 bits. Element size comes from
     * the highest set bit of N:NOT(imms); an all-ones element is not encodable. For 32-bit operations the caller
     * uses the low half (N=1 is rejected there), which is the same pattern replicated.
     */
    static long bitmaskImmediate(int n, int immr, int imms) {
        int len = 31 - Integer.numberOfLeadingZeros(n << 6 | (~imms & 0x3F));
        if (len < 1) throw new UndefinedInstruction();
        int levels = (1 << len) - 1;
        int s = imms & levels;
        if (s == levels) throw new UndefinedInstruction();
        int r = immr & levels;
        int esize = 1 << len;
        long element = (1L << (s + 1)) - 1;
        if (r != 0) element = (element >>> r | element << (esize - r)) & (esize == 64 ? -1L : (1L << esize) - 1);
        for (int width = esize; width < 64; width <<= 1) element |= element << width;
        return element;
    }

    private static final int[] CRC32_TABLE = crcTable(0xEDB8_8320);
    private static final int[] CRC32C_TABLE = crcTable(0x82F6_3B78);

    /** Byte-at-a-time tables for the bit-reflected polynomials the CRC32 instructions use. */
    private static int[] crcTable(int reflectedPoly) {
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? c >>> 1 ^ reflectedPoly : c >>> 1;
            t[i] = c;
        }
        return t;
    }

    /**
     * One CRC32 or CRC32C instruction: folds the low {@code bytes} bytes of {@code data}, least significant first, into
     * {@code acc}. No pre- or post-inversion: software does that around the loop, as the instructions expect.
     */
    static int crc(int acc, long data, int bytes, boolean castagnoli) {
        int[] t = castagnoli ? CRC32C_TABLE : CRC32_TABLE;
        for (int i = 0; i < bytes; i++) {
            acc = acc >>> 8 ^ t[(acc ^ (int) data) & 0xFF];
            data >>>= 8;
        }
        return acc;
    }
}
