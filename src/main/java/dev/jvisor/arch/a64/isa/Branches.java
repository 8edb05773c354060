package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.decode.InsnRow;

/** Branches: immediate, conditional, compare-and-branch, test-and-branch, and register. */
public final class Branches {
    private Branches() {}

    public static void rows(InsnRow.Builder b) {
        b.row("B", "0 00101 imm26:26", Branches::b, "b {label:imm26}");
        b.row("BL", "1 00101 imm26:26", Branches::bl, "bl {label:imm26}");
        b.row("B_cond", "0101010 0 imm19:19 0 cond:4", Branches::bCond, "b.{cond:cond} {label:imm19}");
        b.row("CBZ", "sf:1 011010 0 imm19:19 Rt:5", Branches::cbz, "cbz {Rt}, {label:imm19}");
        b.row("CBNZ", "sf:1 011010 1 imm19:19 Rt:5", Branches::cbnz, "cbnz {Rt}, {label:imm19}");
        b.row("TBZ", "b5:1 011011 0 b40:5 imm14:14 Rt:5", Branches::tbz, (r, i, pc) -> testBranchText("tbz", i, pc));
        b.row("TBNZ", "b5:1 011011 1 b40:5 imm14:14 Rt:5", Branches::tbnz, (r, i, pc) -> testBranchText("tbnz", i, pc));
        b.row("BR", "1101011 0000 11111 000000 Rn:5 00000", Branches::br, "br {Rn:x}");
        b.row("BLR", "1101011 0001 11111 000000 Rn:5 00000", Branches::blr, "blr {Rn:x}");
        b.row("RET", "1101011 0010 11111 000000 Rn:5 00000", Branches::br, "ret {Rn:x}");
        b.row("ERET", "1101011 0100 11111 000000 11111 00000", (c, i, pc) -> c.hooks.exceptionReturn(c, pc), "eret");
    }

    static long b(Cpu c, int insn, long pc) {
        return pc + ((long) (insn << 6) >> 4);
    }

    static long bl(Cpu c, int insn, long pc) {
        c.x[30] = pc + 4;
        return pc + ((long) (insn << 6) >> 4);
    }

    static long bCond(Cpu c, int insn, long pc) {
        return c.condition(insn & 15) ? pc + ((long) (insn << 8) >> 11 & ~3L) : pc + 4;
    }

    static long cbz(Cpu c, int insn, long pc) {
        long v = c.x(insn & 31);
        if (insn >= 0 ? (int) v == 0 : v == 0) return pc + ((long) (insn << 8) >> 11 & ~3L);
        return pc + 4;
    }

    static long cbnz(Cpu c, int insn, long pc) {
        long v = c.x(insn & 31);
        if (insn >= 0 ? (int) v != 0 : v != 0) return pc + ((long) (insn << 8) >> 11 & ~3L);
        return pc + 4;
    }

    private static int testBit(int insn) {
        return (insn >>> 26 & 32) | (insn >>> 19 & 31);
    }

    static long tbz(Cpu c, int insn, long pc) {
        if ((c.x(insn & 31) >>> testBit(insn) & 1) == 0) return pc + ((long) (insn << 13) >> 16 & ~3L);
        return pc + 4;
    }

    static long tbnz(Cpu c, int insn, long pc) {
        if ((c.x(insn & 31) >>> testBit(insn) & 1) != 0) return pc + ((long) (insn << 13) >> 16 & ~3L);
        return pc + 4;
    }

    static long br(Cpu c, int insn, long pc) {
        return c.x(insn >>> 5 & 31);
    }

    static long blr(Cpu c, int insn, long pc) {
        long target = c.x(insn >>> 5 & 31);
        c.x[30] = pc + 4;
        return target;
    }

    private static String testBranchText(String op, int insn, long pc) {
        int bit = testBit(insn);
        int rt = insn & 31;
        String reg = rt == 31 ? (bit < 32 ? "wzr" : "xzr") : (bit < 32 ? "w" : "x") + rt;
        return op + " " + reg + ", #" + bit + ", 0x" + Long.toHexString(pc + ((long) (insn << 13) >> 16 & ~3L));
    }
}
