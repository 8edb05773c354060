package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.decode.Disasm;
import dev.jvisor.arch.a64.decode.InsnRow;

/**
 * Integer Advanced SIMD: the section entry point and the operand printing its rows share. The instructions live in
 * {@link SimdArith} (lane arithmetic), {@link SimdWide} (long, wide and narrow forms, by-element multiplies),
 * {@link SimdShift} (shifts by immediate) and {@link SimdMove} (copies, immediates, permutes, tables); floating point
 * vector instructions are in the floating-point section.
 */
public final class Simd {
    private Simd() {}

    public static void rows(InsnRow.Builder b) {
        SimdArith.rows(b);
        SimdWide.rows(b);
        SimdShift.rows(b);
        SimdMove.rows(b);
    }

    /** {@code v3.16b}: a vector register with the arrangement of esize-bit elements filling 64 or 128 bits. */
    static String vreg(int reg, int esize, boolean q) {
        return "v" + reg + "." + ((q ? 128 : 64) / esize) + "bhsd".charAt(Integer.numberOfTrailingZeros(esize) - 3);
    }

    /** {@code h3}: the scalar view of a vector register for an element size. */
    static String scalarName(int esize, int reg) {
        return "bhsd".charAt(Integer.numberOfTrailingZeros(esize) - 3) + String.valueOf(reg);
    }

    static String gpr(int reg, boolean x) {
        return reg == 31 ? (x ? "xzr" : "wzr") : (x ? "x" : "w") + reg;
    }

    /** Scalar forms whose operands all have the element size of the size field: Rd, Rn and (operands 3) Rm. */
    static Disasm scalarText(String mnemonic, int operands, String suffix) {
        return (r, i, pc) -> {
            int esize = 8 << (i >>> 22 & 3);
            String text = mnemonic + " " + scalarName(esize, i & 31) + ", " + scalarName(esize, i >>> 5 & 31);
            if (operands == 3) text += ", " + scalarName(esize, i >>> 16 & 31);
            return text + suffix;
        };
    }
}
