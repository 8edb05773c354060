package dev.jvisor.arch.a64.isa;

import static dev.jvisor.arch.a64.isa.SimdOps.elem;
import static dev.jvisor.arch.a64.isa.SimdOps.mask;
import static dev.jvisor.arch.a64.isa.SimdOps.putNarrow;
import static dev.jvisor.arch.a64.isa.SimdOps.q;
import static dev.jvisor.arch.a64.isa.SimdOps.satShiftLeft;
import static dev.jvisor.arch.a64.isa.SimdOps.satSigned;
import static dev.jvisor.arch.a64.isa.SimdOps.satUnsigned;
import static dev.jvisor.arch.a64.isa.SimdOps.satUnsignedOfUnsigned;
import static dev.jvisor.arch.a64.isa.SimdOps.sext;
import static dev.jvisor.arch.a64.isa.SimdOps.shiftRight;
import static dev.jvisor.arch.a64.isa.SimdOps.unsigned;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.Disasm;
import dev.jvisor.arch.a64.decode.InsnRow;

/**
 * Advanced SIMD shifts by immediate, vector and scalar. The position of the highest set bit of immh gives the element
 * size; immh:immb then encodes the amount, as 2*esize - amount for right shifts and esize + amount for left shifts.
 *
 * <p>immh = 0000 is not a shift: in the vector group it is the modified-immediate space (MOVI and friends, whose rows
 * refine these), and elsewhere it is unallocated.
 */
final class SimdShift {
    private SimdShift() {}

    private enum Form { SAME, NARROW, LONG }

    static void rows(InsnRow.Builder b) {
        String[][] same = {
            {"SSHR", "0", "00000"}, {"USHR", "1", "00000"}, {"SSRA", "0", "00010"}, {"USRA", "1", "00010"},
            {"SRSHR", "0", "00100"}, {"URSHR", "1", "00100"}, {"SRSRA", "0", "00110"}, {"URSRA", "1", "00110"},
            {"SRI", "1", "01000"}, {"SHL", "0", "01010"}, {"SLI", "1", "01010"}, {"SQSHLU", "1", "01100"},
            {"SQSHL", "0", "01110"}, {"UQSHL", "1", "01110"},
        };
        for (String[] s : same) {
            boolean left = s[2].startsWith("01") && !s[0].equals("SRI");
            b.row(s[0] + "_imm_vec", "0 Q:1 " + s[1] + " 011110 immh:4 immb:3 " + s[2] + " 1 Rn:5 Rd:5",
                SimdShift::shiftVector, vectorText(s[0].toLowerCase(), Form.SAME, left));
            b.row(s[0] + "_imm_scalar", "01 " + s[1] + " 111110 immh:4 immb:3 " + s[2] + " 1 Rn:5 Rd:5",
                SimdShift::shiftScalar, (r, i, pc) -> {
                    int esize = esize(i);
                    return s[0].toLowerCase() + " " + Simd.scalarName(esize, i & 31) + ", "
                        + Simd.scalarName(esize, i >>> 5 & 31) + ", #" + amount(i, esize, left);
                });
        }
        String[][] narrow = {
            {"SHRN", "0", "10000"}, {"RSHRN", "0", "10001"}, {"SQSHRN", "0", "10010"}, {"SQRSHRN", "0", "10011"},
            {"SQSHRUN", "1", "10000"}, {"SQRSHRUN", "1", "10001"}, {"UQSHRN", "1", "10010"}, {"UQRSHRN", "1", "10011"},
        };
        for (String[] s : narrow) {
            b.row(s[0] + "_vec", "0 Q:1 " + s[1] + " 011110 immh:4 immb:3 " + s[2] + " 1 Rn:5 Rd:5",
                SimdShift::shiftNarrow, vectorText(s[0].toLowerCase(), Form.NARROW, false));
            if (s[0].startsWith("SQ") || s[0].startsWith("UQ")) {
                b.row(s[0] + "_scalar", "01 " + s[1] + " 111110 immh:4 immb:3 " + s[2] + " 1 Rn:5 Rd:5",
                    SimdShift::shiftNarrowScalar, (r, i, pc) -> {
                        int esize = esize(i);
                        return s[0].toLowerCase() + " " + Simd.scalarName(esize, i & 31) + ", "
                            + Simd.scalarName(2 * esize, i >>> 5 & 31) + ", #" + amount(i, esize, false);
                    });
            }
        }
        b.row("SSHLL_vec", "0 Q:1 0 011110 immh:4 immb:3 10100 1 Rn:5 Rd:5", SimdShift::shiftLeftLong,
            vectorText("sshll", Form.LONG, true));
        b.row("USHLL_vec", "0 Q:1 1 011110 immh:4 immb:3 10100 1 Rn:5 Rd:5", SimdShift::shiftLeftLong,
            vectorText("ushll", Form.LONG, true));
    }

    private static Disasm vectorText(String mnemonic, Form form, boolean left) {
        return (r, i, pc) -> {
            int esize = esize(i), amount = amount(i, esize, left);
            boolean q = q(i);
            String n = Simd.vreg(i >>> 5 & 31, form == Form.NARROW ? 2 * esize : esize, form == Form.NARROW || q);
            String d = Simd.vreg(i & 31, form == Form.LONG ? 2 * esize : esize, form == Form.LONG || q);
            String suffix = form != Form.SAME && q ? "2" : "";
            if (form == Form.LONG && amount == 0) return mnemonic.charAt(0) + "xtl" + suffix + " " + d + ", " + n;
            return mnemonic + suffix + " " + d + ", " + n + ", #" + amount;
        };
    }

    /** The element size from immh; for narrowing and widening forms it is the size of the narrow elements. */
    private static int esize(int insn) {
        int immh = insn >>> 19 & 15;
        if (immh == 0) throw new UndefinedInstruction();
        return 8 << (31 - Integer.numberOfLeadingZeros(immh));
    }

    private static int amount(int insn, int esize, boolean left) {
        int code = insn >>> 16 & 127;
        return left ? code - esize : 2 * esize - code;
    }

    /** One element of a same-width shift: {@code n} and {@code d} zero-extended; the opcode picks the operation. */
    private static long shiftElement(Cpu c, int insn, long d, long n, int esize) {
        boolean u = unsigned(insn);
        int code = insn >>> 16 & 127, right = 2 * esize - code, left = code - esize;
        return switch (insn >>> 11 & 31) {
            case 0b00000, 0b00010, 0b00100, 0b00110 -> {
                // Bit 13 asks for rounding, bit 12 for accumulation into Vd.
                long r = shiftRight(u ? n : sext(n, esize), right, !u, (insn & 1 << 13) != 0);
                yield (insn & 1 << 12) != 0 ? d + r : r;
            }
            case 0b01000 -> {
                long inserted = right >= 64 ? 0 : mask(esize) >>> right;
                yield d & ~inserted | (right >= 64 ? 0 : n >>> right);
            }
            case 0b01010 -> u ? d & ~(mask(esize) << left) | n << left : n << left;
            case 0b01100 -> satShiftLeft(c, sext(n, esize), left, esize, true, true);
            default -> satShiftLeft(c, u ? n : sext(n, esize), left, esize, !u, false);
        };
    }

    static long shiftVector(Cpu c, int insn, long pc) {
        int esize = esize(insn);
        boolean q = q(insn);
        if (esize == 64 && !q) throw new UndefinedInstruction();
        int rd = insn & 31, rn = insn >>> 5 & 31, count = (q ? 128 : 64) / esize;
        int opcode = insn >>> 11 & 31, code = insn >>> 16 & 127;
        // SHL, and USHR below 64-bit lanes, shift whole halves and then clear the bits that crossed into a neighbour.
        if (opcode == 0b01010 && !unsigned(insn)) {
            int shift = code - esize;
            long keep = (mask(esize) << shift & mask(esize)) * SimdOps.lowBits(esize);
            SimdOps.put(c, rd, q, c.v[2 * rn] << shift & keep, c.v[2 * rn + 1] << shift & keep);
            return pc + 4;
        }
        if (opcode == 0 && unsigned(insn) && esize < 64) {
            int shift = 2 * esize - code;
            long keep = (mask(esize) >>> shift) * SimdOps.lowBits(esize);
            SimdOps.put(c, rd, q, c.v[2 * rn] >>> shift & keep, c.v[2 * rn + 1] >>> shift & keep);
            return pc + 4;
        }
        long m = mask(esize), lo = 0, hi = 0;
        for (int i = 0; i < count; i++) {
            long r = shiftElement(c, insn, elem(c, rd, i, esize), elem(c, rn, i, esize), esize) & m;
            int bit = i * esize;
            if (bit < 64) lo |= r << bit;
            else hi |= r << (bit - 64);
        }
        c.v[2 * rd] = lo;
        c.v[2 * rd + 1] = hi;
        return pc + 4;
    }

    /** Scalar shifts work on D registers only, except the saturating left shifts which take any size. */
    static long shiftScalar(Cpu c, int insn, long pc) {
        int esize = esize(insn);
        boolean saturatingLeft = (insn >>> 13 & 3) == 3;
        if (esize != 64 && !saturatingLeft) throw new UndefinedInstruction();
        int rd = insn & 31;
        c.setD(rd, shiftElement(c, insn, elem(c, rd, 0, esize), elem(c, insn >>> 5 & 31, 0, esize), esize) & mask(esize));
        return pc + 4;
    }

    /**
     * One element of a narrowing shift: {@code wide} is the zero-extended 2*esize source. Bit 11 asks for rounding;
     * U and bit 12 choose truncation (SHRN), signed (SQSHRN), signed-to-unsigned (SQSHRUN) or unsigned (UQSHRN)
     * saturation.
     */
    private static long narrowElement(Cpu c, int insn, long wide, int esize) {
        boolean u = unsigned(insn), saturating = (insn & 1 << 12) != 0, round = (insn & 1 << 11) != 0;
        int shift = 2 * esize - (insn >>> 16 & 127);
        if (!u && !saturating) return shiftRight(wide, shift, false, round) & mask(esize);
        if (u && saturating) return satUnsignedOfUnsigned(c, shiftRight(wide, shift, false, round), esize);
        long r = shiftRight(sext(wide, 2 * esize), shift, true, round);
        return (u ? satUnsigned(c, r, esize) : satSigned(c, r, esize)) & mask(esize);
    }

    private static int narrowEsize(int insn) {
        int esize = esize(insn);
        if (esize == 64) throw new UndefinedInstruction();
        return esize;
    }

    static long shiftNarrow(Cpu c, int insn, long pc) {
        int esize = narrowEsize(insn), rn = insn >>> 5 & 31, count = 64 / esize;
        if ((insn & 0x2000_1800) == 0) {
            // SHRN: the shift moves the wanted bits to the bottom of each wide lane; keep those halves.
            int shift = 2 * esize - (insn >>> 16 & 127);
            long packed = SimdSwar.evens(c.v[2 * rn] >>> shift, esize)
                | SimdSwar.evens(c.v[2 * rn + 1] >>> shift, esize) << 32;
            putNarrow(c, insn & 31, q(insn), packed);
            return pc + 4;
        }
        long result = 0;
        for (int i = 0; i < count; i++) result |= narrowElement(c, insn, elem(c, rn, i, 2 * esize), esize) << (i * esize);
        putNarrow(c, insn & 31, q(insn), result);
        return pc + 4;
    }

    static long shiftNarrowScalar(Cpu c, int insn, long pc) {
        int esize = narrowEsize(insn);
        c.setD(insn & 31, narrowElement(c, insn, elem(c, insn >>> 5 & 31, 0, 2 * esize), esize));
        return pc + 4;
    }

    /** SSHLL and USHLL (UXTL and SXTL when the amount is zero). */
    static long shiftLeftLong(Cpu c, int insn, long pc) {
        int esize = narrowEsize(insn), wide = 2 * esize, count = 64 / esize, shift = (insn >>> 16 & 127) - esize;
        int rd = insn & 31, rn = insn >>> 5 & 31, first = q(insn) ? count : 0;
        boolean signed = !unsigned(insn);
        long m = mask(wide), lo = 0, hi = 0;
        for (int i = 0; i < count; i++) {
            long r = elem(c, rn, first + i, esize, signed) << shift & m;
            int bit = i * wide;
            if (bit < 64) lo |= r << bit;
            else hi |= r << (bit - 64);
        }
        c.v[2 * rd] = lo;
        c.v[2 * rd + 1] = hi;
        return pc + 4;
    }
}
