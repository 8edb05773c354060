package dev.jvisor.arch.a64.isa;

import static dev.jvisor.arch.a64.isa.SimdOps.BHS;
import static dev.jvisor.arch.a64.isa.SimdOps.HS;
import static dev.jvisor.arch.a64.isa.SimdOps.elem;
import static dev.jvisor.arch.a64.isa.SimdOps.mask;
import static dev.jvisor.arch.a64.isa.SimdOps.putNarrow;
import static dev.jvisor.arch.a64.isa.SimdOps.q;
import static dev.jvisor.arch.a64.isa.SimdOps.satAddSigned;
import static dev.jvisor.arch.a64.isa.SimdOps.satDoublingProduct;
import static dev.jvisor.arch.a64.isa.SimdOps.satSigned;
import static dev.jvisor.arch.a64.isa.SimdOps.satSubSigned;
import static dev.jvisor.arch.a64.isa.SimdOps.satUnsigned;
import static dev.jvisor.arch.a64.isa.SimdOps.satUnsignedOfUnsigned;
import static dev.jvisor.arch.a64.isa.SimdOps.sext;
import static dev.jvisor.arch.a64.isa.SimdOps.size;
import static dev.jvisor.arch.a64.isa.SimdOps.unsigned;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.Exec;
import dev.jvisor.arch.a64.decode.InsnRow;
import dev.jvisor.arch.a64.isa.SimdOps.LaneOp;

/**
 * Integer Advanced SIMD instructions whose result elements differ in width from their sources: the three-different
 * group (long, wide and narrowing-high forms), multiplies by element, and the narrowing and widening members of the
 * two-register miscellaneous group. A "2" form (Q=1) takes its narrow sources from, or writes its narrow result to,
 * the upper half of the register.
 */
final class SimdWide {
    private SimdWide() {}

    private enum Shape { LONG, WIDE, NARROW }

    static void rows(InsnRow.Builder b) {
        different(b, "SADDL", "UADDL", "0000", Shape.LONG);
        different(b, "SADDW", "UADDW", "0001", Shape.WIDE);
        different(b, "SSUBL", "USUBL", "0010", Shape.LONG);
        different(b, "SSUBW", "USUBW", "0011", Shape.WIDE);
        different(b, "ADDHN", "RADDHN", "0100", Shape.NARROW);
        different(b, "SABAL", "UABAL", "0101", Shape.LONG);
        different(b, "SUBHN", "RSUBHN", "0110", Shape.NARROW);
        different(b, "SABDL", "UABDL", "0111", Shape.LONG);
        different(b, "SMLAL", "UMLAL", "1000", Shape.LONG);
        different(b, "SQDMLAL", null, "1001", Shape.LONG);
        different(b, "SMLSL", "UMLSL", "1010", Shape.LONG);
        different(b, "SQDMLSL", null, "1011", Shape.LONG);
        different(b, "SMULL", "UMULL", "1100", Shape.LONG);
        different(b, "SQDMULL", null, "1101", Shape.LONG);
        different(b, "PMULL", null, "1110", Shape.LONG);
        for (String[] s : new String[][] {{"SQDMLAL", "1001"}, {"SQDMLSL", "1011"}, {"SQDMULL", "1101"}}) {
            b.row(s[0] + "_scalar", "01 0 11110 size:2 1 Rm:5 " + s[1] + " 00 Rn:5 Rd:5", SimdWide::longScalar,
                (r, i, pc) -> s[0].toLowerCase() + " " + Simd.scalarName(16 << size(i), i & 31) + ", "
                    + Simd.scalarName(8 << size(i), i >>> 5 & 31) + ", " + Simd.scalarName(8 << size(i), i >>> 16 & 31));
        }

        byElement(b, "MLA", 1, "0000", false);
        byElement(b, "MLS", 1, "0100", false);
        byElement(b, "MUL", 0, "1000", false);
        byElement(b, "SQDMULH", 0, "1100", false);
        byElement(b, "SQRDMULH", 0, "1101", false);
        byElement(b, "SMLAL", 0, "0010", true);
        byElement(b, "UMLAL", 1, "0010", true);
        byElement(b, "SMLSL", 0, "0110", true);
        byElement(b, "UMLSL", 1, "0110", true);
        byElement(b, "SMULL", 0, "1010", true);
        byElement(b, "UMULL", 1, "1010", true);
        byElement(b, "SQDMLAL", 0, "0011", true);
        byElement(b, "SQDMLSL", 0, "0111", true);
        byElement(b, "SQDMULL", 0, "1011", true);
        for (String[] s : new String[][] {{"SQDMLAL", "0011"}, {"SQDMLSL", "0111"}, {"SQDMULL", "1011"},
            {"SQDMULH", "1100"}, {"SQRDMULH", "1101"}}) {
            boolean wide = !s[0].endsWith("H");
            b.row(s[0] + "_elem_scalar", "01 0 11111 size:2 L:1 M:1 Rm:4 " + s[1] + " H:1 0 Rn:5 Rd:5",
                SimdWide::byElementScalar, (r, i, pc) -> {
                    int esize = 8 << size(i);
                    return s[0].toLowerCase() + " " + Simd.scalarName(wide ? 2 * esize : esize, i & 31) + ", "
                        + Simd.scalarName(esize, i >>> 5 & 31) + ", " + elementText(i);
                });
        }

        narrowMisc(b, "XTN", 0, "10010");
        narrowMisc(b, "SQXTUN", 1, "10010");
        narrowMisc(b, "SQXTN", 0, "10100");
        narrowMisc(b, "UQXTN", 1, "10100");
        for (String[] s : new String[][] {{"SQXTUN", "1", "10010"}, {"SQXTN", "0", "10100"}, {"UQXTN", "1", "10100"}}) {
            b.row(s[0] + "_scalar", "01 " + s[1] + " 11110 size:2 10000 " + s[2] + " 10 Rn:5 Rd:5",
                SimdWide::narrowScalar, (r, i, pc) -> s[0].toLowerCase() + " " + Simd.scalarName(8 << size(i), i & 31)
                    + ", " + Simd.scalarName(16 << size(i), i >>> 5 & 31));
        }
        b.row("SHLL_vec", "0 Q:1 1 01110 size:2 10000 10011 10 Rn:5 Rd:5", SimdWide::shiftLeftLong, (r, i, pc) -> {
            int esize = 8 << size(i);
            return (q(i) ? "shll2 " : "shll ") + Simd.vreg(i & 31, 2 * esize, true) + ", "
                + Simd.vreg(i >>> 5 & 31, esize, q(i)) + ", #" + esize;
        });
        for (String[] s : new String[][] {{"SADDLP", "0", "00010"}, {"UADDLP", "1", "00010"}, {"SADALP", "0", "00110"},
            {"UADALP", "1", "00110"}}) {
            b.row(s[0] + "_vec", "0 Q:1 " + s[1] + " 01110 size:2 10000 " + s[2] + " 10 Rn:5 Rd:5",
                SimdWide::addLongPairwise, (r, i, pc) -> s[0].toLowerCase() + " "
                    + Simd.vreg(i & 31, 16 << size(i), q(i)) + ", " + Simd.vreg(i >>> 5 & 31, 8 << size(i), q(i)));
        }
    }

    private static final Exec[] DIFFERENT = new Exec[16];

    static {
        DIFFERENT[0b0000] = SimdWide::addLong;
        DIFFERENT[0b0001] = SimdWide::addWide;
        DIFFERENT[0b0010] = SimdWide::subLong;
        DIFFERENT[0b0011] = SimdWide::subWide;
        DIFFERENT[0b0100] = SimdWide::addHighNarrow;
        DIFFERENT[0b0101] = SimdWide::absoluteDifferenceAccumulateLong;
        DIFFERENT[0b0110] = SimdWide::subHighNarrow;
        DIFFERENT[0b0111] = SimdWide::absoluteDifferenceLong;
        DIFFERENT[0b1000] = SimdWide::multiplyAddLong;
        DIFFERENT[0b1001] = SimdWide::doublingMultiplyAddLong;
        DIFFERENT[0b1010] = SimdWide::multiplySubLong;
        DIFFERENT[0b1011] = SimdWide::doublingMultiplySubLong;
        DIFFERENT[0b1100] = SimdWide::multiplyLong;
        DIFFERENT[0b1101] = SimdWide::doublingMultiplyLong;
        DIFFERENT[0b1110] = SimdWide::polynomialMultiplyLong;
    }

    private static void different(InsnRow.Builder b, String signed, String unsigned, String opcode, Shape shape) {
        Exec e = DIFFERENT[Integer.parseInt(opcode, 2)];
        for (int u = 0; u < 2; u++) {
            String mnemonic = (u == 0 ? signed : unsigned);
            if (mnemonic == null) continue;
            String lower = mnemonic.toLowerCase();
            b.row(mnemonic + "_vec", "0 Q:1 " + u + " 01110 size:2 1 Rm:5 " + opcode + " 00 Rn:5 Rd:5", e, (r, i, pc) -> {
                int esize = 8 << size(i);
                boolean q = q(i);
                String wide = Simd.vreg(i & 31, 2 * esize, true), narrowD = Simd.vreg(i & 31, esize, q);
                String n = Simd.vreg(i >>> 5 & 31, esize, q), m = Simd.vreg(i >>> 16 & 31, esize, q);
                String name = lower + (q ? "2 " : " ");
                return switch (shape) {
                    case LONG -> name + wide + ", " + n + ", " + m;
                    case WIDE -> name + wide + ", " + Simd.vreg(i >>> 5 & 31, 2 * esize, true) + ", " + m;
                    case NARROW -> name + narrowD + ", " + Simd.vreg(i >>> 5 & 31, 2 * esize, true) + ", "
                        + Simd.vreg(i >>> 16 & 31, 2 * esize, true);
                };
            });
        }
    }

    private static void byElement(InsnRow.Builder b, String mnemonic, int u, String opcode, boolean longForm) {
        b.row(mnemonic + "_elem", "0 Q:1 " + u + " 01111 size:2 L:1 M:1 Rm:4 " + opcode + " H:1 0 Rn:5 Rd:5",
            longForm ? SimdWide::byElementLong : SimdWide::byElement, (r, i, pc) -> {
                int esize = 8 << size(i);
                boolean q = q(i);
                String d = longForm ? Simd.vreg(i & 31, 2 * esize, true) : Simd.vreg(i & 31, esize, q);
                return mnemonic.toLowerCase() + (longForm && q ? "2 " : " ") + d + ", "
                    + Simd.vreg(i >>> 5 & 31, esize, q) + ", " + elementText(i);
            });
    }

    private static void narrowMisc(InsnRow.Builder b, String mnemonic, int u, String opcode) {
        b.row(mnemonic + "_vec", "0 Q:1 " + u + " 01110 size:2 10000 " + opcode + " 10 Rn:5 Rd:5", SimdWide::narrow,
            (r, i, pc) -> mnemonic.toLowerCase() + (q(i) ? "2 " : " ") + Simd.vreg(i & 31, 8 << size(i), q(i)) + ", "
                + Simd.vreg(i >>> 5 & 31, 16 << size(i), true));
    }

    private static String elementText(int insn) {
        return "v" + elementRegister(insn) + "." + (size(insn) == 1 ? "h" : "s") + "[" + elementIndex(insn) + "]";
    }

    // ---- three different ----

    /** Size of the narrow elements of a three-different instruction; 64-bit narrow elements do not exist. */
    private static int narrowEsize(int insn, int sizes) {
        int size = size(insn);
        if ((sizes >>> size & 1) == 0) throw new UndefinedInstruction();
        return 8 << size;
    }

    /**
     * Vd.2T = op(Vd.2T, Vn, Vm.T) with the narrow T elements from the lower or (Q=1) upper half; Vn is wide when
     * {@code wideN}. The op sees the result width as its element size.
     */
    private static long longLanes(Cpu c, int insn, long pc, int sizes, boolean wideN, boolean signed, LaneOp op) {
        int esize = narrowEsize(insn, sizes), wide = 2 * esize, count = 64 / esize;
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31, first = q(insn) ? count : 0;
        long m = mask(wide), lo = 0, hi = 0;
        for (int i = 0; i < count; i++) {
            long n = wideN ? elem(c, rn, i, wide, signed) : elem(c, rn, first + i, esize, signed);
            long r = op.apply(c, elem(c, rd, i, wide), n, elem(c, rm, first + i, esize, signed), wide) & m;
            int bit = i * wide;
            if (bit < 64) lo |= r << bit;
            else hi |= r << (bit - 64);
        }
        c.v[2 * rd] = lo;
        c.v[2 * rd + 1] = hi;
        return pc + 4;
    }

    private static final LaneOp ADD = (c, d, n, m, e) -> n + m;
    private static final LaneOp SUB = (c, d, n, m, e) -> n - m;
    private static final LaneOp ABD = (c, d, n, m, e) -> Math.abs(n - m);
    private static final LaneOp ABA = (c, d, n, m, e) -> d + Math.abs(n - m);
    private static final LaneOp MLA = (c, d, n, m, e) -> d + n * m;
    private static final LaneOp MLS = (c, d, n, m, e) -> d - n * m;
    private static final LaneOp MUL = (c, d, n, m, e) -> n * m;
    private static final LaneOp SQDMLAL = (c, d, n, m, e) -> satAddSigned(c, sext(d, e), satDoublingProduct(c, n, m, e), e);
    private static final LaneOp SQDMLSL = (c, d, n, m, e) -> satSubSigned(c, sext(d, e), satDoublingProduct(c, n, m, e), e);
    private static final LaneOp SQDMULL = (c, d, n, m, e) -> satDoublingProduct(c, n, m, e);
    private static final LaneOp PMULL = (c, d, n, m, e) -> SimdArith.polynomialMultiply(n, m, 8);

    static long addLong(Cpu c, int insn, long pc) {
        return longLanes(c, insn, pc, BHS, false, !unsigned(insn), ADD);
    }

    static long addWide(Cpu c, int insn, long pc) {
        return longLanes(c, insn, pc, BHS, true, !unsigned(insn), ADD);
    }

    static long subLong(Cpu c, int insn, long pc) {
        return longLanes(c, insn, pc, BHS, false, !unsigned(insn), SUB);
    }

    static long subWide(Cpu c, int insn, long pc) {
        return longLanes(c, insn, pc, BHS, true, !unsigned(insn), SUB);
    }

    static long absoluteDifferenceLong(Cpu c, int insn, long pc) {
        return longLanes(c, insn, pc, BHS, false, !unsigned(insn), ABD);
    }

    static long absoluteDifferenceAccumulateLong(Cpu c, int insn, long pc) {
        return longLanes(c, insn, pc, BHS, false, !unsigned(insn), ABA);
    }

    static long multiplyAddLong(Cpu c, int insn, long pc) {
        return longLanes(c, insn, pc, BHS, false, !unsigned(insn), MLA);
    }

    static long multiplySubLong(Cpu c, int insn, long pc) {
        return longLanes(c, insn, pc, BHS, false, !unsigned(insn), MLS);
    }

    static long multiplyLong(Cpu c, int insn, long pc) {
        return longLanes(c, insn, pc, BHS, false, !unsigned(insn), MUL);
    }

    static long doublingMultiplyAddLong(Cpu c, int insn, long pc) {
        return longLanes(c, insn, pc, HS, false, true, SQDMLAL);
    }

    static long doublingMultiplySubLong(Cpu c, int insn, long pc) {
        return longLanes(c, insn, pc, HS, false, true, SQDMLSL);
    }

    static long doublingMultiplyLong(Cpu c, int insn, long pc) {
        return longLanes(c, insn, pc, HS, false, true, SQDMULL);
    }

    /** PMULL on bytes only: the 64x64 form belongs to FEAT_PMULL, which this model does not have. */
    static long polynomialMultiplyLong(Cpu c, int insn, long pc) {
        return longLanes(c, insn, pc, SimdOps.B, false, false, PMULL);
    }

    /** ADDHN/RADDHN/SUBHN/RSUBHN: the high half of each wide sum or difference, rounded for the R forms. */
    private static long highNarrow(Cpu c, int insn, long pc, boolean subtract) {
        int esize = narrowEsize(insn, BHS), wide = 2 * esize, count = 64 / esize;
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        long round = unsigned(insn) ? 1L << (esize - 1) : 0, m = mask(esize), result = 0;
        for (int i = 0; i < count; i++) {
            long n = elem(c, rn, i, wide), mm = elem(c, rm, i, wide);
            long r = (subtract ? n - mm : n + mm) + round;
            result |= (r >>> esize & m) << (i * esize);
        }
        putNarrow(c, rd, q(insn), result);
        return pc + 4;
    }

    static long addHighNarrow(Cpu c, int insn, long pc) {
        return highNarrow(c, insn, pc, false);
    }

    static long subHighNarrow(Cpu c, int insn, long pc) {
        return highNarrow(c, insn, pc, true);
    }

    static long longScalar(Cpu c, int insn, long pc) {
        int esize = narrowEsize(insn, HS), wide = 2 * esize;
        int rd = insn & 31;
        long n = elem(c, insn >>> 5 & 31, 0, esize, true), m = elem(c, insn >>> 16 & 31, 0, esize, true);
        LaneOp op = switch (insn >>> 12 & 15) {
            case 0b1001 -> SQDMLAL;
            case 0b1011 -> SQDMLSL;
            default -> SQDMULL;
        };
        c.setD(rd, op.apply(c, elem(c, rd, 0, wide), n, m, wide) & mask(wide));
        return pc + 4;
    }

    // ---- by element ----

    /** The element index H:L:M for halfwords, H:L for words. */
    private static int elementIndex(int insn) {
        int hl = (insn >>> 10 & 2) | (insn >>> 21 & 1);
        return size(insn) == 1 ? hl << 1 | (insn >>> 20 & 1) : hl;
    }

    /** Halfword elements can only come from V0-V15: M is part of the index instead. */
    private static int elementRegister(int insn) {
        return size(insn) == 1 ? insn >>> 16 & 15 : insn >>> 16 & 31;
    }

    private static int elementEsize(int insn) {
        int size = size(insn);
        if (size != 1 && size != 2) throw new UndefinedInstruction();
        return 8 << size;
    }

    private static final LaneOp SQDMULH = (c, d, n, m, e) -> satSigned(c, n * m >> (e - 1), e);
    private static final LaneOp SQRDMULH = (c, d, n, m, e) -> satSigned(c, n * m + (1L << (e - 2)) >> (e - 1), e);

    /** MUL, MLA, MLS, SQDMULH and SQRDMULH by element: the opcode (bits 15..12) and U pick the operation. */
    private static LaneOp sameWidthByElement(int insn) {
        return switch (insn >>> 12 & 15) {
            case 0b0000 -> MLA;
            case 0b0100 -> MLS;
            case 0b1000 -> MUL;
            case 0b1100 -> SQDMULH;
            default -> SQRDMULH;
        };
    }

    static long byElement(Cpu c, int insn, long pc) {
        int esize = elementEsize(insn), count = (q(insn) ? 128 : 64) / esize;
        int rd = insn & 31, rn = insn >>> 5 & 31;
        LaneOp op = sameWidthByElement(insn);
        // Sign-extending suits all five: the doubling multiplies are signed and the others keep only the low bits.
        long m = elem(c, elementRegister(insn), elementIndex(insn), esize, true), lo = 0, hi = 0, mask = mask(esize);
        for (int i = 0; i < count; i++) {
            long r = op.apply(c, elem(c, rd, i, esize), elem(c, rn, i, esize, true), m, esize) & mask;
            int bit = i * esize;
            if (bit < 64) lo |= r << bit;
            else hi |= r << (bit - 64);
        }
        c.v[2 * rd] = lo;
        c.v[2 * rd + 1] = hi;
        return pc + 4;
    }

    private static LaneOp longByElement(int insn) {
        return switch (insn >>> 12 & 15) {
            case 0b0010 -> MLA;
            case 0b0110 -> MLS;
            case 0b1010 -> MUL;
            case 0b0011 -> SQDMLAL;
            case 0b0111 -> SQDMLSL;
            default -> SQDMULL;
        };
    }

    static long byElementLong(Cpu c, int insn, long pc) {
        int esize = elementEsize(insn), wide = 2 * esize, count = 64 / esize;
        int rd = insn & 31, rn = insn >>> 5 & 31, first = q(insn) ? count : 0;
        boolean signed = !unsigned(insn);
        LaneOp op = longByElement(insn);
        long m = elem(c, elementRegister(insn), elementIndex(insn), esize, signed), lo = 0, hi = 0, mask = mask(wide);
        for (int i = 0; i < count; i++) {
            long r = op.apply(c, elem(c, rd, i, wide), elem(c, rn, first + i, esize, signed), m, wide) & mask;
            int bit = i * wide;
            if (bit < 64) lo |= r << bit;
            else hi |= r << (bit - 64);
        }
        c.v[2 * rd] = lo;
        c.v[2 * rd + 1] = hi;
        return pc + 4;
    }

    static long byElementScalar(Cpu c, int insn, long pc) {
        int esize = elementEsize(insn), rd = insn & 31;
        long n = elem(c, insn >>> 5 & 31, 0, esize, true);
        long m = elem(c, elementRegister(insn), elementIndex(insn), esize, true);
        int opcode = insn >>> 12 & 15;
        if (opcode >= 0b1100) {
            LaneOp op = opcode == 0b1100 ? SQDMULH : SQRDMULH;
            c.setD(rd, op.apply(c, 0, n, m, esize) & mask(esize));
        } else {
            int wide = 2 * esize;
            c.setD(rd, longByElement(insn).apply(c, elem(c, rd, 0, wide), n, m, wide) & mask(wide));
        }
        return pc + 4;
    }

    // ---- narrowing and widening two-register forms ----

    /** XTN, SQXTN, UQXTN, SQXTUN of one wide element (zero-extended) to esize bits; bit 29 and bit 14 pick which. */
    private static long narrowElement(Cpu c, int insn, long wide, int esize) {
        boolean saturating = (insn >>> 14 & 1) != 0, u = unsigned(insn);
        if (!saturating && !u) return wide & mask(esize);                          // XTN
        if (!saturating) return satUnsigned(c, sext(wide, 2 * esize), esize);       // SQXTUN
        if (u) return satUnsignedOfUnsigned(c, wide, esize);                        // UQXTN
        return satSigned(c, sext(wide, 2 * esize), esize) & mask(esize);            // SQXTN
    }

    static long narrow(Cpu c, int insn, long pc) {
        int esize = narrowEsize(insn, BHS), count = 64 / esize, rn = insn >>> 5 & 31;
        if ((insn & 0x2000_4000) == 0) {   // XTN keeps the low half of every element
            long packed = SimdSwar.evens(c.v[2 * rn], esize) | SimdSwar.evens(c.v[2 * rn + 1], esize) << 32;
            putNarrow(c, insn & 31, q(insn), packed);
            return pc + 4;
        }
        long result = 0;
        for (int i = 0; i < count; i++) {
            result |= narrowElement(c, insn, elem(c, rn, i, 2 * esize), esize) << (i * esize);
        }
        putNarrow(c, insn & 31, q(insn), result);
        return pc + 4;
    }

    static long narrowScalar(Cpu c, int insn, long pc) {
        int esize = narrowEsize(insn, BHS);
        c.setD(insn & 31, narrowElement(c, insn, elem(c, insn >>> 5 & 31, 0, 2 * esize), esize));
        return pc + 4;
    }

    static long shiftLeftLong(Cpu c, int insn, long pc) {
        int esize = narrowEsize(insn, BHS), wide = 2 * esize, count = 64 / esize;
        int rd = insn & 31, rn = insn >>> 5 & 31, first = q(insn) ? count : 0;
        long lo = 0, hi = 0;
        for (int i = 0; i < count; i++) {
            long r = elem(c, rn, first + i, esize) << esize;
            int bit = i * wide;
            if (bit < 64) lo |= r << bit;
            else hi |= r << (bit - 64);
        }
        c.v[2 * rd] = lo;
        c.v[2 * rd + 1] = hi;
        return pc + 4;
    }

    /** SADDLP, UADDLP and their accumulating forms SADALP, UADALP (bit 14). */
    static long addLongPairwise(Cpu c, int insn, long pc) {
        int esize = narrowEsize(insn, BHS), wide = 2 * esize, count = (q(insn) ? 128 : 64) / wide;
        int rd = insn & 31, rn = insn >>> 5 & 31;
        boolean signed = !unsigned(insn), accumulate = (insn >>> 14 & 1) != 0;
        long m = mask(wide), lo = 0, hi = 0;
        for (int i = 0; i < count; i++) {
            long r = elem(c, rn, 2 * i, esize, signed) + elem(c, rn, 2 * i + 1, esize, signed);
            if (accumulate) r += elem(c, rd, i, wide);
            r &= m;
            int bit = i * wide;
            if (bit < 64) lo |= r << bit;
            else hi |= r << (bit - 64);
        }
        c.v[2 * rd] = lo;
        c.v[2 * rd + 1] = hi;
        return pc + 4;
    }
}
