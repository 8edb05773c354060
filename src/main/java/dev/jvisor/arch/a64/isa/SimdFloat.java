package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.Exec;
import dev.jvisor.arch.a64.decode.InsnRow;
import dev.jvisor.arch.a64.fp.FpFormat;
import dev.jvisor.arch.a64.fp.SoftFloat;

import static dev.jvisor.arch.a64.fp.FpFormat.DOUBLE;
import static dev.jvisor.arch.a64.fp.FpFormat.HALF;
import static dev.jvisor.arch.a64.fp.FpFormat.SINGLE;

/**
 * Advanced SIMD floating point, single and double precision lanes (2S, 4S, 2D) and the scalar forms that share
 * their encodings: three-same, two-register miscellaneous, pairwise and across-lanes reductions, by-element
 * multiplies, fixed-point conversions by immediate, narrowing/lengthening conversions and FMOV (vector, immediate).
 *
 * <p>In every encoding here bit 22 ({@code sz}) selects double lanes and bit 30 ({@code Q}) the full 128 bits; 1D
 * (sz=1, Q=0) is unallocated. Results are built in full before Vd is written, so Vd may alias a source.
 */
public final class SimdFloat {
    private SimdFloat() {}

    // Element operations, selected by constant so that each row's method folds to one path.
    private static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAX = 4, MIN = 5, MAXNM = 6, MINNM = 7, MULX = 8,
        ABD = 9, RECPS = 10, RSQRTS = 11, CMEQ = 12, CMGE = 13, CMGT = 14, ACGE = 15, ACGT = 16;
    private static final int ABS = 0, NEG = 1, SQRT = 2, RECPE = 3, RSQRTE = 4, RECPX = 5, CMGT0 = 6, CMEQ0 = 7,
        CMLT0 = 8, CMGE0 = 9, CMLE0 = 10, RINTN = 11, RINTP = 12, RINTM = 13, RINTZ = 14, RINTA = 15, RINTX = 16,
        RINTI = 17, CVTNS = 18, CVTPS = 19, CVTMS = 20, CVTZS = 21, CVTAS = 22, CVTNU = 23, CVTPU = 24, CVTMU = 25,
        CVTZU = 26, CVTAU = 27, SCVTF = 28, UCVTF = 29;

    private static final String SAME3 = " 1 Rm:5 ";
    private static final String MISC = " 10000 ";

    public static void rows(InsnRow.Builder b) {
        // Three registers of the same type: "0 Q U 01110 a sz 1 Rm opcode 1 Rn Rd", scalar "01 U 11110 a sz ...".
        same(b, "FMAXNM", 0, 0, "11000", SimdFloat::fmaxnmV, null);
        same(b, "FMLA", 0, 0, "11001", SimdFloat::fmlaV, null);
        same(b, "FADD", 0, 0, "11010", SimdFloat::faddV, null);
        same(b, "FMULX", 0, 0, "11011", SimdFloat::fmulxV, SimdFloat::fmulxS);
        same(b, "FCMEQ", 0, 0, "11100", SimdFloat::fcmeqV, SimdFloat::fcmeqS);
        same(b, "FMAX", 0, 0, "11110", SimdFloat::fmaxV, null);
        same(b, "FRECPS", 0, 0, "11111", SimdFloat::frecpsV, SimdFloat::frecpsS);
        same(b, "FMINNM", 0, 1, "11000", SimdFloat::fminnmV, null);
        same(b, "FMLS", 0, 1, "11001", SimdFloat::fmlsV, null);
        same(b, "FSUB", 0, 1, "11010", SimdFloat::fsubV, null);
        same(b, "FMIN", 0, 1, "11110", SimdFloat::fminV, null);
        same(b, "FRSQRTS", 0, 1, "11111", SimdFloat::frsqrtsV, SimdFloat::frsqrtsS);
        same(b, "FMAXNMP", 1, 0, "11000", SimdFloat::fmaxnmpV, null);
        same(b, "FADDP", 1, 0, "11010", SimdFloat::faddpV, null);
        same(b, "FMUL", 1, 0, "11011", SimdFloat::fmulV, null);
        same(b, "FCMGE", 1, 0, "11100", SimdFloat::fcmgeV, SimdFloat::fcmgeS);
        same(b, "FACGE", 1, 0, "11101", SimdFloat::facgeV, SimdFloat::facgeS);
        same(b, "FMAXP", 1, 0, "11110", SimdFloat::fmaxpV, null);
        same(b, "FDIV", 1, 0, "11111", SimdFloat::fdivV, null);
        same(b, "FMINNMP", 1, 1, "11000", SimdFloat::fminnmpV, null);
        same(b, "FABD", 1, 1, "11010", SimdFloat::fabdV, SimdFloat::fabdS);
        same(b, "FCMGT", 1, 1, "11100", SimdFloat::fcmgtV, SimdFloat::fcmgtS);
        same(b, "FACGT", 1, 1, "11101", SimdFloat::facgtV, SimdFloat::facgtS);
        same(b, "FMINP", 1, 1, "11110", SimdFloat::fminpV, null);

        // Two-register miscellaneous: "0 Q U 01110 a sz 10000 opcode 10 Rn Rd", scalar "01 U 11110 a sz ...".
        misc(b, "FCMGT", 0, 1, "01100", SimdFloat::fcmgtZeroV, SimdFloat::fcmgtZeroS, ", #0.0");
        misc(b, "FCMEQ", 0, 1, "01101", SimdFloat::fcmeqZeroV, SimdFloat::fcmeqZeroS, ", #0.0");
        misc(b, "FCMLT", 0, 1, "01110", SimdFloat::fcmltZeroV, SimdFloat::fcmltZeroS, ", #0.0");
        misc(b, "FCMGE", 1, 1, "01100", SimdFloat::fcmgeZeroV, SimdFloat::fcmgeZeroS, ", #0.0");
        misc(b, "FCMLE", 1, 1, "01101", SimdFloat::fcmleZeroV, SimdFloat::fcmleZeroS, ", #0.0");
        misc(b, "FABS", 0, 1, "01111", SimdFloat::fabsV, null, "");
        misc(b, "FNEG", 1, 1, "01111", SimdFloat::fnegV, null, "");
        misc(b, "FSQRT", 1, 1, "11111", SimdFloat::fsqrtV, null, "");
        misc(b, "FRECPE", 0, 1, "11101", SimdFloat::frecpeV, SimdFloat::frecpeS, "");
        misc(b, "FRSQRTE", 1, 1, "11101", SimdFloat::frsqrteV, SimdFloat::frsqrteS, "");
        misc(b, "FRECPX", 0, 1, "11111", null, SimdFloat::frecpxS, "");
        misc(b, "FRINTN", 0, 0, "11000", SimdFloat::frintnV, null, "");
        misc(b, "FRINTM", 0, 0, "11001", SimdFloat::frintmV, null, "");
        misc(b, "FRINTP", 0, 1, "11000", SimdFloat::frintpV, null, "");
        misc(b, "FRINTZ", 0, 1, "11001", SimdFloat::frintzV, null, "");
        misc(b, "FRINTA", 1, 0, "11000", SimdFloat::frintaV, null, "");
        misc(b, "FRINTX", 1, 0, "11001", SimdFloat::frintxV, null, "");
        misc(b, "FRINTI", 1, 1, "11001", SimdFloat::frintiV, null, "");
        misc(b, "FCVTNS", 0, 0, "11010", SimdFloat::fcvtnsV, SimdFloat::fcvtnsS, "");
        misc(b, "FCVTMS", 0, 0, "11011", SimdFloat::fcvtmsV, SimdFloat::fcvtmsS, "");
        misc(b, "FCVTAS", 0, 0, "11100", SimdFloat::fcvtasV, SimdFloat::fcvtasS, "");
        misc(b, "FCVTPS", 0, 1, "11010", SimdFloat::fcvtpsV, SimdFloat::fcvtpsS, "");
        misc(b, "FCVTZS", 0, 1, "11011", SimdFloat::fcvtzsV, SimdFloat::fcvtzsS, "");
        misc(b, "FCVTNU", 1, 0, "11010", SimdFloat::fcvtnuV, SimdFloat::fcvtnuS, "");
        misc(b, "FCVTMU", 1, 0, "11011", SimdFloat::fcvtmuV, SimdFloat::fcvtmuS, "");
        misc(b, "FCVTAU", 1, 0, "11100", SimdFloat::fcvtauV, SimdFloat::fcvtauS, "");
        misc(b, "FCVTPU", 1, 1, "11010", SimdFloat::fcvtpuV, SimdFloat::fcvtpuS, "");
        misc(b, "FCVTZU", 1, 1, "11011", SimdFloat::fcvtzuV, SimdFloat::fcvtzuS, "");
        misc(b, "SCVTF", 0, 0, "11101", SimdFloat::scvtfV, SimdFloat::scvtfS, "");
        misc(b, "UCVTF", 1, 0, "11101", SimdFloat::ucvtfV, SimdFloat::ucvtfS, "");

        b.row("FCVTN_vec", "0 Q:1 0 01110 0 sz:1" + MISC + "10110 10 Rn:5 Rd:5", SimdFloat::fcvtn,
            (r, i, pc) -> narrowText("fcvtn", i));
        b.row("FCVTXN_vec", "0 Q:1 1 01110 0 sz:1" + MISC + "10110 10 Rn:5 Rd:5", SimdFloat::fcvtxnV,
            (r, i, pc) -> narrowText("fcvtxn", i));
        b.row("FCVTXN_scalar", "01 1 11110 0 sz:1" + MISC + "10110 10 Rn:5 Rd:5", SimdFloat::fcvtxnS,
            (r, i, pc) -> "fcvtxn s" + rd(i) + ", d" + rn(i));
        b.row("FCVTL_vec", "0 Q:1 0 01110 0 sz:1" + MISC + "10111 10 Rn:5 Rd:5", SimdFloat::fcvtl,
            (r, i, pc) -> lengthenText(i));

        // Pairwise scalar reductions of a 2-element vector: "01 1 11110 a sz 11000 opcode 10 Rn Rd".
        pairScalar(b, "FMAXNMP", 0, "01100", SimdFloat::fmaxnmpS);
        pairScalar(b, "FADDP", 0, "01101", SimdFloat::faddpS);
        pairScalar(b, "FMAXP", 0, "01111", SimdFloat::fmaxpS);
        pairScalar(b, "FMINNMP", 1, "01100", SimdFloat::fminnmpS);
        pairScalar(b, "FMINP", 1, "01111", SimdFloat::fminpS);

        // Across lanes, 4S only: "0 1 1 01110 a 0 11000 opcode 10 Rn Rd".
        across(b, "FMAXNMV", 0, "01100", SimdFloat::fmaxnmv);
        across(b, "FMAXV", 0, "01111", SimdFloat::fmaxv);
        across(b, "FMINNMV", 1, "01100", SimdFloat::fminnmv);
        across(b, "FMINV", 1, "01111", SimdFloat::fminv);

        // By element: "0 Q U 01111 1 sz L M Rm:4 opcode H 0 Rn Rd", scalar "01 U 11111 1 sz ...".
        element(b, "FMLA", 0, "0001", SimdFloat::fmlaElemV, SimdFloat::fmlaElemS);
        element(b, "FMLS", 0, "0101", SimdFloat::fmlsElemV, SimdFloat::fmlsElemS);
        element(b, "FMUL", 0, "1001", SimdFloat::fmulElemV, SimdFloat::fmulElemS);
        element(b, "FMULX", 1, "1001", SimdFloat::fmulxElemV, SimdFloat::fmulxElemS);

        // Fixed-point conversions by immediate: "0 Q U 011110 immh immb opcode 1 Rn Rd"; immh 01xx is 32-bit
        // lanes, 1xxx 64-bit (001x would be FP16, 0000 is the modified-immediate group).
        fixed(b, "SCVTF", 0, "11100", SimdFloat::scvtfFixV, SimdFloat::scvtfFixS);
        fixed(b, "UCVTF", 1, "11100", SimdFloat::ucvtfFixV, SimdFloat::ucvtfFixS);
        fixed(b, "FCVTZS", 0, "11111", SimdFloat::fcvtzsFixV, SimdFloat::fcvtzsFixS);
        fixed(b, "FCVTZU", 1, "11111", SimdFloat::fcvtzuFixV, SimdFloat::fcvtzuFixS);

        b.row("FMOV_vec_imm_s", "0 Q:1 0 0111100000 abc:3 1111 0 1 defgh:5 Rd:5", SimdFloat::fmovImmSingle,
            (r, i, pc) -> "fmov v" + rd(i) + ((i & 1 << 30) != 0 ? ".4s" : ".2s") + ", #" + immText(SINGLE, i));
        b.row("FMOV_vec_imm_d", "0 1 1 0111100000 abc:3 1111 0 1 defgh:5 Rd:5", SimdFloat::fmovImmDouble,
            (r, i, pc) -> "fmov v" + rd(i) + ".2d, #" + immText(DOUBLE, i));
    }

    private static void same(InsnRow.Builder b, String name, int u, int a, String opcode, Exec vector, Exec scalar) {
        String mnemonic = name.toLowerCase();
        String tail = " sz:1" + SAME3 + opcode + " 1 Rn:5 Rd:5";
        b.row(name + "_vec", "0 Q:1 " + u + " 01110 " + a + tail, vector, (r, i, pc) -> vectorText(mnemonic, i, 3, ""));
        if (scalar != null) {
            b.row(name + "_scalar", "01 " + u + " 11110 " + a + tail, scalar,
                (r, i, pc) -> scalarText(mnemonic, i, 3, ""));
        }
    }

    private static void misc(InsnRow.Builder b, String name, int u, int a, String opcode, Exec vector, Exec scalar,
                             String suffix) {
        String mnemonic = name.toLowerCase();
        String tail = " sz:1" + MISC + opcode + " 10 Rn:5 Rd:5";
        if (vector != null) {
            b.row(name + (suffix.isEmpty() ? "" : "_zero") + "_vec", "0 Q:1 " + u + " 01110 " + a + tail, vector,
                (r, i, pc) -> vectorText(mnemonic, i, 2, suffix));
        }
        if (scalar != null) {
            b.row(name + (suffix.isEmpty() ? "" : "_zero") + "_scalar", "01 " + u + " 11110 " + a + tail, scalar,
                (r, i, pc) -> scalarText(mnemonic, i, 2, suffix));
        }
    }

    private static void pairScalar(InsnRow.Builder b, String name, int a, String opcode, Exec exec) {
        String mnemonic = name.toLowerCase();
        b.row(name + "_pair", "01 1 11110 " + a + " sz:1 11000 " + opcode + " 10 Rn:5 Rd:5", exec, (r, i, pc) -> {
            boolean d = (i & 1 << 22) != 0;
            return mnemonic + " " + (d ? "d" : "s") + rd(i) + ", v" + rn(i) + (d ? ".2d" : ".2s");
        });
    }

    private static void across(InsnRow.Builder b, String name, int a, String opcode, Exec exec) {
        String mnemonic = name.toLowerCase();
        b.row(name, "0 1 1 01110 " + a + " 0 11000 " + opcode + " 10 Rn:5 Rd:5", exec,
            (r, i, pc) -> mnemonic + " s" + rd(i) + ", v" + rn(i) + ".4s");
    }

    private static void element(InsnRow.Builder b, String name, int u, String opcode, Exec vector, Exec scalar) {
        String mnemonic = name.toLowerCase();
        String tail = " 1 sz:1 L:1 M:1 Rm:4 " + opcode + " H:1 0 Rn:5 Rd:5";
        b.row(name + "_elem_vec", "0 Q:1 " + u + " 01111" + tail, vector,
            (r, i, pc) -> elementText(mnemonic, i, true));
        b.row(name + "_elem_scalar", "01 " + u + " 11111" + tail, scalar,
            (r, i, pc) -> elementText(mnemonic, i, false));
    }

    private static void fixed(InsnRow.Builder b, String name, int u, String opcode, Exec vector, Exec scalar) {
        String mnemonic = name.toLowerCase();
        for (String immh : new String[] {"01--", "1---"}) {
            String size = immh.startsWith("1") ? "d" : "s";
            String tail = "11110 immh=" + immh + " immb:3 " + opcode + " 1 Rn:5 Rd:5";
            b.row(name + "_fix_vec_" + size, "0 Q:1 " + u + " 0" + tail, vector,
                (r, i, pc) -> fixedText(mnemonic, i, true));
            b.row(name + "_fix_scalar_" + size, "01 " + u + " 1" + tail, scalar,
                (r, i, pc) -> fixedText(mnemonic, i, false));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Lanes

    private static int rd(int insn) { return insn & 31; }
    private static int rn(int insn) { return insn >>> 5 & 31; }
    private static int rm(int insn) { return insn >>> 16 & 31; }

    private static FpFormat format(int insn) {
        return (insn & 1 << 22) != 0 ? DOUBLE : SINGLE;
    }

    /** Lanes of a vector instruction; rejects the unallocated 1D arrangement. */
    private static int lanes(int insn) {
        boolean q = (insn & 1 << 30) != 0;
        if ((insn & 1 << 22) != 0) {
            if (!q) throw new UndefinedInstruction();
            return 2;
        }
        return q ? 4 : 2;
    }

    /** Element {@code i} of Vreg in format f (32 or 64 bits), zero-extended. */
    static long element(Cpu c, FpFormat f, int reg, int i) {
        if (f == DOUBLE) return c.v[2 * reg + i];
        return c.v[2 * reg + (i >> 1)] >>> ((i & 1) << 5) & 0xFFFF_FFFFL;
    }

    private static long ones(FpFormat f) {
        return f == DOUBLE ? -1L : 0xFFFF_FFFFL;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Element operations

    private static long binary(Cpu c, FpFormat f, int op, long a, long b) {
        return switch (op) {
            case ADD -> SoftFloat.add(c, f, a, b);
            case SUB -> SoftFloat.sub(c, f, a, b);
            case MUL -> SoftFloat.mul(c, f, a, b);
            case DIV -> SoftFloat.div(c, f, a, b);
            case MAX -> SoftFloat.maxMin(c, f, a, b, true, false);
            case MIN -> SoftFloat.maxMin(c, f, a, b, false, false);
            case MAXNM -> SoftFloat.maxMin(c, f, a, b, true, true);
            case MINNM -> SoftFloat.maxMin(c, f, a, b, false, true);
            case MULX -> SoftFloat.mulx(c, f, a, b);
            case ABD -> SoftFloat.sub(c, f, a, b) & ~f.signBit;
            case RECPS -> SoftFloat.recipStep(c, f, a, b);
            case RSQRTS -> SoftFloat.rsqrtStep(c, f, a, b);
            case CMEQ -> SoftFloat.compareEq(c, f, a, b) ? ones(f) : 0;
            case CMGE -> SoftFloat.compareGe(c, f, a, b, true) ? ones(f) : 0;
            case CMGT -> SoftFloat.compareGe(c, f, a, b, false) ? ones(f) : 0;
            case ACGE -> SoftFloat.compareGe(c, f, a & ~f.signBit, b & ~f.signBit, true) ? ones(f) : 0;
            case ACGT -> SoftFloat.compareGe(c, f, a & ~f.signBit, b & ~f.signBit, false) ? ones(f) : 0;
            default -> throw new IllegalStateException("binary op " + op);
        };
    }

    private static long unary(Cpu c, FpFormat f, int op, long a, int fbits) {
        int intBits = f == DOUBLE ? 64 : 32;
        return switch (op) {
            case ABS -> a & ~f.signBit;
            case NEG -> a ^ f.signBit;
            case SQRT -> SoftFloat.sqrt(c, f, a);
            case RECPE -> SoftFloat.recipEstimate(c, f, a);
            case RSQRTE -> SoftFloat.rsqrtEstimate(c, f, a);
            case RECPX -> SoftFloat.recipExponent(c, f, a);
            case CMGT0 -> SoftFloat.compareGe(c, f, a, 0, false) ? ones(f) : 0;
            case CMEQ0 -> SoftFloat.compareEq(c, f, a, 0) ? ones(f) : 0;
            case CMLT0 -> SoftFloat.compareGe(c, f, 0, a, false) ? ones(f) : 0;
            case CMGE0 -> SoftFloat.compareGe(c, f, a, 0, true) ? ones(f) : 0;
            case CMLE0 -> SoftFloat.compareGe(c, f, 0, a, true) ? ones(f) : 0;
            case RINTN -> SoftFloat.roundInt(c, f, a, SoftFloat.RN, false);
            case RINTP -> SoftFloat.roundInt(c, f, a, SoftFloat.RP, false);
            case RINTM -> SoftFloat.roundInt(c, f, a, SoftFloat.RM, false);
            case RINTZ -> SoftFloat.roundInt(c, f, a, SoftFloat.RZ, false);
            case RINTA -> SoftFloat.roundInt(c, f, a, SoftFloat.TIES_AWAY, false);
            case RINTX -> SoftFloat.roundInt(c, f, a, SoftFloat.roundingMode(c.fpcr), true);
            case RINTI -> SoftFloat.roundInt(c, f, a, SoftFloat.roundingMode(c.fpcr), false);
            case CVTNS -> SoftFloat.toFixed(c, f, a, fbits, false, intBits, SoftFloat.RN);
            case CVTPS -> SoftFloat.toFixed(c, f, a, fbits, false, intBits, SoftFloat.RP);
            case CVTMS -> SoftFloat.toFixed(c, f, a, fbits, false, intBits, SoftFloat.RM);
            case CVTZS -> SoftFloat.toFixed(c, f, a, fbits, false, intBits, SoftFloat.RZ);
            case CVTAS -> SoftFloat.toFixed(c, f, a, fbits, false, intBits, SoftFloat.TIES_AWAY);
            case CVTNU -> SoftFloat.toFixed(c, f, a, fbits, true, intBits, SoftFloat.RN);
            case CVTPU -> SoftFloat.toFixed(c, f, a, fbits, true, intBits, SoftFloat.RP);
            case CVTMU -> SoftFloat.toFixed(c, f, a, fbits, true, intBits, SoftFloat.RM);
            case CVTZU -> SoftFloat.toFixed(c, f, a, fbits, true, intBits, SoftFloat.RZ);
            case CVTAU -> SoftFloat.toFixed(c, f, a, fbits, true, intBits, SoftFloat.TIES_AWAY);
            case SCVTF -> SoftFloat.fromFixed(c, f, f == DOUBLE ? a : (int) a, fbits, false,
                SoftFloat.roundingMode(c.fpcr));
            case UCVTF -> SoftFloat.fromFixed(c, f, a, fbits, true, SoftFloat.roundingMode(c.fpcr));
            default -> throw new IllegalStateException("unary op " + op);
        };
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Shapes: element-wise vector, scalar, pairwise, by element, reductions

    /** How a vector instruction forms lane i: from Vn and Vm, from Vn alone, from pairs, by element, or fused. */
    private static final int SAME = 0, ONE = 1, PAIRS = 2, ELEMENT = 3, FUSED = 4;

    private static long lane(Cpu c, int insn, FpFormat f, int shape, int op, int fbits, int i, int lanes) {
        int n = rn(insn);
        return switch (shape) {
            case SAME -> binary(c, f, op, element(c, f, n, i), element(c, f, rm(insn), i));
            case ONE -> unary(c, f, op, element(c, f, n, i), fbits);
            case PAIRS -> {
                // Pairs of the concatenation Vm:Vn: the low half of the result from Vn's pairs, the high from Vm's.
                int half = lanes / 2, src = i < half ? n : rm(insn), j = 2 * (i % half);
                yield binary(c, f, op, element(c, f, src, j), element(c, f, src, j + 1));
            }
            case ELEMENT -> elementLane(c, insn, f, op, element(c, f, n, i), i);
            default -> {
                long a = element(c, f, n, i);
                if (op == SUB) a ^= f.signBit;
                yield SoftFloat.mulAdd(c, f, element(c, f, rd(insn), i), a, element(c, f, rm(insn), i));
            }
        };
    }

    /** Computes every lane, then writes Vd at once (it may be a source); a 64-bit vector clears the top half. */
    private static long vector(Cpu c, int insn, long pc, int shape, int op, int fbits) {
        int n = lanes(insn);
        FpFormat f = format(insn);
        long lo, hi;
        if (f == DOUBLE) {
            lo = lane(c, insn, f, shape, op, fbits, 0, n);
            hi = lane(c, insn, f, shape, op, fbits, 1, n);
        } else {
            long l0 = lane(c, insn, f, shape, op, fbits, 0, n), l1 = lane(c, insn, f, shape, op, fbits, 1, n);
            lo = l0 & 0xFFFF_FFFFL | l1 << 32;
            hi = n == 4
                ? lane(c, insn, f, shape, op, fbits, 2, n) & 0xFFFF_FFFFL
                    | lane(c, insn, f, shape, op, fbits, 3, n) << 32
                : 0;
        }
        c.setQ(rd(insn), lo, hi);
        return pc + 4;
    }

    private static long vector2(Cpu c, int insn, long pc, int op) {
        return vector(c, insn, pc, SAME, op, 0);
    }

    private static long vector1(Cpu c, int insn, long pc, int op, int fbits) {
        return vector(c, insn, pc, ONE, op, fbits);
    }

    private static long pairwise(Cpu c, int insn, long pc, int op) {
        return vector(c, insn, pc, PAIRS, op, 0);
    }

    private static long fusedVector(Cpu c, int insn, long pc, boolean subtract) {
        return vector(c, insn, pc, FUSED, subtract ? SUB : ADD, 0);
    }

    private static long scalar2(Cpu c, int insn, long pc, int op) {
        FpFormat f = format(insn);
        c.setD(rd(insn), binary(c, f, op, element(c, f, rn(insn), 0), element(c, f, rm(insn), 0)));
        return pc + 4;
    }

    private static long scalar1(Cpu c, int insn, long pc, int op, int fbits) {
        FpFormat f = format(insn);
        c.setD(rd(insn), unary(c, f, op, element(c, f, rn(insn), 0), fbits) & ones(f));
        return pc + 4;
    }

    private static long pairScalar(Cpu c, int insn, long pc, int op) {
        FpFormat f = format(insn);
        c.setD(rd(insn), binary(c, f, op, element(c, f, rn(insn), 0), element(c, f, rn(insn), 1)));
        return pc + 4;
    }

    /** Reduce as the ARM ARM defines it for four lanes: op(op(e0, e1), op(e2, e3)). */
    private static long across(Cpu c, int insn, long pc, int op) {
        FpFormat f = SINGLE;
        int n = rn(insn);
        long lo = binary(c, f, op, element(c, f, n, 0), element(c, f, n, 1));
        long hi = binary(c, f, op, element(c, f, n, 2), element(c, f, n, 3));
        c.setD(rd(insn), binary(c, f, op, lo, hi));
        return pc + 4;
    }

    /** The by-element operand: Vm is M:Rm with index H:L for singles, Rm with index H (and L zero) for doubles. */
    private static long indexed(Cpu c, int insn, FpFormat f) {
        int m = insn >>> 16 & 31;
        int h = insn >>> 11 & 1, l = insn >>> 21 & 1;
        if (f == DOUBLE) {
            if (l != 0) throw new UndefinedInstruction();
            return element(c, f, m, h);
        }
        return element(c, f, m, h << 1 | l);
    }

    /** FMLA/FMLS/FMUL/FMULX by element for lane i; {@code op} is MUL, MULX, or ADD/SUB for the accumulating forms. */
    private static long elementLane(Cpu c, int insn, FpFormat f, int op, long a, int i) {
        long b = indexed(c, insn, f);
        return switch (op) {
            case MUL -> SoftFloat.mul(c, f, a, b);
            case MULX -> SoftFloat.mulx(c, f, a, b);
            case ADD -> SoftFloat.mulAdd(c, f, element(c, f, rd(insn), i), a, b);
            default -> SoftFloat.mulAdd(c, f, element(c, f, rd(insn), i), a ^ f.signBit, b);
        };
    }

    private static long byElement(Cpu c, int insn, long pc, int op, boolean vector) {
        if (vector) return vector(c, insn, pc, ELEMENT, op, 0);
        FpFormat f = format(insn);
        c.setD(rd(insn), elementLane(c, insn, f, op, element(c, f, rn(insn), 0), 0));
        return pc + 4;
    }

    // ---- three same ----

    static long fmaxnmV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, MAXNM); }
    static long fmlaV(Cpu c, int insn, long pc) { return fusedVector(c, insn, pc, false); }
    static long faddV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, ADD); }
    static long fmulxV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, MULX); }
    static long fmulxS(Cpu c, int insn, long pc) { return scalar2(c, insn, pc, MULX); }
    static long fcmeqV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, CMEQ); }
    static long fcmeqS(Cpu c, int insn, long pc) { return scalar2(c, insn, pc, CMEQ); }
    static long fmaxV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, MAX); }
    static long frecpsV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, RECPS); }
    static long frecpsS(Cpu c, int insn, long pc) { return scalar2(c, insn, pc, RECPS); }
    static long fminnmV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, MINNM); }
    static long fmlsV(Cpu c, int insn, long pc) { return fusedVector(c, insn, pc, true); }
    static long fsubV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, SUB); }
    static long fminV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, MIN); }
    static long frsqrtsV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, RSQRTS); }
    static long frsqrtsS(Cpu c, int insn, long pc) { return scalar2(c, insn, pc, RSQRTS); }
    static long fmaxnmpV(Cpu c, int insn, long pc) { return pairwise(c, insn, pc, MAXNM); }
    static long faddpV(Cpu c, int insn, long pc) { return pairwise(c, insn, pc, ADD); }
    static long fmulV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, MUL); }
    static long fcmgeV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, CMGE); }
    static long fcmgeS(Cpu c, int insn, long pc) { return scalar2(c, insn, pc, CMGE); }
    static long facgeV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, ACGE); }
    static long facgeS(Cpu c, int insn, long pc) { return scalar2(c, insn, pc, ACGE); }
    static long fmaxpV(Cpu c, int insn, long pc) { return pairwise(c, insn, pc, MAX); }
    static long fdivV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, DIV); }
    static long fminnmpV(Cpu c, int insn, long pc) { return pairwise(c, insn, pc, MINNM); }
    static long fabdV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, ABD); }
    static long fabdS(Cpu c, int insn, long pc) { return scalar2(c, insn, pc, ABD); }
    static long fcmgtV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, CMGT); }
    static long fcmgtS(Cpu c, int insn, long pc) { return scalar2(c, insn, pc, CMGT); }
    static long facgtV(Cpu c, int insn, long pc) { return vector2(c, insn, pc, ACGT); }
    static long facgtS(Cpu c, int insn, long pc) { return scalar2(c, insn, pc, ACGT); }
    static long fminpV(Cpu c, int insn, long pc) { return pairwise(c, insn, pc, MIN); }

    // ---- two-register miscellaneous ----

    static long fcmgtZeroV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CMGT0, 0); }
    static long fcmgtZeroS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CMGT0, 0); }
    static long fcmeqZeroV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CMEQ0, 0); }
    static long fcmeqZeroS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CMEQ0, 0); }
    static long fcmltZeroV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CMLT0, 0); }
    static long fcmltZeroS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CMLT0, 0); }
    static long fcmgeZeroV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CMGE0, 0); }
    static long fcmgeZeroS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CMGE0, 0); }
    static long fcmleZeroV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CMLE0, 0); }
    static long fcmleZeroS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CMLE0, 0); }
    static long fabsV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, ABS, 0); }
    static long fnegV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, NEG, 0); }
    static long fsqrtV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, SQRT, 0); }
    static long frecpeV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, RECPE, 0); }
    static long frecpeS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, RECPE, 0); }
    static long frsqrteV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, RSQRTE, 0); }
    static long frsqrteS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, RSQRTE, 0); }
    static long frecpxS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, RECPX, 0); }
    static long frintnV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, RINTN, 0); }
    static long frintmV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, RINTM, 0); }
    static long frintpV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, RINTP, 0); }
    static long frintzV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, RINTZ, 0); }
    static long frintaV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, RINTA, 0); }
    static long frintxV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, RINTX, 0); }
    static long frintiV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, RINTI, 0); }
    static long fcvtnsV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CVTNS, 0); }
    static long fcvtnsS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CVTNS, 0); }
    static long fcvtmsV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CVTMS, 0); }
    static long fcvtmsS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CVTMS, 0); }
    static long fcvtasV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CVTAS, 0); }
    static long fcvtasS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CVTAS, 0); }
    static long fcvtpsV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CVTPS, 0); }
    static long fcvtpsS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CVTPS, 0); }
    static long fcvtzsV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CVTZS, 0); }
    static long fcvtzsS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CVTZS, 0); }
    static long fcvtnuV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CVTNU, 0); }
    static long fcvtnuS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CVTNU, 0); }
    static long fcvtmuV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CVTMU, 0); }
    static long fcvtmuS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CVTMU, 0); }
    static long fcvtauV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CVTAU, 0); }
    static long fcvtauS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CVTAU, 0); }
    static long fcvtpuV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CVTPU, 0); }
    static long fcvtpuS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CVTPU, 0); }
    static long fcvtzuV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CVTZU, 0); }
    static long fcvtzuS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CVTZU, 0); }
    static long scvtfV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, SCVTF, 0); }
    static long scvtfS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, SCVTF, 0); }
    static long ucvtfV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, UCVTF, 0); }
    static long ucvtfS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, UCVTF, 0); }

    // ---- narrowing and lengthening conversions ----

    /** FCVTN/FCVTXN: Vn's wide lanes narrowed into the low half of Vd (Q=0, top cleared) or its high half (Q=1). */
    private static long narrow(Cpu c, int insn, long pc, FpFormat from, FpFormat to, int rounding) {
        int n = rn(insn);
        int width = to == SINGLE ? 32 : 16;
        long packed = 0;
        for (int i = 0; i < 64 / width; i++) {
            long wide = from == DOUBLE ? c.v[2 * n + i] : element(c, SINGLE, n, i);
            packed |= SoftFloat.convert(c, from, to, wide, rounding) << (i * width);
        }
        int d = rd(insn);
        if ((insn & 1 << 30) != 0) c.v[2 * d + 1] = packed;
        else c.setD(d, packed);
        return pc + 4;
    }

    static long fcvtn(Cpu c, int insn, long pc) {
        boolean fromDouble = (insn & 1 << 22) != 0;
        return narrow(c, insn, pc, fromDouble ? DOUBLE : SINGLE, fromDouble ? SINGLE : HALF,
            SoftFloat.roundingMode(c.fpcr));
    }

    static long fcvtxnV(Cpu c, int insn, long pc) {
        if ((insn & 1 << 22) == 0) throw new UndefinedInstruction();
        return narrow(c, insn, pc, DOUBLE, SINGLE, SoftFloat.ODD);
    }

    static long fcvtxnS(Cpu c, int insn, long pc) {
        if ((insn & 1 << 22) == 0) throw new UndefinedInstruction();
        c.setD(rd(insn), SoftFloat.convert(c, DOUBLE, SINGLE, c.v[2 * rn(insn)], SoftFloat.ODD));
        return pc + 4;
    }

    /** FCVTL: the low (Q=0) or high (Q=1) 64 bits of Vn widened lane by lane: 4H to 4S or 2S to 2D. */
    static long fcvtl(Cpu c, int insn, long pc) {
        long src = c.v[2 * rn(insn) + ((insn & 1 << 30) != 0 ? 1 : 0)];
        long lo, hi;
        if ((insn & 1 << 22) != 0) {
            lo = SoftFloat.convert(c, SINGLE, DOUBLE, src & 0xFFFF_FFFFL, SoftFloat.RN);
            hi = SoftFloat.convert(c, SINGLE, DOUBLE, src >>> 32, SoftFloat.RN);
        } else {
            lo = widenHalf(c, src, 0) | widenHalf(c, src, 1) << 32;
            hi = widenHalf(c, src, 2) | widenHalf(c, src, 3) << 32;
        }
        c.setQ(rd(insn), lo, hi);
        return pc + 4;
    }

    private static long widenHalf(Cpu c, long halves, int i) {
        return SoftFloat.convert(c, HALF, SINGLE, halves >>> (16 * i) & 0xFFFF, SoftFloat.RN);
    }

    // ---- pairwise and across lanes ----

    static long fmaxnmpS(Cpu c, int insn, long pc) { return pairScalar(c, insn, pc, MAXNM); }
    static long faddpS(Cpu c, int insn, long pc) { return pairScalar(c, insn, pc, ADD); }
    static long fmaxpS(Cpu c, int insn, long pc) { return pairScalar(c, insn, pc, MAX); }
    static long fminnmpS(Cpu c, int insn, long pc) { return pairScalar(c, insn, pc, MINNM); }
    static long fminpS(Cpu c, int insn, long pc) { return pairScalar(c, insn, pc, MIN); }
    static long fmaxnmv(Cpu c, int insn, long pc) { return across(c, insn, pc, MAXNM); }
    static long fmaxv(Cpu c, int insn, long pc) { return across(c, insn, pc, MAX); }
    static long fminnmv(Cpu c, int insn, long pc) { return across(c, insn, pc, MINNM); }
    static long fminv(Cpu c, int insn, long pc) { return across(c, insn, pc, MIN); }

    // ---- by element ----

    static long fmlaElemV(Cpu c, int insn, long pc) { return byElement(c, insn, pc, ADD, true); }
    static long fmlaElemS(Cpu c, int insn, long pc) { return byElement(c, insn, pc, ADD, false); }
    static long fmlsElemV(Cpu c, int insn, long pc) { return byElement(c, insn, pc, SUB, true); }
    static long fmlsElemS(Cpu c, int insn, long pc) { return byElement(c, insn, pc, SUB, false); }
    static long fmulElemV(Cpu c, int insn, long pc) { return byElement(c, insn, pc, MUL, true); }
    static long fmulElemS(Cpu c, int insn, long pc) { return byElement(c, insn, pc, MUL, false); }
    static long fmulxElemV(Cpu c, int insn, long pc) { return byElement(c, insn, pc, MULX, true); }
    static long fmulxElemS(Cpu c, int insn, long pc) { return byElement(c, insn, pc, MULX, false); }

    // ---- fixed point by immediate ----

    /**
     * fbits = 2 * esize - immh:immb. The rows pin immh to 1xxx (double) or 01xx (single), so bit 22, immh<3>, is the
     * same size bit the other encodings call sz.
     */
    private static int fixedBits(int insn) {
        int immhb = insn >>> 16 & 127;
        return ((insn & 1 << 22) != 0 ? 128 : 64) - immhb;
    }


    static long scvtfFixV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, SCVTF, fixedBits(insn)); }
    static long scvtfFixS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, SCVTF, fixedBits(insn)); }
    static long ucvtfFixV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, UCVTF, fixedBits(insn)); }
    static long ucvtfFixS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, UCVTF, fixedBits(insn)); }
    static long fcvtzsFixV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CVTZS, fixedBits(insn)); }
    static long fcvtzsFixS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CVTZS, fixedBits(insn)); }
    static long fcvtzuFixV(Cpu c, int insn, long pc) { return vector1(c, insn, pc, CVTZU, fixedBits(insn)); }
    static long fcvtzuFixS(Cpu c, int insn, long pc) { return scalar1(c, insn, pc, CVTZU, fixedBits(insn)); }

    // ---- FMOV (vector, immediate) ----

    private static int imm8(int insn) {
        return (insn >>> 11 & 0xE0) | (insn >>> 5 & 31);
    }

    static long fmovImmSingle(Cpu c, int insn, long pc) {
        long s = FloatingPoint.expandImm(SINGLE, imm8(insn));
        long pair = s | s << 32;
        c.setQ(rd(insn), pair, (insn & 1 << 30) != 0 ? pair : 0);
        return pc + 4;
    }

    static long fmovImmDouble(Cpu c, int insn, long pc) {
        long d = FloatingPoint.expandImm(DOUBLE, imm8(insn));
        c.setQ(rd(insn), d, d);
        return pc + 4;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Disassembly

    private static String arrangement(int insn) {
        boolean q = (insn & 1 << 30) != 0;
        if ((insn & 1 << 22) != 0) return q ? "2d" : "1d";
        return q ? "4s" : "2s";
    }

    private static String vectorText(String mnemonic, int insn, int operands, String suffix) {
        String t = "." + arrangement(insn);
        String text = mnemonic + " v" + rd(insn) + t + ", v" + rn(insn) + t;
        if (operands == 3) text += ", v" + rm(insn) + t;
        return text + suffix;
    }

    private static String scalarText(String mnemonic, int insn, int operands, String suffix) {
        String r = (insn & 1 << 22) != 0 ? "d" : "s";
        String text = mnemonic + " " + r + rd(insn) + ", " + r + rn(insn);
        if (operands == 3) text += ", " + r + rm(insn);
        return text + suffix;
    }

    private static String elementText(String mnemonic, int insn, boolean vector) {
        boolean dbl = (insn & 1 << 22) != 0;
        int h = insn >>> 11 & 1, l = insn >>> 21 & 1;
        int index = dbl ? h : h << 1 | l;
        String lane = dbl ? "d" : "s";
        String m = "v" + (insn >>> 16 & 31) + "." + lane + "[" + index + "]";
        if (vector) {
            String t = "." + arrangement(insn);
            return mnemonic + " v" + rd(insn) + t + ", v" + rn(insn) + t + ", " + m;
        }
        return mnemonic + " " + lane + rd(insn) + ", " + lane + rn(insn) + ", " + m;
    }

    private static String fixedText(String mnemonic, int insn, boolean vector) {
        int fbits = fixedBits(insn);
        if (vector) return vectorText(mnemonic, insn, 2, ", #" + fbits);
        return scalarText(mnemonic, insn, 2, ", #" + fbits);
    }

    private static String narrowText(String mnemonic, int insn) {
        boolean q = (insn & 1 << 30) != 0, dbl = (insn & 1 << 22) != 0;
        String to = dbl ? (q ? "4s" : "2s") : (q ? "8h" : "4h");
        return mnemonic + (q ? "2" : "") + " v" + rd(insn) + "." + to + ", v" + rn(insn) + (dbl ? ".2d" : ".4s");
    }

    private static String lengthenText(int insn) {
        boolean q = (insn & 1 << 30) != 0, dbl = (insn & 1 << 22) != 0;
        String from = dbl ? (q ? "4s" : "2s") : (q ? "8h" : "4h");
        return "fcvtl" + (q ? "2" : "") + " v" + rd(insn) + (dbl ? ".2d" : ".4s") + ", v" + rn(insn) + "." + from;
    }

    private static String immText(FpFormat f, int insn) {
        return String.format("%.18e", f.toDouble(FloatingPoint.expandImm(f, imm8(insn))));
    }
}
