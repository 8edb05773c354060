package dev.jvisor.arch.a64.isa;

import static dev.jvisor.arch.a64.isa.SimdOps.ALL;
import static dev.jvisor.arch.a64.isa.SimdOps.B;
import static dev.jvisor.arch.a64.isa.SimdOps.BHS;
import static dev.jvisor.arch.a64.isa.SimdOps.D;
import static dev.jvisor.arch.a64.isa.SimdOps.HS;
import static dev.jvisor.arch.a64.isa.SimdOps.QC;
import static dev.jvisor.arch.a64.isa.SimdOps.elem;
import static dev.jvisor.arch.a64.isa.SimdOps.lowBits;
import static dev.jvisor.arch.a64.isa.SimdOps.mask;
import static dev.jvisor.arch.a64.isa.SimdOps.put;
import static dev.jvisor.arch.a64.isa.SimdOps.q;
import static dev.jvisor.arch.a64.isa.SimdOps.same;
import static dev.jvisor.arch.a64.isa.SimdOps.sameScalar;
import static dev.jvisor.arch.a64.isa.SimdOps.satSigned;
import static dev.jvisor.arch.a64.isa.SimdOps.satUnsigned;
import static dev.jvisor.arch.a64.isa.SimdOps.satUnsignedOfUnsigned;
import static dev.jvisor.arch.a64.isa.SimdOps.sext;
import static dev.jvisor.arch.a64.isa.SimdOps.shiftByRegister;
import static dev.jvisor.arch.a64.isa.SimdOps.signedLimit;
import static dev.jvisor.arch.a64.isa.SimdOps.size;
import static dev.jvisor.arch.a64.isa.SimdOps.unary;
import static dev.jvisor.arch.a64.isa.SimdOps.unaryScalar;
import static dev.jvisor.arch.a64.isa.SimdOps.unsigned;
import static dev.jvisor.arch.a64.isa.SimdOps.vectorEsize;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.Exec;
import dev.jvisor.arch.a64.decode.InsnRow;
import dev.jvisor.arch.a64.isa.SimdOps.LaneOp;

import java.util.function.LongUnaryOperator;

/**
 * Integer Advanced SIMD lane arithmetic: the three-same group (vector and scalar), the two-register miscellaneous
 * group except the narrowing and widening members (in {@link SimdWide}), and the across-lanes reductions.
 *
 * <p>The operations string functions lean on (ADD, SUB, CMEQ, the bitwise group, CNT, REV) work on whole 64-bit
 * halves with SWAR arithmetic; the rest go lane by lane through {@link SimdOps}.
 */
final class SimdArith {
    private SimdArith() {}

    static void rows(InsnRow.Builder b) {
        String[][] same = {
            // U=0 mnemonic, U=1 mnemonic, opcode
            {"SHADD", "UHADD", "00000"}, {"SQADD", "UQADD", "00001"}, {"SRHADD", "URHADD", "00010"},
            {"SHSUB", "UHSUB", "00100"}, {"SQSUB", "UQSUB", "00101"}, {"CMGT", "CMHI", "00110"},
            {"CMGE", "CMHS", "00111"}, {"SSHL", "USHL", "01000"}, {"SQSHL", "UQSHL", "01001"},
            {"SRSHL", "URSHL", "01010"}, {"SQRSHL", "UQRSHL", "01011"}, {"SMAX", "UMAX", "01100"},
            {"SMIN", "UMIN", "01101"}, {"SABD", "UABD", "01110"}, {"SABA", "UABA", "01111"}, {"ADD", "SUB", "10000"},
            {"CMTST", "CMEQ", "10001"}, {"MLA", "MLS", "10010"}, {"MUL", "PMUL", "10011"}, {"SMAXP", "UMAXP", "10100"},
            {"SMINP", "UMINP", "10101"}, {"SQDMULH", "SQRDMULH", "10110"}, {"ADDP", null, "10111"},
        };
        Exec[] sameExec = {
            SimdArith::halvingAdd, SimdArith::saturatingAdd, SimdArith::roundingHalvingAdd, SimdArith::halvingSub,
            SimdArith::saturatingSub, SimdArith::compareGreater, SimdArith::compareGreaterOrEqual,
            SimdArith::shiftLeft, SimdArith::saturatingShiftLeft, SimdArith::roundingShiftLeft,
            SimdArith::saturatingRoundingShiftLeft, SimdArith::max, SimdArith::min, SimdArith::absoluteDifference,
            SimdArith::absoluteDifferenceAccumulate, SimdArith::addSub, SimdArith::testOrEqual,
            SimdArith::multiplyAccumulate, SimdArith::multiply, SimdArith::maxPairwise, SimdArith::minPairwise,
            SimdArith::doublingMultiplyHigh, SimdArith::addPairwise,
        };
        for (int i = 0; i < same.length; i++) {
            for (int u = 0; u < 2; u++) {
                String mnemonic = same[i][u];
                if (mnemonic == null) continue;
                b.row(mnemonic + "_vec", "0 Q:1 " + u + " 01110 size:2 1 Rm:5 " + same[i][2] + " 1 Rn:5 Rd:5",
                    sameExec[i], mnemonic.toLowerCase() + " {Rd:T}, {Rn:T}, {Rm:T}");
            }
        }
        logic(b, "AND", 0, "00", SimdArith::and);
        logic(b, "BIC", 0, "01", SimdArith::bic);
        b.row("ORR_vec", "0 Q:1 0 01110 10 1 Rm:5 00011 1 Rn:5 Rd:5", SimdArith::orr, (r, i, pc) ->
            (i >>> 16 & 31) == (i >>> 5 & 31)
                ? "mov " + Simd.vreg(i & 31, 8, q(i)) + ", " + Simd.vreg(i >>> 5 & 31, 8, q(i))
                : "orr " + Simd.vreg(i & 31, 8, q(i)) + ", " + Simd.vreg(i >>> 5 & 31, 8, q(i)) + ", "
                    + Simd.vreg(i >>> 16 & 31, 8, q(i)));
        logic(b, "ORN", 0, "11", SimdArith::orn);
        logic(b, "EOR", 1, "00", SimdArith::eor);
        logic(b, "BSL", 1, "01", SimdArith::bsl);
        logic(b, "BIT", 1, "10", SimdArith::bit);
        logic(b, "BIF", 1, "11", SimdArith::bif);

        String[][] scalarSame = {
            {"SQADD", "UQADD", "00001"}, {"SQSUB", "UQSUB", "00101"}, {"CMGT", "CMHI", "00110"},
            {"CMGE", "CMHS", "00111"}, {"SSHL", "USHL", "01000"}, {"SQSHL", "UQSHL", "01001"},
            {"SRSHL", "URSHL", "01010"}, {"SQRSHL", "UQRSHL", "01011"}, {"ADD", "SUB", "10000"},
            {"CMTST", "CMEQ", "10001"}, {"SQDMULH", "SQRDMULH", "10110"},
        };
        Exec[] scalarExec = {
            SimdArith::saturatingAddScalar, SimdArith::saturatingSubScalar, SimdArith::compareGreaterScalar,
            SimdArith::compareGreaterOrEqualScalar, SimdArith::shiftLeftScalar, SimdArith::saturatingShiftLeftScalar,
            SimdArith::roundingShiftLeftScalar, SimdArith::saturatingRoundingShiftLeftScalar, SimdArith::addSubScalar,
            SimdArith::testOrEqualScalar, SimdArith::doublingMultiplyHighScalar,
        };
        for (int i = 0; i < scalarSame.length; i++) {
            for (int u = 0; u < 2; u++) {
                String mnemonic = scalarSame[i][u];
                b.row(mnemonic + "_scalar", "01 " + u + " 11110 size:2 1 Rm:5 " + scalarSame[i][2] + " 1 Rn:5 Rd:5",
                    scalarExec[i], Simd.scalarText(mnemonic.toLowerCase(), 3, ""));
            }
        }

        misc(b, "REV64", 0, "00000", SimdArith::rev64, "");
        misc(b, "REV32", 1, "00000", SimdArith::rev32, "");
        misc(b, "REV16", 0, "00001", SimdArith::rev16, "");
        misc(b, "SUQADD", 0, "00011", SimdArith::saturatingAccumulate, "");
        misc(b, "USQADD", 1, "00011", SimdArith::saturatingAccumulate, "");
        misc(b, "CLS", 0, "00100", SimdArith::countLeading, "");
        misc(b, "CLZ", 1, "00100", SimdArith::countLeading, "");
        b.row("CNT_vec", "0 Q:1 0 01110 00 10000 00101 10 Rn:5 Rd:5", SimdArith::cnt, "cnt {Rd:T}, {Rn:T}");
        b.row("NOT_vec", "0 Q:1 1 01110 00 10000 00101 10 Rn:5 Rd:5", SimdArith::not, "mvn {Rd:T}, {Rn:T}");
        b.row("RBIT_vec", "0 Q:1 1 01110 01 10000 00101 10 Rn:5 Rd:5", SimdArith::rbit, "rbit {Rd:T}, {Rn:T}");
        misc(b, "SQABS", 0, "00111", SimdArith::saturatingAbsNeg, "");
        misc(b, "SQNEG", 1, "00111", SimdArith::saturatingAbsNeg, "");
        misc(b, "CMGT_zero", 0, "01000", SimdArith::compareZero, ", #0");
        misc(b, "CMGE_zero", 1, "01000", SimdArith::compareZero, ", #0");
        misc(b, "CMEQ_zero", 0, "01001", SimdArith::compareZero, ", #0");
        misc(b, "CMLE_zero", 1, "01001", SimdArith::compareZero, ", #0");
        misc(b, "CMLT_zero", 0, "01010", SimdArith::compareZero, ", #0");
        misc(b, "ABS", 0, "01011", SimdArith::absNeg, "");
        misc(b, "NEG", 1, "01011", SimdArith::absNeg, "");

        b.row("URECPE_vec", "0 Q:1 0 01110 1 0 10000 11100 10 Rn:5 Rd:5", SimdArith::reciprocalEstimate,
            (r, i, pc) -> "urecpe " + Simd.vreg(i & 31, 32, q(i)) + ", " + Simd.vreg(i >>> 5 & 31, 32, q(i)));
        b.row("URSQRTE_vec", "0 Q:1 1 01110 1 0 10000 11100 10 Rn:5 Rd:5", SimdArith::reciprocalEstimate,
            (r, i, pc) -> "ursqrte " + Simd.vreg(i & 31, 32, q(i)) + ", " + Simd.vreg(i >>> 5 & 31, 32, q(i)));

        miscScalar(b, "SUQADD", 0, "00011", SimdArith::saturatingAccumulateScalar, "");
        miscScalar(b, "USQADD", 1, "00011", SimdArith::saturatingAccumulateScalar, "");
        miscScalar(b, "SQABS", 0, "00111", SimdArith::saturatingAbsNegScalar, "");
        miscScalar(b, "SQNEG", 1, "00111", SimdArith::saturatingAbsNegScalar, "");
        miscScalar(b, "CMGT_zero", 0, "01000", SimdArith::compareZeroScalar, ", #0");
        miscScalar(b, "CMGE_zero", 1, "01000", SimdArith::compareZeroScalar, ", #0");
        miscScalar(b, "CMEQ_zero", 0, "01001", SimdArith::compareZeroScalar, ", #0");
        miscScalar(b, "CMLE_zero", 1, "01001", SimdArith::compareZeroScalar, ", #0");
        miscScalar(b, "CMLT_zero", 0, "01010", SimdArith::compareZeroScalar, ", #0");
        miscScalar(b, "ABS", 0, "01011", SimdArith::absNegScalar, "");
        miscScalar(b, "NEG", 1, "01011", SimdArith::absNegScalar, "");

        across(b, "SADDLV", 0, "00011", SimdArith::addLongAcross, true);
        across(b, "UADDLV", 1, "00011", SimdArith::addLongAcross, true);
        across(b, "SMAXV", 0, "01010", SimdArith::maxAcross, false);
        across(b, "UMAXV", 1, "01010", SimdArith::maxAcross, false);
        across(b, "SMINV", 0, "11010", SimdArith::minAcross, false);
        across(b, "UMINV", 1, "11010", SimdArith::minAcross, false);
        across(b, "ADDV", 0, "11011", SimdArith::addAcross, false);
        b.row("ADDP_scalar", "01 0 11110 11 11000 11011 10 Rn:5 Rd:5", SimdArith::addPairScalar, "addp {Rd:d}, {Rn:.2d}");
    }

    private static void logic(InsnRow.Builder b, String mnemonic, int u, String opc2, Exec e) {
        b.row(mnemonic + "_vec", "0 Q:1 " + u + " 01110 " + opc2 + " 1 Rm:5 00011 1 Rn:5 Rd:5", e,
            mnemonic.toLowerCase() + " {Rd:T}, {Rn:T}, {Rm:T}");
    }

    private static void misc(InsnRow.Builder b, String name, int u, String opcode, Exec e, String suffix) {
        String mnemonic = name.replace("_zero", "").toLowerCase();
        b.row(name + "_vec", "0 Q:1 " + u + " 01110 size:2 10000 " + opcode + " 10 Rn:5 Rd:5", e,
            mnemonic + " {Rd:T}, {Rn:T}" + suffix);
    }

    private static void miscScalar(InsnRow.Builder b, String name, int u, String opcode, Exec e, String suffix) {
        b.row(name + "_scalar", "01 " + u + " 11110 size:2 10000 " + opcode + " 10 Rn:5 Rd:5", e,
            Simd.scalarText(name.replace("_zero", "").toLowerCase(), 2, suffix));
    }

    private static void across(InsnRow.Builder b, String name, int u, String opcode, Exec e, boolean widening) {
        b.row(name + "_vec", "0 Q:1 " + u + " 01110 size:2 11000 " + opcode + " 10 Rn:5 Rd:5", e, (r, i, pc) -> {
            int size = size(i);
            return name.toLowerCase() + " " + Simd.scalarName(8 << (size + (widening ? 1 : 0)), i & 31) + ", "
                + Simd.vreg(i >>> 5 & 31, 8 << size, q(i));
        });
    }

    // ---- lane operations ----

    private static final LaneOp HALVING_ADD = (c, d, n, m, e) -> n + m >> 1;
    private static final LaneOp ROUNDING_HALVING_ADD = (c, d, n, m, e) -> n + m + 1 >> 1;
    private static final LaneOp HALVING_SUB = (c, d, n, m, e) -> n - m >> 1;
    private static final LaneOp SQADD = (c, d, n, m, e) -> SimdOps.satAddSigned(c, n, m, e);
    private static final LaneOp UQADD = (c, d, n, m, e) -> {
        long r = n + m;
        if (e < 64) return satUnsignedOfUnsigned(c, r, e);
        if (Long.compareUnsigned(r, n) >= 0) return r;
        c.fpsr |= QC;
        return -1L;
    };
    private static final LaneOp SQSUB = (c, d, n, m, e) -> SimdOps.satSubSigned(c, n, m, e);
    private static final LaneOp UQSUB = (c, d, n, m, e) -> {
        if (e < 64) return satUnsigned(c, n - m, e);
        if (Long.compareUnsigned(n, m) >= 0) return n - m;
        c.fpsr |= QC;
        return 0;
    };
    private static final LaneOp CMGT = (c, d, n, m, e) -> n > m ? -1L : 0;
    private static final LaneOp CMHI = (c, d, n, m, e) -> Long.compareUnsigned(n, m) > 0 ? -1L : 0;
    private static final LaneOp CMGE = (c, d, n, m, e) -> n >= m ? -1L : 0;
    private static final LaneOp CMHS = (c, d, n, m, e) -> Long.compareUnsigned(n, m) >= 0 ? -1L : 0;
    private static final LaneOp SSHL = (c, d, n, m, e) -> shiftByRegister(c, n, m, e, true, false, false);
    private static final LaneOp USHL = (c, d, n, m, e) -> shiftByRegister(c, n, m, e, false, false, false);
    private static final LaneOp SQSHL = (c, d, n, m, e) -> shiftByRegister(c, n, m, e, true, false, true);
    private static final LaneOp UQSHL = (c, d, n, m, e) -> shiftByRegister(c, n, m, e, false, false, true);
    private static final LaneOp SRSHL = (c, d, n, m, e) -> shiftByRegister(c, n, m, e, true, true, false);
    private static final LaneOp URSHL = (c, d, n, m, e) -> shiftByRegister(c, n, m, e, false, true, false);
    private static final LaneOp SQRSHL = (c, d, n, m, e) -> shiftByRegister(c, n, m, e, true, true, true);
    private static final LaneOp UQRSHL = (c, d, n, m, e) -> shiftByRegister(c, n, m, e, false, true, true);
    // Elements are at most 32 bits here and extended as the instruction's signedness says, so long arithmetic is exact.
    private static final LaneOp ABD = (c, d, n, m, e) -> Math.abs(n - m);
    private static final LaneOp ABA = (c, d, n, m, e) -> d + Math.abs(n - m);
    private static final LaneOp ADD = (c, d, n, m, e) -> n + m;
    private static final LaneOp MLA = (c, d, n, m, e) -> d + n * m;
    private static final LaneOp MLS = (c, d, n, m, e) -> d - n * m;
    private static final LaneOp MUL = (c, d, n, m, e) -> n * m;
    private static final LaneOp PMUL = (c, d, n, m, e) -> polynomialMultiply(n, m, e);
    // 2*n*m can overflow 64 bits for 32-bit lanes; n*m shifted one place less gives the same high half.
    private static final LaneOp SQDMULH = (c, d, n, m, e) -> satSigned(c, n * m >> (e - 1), e);
    private static final LaneOp SQRDMULH = (c, d, n, m, e) -> satSigned(c, n * m + (1L << (e - 2)) >> (e - 1), e);

    // ---- three same ----

    static long halvingAdd(Cpu c, int insn, long pc) {
        return same(c, insn, pc, BHS, !unsigned(insn), HALVING_ADD);
    }

    static long roundingHalvingAdd(Cpu c, int insn, long pc) {
        return same(c, insn, pc, BHS, !unsigned(insn), ROUNDING_HALVING_ADD);
    }

    static long halvingSub(Cpu c, int insn, long pc) {
        return same(c, insn, pc, BHS, !unsigned(insn), HALVING_SUB);
    }

    static long saturatingAdd(Cpu c, int insn, long pc) {
        return unsigned(insn) ? same(c, insn, pc, ALL, false, UQADD) : same(c, insn, pc, ALL, true, SQADD);
    }

    static long saturatingSub(Cpu c, int insn, long pc) {
        return unsigned(insn) ? same(c, insn, pc, ALL, false, UQSUB) : same(c, insn, pc, ALL, true, SQSUB);
    }

    static long compareGreater(Cpu c, int insn, long pc) {
        return sameSwar(c, insn, pc, ALL, unsigned(insn) ? GT_UNSIGNED : GT_SIGNED);
    }

    static long compareGreaterOrEqual(Cpu c, int insn, long pc) {
        return sameSwar(c, insn, pc, ALL, unsigned(insn) ? GE_UNSIGNED : GE_SIGNED);
    }

    static long shiftLeft(Cpu c, int insn, long pc) {
        return unsigned(insn) ? same(c, insn, pc, ALL, false, USHL) : same(c, insn, pc, ALL, true, SSHL);
    }

    static long saturatingShiftLeft(Cpu c, int insn, long pc) {
        return unsigned(insn) ? same(c, insn, pc, ALL, false, UQSHL) : same(c, insn, pc, ALL, true, SQSHL);
    }

    static long roundingShiftLeft(Cpu c, int insn, long pc) {
        return unsigned(insn) ? same(c, insn, pc, ALL, false, URSHL) : same(c, insn, pc, ALL, true, SRSHL);
    }

    static long saturatingRoundingShiftLeft(Cpu c, int insn, long pc) {
        return unsigned(insn) ? same(c, insn, pc, ALL, false, UQRSHL) : same(c, insn, pc, ALL, true, SQRSHL);
    }

    static long max(Cpu c, int insn, long pc) {
        return sameSwar(c, insn, pc, BHS, unsigned(insn) ? MAX_UNSIGNED : MAX_SIGNED);
    }

    static long min(Cpu c, int insn, long pc) {
        return sameSwar(c, insn, pc, BHS, unsigned(insn) ? MIN_UNSIGNED : MIN_SIGNED);
    }

    static long absoluteDifference(Cpu c, int insn, long pc) {
        return same(c, insn, pc, BHS, !unsigned(insn), ABD);
    }

    static long absoluteDifferenceAccumulate(Cpu c, int insn, long pc) {
        return same(c, insn, pc, BHS, !unsigned(insn), ABA);
    }

    static long multiplyAccumulate(Cpu c, int insn, long pc) {
        return same(c, insn, pc, BHS, false, unsigned(insn) ? MLS : MLA);
    }

    static long multiply(Cpu c, int insn, long pc) {
        return unsigned(insn) ? same(c, insn, pc, B, false, PMUL) : same(c, insn, pc, BHS, false, MUL);
    }

    static long maxPairwise(Cpu c, int insn, long pc) {
        return pairwiseSwar(c, insn, pc, BHS, unsigned(insn) ? MAX_UNSIGNED : MAX_SIGNED);
    }

    static long minPairwise(Cpu c, int insn, long pc) {
        return pairwiseSwar(c, insn, pc, BHS, unsigned(insn) ? MIN_UNSIGNED : MIN_SIGNED);
    }

    static long addPairwise(Cpu c, int insn, long pc) {
        return pairwiseSwar(c, insn, pc, ALL, ADD_LANES);
    }

    // ---- whole-half (SWAR) forms of the hot comparisons, extremes and pairwise operations ----

    private static final int GT_SIGNED = 0, GT_UNSIGNED = 1, GE_SIGNED = 2, GE_UNSIGNED = 3, MAX_SIGNED = 4,
        MAX_UNSIGNED = 5, MIN_SIGNED = 6, MIN_UNSIGNED = 7, ADD_LANES = 8;

    private static long swar(int op, long a, long b, int esize) {
        return switch (op) {
            case GT_SIGNED -> SimdSwar.gtSigned(a, b, esize);
            case GT_UNSIGNED -> SimdSwar.gtUnsigned(a, b, esize);
            case GE_SIGNED -> SimdSwar.geSigned(a, b, esize);
            case GE_UNSIGNED -> SimdSwar.geUnsigned(a, b, esize);
            case MAX_SIGNED -> SimdSwar.maxSigned(a, b, esize);
            case MAX_UNSIGNED -> SimdSwar.maxUnsigned(a, b, esize);
            case MIN_SIGNED -> SimdSwar.minSigned(a, b, esize);
            case MIN_UNSIGNED -> SimdSwar.minUnsigned(a, b, esize);
            default -> SimdSwar.add(a, b, esize);
        };
    }

    private static long sameSwar(Cpu c, int insn, long pc, int sizes, int op) {
        int esize = vectorEsize(insn, sizes);
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        long lo = swar(op, c.v[2 * rn], c.v[2 * rm], esize);
        long hi = swar(op, c.v[2 * rn + 1], c.v[2 * rm + 1], esize);
        put(c, rd, q(insn), lo, hi);
        return pc + 4;
    }

    /** Pairwise operations as one lane-wise operation on the even and the odd elements of Vm:Vn. */
    private static long pairwiseSwar(Cpu c, int insn, long pc, int sizes, int op) {
        int esize = vectorEsize(insn, sizes);
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        long n0 = c.v[2 * rn], n1 = c.v[2 * rn + 1], m0 = c.v[2 * rm], m1 = c.v[2 * rm + 1];
        if (esize == 64) {
            put(c, rd, true, swar(op, n0, n1, 64), swar(op, m0, m1, 64));
        } else if (q(insn)) {
            long lo = swar(op, SimdSwar.evens(n0, esize) | SimdSwar.evens(n1, esize) << 32,
                SimdSwar.odds(n0, esize) | SimdSwar.odds(n1, esize) << 32, esize);
            long hi = swar(op, SimdSwar.evens(m0, esize) | SimdSwar.evens(m1, esize) << 32,
                SimdSwar.odds(m0, esize) | SimdSwar.odds(m1, esize) << 32, esize);
            put(c, rd, true, lo, hi);
        } else {
            put(c, rd, false, swar(op, SimdSwar.evens(n0, esize) | SimdSwar.evens(m0, esize) << 32,
                SimdSwar.odds(n0, esize) | SimdSwar.odds(m0, esize) << 32, esize), 0);
        }
        return pc + 4;
    }

    /** Folds all lanes of Vn with a lane-wise operation: the halves together, then ever narrower shifted copies. */
    private static long reduceSwar(Cpu c, int insn, int op) {
        int esize = acrossEsize(insn), rn = insn >>> 5 & 31;
        long x = q(insn) ? swar(op, c.v[2 * rn], c.v[2 * rn + 1], esize) : c.v[2 * rn];
        for (int width = 32; width >= esize; width >>= 1) x = swar(op, x, x >>> width, esize);
        return x & mask(esize);
    }

    static long doublingMultiplyHigh(Cpu c, int insn, long pc) {
        return same(c, insn, pc, HS, true, unsigned(insn) ? SQRDMULH : SQDMULH);
    }

    /** ADD and SUB, whole halves at a time: carries are kept from crossing lanes by adding the top bits separately. */
    static long addSub(Cpu c, int insn, long pc) {
        int esize = vectorEsize(insn, ALL);
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        long top = lowBits(esize) << (esize - 1);
        boolean sub = unsigned(insn);
        long lo = lanewise(c.v[2 * rn], c.v[2 * rm], top, sub);
        long hi = lanewise(c.v[2 * rn + 1], c.v[2 * rm + 1], top, sub);
        put(c, rd, q(insn), lo, hi);
        return pc + 4;
    }

    static long lanewise(long a, long b, long top, boolean sub) {
        if (sub) return ((a | top) - (b & ~top)) ^ ((a ^ ~b) & top);
        return ((a & ~top) + (b & ~top)) ^ ((a ^ b) & top);
    }

    /** All-ones in every element of {@code x} that is zero, zero elsewhere. */
    static long zeroLanes(long x, int esize) {
        long top = lowBits(esize) << (esize - 1);
        long nonZero = (((x & ~top) + ~top) | x) & top;
        return ((~nonZero & top) >>> (esize - 1)) * mask(esize);
    }

    /** CMTST (U=0) and CMEQ (U=1). */
    static long testOrEqual(Cpu c, int insn, long pc) {
        int esize = vectorEsize(insn, ALL);
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        long lo, hi;
        if (unsigned(insn)) {
            lo = zeroLanes(c.v[2 * rn] ^ c.v[2 * rm], esize);
            hi = zeroLanes(c.v[2 * rn + 1] ^ c.v[2 * rm + 1], esize);
        } else {
            lo = ~zeroLanes(c.v[2 * rn] & c.v[2 * rm], esize);
            hi = ~zeroLanes(c.v[2 * rn + 1] & c.v[2 * rm + 1], esize);
        }
        put(c, rd, q(insn), lo, hi);
        return pc + 4;
    }

    static long polynomialMultiply(long a, long b, int bits) {
        long r = 0;
        for (int i = 0; i < bits; i++) {
            if ((b >>> i & 1) != 0) r ^= a << i;
        }
        return r;
    }

    // ---- bitwise ----

    static long and(Cpu c, int insn, long pc) {
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        put(c, rd, q(insn), c.v[2 * rn] & c.v[2 * rm], c.v[2 * rn + 1] & c.v[2 * rm + 1]);
        return pc + 4;
    }

    static long bic(Cpu c, int insn, long pc) {
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        put(c, rd, q(insn), c.v[2 * rn] & ~c.v[2 * rm], c.v[2 * rn + 1] & ~c.v[2 * rm + 1]);
        return pc + 4;
    }

    static long orr(Cpu c, int insn, long pc) {
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        put(c, rd, q(insn), c.v[2 * rn] | c.v[2 * rm], c.v[2 * rn + 1] | c.v[2 * rm + 1]);
        return pc + 4;
    }

    static long orn(Cpu c, int insn, long pc) {
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        put(c, rd, q(insn), c.v[2 * rn] | ~c.v[2 * rm], c.v[2 * rn + 1] | ~c.v[2 * rm + 1]);
        return pc + 4;
    }

    static long eor(Cpu c, int insn, long pc) {
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        put(c, rd, q(insn), c.v[2 * rn] ^ c.v[2 * rm], c.v[2 * rn + 1] ^ c.v[2 * rm + 1]);
        return pc + 4;
    }

    /** Bitwise select: each result bit comes from {@code ones} where {@code selector} is 1, else from {@code zeros}. */
    private static long select(long selector, long ones, long zeros) {
        return (ones & selector) | (zeros & ~selector);
    }

    static long bsl(Cpu c, int insn, long pc) {
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        put(c, rd, q(insn), select(c.v[2 * rd], c.v[2 * rn], c.v[2 * rm]),
            select(c.v[2 * rd + 1], c.v[2 * rn + 1], c.v[2 * rm + 1]));
        return pc + 4;
    }

    static long bit(Cpu c, int insn, long pc) {
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        put(c, rd, q(insn), select(c.v[2 * rm], c.v[2 * rn], c.v[2 * rd]),
            select(c.v[2 * rm + 1], c.v[2 * rn + 1], c.v[2 * rd + 1]));
        return pc + 4;
    }

    static long bif(Cpu c, int insn, long pc) {
        int rd = insn & 31, rn = insn >>> 5 & 31, rm = insn >>> 16 & 31;
        put(c, rd, q(insn), select(c.v[2 * rm], c.v[2 * rd], c.v[2 * rn]),
            select(c.v[2 * rm + 1], c.v[2 * rd + 1], c.v[2 * rn + 1]));
        return pc + 4;
    }

    // ---- scalar three same ----

    static long saturatingAddScalar(Cpu c, int insn, long pc) {
        return unsigned(insn) ? sameScalar(c, insn, pc, ALL, false, UQADD) : sameScalar(c, insn, pc, ALL, true, SQADD);
    }

    static long saturatingSubScalar(Cpu c, int insn, long pc) {
        return unsigned(insn) ? sameScalar(c, insn, pc, ALL, false, UQSUB) : sameScalar(c, insn, pc, ALL, true, SQSUB);
    }

    static long compareGreaterScalar(Cpu c, int insn, long pc) {
        return unsigned(insn) ? sameScalar(c, insn, pc, D, false, CMHI) : sameScalar(c, insn, pc, D, true, CMGT);
    }

    static long compareGreaterOrEqualScalar(Cpu c, int insn, long pc) {
        return unsigned(insn) ? sameScalar(c, insn, pc, D, false, CMHS) : sameScalar(c, insn, pc, D, true, CMGE);
    }

    static long shiftLeftScalar(Cpu c, int insn, long pc) {
        return unsigned(insn) ? sameScalar(c, insn, pc, D, false, USHL) : sameScalar(c, insn, pc, D, true, SSHL);
    }

    static long saturatingShiftLeftScalar(Cpu c, int insn, long pc) {
        return unsigned(insn) ? sameScalar(c, insn, pc, ALL, false, UQSHL) : sameScalar(c, insn, pc, ALL, true, SQSHL);
    }

    static long roundingShiftLeftScalar(Cpu c, int insn, long pc) {
        return unsigned(insn) ? sameScalar(c, insn, pc, D, false, URSHL) : sameScalar(c, insn, pc, D, true, SRSHL);
    }

    static long saturatingRoundingShiftLeftScalar(Cpu c, int insn, long pc) {
        return unsigned(insn)
            ? sameScalar(c, insn, pc, ALL, false, UQRSHL)
            : sameScalar(c, insn, pc, ALL, true, SQRSHL);
    }

    private static final LaneOp SUB = (c, d, n, m, e) -> n - m;
    private static final LaneOp CMTST = (c, d, n, m, e) -> (n & m) != 0 ? -1L : 0;
    private static final LaneOp CMEQ = (c, d, n, m, e) -> n == m ? -1L : 0;

    static long addSubScalar(Cpu c, int insn, long pc) {
        return sameScalar(c, insn, pc, D, false, unsigned(insn) ? SUB : ADD);
    }

    static long testOrEqualScalar(Cpu c, int insn, long pc) {
        return sameScalar(c, insn, pc, D, false, unsigned(insn) ? CMEQ : CMTST);
    }

    static long doublingMultiplyHighScalar(Cpu c, int insn, long pc) {
        return sameScalar(c, insn, pc, HS, true, unsigned(insn) ? SQRDMULH : SQDMULH);
    }

    // ---- two-register miscellaneous ----

    /** Applies a whole-half transformation to Vn's halves (64-bit result when Q=0). */
    private static long halves(Cpu c, int insn, long pc, LongUnaryOperator f) {
        int rd = insn & 31, rn = insn >>> 5 & 31;
        put(c, rd, q(insn), f.applyAsLong(c.v[2 * rn]), f.applyAsLong(c.v[2 * rn + 1]));
        return pc + 4;
    }

    private static long swapHalfwords(long x) {
        return (x & 0x0000_FFFF_0000_FFFFL) << 16 | x >>> 16 & 0x0000_FFFF_0000_FFFFL;
    }

    private static long swapBytes(long x) {
        return (x & 0x00FF_00FF_00FF_00FFL) << 8 | x >>> 8 & 0x00FF_00FF_00FF_00FFL;
    }

    static long rev64(Cpu c, int insn, long pc) {
        return switch (size(insn)) {
            case 0 -> halves(c, insn, pc, Long::reverseBytes);
            case 1 -> halves(c, insn, pc, x -> swapHalfwords(Long.rotateLeft(x, 32)));
            case 2 -> halves(c, insn, pc, x -> Long.rotateLeft(x, 32));
            default -> throw new UndefinedInstruction();
        };
    }

    static long rev32(Cpu c, int insn, long pc) {
        return switch (size(insn)) {
            case 0 -> halves(c, insn, pc, x -> Long.rotateLeft(Long.reverseBytes(x), 32));
            case 1 -> halves(c, insn, pc, SimdArith::swapHalfwords);
            default -> throw new UndefinedInstruction();
        };
    }

    static long rev16(Cpu c, int insn, long pc) {
        if (size(insn) != 0) throw new UndefinedInstruction();
        return halves(c, insn, pc, SimdArith::swapBytes);
    }

    static long cnt(Cpu c, int insn, long pc) {
        return halves(c, insn, pc, SimdArith::bytePopCounts);
    }

    static long bytePopCounts(long x) {
        x -= x >>> 1 & 0x5555_5555_5555_5555L;
        x = (x & 0x3333_3333_3333_3333L) + (x >>> 2 & 0x3333_3333_3333_3333L);
        return (x + (x >>> 4)) & 0x0F0F_0F0F_0F0F_0F0FL;
    }

    static long not(Cpu c, int insn, long pc) {
        return halves(c, insn, pc, x -> ~x);
    }

    static long rbit(Cpu c, int insn, long pc) {
        return halves(c, insn, pc, x -> Long.reverse(Long.reverseBytes(x)));
    }

    // CLS counts the bits below the sign bit that equal it: the leading zeros of x XOR (x >> 1), less the sign bit.
    private static final LaneOp CLS = (c, d, n, m, e) -> Long.numberOfLeadingZeros((n ^ n >>> 1) & mask(e - 1)) - (65 - e);
    private static final LaneOp CLZ = (c, d, n, m, e) -> Long.numberOfLeadingZeros(n) - (64 - e);

    static long countLeading(Cpu c, int insn, long pc) {
        return unary(c, insn, pc, BHS, false, unsigned(insn) ? CLZ : CLS);
    }

    /** SUQADD: signed accumulator plus unsigned source, saturated to the signed range. */
    private static final LaneOp SUQADD = (c, d, n, m, e) -> {
        long acc = sext(d, e);
        if (e < 64) return satSigned(c, acc + n, e);
        long lo = acc + n;
        long hi = (acc >> 63) + (Long.compareUnsigned(lo, n) < 0 ? 1 : 0);
        return hi > 0 || hi == 0 && lo < 0 ? signedLimit(c, false, 64) : lo;
    };

    /** USQADD: unsigned accumulator plus signed source, saturated to the unsigned range. */
    private static final LaneOp USQADD = (c, d, n, m, e) -> {
        if (e < 64) return satUnsigned(c, d + n, e);
        long lo = d + n;
        long hi = (n >> 63) + (Long.compareUnsigned(lo, d) < 0 ? 1 : 0);
        if (hi == 0) return lo;
        c.fpsr |= QC;
        return hi < 0 ? 0 : -1L;
    };

    static long saturatingAccumulate(Cpu c, int insn, long pc) {
        return unsigned(insn) ? unary(c, insn, pc, ALL, true, USQADD) : unary(c, insn, pc, ALL, false, SUQADD);
    }

    static long saturatingAccumulateScalar(Cpu c, int insn, long pc) {
        return unsigned(insn)
            ? unaryScalar(c, insn, pc, ALL, true, USQADD)
            : unaryScalar(c, insn, pc, ALL, false, SUQADD);
    }

    private static final LaneOp SQABS = (c, d, n, m, e) -> {
        if (e < 64) return satSigned(c, Math.abs(n), e);
        return n == Long.MIN_VALUE ? signedLimit(c, false, 64) : Math.abs(n);
    };
    private static final LaneOp SQNEG = (c, d, n, m, e) -> {
        if (e < 64) return satSigned(c, -n, e);
        return n == Long.MIN_VALUE ? signedLimit(c, false, 64) : -n;
    };

    static long saturatingAbsNeg(Cpu c, int insn, long pc) {
        return unary(c, insn, pc, ALL, true, unsigned(insn) ? SQNEG : SQABS);
    }

    static long saturatingAbsNegScalar(Cpu c, int insn, long pc) {
        return unaryScalar(c, insn, pc, ALL, true, unsigned(insn) ? SQNEG : SQABS);
    }

    private static final LaneOp CMGT_ZERO = (c, d, n, m, e) -> n > 0 ? -1L : 0;
    private static final LaneOp CMGE_ZERO = (c, d, n, m, e) -> n >= 0 ? -1L : 0;
    private static final LaneOp CMEQ_ZERO = (c, d, n, m, e) -> n == 0 ? -1L : 0;
    private static final LaneOp CMLE_ZERO = (c, d, n, m, e) -> n <= 0 ? -1L : 0;
    private static final LaneOp CMLT_ZERO = (c, d, n, m, e) -> n < 0 ? -1L : 0;

    /** Which comparison with zero: bit 29 (U) and bit 12 select among GT, GE, EQ, LE; opcode 01010 is LT. */
    private static LaneOp zeroComparison(int insn) {
        if ((insn >>> 13 & 1) != 0) return CMLT_ZERO;
        return switch ((insn >>> 28 & 2) | (insn >>> 12 & 1)) {
            case 0 -> CMGT_ZERO;
            case 1 -> CMEQ_ZERO;
            case 2 -> CMGE_ZERO;
            default -> CMLE_ZERO;
        };
    }

    static long compareZero(Cpu c, int insn, long pc) {
        if ((insn & 0x2000_3000) == 0x1000) {
            int esize = vectorEsize(insn, ALL);
            int rn = insn >>> 5 & 31;
            put(c, insn & 31, q(insn), zeroLanes(c.v[2 * rn], esize), zeroLanes(c.v[2 * rn + 1], esize));
            return pc + 4;
        }
        return unary(c, insn, pc, ALL, true, zeroComparison(insn));
    }

    static long compareZeroScalar(Cpu c, int insn, long pc) {
        return unaryScalar(c, insn, pc, D, true, zeroComparison(insn));
    }

    private static final LaneOp ABS = (c, d, n, m, e) -> Math.abs(n);
    private static final LaneOp NEG = (c, d, n, m, e) -> -n;

    static long absNeg(Cpu c, int insn, long pc) {
        return unary(c, insn, pc, ALL, true, unsigned(insn) ? NEG : ABS);
    }

    static long absNegScalar(Cpu c, int insn, long pc) {
        return unaryScalar(c, insn, pc, D, true, unsigned(insn) ? NEG : ABS);
    }

    /**
     * URECPE: the architecture's 9-bit reciprocal estimate of a 0.32 fixed-point fraction in [0.5, 1), as a 1.31
     * value; fractions below one half saturate to all ones.
     */
    private static final LaneOp URECPE = (c, d, n, m, e) -> {
        if (n >>> 31 == 0) return -1L;
        long a = (n >>> 23) * 2 + 1;           // the top 9 bits, rounded to the middle of their interval
        long b = (1L << 19) / a;
        return (b + 1) / 2 << 23;
    };

    /** URSQRTE: the 9-bit reciprocal square root estimate of a fraction in [0.25, 1); smaller ones give all ones. */
    private static final LaneOp URSQRTE = (c, d, n, m, e) -> {
        if (n >>> 30 == 0) return -1L;
        long a = n >>> 23;
        a = a < 256 ? a * 2 + 1 : ((a >>> 1 << 1) + 1) * 2;
        long b = 512;
        while (a * (b + 1) * (b + 1) < 1L << 28) b++;   // the largest b below 2^14 / sqrt(a)
        return (b + 1) / 2 << 23;
    };

    static long reciprocalEstimate(Cpu c, int insn, long pc) {
        return unary(c, insn, pc, SimdOps.S, false, unsigned(insn) ? URSQRTE : URECPE);
    }

    // ---- across lanes ----

    /** Element size for a reduction: bytes and halfwords in either width, words only across four lanes. */
    private static int acrossEsize(int insn) {
        int size = size(insn);
        if (size == 3 || size == 2 && !q(insn)) throw new UndefinedInstruction();
        return 8 << size;
    }

    private static long reduce(Cpu c, int insn, boolean signed, LaneOp op) {
        int esize = acrossEsize(insn);
        int rn = insn >>> 5 & 31, count = (q(insn) ? 128 : 64) / esize;
        long acc = elem(c, rn, 0, esize, signed);
        for (int i = 1; i < count; i++) acc = op.apply(c, 0, acc, elem(c, rn, i, esize, signed), esize);
        return acc;
    }

    static long addAcross(Cpu c, int insn, long pc) {
        c.setD(insn & 31, reduceSwar(c, insn, ADD_LANES));
        return pc + 4;
    }

    static long addLongAcross(Cpu c, int insn, long pc) {
        long sum = reduce(c, insn, !unsigned(insn), ADD);
        c.setD(insn & 31, sum & mask(16 << size(insn)));
        return pc + 4;
    }

    static long maxAcross(Cpu c, int insn, long pc) {
        c.setD(insn & 31, reduceSwar(c, insn, unsigned(insn) ? MAX_UNSIGNED : MAX_SIGNED));
        return pc + 4;
    }

    static long minAcross(Cpu c, int insn, long pc) {
        c.setD(insn & 31, reduceSwar(c, insn, unsigned(insn) ? MIN_UNSIGNED : MIN_SIGNED));
        return pc + 4;
    }

    static long addPairScalar(Cpu c, int insn, long pc) {
        int rn = insn >>> 5 & 31;
        c.setD(insn & 31, c.v[2 * rn] + c.v[2 * rn + 1]);
        return pc + 4;
    }
}
