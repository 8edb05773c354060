package dev.jvisor.arch.a64.isa;

import static dev.jvisor.arch.a64.isa.SimdOps.elem;
import static dev.jvisor.arch.a64.isa.SimdOps.lowBits;
import static dev.jvisor.arch.a64.isa.SimdOps.mask;
import static dev.jvisor.arch.a64.isa.SimdOps.put;
import static dev.jvisor.arch.a64.isa.SimdOps.q;
import static dev.jvisor.arch.a64.isa.SimdOps.sext;
import static dev.jvisor.arch.a64.isa.SimdOps.size;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.InsnRow;

/**
 * Advanced SIMD data movement: the copy group (DUP, INS, UMOV, SMOV), modified immediates (MOVI, MVNI, ORR, BIC),
 * permutes (ZIP, UZP, TRN), EXT and table lookups (TBL, TBX).
 */
final class SimdMove {
    private SimdMove() {}

    static void rows(InsnRow.Builder b) {
        b.row("DUP_elem_vec", "0 Q:1 0 01110000 imm5:5 0 0000 1 Rn:5 Rd:5", SimdMove::dupElement, (r, i, pc) ->
            "dup " + Simd.vreg(i & 31, 8 << copySize(i), q(i)) + ", " + copyElement(i >>> 5 & 31, i));
        b.row("DUP_gen_vec", "0 Q:1 0 01110000 imm5:5 0 0001 1 Rn:5 Rd:5", SimdMove::dupGeneral, (r, i, pc) ->
            "dup " + Simd.vreg(i & 31, 8 << copySize(i), q(i)) + ", " + Simd.gpr(i >>> 5 & 31, copySize(i) == 3));
        b.row("INS_gen", "0 1 0 01110000 imm5:5 0 0011 1 Rn:5 Rd:5", SimdMove::insertGeneral, (r, i, pc) ->
            "mov " + copyElement(i & 31, i) + ", " + Simd.gpr(i >>> 5 & 31, copySize(i) == 3));
        b.row("SMOV", "0 Q:1 0 01110000 imm5:5 0 0101 1 Rn:5 Rd:5", SimdMove::smov, (r, i, pc) ->
            "smov " + Simd.gpr(i & 31, q(i)) + ", " + copyElement(i >>> 5 & 31, i));
        b.row("UMOV", "0 Q:1 0 01110000 imm5:5 0 0111 1 Rn:5 Rd:5", SimdMove::umov, (r, i, pc) ->
            (copySize(i) >= 2 ? "mov " : "umov ") + Simd.gpr(i & 31, q(i)) + ", " + copyElement(i >>> 5 & 31, i));
        b.row("INS_elem", "0 1 1 01110000 imm5:5 0 imm4:4 1 Rn:5 Rd:5", SimdMove::insertElement, (r, i, pc) -> {
            int size = copySize(i);
            return "mov " + copyElement(i & 31, i) + ", v" + (i >>> 5 & 31) + "." + "bhsd".charAt(size) + "["
                + ((i >>> 11 & 15) >>> size) + "]";
        });
        b.row("DUP_elem_scalar", "01 0 11110000 imm5:5 0 0000 1 Rn:5 Rd:5", SimdMove::dupScalar, (r, i, pc) ->
            "mov " + Simd.scalarName(8 << copySize(i), i & 31) + ", " + copyElement(i >>> 5 & 31, i));

        // One row per (op, cmode): each fixes all of bits 15..11, which makes it a refinement of the shift-by-immediate
        // row with the same bits (these are that group's immh = 0000 encodings). cmode 1111 is FMOV: not ours.
        for (int op = 0; op < 2; op++) {
            for (int cmode = 0; cmode < 15; cmode++) {
                String bits = String.format("%4s", Integer.toBinaryString(cmode)).replace(' ', '0');
                b.row(immediateName(op, cmode), "0 Q:1 " + op + " 0111100000 abc:3 " + bits + " 0 1 defgh:5 Rd:5",
                    SimdMove::modifiedImmediate, SimdMove::immediateText);
            }
        }

        String[][] permutes = {{"UZP1", "001"}, {"TRN1", "010"}, {"ZIP1", "011"}, {"UZP2", "101"}, {"TRN2", "110"},
            {"ZIP2", "111"}};
        for (String[] p : permutes) {
            b.row(p[0], "0 Q:1 001110 size:2 0 Rm:5 0 " + p[1] + " 10 Rn:5 Rd:5", SimdMove::permute,
                p[0].toLowerCase() + " {Rd:T}, {Rn:T}, {Rm:T}");
        }
        b.row("EXT", "0 Q:1 101110 00 0 Rm:5 0 imm4:4 0 Rn:5 Rd:5", SimdMove::ext,
            "ext {Rd:T}, {Rn:T}, {Rm:T}, {#imm4}");
        b.row("TBL", "0 Q:1 001110 00 0 Rm:5 0 len:2 0 00 Rn:5 Rd:5", SimdMove::tableLookup, (r, i, pc) ->
            tableText("tbl", i));
        b.row("TBX", "0 Q:1 001110 00 0 Rm:5 0 len:2 1 00 Rn:5 Rd:5", SimdMove::tableLookup, (r, i, pc) ->
            tableText("tbx", i));
    }

    // ---- copy ----

    /** The element size encoded by the lowest set bit of imm5 (0 for bytes .. 3 for doublewords). */
    private static int copySize(int insn) {
        int size = Integer.numberOfTrailingZeros(insn >>> 16 & 31);
        if (size > 3) throw new UndefinedInstruction();
        return size;
    }

    private static int copyIndex(int insn, int size) {
        return (insn >>> 16 & 31) >>> (size + 1);
    }

    private static String copyElement(int reg, int insn) {
        int size = copySize(insn);
        return "v" + reg + "." + "bhsd".charAt(size) + "[" + copyIndex(insn, size) + "]";
    }

    private static void replicate(Cpu c, int rd, boolean q, long value, int esize) {
        long pattern = value * lowBits(esize);
        put(c, rd, q, pattern, pattern);
    }

    static long dupElement(Cpu c, int insn, long pc) {
        int size = copySize(insn);
        if (size == 3 && !q(insn)) throw new UndefinedInstruction();
        replicate(c, insn & 31, q(insn), elem(c, insn >>> 5 & 31, copyIndex(insn, size), 8 << size), 8 << size);
        return pc + 4;
    }

    static long dupGeneral(Cpu c, int insn, long pc) {
        int size = copySize(insn);
        if (size == 3 && !q(insn)) throw new UndefinedInstruction();
        replicate(c, insn & 31, q(insn), c.x(insn >>> 5 & 31) & mask(8 << size), 8 << size);
        return pc + 4;
    }

    private static void setElement(Cpu c, int reg, int index, int esize, long value) {
        int bit = index * esize, word = 2 * reg + (bit >>> 6), shift = bit & 63;
        c.v[word] = c.v[word] & ~(mask(esize) << shift) | (value & mask(esize)) << shift;
    }

    static long insertGeneral(Cpu c, int insn, long pc) {
        int size = copySize(insn);
        setElement(c, insn & 31, copyIndex(insn, size), 8 << size, c.x(insn >>> 5 & 31));
        return pc + 4;
    }

    static long insertElement(Cpu c, int insn, long pc) {
        int size = copySize(insn), esize = 8 << size;
        long value = elem(c, insn >>> 5 & 31, (insn >>> 11 & 15) >>> size, esize);
        setElement(c, insn & 31, copyIndex(insn, size), esize, value);
        return pc + 4;
    }

    /** SMOV: bytes and halfwords to W or X, words to X only. */
    static long smov(Cpu c, int insn, long pc) {
        int size = copySize(insn);
        boolean toX = q(insn);
        if (size == 3 || size == 2 && !toX) throw new UndefinedInstruction();
        long value = sext(elem(c, insn >>> 5 & 31, copyIndex(insn, size), 8 << size), 8 << size);
        if (toX) c.setX(insn & 31, value);
        else c.setW(insn & 31, (int) value);
        return pc + 4;
    }

    /** UMOV: bytes, halfwords and words to W; doublewords to X. */
    static long umov(Cpu c, int insn, long pc) {
        int size = copySize(insn);
        if (q(insn) != (size == 3)) throw new UndefinedInstruction();
        c.setX(insn & 31, elem(c, insn >>> 5 & 31, copyIndex(insn, size), 8 << size));
        return pc + 4;
    }

    static long dupScalar(Cpu c, int insn, long pc) {
        int size = copySize(insn);
        c.setD(insn & 31, elem(c, insn >>> 5 & 31, copyIndex(insn, size), 8 << size));
        return pc + 4;
    }

    // ---- modified immediate ----

    private static String immediateName(int op, int cmode) {
        int shift = 8 * (cmode >>> 1 & 3);
        if (cmode < 8) return (cmode & 1) == 0
            ? (op == 0 ? "MOVI" : "MVNI") + "_32_lsl" + shift
            : (op == 0 ? "ORR" : "BIC") + "_imm_32_lsl" + shift;
        if (cmode < 12) return (cmode & 1) == 0
            ? (op == 0 ? "MOVI" : "MVNI") + "_16_lsl" + (shift & 8)
            : (op == 0 ? "ORR" : "BIC") + "_imm_16_lsl" + (shift & 8);
        if (cmode < 14) return (op == 0 ? "MOVI" : "MVNI") + "_msl" + (8 << (cmode & 1));
        return op == 0 ? "MOVI_8" : "MOVI_64";
    }

    /** AdvSIMDExpandImm: the 64-bit pattern (repeated in both halves) that imm8 and cmode describe. */
    static long expandImmediate(int op, int cmode, int imm8) {
        long imm = imm8;
        return switch (cmode >>> 1) {
            case 0, 1, 2, 3 -> (imm << 8 * (cmode >>> 1)) * lowBits(32);
            case 4, 5 -> (imm << 8 * (cmode >>> 1 & 1)) * lowBits(16);
            case 6 -> ((cmode & 1) == 0 ? imm << 8 | 0xFF : imm << 16 | 0xFFFF) * lowBits(32);
            default -> {
                if (op == 0) yield imm * lowBits(8);
                long bytes = 0;
                for (int i = 0; i < 8; i++) if ((imm8 >>> i & 1) != 0) bytes |= 0xFFL << 8 * i;
                yield bytes;
            }
        };
    }

    private static int imm8(int insn) {
        return (insn >>> 11 & 0xE0) | (insn >>> 5 & 31);
    }

    static long modifiedImmediate(Cpu c, int insn, long pc) {
        int op = insn >>> 29 & 1, cmode = insn >>> 12 & 15, rd = insn & 31;
        long imm = expandImmediate(op, cmode, imm8(insn));
        boolean q = q(insn);
        if (cmode < 12 && (cmode & 1) != 0) {
            if (op == 0) put(c, rd, q, c.v[2 * rd] | imm, c.v[2 * rd + 1] | imm);
            else put(c, rd, q, c.v[2 * rd] & ~imm, c.v[2 * rd + 1] & ~imm);
        } else {
            if (op == 1 && cmode != 14) imm = ~imm;
            put(c, rd, q, imm, imm);
        }
        return pc + 4;
    }

    private static String immediateText(InsnRow row, int insn, long pc) {
        int op = insn >>> 29 & 1, cmode = insn >>> 12 & 15, imm8 = imm8(insn), rd = insn & 31;
        boolean q = q(insn);
        String name = row.name.substring(0, row.name.indexOf('_')).toLowerCase();
        String hex = "#0x" + Integer.toHexString(imm8);
        if (cmode < 8) return name + " " + Simd.vreg(rd, 32, q) + ", " + hex + shiftText(8 * (cmode >>> 1), "lsl");
        if (cmode < 12) return name + " " + Simd.vreg(rd, 16, q) + ", " + hex + shiftText(8 * (cmode >>> 1 & 1), "lsl");
        if (cmode < 14) return name + " " + Simd.vreg(rd, 32, q) + ", " + hex + shiftText(8 << (cmode & 1), "msl");
        if (op == 0) return "movi " + Simd.vreg(rd, 8, q) + ", " + hex;
        String wide = "#0x" + Long.toHexString(expandImmediate(1, 14, imm8));
        return "movi " + (q ? Simd.vreg(rd, 64, true) : "d" + rd) + ", " + wide;
    }

    private static String shiftText(int amount, String kind) {
        return amount == 0 ? "" : ", " + kind + " #" + amount;
    }

    // ---- permutes ----

    /** UZP (kind 1), TRN (2) and ZIP (3): bits 13..12 pick the kind, bit 14 the half or parity (the "2" forms). */
    static long permute(Cpu c, int insn, long pc) {
        int esize = SimdOps.vectorEsize(insn, SimdOps.ALL);
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        int count = (q(insn) ? 128 : 64) / esize, half = count / 2, part = insn >>> 14 & 1, kind = insn >>> 12 & 3;
        if (kind == 1) return unzip(c, insn, pc, esize, part == 1);
        long lo = 0, hi = 0;
        for (int i = 0; i < count; i++) {
            long r = switch (kind) {
                case 2 -> elem(c, (i & 1) == 0 ? rn : rm, (i & ~1) + part, esize);
                default -> elem(c, (i & 1) == 0 ? rn : rm, part * half + (i >>> 1), esize);
            };
            int bit = i * esize;
            if (bit < 64) lo |= r << bit;
            else hi |= r << (bit - 64);
        }
        c.v[2 * rd] = lo;
        c.v[2 * rd + 1] = hi;
        return pc + 4;
    }

    /** UZP1 and UZP2: the even or odd elements of Vm:Vn, gathered a half at a time. */
    private static long unzip(Cpu c, int insn, long pc, int esize, boolean odd) {
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        long n0 = c.v[2 * rn], n1 = c.v[2 * rn + 1], m0 = c.v[2 * rm], m1 = c.v[2 * rm + 1];
        if (esize == 64) {
            put(c, rd, true, odd ? n1 : n0, odd ? m1 : m0);
        } else if (q(insn)) {
            put(c, rd, true, pick(n0, esize, odd) | pick(n1, esize, odd) << 32,
                pick(m0, esize, odd) | pick(m1, esize, odd) << 32);
        } else {
            put(c, rd, false, pick(n0, esize, odd) | pick(m0, esize, odd) << 32, 0);
        }
        return pc + 4;
    }

    private static long pick(long x, int esize, boolean odd) {
        return odd ? SimdSwar.odds(x, esize) : SimdSwar.evens(x, esize);
    }

    /** Bits {@code s}..{@code s+63} of the 128-bit value high:low (0 <= s < 64). */
    private static long funnel(long low, long high, int s) {
        return s == 0 ? low : low >>> s | high << (64 - s);
    }

    static long ext(Cpu c, int insn, long pc) {
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31, pos = insn >>> 11 & 15;
        if (!q(insn)) {
            if (pos >= 8) throw new UndefinedInstruction();
            put(c, rd, false, funnel(c.v[2 * rn], c.v[2 * rm], 8 * pos), 0);
            return pc + 4;
        }
        // The 256-bit value Vm:Vn shifted right by pos bytes: words n0 n1 m0 m1, starting at word pos / 8.
        long n0 = c.v[2 * rn], n1 = c.v[2 * rn + 1], m0 = c.v[2 * rm], m1 = c.v[2 * rm + 1];
        int s = 8 * (pos & 7);
        if (pos < 8) put(c, rd, true, funnel(n0, n1, s), funnel(n1, m0, s));
        else put(c, rd, true, funnel(n1, m0, s), funnel(m0, m1, s));
        return pc + 4;
    }

    /** TBL and TBX: indices past the table give 0 (TBL) or leave the destination byte alone (TBX, bit 12). */
    static long tableLookup(Cpu c, int insn, long pc) {
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31, regs = (insn >>> 13 & 3) + 1;
        boolean q = q(insn), extension = (insn & 1 << 12) != 0;
        long lo = 0, hi = 0;
        for (int i = 0; i < (q ? 16 : 8); i++) {
            int index = (int) elem(c, rm, i, 8);
            long r = index < 16 * regs
                ? elem(c, (rn + index / 16) & 31, index & 15, 8)
                : extension ? elem(c, rd, i, 8) : 0;
            if (i < 8) lo |= r << 8 * i;
            else hi |= r << 8 * (i - 8);
        }
        put(c, rd, q, lo, hi);
        return pc + 4;
    }

    private static String tableText(String mnemonic, int insn) {
        int rn = insn >>> 5 & 31, regs = (insn >>> 13 & 3) + 1;
        String arrangement = q(insn) ? "16b" : "8b";
        String list = regs < 3
            ? "{v" + rn + ".16b" + (regs == 2 ? ", v" + ((rn + 1) & 31) + ".16b}" : "}")
            : "{v" + rn + ".16b-v" + ((rn + regs - 1) & 31) + ".16b}";
        return mnemonic + " v" + (insn & 31) + "." + arrangement + ", " + list + ", v" + (insn >>> 16 & 31) + "."
            + arrangement;
    }
}
