package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.Disasm;

/** Operand spelling shared by the load/store disassembly, in the forms objdump prints. */
final class LoadStoreText {
    private LoadStoreText() {}

    /** A general register; 31 is the zero register. */
    static String gpr(int n, boolean x) {
        if (n == 31) return x ? "xzr" : "wzr";
        return (x ? "x" : "w") + n;
    }

    /** A base register; 31 is the stack pointer. */
    static String base(int n) {
        return n == 31 ? "sp" : "x" + n;
    }

    /** Register {@code n} of the kind {@code kind}: 'w' or 'x' general, or one of 'b' 'h' 's' 'd' 'q'. */
    static String reg(char kind, int n) {
        return switch (kind) {
            case 'w' -> gpr(n, false);
            case 'x' -> gpr(n, true);
            default -> kind + Integer.toString(n);
        };
    }

    static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }

    /** The PRFM operation in Rt: type PLD/PLI/PST, target L1-L3, policy KEEP/STRM; other values as a number. */
    static String prefetchOp(int rt) {
        int type = rt >>> 3, target = rt >>> 1 & 3;
        if (type == 3 || target == 3) return String.format("#0x%02x", rt);
        return new String[] {"pld", "pli", "pst"}[type] + "l" + (target + 1) + ((rt & 1) == 0 ? "keep" : "strm");
    }

    /**
     * {@code text}, except that a word whose fields are reserved inside the row (the text builder finds them
     * UNDEFINED, as execution would) prints as objdump prints it.
     */
    static Disasm orInst(Disasm text) {
        return (row, insn, pc) -> {
            try {
                return text.text(row, insn, pc);
            } catch (UndefinedInstruction e) {
                return String.format(".inst 0x%08x", insn);
            }
        };
    }
}
