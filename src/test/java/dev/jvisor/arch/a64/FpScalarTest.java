package dev.jvisor.arch.a64;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Scalar FP instructions on hand-picked operands: rounding modes, flags, NaNs, denormals, saturation. */
class FpScalarTest {
    static final int RN = 0, RP = 1 << 22, RM = 2 << 22, RZ = 3 << 22, FZ = 1 << 24, DN = 1 << 25;
    static final int IOC = 1, DZC = 2, OFC = 4, UFC = 8, IXC = 16, IDC = 128;

    static final long ONE = 0x3ff0000000000000L, TWO = 0x4000000000000000L, THREE = 0x4008000000000000L;
    static final long HALF = 0x3fe0000000000000L, MAX = 0x7fefffffffffffffL, INF = 0x7ff0000000000000L;
    static final long MIN_NORMAL = 0x0010000000000000L, MIN_DENORMAL = 1, MAX_DENORMAL = 0x000fffffffffffffL;
    static final long QNAN = 0x7ff8000000000123L, SNAN = 0x7ff0000000000456L, DEFAULT_NAN = 0x7ff8000000000000L;
    static final long NEG = 0x8000000000000000L;

    static final int FDIV_S = 0x1e221820, FDIV_D = 0x1e621820, FMUL_D = 0x1e620820, FADD_D = 0x1e622820;
    static final int FADD_S = 0x1e222820, FMADD_D = 0x1f420c20, FMSUB_D = 0x1f428c20, FNMADD_D = 0x1f620c20;
    static final int FNMUL_D = 0x1e628820, FSQRT_D = 0x1e61c020;

    final A64Harness h = new A64Harness();

    /** Runs one instruction with d1, d2, d3 (low 64 bits of v1..v3) and FPCR set, FPSR cleared, v0 full of junk. */
    long run(A64Harness.Engine e, int insn, int fpcr, long d1, long d2, long d3) {
        Cpu c = h.cpu;
        c.fpcr = fpcr;
        c.fpsr = 0;
        c.v[0] = c.v[1] = 0x5555_5555_5555_5555L;
        c.setD(1, d1);
        c.setD(2, d2);
        c.setD(3, d3);
        h.run(e, insn);
        assertEquals(List.of(), h.events);
        return c.v[0];
    }

    long run(A64Harness.Engine e, int insn, int fpcr, long d1, long d2) {
        return run(e, insn, fpcr, d1, d2, 0);
    }

    void expect(long value, int fpsr, long got) {
        assertEquals(Long.toHexString(value), Long.toHexString(got));
        assertEquals(Integer.toHexString(fpsr), Integer.toHexString(h.cpu.fpsr), "FPSR");
        assertEquals(0, h.cpu.v[1], "a scalar write clears the upper half");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void oneThirdRoundsPerMode(A64Harness.Engine e) {
        long one = 0x3f800000L, three = 0x40400000L;
        expect(0x3eaaaaabL, IXC, run(e, FDIV_S, RN, one, three));
        expect(0x3eaaaaabL, IXC, run(e, FDIV_S, RP, one, three));
        expect(0x3eaaaaaaL, IXC, run(e, FDIV_S, RM, one, three));
        expect(0x3eaaaaaaL, IXC, run(e, FDIV_S, RZ, one, three));
        expect(0x3fd5555555555555L, IXC, run(e, FDIV_D, RN, ONE, THREE));
        expect(0x3fd5555555555556L, IXC, run(e, FDIV_D, RP, ONE, THREE));
        expect(0x3fd5555555555555L, IXC, run(e, FDIV_D, RM, ONE, THREE));
        expect(0xbfd5555555555556L, IXC, run(e, FDIV_D, RM, ONE | NEG, THREE));
        expect(0xbfd5555555555555L, IXC, run(e, FDIV_D, RZ, ONE | NEG, THREE));
        expect(HALF, 0, run(e, FDIV_D, RZ, ONE, TWO));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void tinyResultsUnderflow(A64Harness.Engine e) {
        // 2^-1075 is exactly half the smallest denormal: a tie that RN breaks to even (zero).
        expect(0, UFC | IXC, run(e, FMUL_D, RN, MIN_DENORMAL, HALF));
        expect(1, UFC | IXC, run(e, FMUL_D, RP, MIN_DENORMAL, HALF));
        expect(0, UFC | IXC, run(e, FMUL_D, RM, MIN_DENORMAL, HALF));
        expect(NEG | 1, UFC | IXC, run(e, FMUL_D, RM, MIN_DENORMAL | NEG, HALF));
        expect(1, UFC | IXC, run(e, FMUL_D, RN, MIN_DENORMAL, 0x3fe8000000000000L));
        // An exact denormal result is not an underflow.
        expect(MIN_DENORMAL, 0, run(e, FMUL_D, RN, 2, HALF));
        // Tininess is judged before rounding: (1 - 2^-104) * 2^-1022 rounds up to the smallest normal but underflows.
        expect(MIN_NORMAL, UFC | IXC, run(e, FMUL_D, RN, 0x3ff0000000000001L, MAX_DENORMAL));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void overflowGoesToInfinityOrMaxPerMode(A64Harness.Engine e) {
        expect(INF, OFC | IXC, run(e, FMUL_D, RN, MAX, TWO));
        expect(INF, OFC | IXC, run(e, FMUL_D, RP, MAX, TWO));
        expect(MAX, OFC | IXC, run(e, FMUL_D, RM, MAX, TWO));
        expect(MAX, OFC | IXC, run(e, FMUL_D, RZ, MAX, TWO));
        expect(NEG | INF, OFC | IXC, run(e, FMUL_D, RM, MAX | NEG, TWO));
        expect(NEG | MAX, OFC | IXC, run(e, FMUL_D, RP, MAX | NEG, TWO));
        expect(INF, 0, run(e, FMUL_D, RZ, INF, TWO));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void exactResultsRaiseNothingAndZeroSignFollowsMode(A64Harness.Engine e) {
        expect(THREE, 0, run(e, FADD_D, RN, ONE, TWO));
        expect(0, 0, run(e, FADD_D, RN, ONE, ONE | NEG));
        expect(NEG, 0, run(e, FADD_D, RM, ONE, ONE | NEG));
        expect(NEG, 0, run(e, FADD_D, RN, NEG, NEG));
        expect(0, 0, run(e, FADD_D, RN, NEG, 0));
        expect(0x40400000L, 0, run(e, FADD_S, RZ, 0x3f800000L, 0x40000000L));
        // 1 + 2^-53 is a tie between 1 and 1 + 2^-52: RN keeps the even 1, RP rounds up.
        expect(ONE, IXC, run(e, FADD_D, RN, ONE, 0x3ca0000000000000L));
        expect(ONE + 1, IXC, run(e, FADD_D, RP, ONE, 0x3ca0000000000000L));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void nanPropagation(A64Harness.Engine e) {
        expect(SNAN | 1L << 51, IOC, run(e, FADD_D, RN, QNAN, SNAN));
        expect(QNAN, 0, run(e, FADD_D, RN, QNAN, 0x7ff8000000000999L));
        expect(0x7ff8000000000999L, 0, run(e, FADD_D, RN, ONE, 0x7ff8000000000999L));
        expect(DEFAULT_NAN, 0, run(e, FADD_D, DN, QNAN, ONE));
        expect(DEFAULT_NAN, IOC, run(e, FADD_D, DN, SNAN, ONE));
        expect(DEFAULT_NAN, IOC, run(e, FADD_D, RN, INF, INF | NEG));
        expect(DEFAULT_NAN, IOC, run(e, FMUL_D, RN, INF, 0));
        expect(DEFAULT_NAN, IOC, run(e, FDIV_D, RN, 0, 0));
        expect(INF | NEG, DZC, run(e, FDIV_D, RN, ONE | NEG, 0));
        expect(DEFAULT_NAN, IOC, run(e, FSQRT_D, RN, ONE | NEG, 0));
        expect(NEG, 0, run(e, FSQRT_D, RN, NEG, 0));
        // FMADD d0, d1, d2, d3 = d3 + d1 * d2: a quiet NaN addend with infinity times zero is still invalid.
        expect(DEFAULT_NAN, IOC, run(e, FMADD_D, RN, INF, 0, QNAN));
        expect(QNAN, 0, run(e, FMADD_D, RN, ONE, TWO, QNAN));
        // The addend's signalling NaN beats the multiplicands' ones.
        expect(0x7ff8000000000777L, IOC, run(e, FMADD_D, RN, SNAN, SNAN, 0x7ff0000000000777L));
        // FMSUB negates the first multiplicand before the operation: a NaN there comes out with its sign flipped.
        expect(QNAN | NEG, 0, run(e, FMSUB_D, RN, QNAN, ONE, TWO));
        expect(QNAN | NEG, 0, run(e, FNMADD_D, RN, ONE, ONE, QNAN));
        expect(QNAN | NEG, 0, run(e, FNMUL_D, RN, QNAN, ONE));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void fusedMultiplyAddRoundsOnce(A64Harness.Engine e) {
        // (1 + 2^-52)^2 - (1 + 2^-51) = 2^-104 exactly: a separate multiply would lose it.
        long a = ONE + 1;
        expect(0x3970000000000000L, 0, run(e, FMADD_D, RN, a, a, 0xbff0000000000002L));
        expect(0x3970000000000000L | NEG, 0, run(e, FNMADD_D, RN, a, a, 0xbff0000000000002L));
        expect(NEG, 0, run(e, FMADD_D, RM, ONE, ONE, ONE | NEG));
        expect(0, 0, run(e, FMADD_D, RN, ONE, ONE, ONE | NEG));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void flushToZero(A64Harness.Engine e) {
        expect(MIN_DENORMAL, 0, run(e, FADD_D, RN, MIN_DENORMAL, 0));
        expect(0, IDC, run(e, FADD_D, FZ, MIN_DENORMAL, 0));
        expect(ONE, IDC, run(e, FADD_D, FZ, MIN_DENORMAL, ONE));
        // A denormal result flushes to zero: Underflow, but not Inexact.
        expect(0, UFC, run(e, FMUL_D, FZ, MIN_NORMAL, HALF));
        expect(NEG, UFC, run(e, FMUL_D, FZ | RP, MIN_NORMAL | NEG, HALF));
        expect(MIN_NORMAL >>> 1, 0, run(e, FMUL_D, RN, MIN_NORMAL, HALF));
        // FZ judges the unrounded result: this one would round up to the smallest normal.
        expect(0, UFC, run(e, FMUL_D, FZ, MIN_NORMAL, 0x3fefffffffffffffL));
        expect(MIN_NORMAL, UFC | IXC, run(e, FMUL_D, RN, MIN_NORMAL, 0x3fefffffffffffffL));
    }

    static final int FCVTZS_XD = 0x9e780020, FCVTZS_WD = 0x1e780020, FCVTZU_XD = 0x9e790020, FCVTNS_WD = 0x1e600020;
    static final int FCVTAS_WD = 0x1e640020, FCVTMS_WD = 0x1e700020, FCVTPS_WD = 0x1e680020;
    static final int FCVTZS_WS_FIX8 = 0x1e18e020, SCVTF_SW_FIX8 = 0x1e02e020;
    static final int SCVTF_DX = 0x9e620020, UCVTF_DX = 0x9e630020, SCVTF_SW = 0x1e220020;

    long toInt(A64Harness.Engine e, int insn, int fpcr, long d1) {
        h.cpu.x[0] = 0x5555_5555_5555_5555L;
        run(e, insn, fpcr, d1, 0);
        return h.cpu.x[0];
    }

    void expectInt(long value, int fpsr, long got) {
        assertEquals(Long.toHexString(value), Long.toHexString(got));
        assertEquals(Integer.toHexString(fpsr), Integer.toHexString(h.cpu.fpsr), "FPSR");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void floatToIntegerSaturates(A64Harness.Engine e) {
        long twoTo63 = 0x43e0000000000000L;
        expectInt(Long.MAX_VALUE, IOC, toInt(e, FCVTZS_XD, RN, twoTo63));
        expectInt(Long.MIN_VALUE, 0, toInt(e, FCVTZS_XD, RN, twoTo63 | NEG));
        expectInt(Long.MIN_VALUE, IOC, toInt(e, FCVTZS_XD, RN, 0xc3e0000000000001L));
        expectInt(0x7ffffffffffffc00L, 0, toInt(e, FCVTZS_XD, RN, 0x43dfffffffffffffL));
        expectInt(0, IOC, toInt(e, FCVTZS_XD, RN, QNAN));
        expectInt(0, IOC, toInt(e, FCVTZS_XD, RN, SNAN));
        expectInt(Long.MAX_VALUE, IOC, toInt(e, FCVTZS_XD, RN, INF));
        expectInt(-1L, 0, toInt(e, FCVTZU_XD, RN, 0x43efffffffffffffL) | 0x7ffL);
        expectInt(-1L, IOC, toInt(e, FCVTZU_XD, RN, 0x43f0000000000000L));
        expectInt(0, IOC, toInt(e, FCVTZU_XD, RN, ONE | NEG));
        expectInt(0, IXC, toInt(e, FCVTZU_XD, RN, HALF | NEG));
        // W results saturate at 32 bits and clear the upper half of X.
        expectInt(0x7fffffffL, IOC, toInt(e, FCVTZS_WD, RN, 0x41e0000000000000L));
        expectInt(0x80000000L, 0, toInt(e, FCVTZS_WD, RN, 0xc1e0000000000000L));
        expectInt(0xffffffffL, IXC, toInt(e, FCVTZS_WD, RN, 0xbff8000000000000L));
        expectInt(0x7fffffffL, IXC, toInt(e, FCVTZS_WD, RN, 0x41dfffffffff3333L));
        expectInt(0x80000000L, IXC, toInt(e, FCVTZS_WD, RN, 0xc1e0000000100000L));
        expectInt(0x80000000L, IOC, toInt(e, FCVTZS_WD, RN, 0xc1e0000000200000L));
        expectInt(0, 0, toInt(e, FCVTZS_WD, RN, NEG));
        expectInt(0, IDC, toInt(e, FCVTZS_WD, FZ, MIN_DENORMAL));
        expectInt(0, IXC, toInt(e, FCVTZS_WD, RN, MIN_DENORMAL));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void floatToIntegerRoundingModes(A64Harness.Engine e) {
        long twoAndHalf = 0x4004000000000000L, threeAndHalf = 0x400c000000000000L;
        expectInt(2, IXC, toInt(e, FCVTNS_WD, RP, twoAndHalf));
        expectInt(4, IXC, toInt(e, FCVTNS_WD, RN, threeAndHalf));
        expectInt(3, IXC, toInt(e, FCVTAS_WD, RN, twoAndHalf));
        expectInt(0xfffffffdL, IXC, toInt(e, FCVTAS_WD, RN, twoAndHalf | NEG));
        expectInt(0xffffffffL, IXC, toInt(e, FCVTMS_WD, RN, HALF | NEG));
        expectInt(0, IXC, toInt(e, FCVTPS_WD, RN, HALF | NEG));
        expectInt(1, IXC, toInt(e, FCVTPS_WD, RN, 0x3fb999999999999aL));
        expectInt(2, 0, toInt(e, FCVTZS_WD, RM, TWO));
        // Fixed point: 1.5 * 2^8 = 384.
        expectInt(384, 0, toInt(e, FCVTZS_WS_FIX8, RN, 0x3fc00000L));
    }

    long fromInt(A64Harness.Engine e, int insn, int fpcr, long x1) {
        h.cpu.x[1] = x1;
        return run(e, insn, fpcr, 0, 0);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void integerToFloatHonoursRoundingMode(A64Harness.Engine e) {
        long twoTo53 = 0x4340000000000000L;
        expect(twoTo53, IXC, fromInt(e, SCVTF_DX, RN, (1L << 53) + 1));
        expect(twoTo53 + 1, IXC, fromInt(e, SCVTF_DX, RP, (1L << 53) + 1));
        expect(twoTo53 + 2, IXC, fromInt(e, SCVTF_DX, RN, (1L << 53) + 3));
        expect(twoTo53 | NEG, IXC, fromInt(e, SCVTF_DX, RP, -(1L << 53) - 1));
        expect(0xc3e0000000000000L, 0, fromInt(e, SCVTF_DX, RN, Long.MIN_VALUE));
        expect(0x43e0000000000000L, IXC, fromInt(e, SCVTF_DX, RN, Long.MAX_VALUE));
        expect(0x43dfffffffffffffL, IXC, fromInt(e, SCVTF_DX, RZ, Long.MAX_VALUE));
        expect(0x43f0000000000000L, IXC, fromInt(e, UCVTF_DX, RN, -1L));
        expect(0x43efffffffffffffL, IXC, fromInt(e, UCVTF_DX, RZ, -1L));
        expect(0, 0, fromInt(e, UCVTF_DX, RM, 0));
        // SCVTF from W sign-extends and ignores the upper half of X.
        expect(0xbf800000L, 0, fromInt(e, SCVTF_SW, RN, 0x12345678_ffffffffL));
        expect(0x3f000000L, 0, fromInt(e, SCVTF_SW_FIX8, RN, 128));
    }

    static final int FRINTN = 0x1e644020, FRINTA = 0x1e664020, FRINTM = 0x1e654020, FRINTP = 0x1e64c020;
    static final int FRINTZ = 0x1e65c020, FRINTX = 0x1e674020, FRINTI = 0x1e67c020;

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void roundToIntegral(A64Harness.Engine e) {
        long twoAndHalf = 0x4004000000000000L, minusSeven10ths = 0xbfe6666666666666L;
        expect(TWO, 0, run(e, FRINTN, RP, twoAndHalf, 0));
        expect(THREE, 0, run(e, FRINTA, RN, twoAndHalf, 0));
        expect(THREE | NEG, 0, run(e, FRINTA, RN, twoAndHalf | NEG, 0));
        expect(ONE | NEG, 0, run(e, FRINTM, RN, HALF | NEG, 0));
        expect(NEG, 0, run(e, FRINTP, RN, HALF | NEG, 0));
        expect(NEG, 0, run(e, FRINTZ, RN, minusSeven10ths, 0));
        expect(TWO, IXC, run(e, FRINTX, RN, twoAndHalf, 0));
        expect(THREE, 0, run(e, FRINTI, RP, twoAndHalf, 0));
        expect(0x4330000000000001L, 0, run(e, FRINTX, RN, 0x4330000000000001L, 0));
        expect(QNAN, 0, run(e, FRINTN, RN, QNAN, 0));
        expect(SNAN | 1L << 51, IOC, run(e, FRINTN, RN, SNAN, 0));
        expect(0, IDC, run(e, FRINTP, FZ, MIN_DENORMAL, 0));
        expect(ONE, 0, run(e, FRINTP, RN, MIN_DENORMAL, 0));
    }

    static final int FCMP = 0x1e622020, FCMPE = 0x1e622030, FCMP_ZERO = 0x1e602028, FCCMP_EQ_4 = 0x1e620424;

    int compare(A64Harness.Engine e, int insn, long d1, long d2) {
        h.cpu.nzcv = 0xF0000000;
        run(e, insn, RN, d1, d2);
        return h.nzcv();
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void compareFlags(A64Harness.Engine e) {
        assertEquals(0b1000, compare(e, FCMP, ONE, TWO));
        assertEquals(0b0010, compare(e, FCMP, TWO, ONE));
        assertEquals(0b0110, compare(e, FCMP, TWO, TWO));
        assertEquals(0b0110, compare(e, FCMP, NEG, 0));
        assertEquals(0, h.cpu.fpsr);
        assertEquals(0b0011, compare(e, FCMP, QNAN, ONE));
        assertEquals(0, h.cpu.fpsr, "FCMP is quiet for quiet NaNs");
        assertEquals(0b0011, compare(e, FCMP, ONE, SNAN));
        assertEquals(IOC, h.cpu.fpsr);
        assertEquals(0b0011, compare(e, FCMPE, QNAN, ONE));
        assertEquals(IOC, h.cpu.fpsr, "FCMPE signals for any NaN");
        assertEquals(0b0110, compare(e, FCMP_ZERO, NEG, 0x5555));
        assertEquals(0b1000, compare(e, FCMP_ZERO, INF | NEG, 0));
        assertEquals(0b1000, compare(e, FCMP, INF | NEG, MAX | NEG));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void conditionalCompare(A64Harness.Engine e) {
        h.cpu.nzcv = Cpu.Z;
        run(e, FCCMP_EQ_4, RN, ONE, TWO);
        assertEquals(0b1000, h.nzcv(), "condition holds: compare");
        h.cpu.nzcv = 0;
        run(e, FCCMP_EQ_4, RN, ONE, TWO);
        assertEquals(0b0100, h.nzcv(), "condition fails: the immediate flags");
    }

    static final int FMAXNM = 0x1e626820, FMAX = 0x1e624820, FMIN = 0x1e625820;

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void maxAndMin(A64Harness.Engine e) {
        expect(ONE, 0, run(e, FMAXNM, RN, QNAN, ONE));
        expect(ONE, 0, run(e, FMAXNM, RN, ONE, QNAN));
        expect(QNAN, 0, run(e, FMAX, RN, QNAN, ONE));
        expect(SNAN | 1L << 51, IOC, run(e, FMAXNM, RN, SNAN, ONE));
        expect(0, 0, run(e, FMAX, RN, NEG, 0));
        expect(NEG, 0, run(e, FMIN, RN, 0, NEG));
        expect(TWO | NEG, 0, run(e, FMIN, RN, ONE, TWO | NEG));
        expect(0, IDC, run(e, FMAX, FZ, MIN_DENORMAL, ONE | NEG));
    }

    static final int FCVT_HS = 0x1e23c020, FCVT_SH = 0x1ee24020, FCVT_DS = 0x1e22c020;

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void precisionConversions(A64Harness.Engine e) {
        expect(0x7c00, OFC | IXC, run(e, FCVT_HS, RN, 0x477ff000L, 0));
        expect(0x7bff, IXC, run(e, FCVT_HS, RN, 0x477fefffL, 0));
        expect(0x7bff, IXC, run(e, FCVT_HS, RZ, 0x477ff000L, 0));
        expect(0x7bff, OFC | IXC, run(e, FCVT_HS, RZ, 0x47800000L, 0));
        expect(0x0001, UFC | IXC, run(e, FCVT_HS, RP, 0x00000001L, 0));
        // Half precision is outside FPCR.FZ's reach: its denormals survive both ways.
        expect(0x33800000L, 0, run(e, FCVT_SH, FZ, 0x0001, 0));
        expect(0x7fc02000L, IOC, run(e, FCVT_SH, RN, 0x7c01, 0));
        expect(0x7fc00000L, IOC, run(e, FCVT_SH, DN, 0x7c01, 0));
        expect(0x3ff8000000000000L, 0, run(e, FCVT_DS, RN, 0x3fc00000L, 0));
        expect(0xfff8000000000000L | 0x123L << 29, IOC, run(e, FCVT_DS, RN, 0xff800123L, 0));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void alternativeHalfPrecision(A64Harness.Engine e) {
        int ahp = 1 << 26;
        // Exponent 31 is an ordinary binade: 65536 fits, larger values saturate as Invalid Operation, not overflow.
        expect(0x7c00, 0, run(e, FCVT_HS, ahp, 0x47800000L, 0));
        expect(0x7fff, IOC, run(e, FCVT_HS, ahp, 0x48000000L, 0));
        expect(0xffff, IOC, run(e, FCVT_HS, ahp, 0xff800000L, 0));
        expect(0, IOC, run(e, FCVT_HS, ahp, 0x7fc00000L, 0));
        expect(0x47ffe000L, 0, run(e, FCVT_SH, ahp, 0x7fff, 0));
        expect(0xc7802000L, 0, run(e, FCVT_SH, ahp, 0xfc01, 0));
    }

    static final int FMOV_X_D = 0x9e660020, FMOV_V1D1_X2 = 0x9eaf0041, FMOV_S_W = 0x1e270020;
    static final int FMOV_X_V1D1 = 0x9eae0020, FMOV_D_IMM = 0x1e781000, FCSEL_LT = 0x1e62bc20;
    static final int FABS_S = 0x1e20c020, FNEG_D = 0x1e614020;

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void moves(A64Harness.Engine e) {
        Cpu c = h.cpu;
        c.setQ(1, 0x1111, 0x2222);
        h.x(0, 0).x(2, 0x3333).run(e, FMOV_X_D);
        assertEquals(0x1111, c.x[0]);
        h.run(e, FMOV_X_V1D1);
        assertEquals(0x2222, c.x[0]);
        h.run(e, FMOV_V1D1_X2);
        assertEquals(0x1111, c.v[2], "the low half is kept");
        assertEquals(0x3333, c.v[3]);
        c.setQ(0, -1, -1);
        h.x(1, 0xdead_beef_3f80_0000L).run(e, FMOV_S_W);
        assertEquals(0x3f800000L, c.v[0]);
        assertEquals(0, c.v[1]);
        expect(0xbfc0000000000000L, 0, run(e, FMOV_D_IMM, RN, 0, 0));
        expect(0x7fc00000L, 0, run(e, FABS_S, RN, 0xffc00000L, 0));
        expect(SNAN | NEG, 0, run(e, FNEG_D, RN, SNAN, 0));
        c.nzcv = Cpu.N;
        expect(ONE, 0, run(e, FCSEL_LT, RN, ONE, TWO));
        c.nzcv = 0;
        expect(TWO, 0, run(e, FCSEL_LT, RN, ONE, TWO));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void unallocatedEncodingsAreUndefined(A64Harness.Engine e) {
        // fcvt with ftype 10; FMOV W <-> D; FJCVTZS (FEAT_JSCVT is not implemented); half-precision fadd (FEAT_FP16).
        for (int insn : new int[] {0x1ea24020, 0x1e660020, 0x1e7e0020, 0x1ee22820}) {
            h.events.clear();
            h.run(e, insn);
            assertEquals(List.of(String.format("undefined %08x", insn)), h.events);
        }
    }
}
