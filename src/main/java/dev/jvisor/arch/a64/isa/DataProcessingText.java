package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.InsnRow;

/**
 * Assembler text for the data-processing rows whose preferred form is an alias (MOV, CMP, LSL, UBFX, CSET, MUL...),
 * chosen by the ARM ARM's alias conditions so the output reads like objdump's. Immediates print in hex as objdump
 * does; conditions use the names of the shared disassembler (hs/lo rather than cs/cc).
 */
final class DataProcessingText {
    private DataProcessingText() {}

    private static final String[] CONDITIONS = {"eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt",
        "gt", "le", "al", "nv"};
    private static final String[] SHIFTS = {"lsl", "lsr", "asr", "ror"};
    private static final String[] EXTENDS = {"uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx"};

    private static boolean is64(int insn) {
        return insn < 0;
    }

    /** General register n at the given width, 31 being the zero register. */
    static String reg(int n, boolean x) {
        if (n == 31) return x ? "xzr" : "wzr";
        return (x ? "x" : "w") + n;
    }

    /** General register n at the given width, 31 being the stack pointer. */
    static String regOrSp(int n, boolean x) {
        if (n == 31) return x ? "sp" : "wsp";
        return (x ? "x" : "w") + n;
    }

    private static String hex(long v) {
        return "#0x" + Long.toHexString(v);
    }

    /** How objdump prints a word in an allocated row's space whose fields are unallocated. */
    private static String unallocated(int insn) {
        return String.format(".inst 0x%08x", insn);
    }

    private static int rd(int insn) { return insn & 31; }
    private static int rn(int insn) { return insn >>> 5 & 31; }
    private static int rm(int insn) { return insn >>> 16 & 31; }

    /** The mnemonic is the row name up to the first underscore, lower-cased. */
    private static String mnemonic(InsnRow row) {
        int u = row.name.indexOf('_');
        return (u < 0 ? row.name : row.name.substring(0, u)).toLowerCase();
    }

    static String adr(InsnRow row, int insn, long pc) {
        long offset = (long) ((insn << 8 >> 13) << 2 | (insn >>> 29 & 3));
        long target = insn < 0 ? (pc & ~0xFFFL) + (offset << 12) : pc + offset;
        return mnemonic(row) + " " + reg(rd(insn), true) + ", 0x" + Long.toHexString(target);
    }

    static String addSubImm(InsnRow row, int insn, long pc) {
        boolean x = is64(insn);
        int imm = insn >>> 10 & 0xFFF;
        boolean shifted = (insn >>> 22 & 1) != 0;
        String operand = hex(imm) + (shifted ? ", lsl #12" : "");
        String op = mnemonic(row);
        boolean setsFlags = op.endsWith("s");
        if (op.equals("add") && !shifted && imm == 0 && (rd(insn) == 31 || rn(insn) == 31)) {
            return "mov " + regOrSp(rd(insn), x) + ", " + regOrSp(rn(insn), x);
        }
        if (setsFlags && rd(insn) == 31) {
            return (op.equals("adds") ? "cmn " : "cmp ") + regOrSp(rn(insn), x) + ", " + operand;
        }
        String dest = setsFlags ? reg(rd(insn), x) : regOrSp(rd(insn), x);
        return op + " " + dest + ", " + regOrSp(rn(insn), x) + ", " + operand;
    }

    private static String shiftSuffix(int insn) {
        int type = insn >>> 22 & 3, amount = insn >>> 10 & 63;
        return type == 0 && amount == 0 ? "" : ", " + SHIFTS[type] + " #" + amount;
    }

    static String addSubReg(InsnRow row, int insn, long pc) {
        if (!DataProcessing.shiftedRegisterAllocated(insn, true)) return unallocated(insn);
        boolean x = is64(insn);
        String op = mnemonic(row);
        String m = reg(rm(insn), x) + shiftSuffix(insn);
        if (op.endsWith("s") && rd(insn) == 31) {
            return (op.equals("adds") ? "cmn " : "cmp ") + reg(rn(insn), x) + ", " + m;
        }
        if (op.startsWith("sub") && rn(insn) == 31) {
            return (op.equals("sub") ? "neg " : "negs ") + reg(rd(insn), x) + ", " + m;
        }
        return op + " " + reg(rd(insn), x) + ", " + reg(rn(insn), x) + ", " + m;
    }

    static String addSubExt(InsnRow row, int insn, long pc) {
        if (!DataProcessing.extendedRegisterAllocated(insn)) return unallocated(insn);
        boolean x = is64(insn);
        String op = mnemonic(row);
        int option = insn >>> 13 & 7, amount = insn >>> 10 & 7;
        boolean setsFlags = op.endsWith("s");
        boolean usesSp = rn(insn) == 31 || (!setsFlags && rd(insn) == 31);
        String extend;
        if (usesSp && option == (x ? 3 : 2)) {
            extend = amount == 0 ? "" : ", lsl #" + amount;
        } else {
            extend = ", " + EXTENDS[option] + (amount == 0 ? "" : " #" + amount);
        }
        String m = reg(rm(insn), x && (option & 3) == 3) + extend;
        if (setsFlags && rd(insn) == 31) {
            return (op.equals("adds") ? "cmn " : "cmp ") + regOrSp(rn(insn), x) + ", " + m;
        }
        String dest = setsFlags ? reg(rd(insn), x) : regOrSp(rd(insn), x);
        return op + " " + dest + ", " + regOrSp(rn(insn), x) + ", " + m;
    }

    static String sbc(InsnRow row, int insn, long pc) {
        boolean x = is64(insn);
        String op = mnemonic(row);
        if (rn(insn) == 31) return (op.equals("sbc") ? "ngc " : "ngcs ") + reg(rd(insn), x) + ", " + reg(rm(insn), x);
        return op + " " + reg(rd(insn), x) + ", " + reg(rn(insn), x) + ", " + reg(rm(insn), x);
    }

    /** The bitmask immediate at the operation's width, or null when the encoding is unallocated. */
    private static Long bitmask(int insn) {
        int n = insn >>> 22 & 1;
        if (!is64(insn) && n != 0) return null;
        try {
            long v = Alu.bitmaskImmediate(n, insn >>> 16 & 63, insn >>> 10 & 63);
            return is64(insn) ? v : v & 0xFFFF_FFFFL;
        } catch (UndefinedInstruction e) {
            return null;
        }
    }

    /** Whether MOVZ or MOVN can produce {@code v} at this width: then they, not ORR, are the preferred MOV. */
    private static boolean movWideCanEncode(long v, boolean x) {
        long mask = x ? -1L : 0xFFFF_FFFFL;
        for (long candidate : new long[] {v, ~v & mask}) {
            for (int shift = 0; shift < (x ? 64 : 32); shift += 16) {
                if ((candidate & ~(0xFFFFL << shift)) == 0) return true;
            }
        }
        return false;
    }

    static String logicalImm(InsnRow row, int insn, long pc) {
        boolean x = is64(insn);
        Long imm = bitmask(insn);
        String op = mnemonic(row);
        if (imm == null) return unallocated(insn);
        if (op.equals("ands") && rd(insn) == 31) return "tst " + reg(rn(insn), x) + ", " + hex(imm);
        // MOVZ and MOVN cannot write SP, so ORR is the only MOV to SP.
        if (op.equals("orr") && rn(insn) == 31 && (rd(insn) == 31 || !movWideCanEncode(imm, x))) {
            return "mov " + regOrSp(rd(insn), x) + ", " + hex(imm);
        }
        String dest = op.equals("ands") ? reg(rd(insn), x) : regOrSp(rd(insn), x);
        return op + " " + dest + ", " + reg(rn(insn), x) + ", " + hex(imm);
    }

    static String logicalReg(InsnRow row, int insn, long pc) {
        if (!DataProcessing.shiftedRegisterAllocated(insn, false)) return unallocated(insn);
        boolean x = is64(insn);
        String op = mnemonic(row);
        String m = reg(rm(insn), x) + shiftSuffix(insn);
        if (op.equals("orr") && rn(insn) == 31 && m.indexOf(',') < 0) return "mov " + reg(rd(insn), x) + ", " + m;
        if (op.equals("orn") && rn(insn) == 31) return "mvn " + reg(rd(insn), x) + ", " + m;
        if (op.equals("ands") && rd(insn) == 31) return "tst " + reg(rn(insn), x) + ", " + m;
        return op + " " + reg(rd(insn), x) + ", " + reg(rn(insn), x) + ", " + m;
    }

    static String moveWide(InsnRow row, int insn, long pc) {
        if (!DataProcessing.moveWideAllocated(insn)) return unallocated(insn);
        boolean x = is64(insn);
        int hw = insn >>> 21 & 3, imm16 = insn >>> 5 & 0xFFFF;
        String op = mnemonic(row);
        String d = reg(rd(insn), x);
        boolean zeroShifted = imm16 == 0 && hw != 0;
        if (op.equals("movz") && !zeroShifted) return "mov " + d + ", " + hex((long) imm16 << (16 * hw));
        if (op.equals("movn") && !zeroShifted && (x || imm16 != 0xFFFF)) {
            long v = ~((long) imm16 << (16 * hw));
            return "mov " + d + ", " + hex(x ? v : v & 0xFFFF_FFFFL);
        }
        return op + " " + d + ", " + hex(imm16) + (hw == 0 ? "" : ", lsl #" + 16 * hw);
    }

    static String bitfield(InsnRow row, int insn, long pc) {
        if (!DataProcessing.bitfieldAllocated(insn)) return unallocated(insn);
        boolean x = is64(insn);
        int size = x ? 64 : 32;
        int r = insn >>> 16 & 63, s = insn >>> 10 & 63;
        String op = mnemonic(row);
        String d = reg(rd(insn), x), n = reg(rn(insn), x);
        switch (op) {
            case "sbfm" -> {
                if (s == size - 1) return "asr " + d + ", " + n + ", #" + r;
                if (r == 0 && (s == 7 || s == 15 || (x && s == 31))) {
                    return (s == 7 ? "sxtb " : s == 15 ? "sxth " : "sxtw ") + d + ", " + reg(rn(insn), false);
                }
                if (s < r) return "sbfiz " + d + ", " + n + ", #" + (size - r) + ", #" + (s + 1);
                return "sbfx " + d + ", " + n + ", #" + r + ", #" + (s - r + 1);
            }
            case "ubfm" -> {
                if (s != size - 1 && s + 1 == r) return "lsl " + d + ", " + n + ", #" + (size - 1 - s);
                if (s == size - 1) return "lsr " + d + ", " + n + ", #" + r;
                if (!x && r == 0 && (s == 7 || s == 15)) return (s == 7 ? "uxtb " : "uxth ") + d + ", " + n;
                if (s < r) return "ubfiz " + d + ", " + n + ", #" + (size - r) + ", #" + (s + 1);
                return "ubfx " + d + ", " + n + ", #" + r + ", #" + (s - r + 1);
            }
            default -> {
                if (s < r) {
                    if (rn(insn) == 31) return "bfc " + d + ", #" + (size - r) + ", #" + (s + 1);
                    return "bfi " + d + ", " + n + ", #" + (size - r) + ", #" + (s + 1);
                }
                return "bfxil " + d + ", " + n + ", #" + r + ", #" + (s - r + 1);
            }
        }
    }

    static String extr(InsnRow row, int insn, long pc) {
        if (!DataProcessing.extractAllocated(insn)) return unallocated(insn);
        boolean x = is64(insn);
        int lsb = insn >>> 10 & 63;
        String d = reg(rd(insn), x), n = reg(rn(insn), x);
        if (rn(insn) == rm(insn)) return "ror " + d + ", " + n + ", #" + lsb;
        return "extr " + d + ", " + n + ", " + reg(rm(insn), x) + ", #" + lsb;
    }

    static String condSelect(InsnRow row, int insn, long pc) {
        boolean x = is64(insn);
        int cond = insn >>> 12 & 15;
        String op = mnemonic(row);
        String d = reg(rd(insn), x), n = reg(rn(insn), x), m = reg(rm(insn), x);
        boolean invertible = (cond >>> 1) != 7;
        String inverted = CONDITIONS[cond ^ 1];
        if (!op.equals("csel") && invertible && rn(insn) == rm(insn)) {
            if (rn(insn) == 31 && !op.equals("csneg")) {
                return (op.equals("csinc") ? "cset " : "csetm ") + d + ", " + inverted;
            }
            String alias = switch (op) {
                case "csinc" -> "cinc ";
                case "csinv" -> "cinv ";
                default -> "cneg ";
            };
            return alias + d + ", " + n + ", " + inverted;
        }
        return op + " " + d + ", " + n + ", " + m + ", " + CONDITIONS[cond];
    }

    static String multiply(InsnRow row, int insn, long pc) {
        String op = mnemonic(row);
        boolean longForm = op.endsWith("l");
        boolean x = is64(insn);
        String d = reg(rd(insn), x);
        String n = reg(rn(insn), x && !longForm), m = reg(rm(insn), x && !longForm);
        int ra = insn >>> 10 & 31;
        if (ra == 31) {
            String alias = switch (op) {
                case "madd" -> "mul";
                case "msub" -> "mneg";
                case "smaddl" -> "smull";
                case "smsubl" -> "smnegl";
                case "umaddl" -> "umull";
                default -> "umnegl";
            };
            return alias + " " + d + ", " + n + ", " + m;
        }
        return op + " " + d + ", " + n + ", " + m + ", " + reg(ra, x);
    }
}
