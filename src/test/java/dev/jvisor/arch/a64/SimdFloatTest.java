package dev.jvisor.arch.a64;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Advanced SIMD floating point on hand-picked lanes: lane layout, Q=0 clearing, pairwise order, NaNs, estimates. */
class SimdFloatTest {
    static final int IOC = 1, DZC = 2, IXC = 16, IDC = 128, FZ = 1 << 24, RP = 1 << 22;
    static final long S1 = 0x3f800000L, S2 = 0x40000000L, S3 = 0x40400000L, S4 = 0x40800000L, S_HALF = 0x3f000000L;
    static final long S_QNAN = 0x7fc00001L, S_SNAN = 0x7f800001L, S_INF = 0x7f800000L, S_NEG = 0x80000000L;
    static final long D1 = 0x3ff0000000000000L, D2 = 0x4000000000000000L, D3 = 0x4008000000000000L;

    final A64Harness h = new A64Harness();

    static long pair(long lo, long hi) {
        return lo | hi << 32;
    }

    void set(int reg, long lo, long hi) {
        h.cpu.setQ(reg, lo, hi);
    }

    void run(A64Harness.Engine e, int insn, int fpcr) {
        h.cpu.fpcr = fpcr;
        h.cpu.fpsr = 0;
        h.run(e, insn);
        assertEquals(List.of(), h.events);
    }

    void expect(long lo, long hi, int fpsr) {
        assertEquals(Long.toHexString(lo), Long.toHexString(h.cpu.v[0]), "low half");
        assertEquals(Long.toHexString(hi), Long.toHexString(h.cpu.v[1]), "high half");
        assertEquals(Integer.toHexString(fpsr), Integer.toHexString(h.cpu.fpsr), "FPSR");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void addLanes(A64Harness.Engine e) {
        set(1, pair(S1, S2), pair(S3, S_HALF));
        set(2, pair(S2, S2), pair(S1, S_HALF));
        run(e, 0x4e22d420, 0); // fadd v0.4s, v1.4s, v2.4s
        expect(pair(S3, S4), pair(S4, S1), 0);
        set(0, -1, -1);
        run(e, 0x0e22d420, 0); // fadd v0.2s: the upper half is cleared
        expect(pair(S3, S4), 0, 0);
        set(1, D1, D2);
        set(2, D2, D2);
        run(e, 0x4e62d420, 0); // fadd v0.2d
        expect(D3, 0x4010000000000000L, 0);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void reservedEncodingsAreUndefined(A64Harness.Engine e) {
        // fadd v0.1d; fcvtzu v0.1d, #1; fmul v0.2d, v1.2d, v2.d[] with L set; fcvtxn from singles.
        for (int insn : new int[] {0x0e62d420, 0x2f7ffc20, 0x4fe29820, 0x2e216820}) {
            h.events.clear();
            h.run(e, insn);
            assertEquals(List.of(String.format("undefined %08x", insn)), h.events);
        }
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void byElement(A64Harness.Engine e) {
        set(0, pair(S1, S1), pair(S1, S1));
        set(1, pair(S1, S2), pair(S3, S4));
        set(2, pair(0, 0), pair(0, S2));
        run(e, 0x4fa21820, 0); // fmla v0.4s, v1.4s, v2.s[3]: 1 + v1 * 2
        expect(pair(S3, 0x40a00000L), pair(0x40e00000L, 0x41100000L), 0);
        set(0, -1, -1);
        set(2, pair(0, S3), 0);
        run(e, 0x5fa29020, 0); // fmul s0, s1, v2.s[1]
        expect(S3, 0, 0);
        set(1, D1, D2);
        set(2, 0, D3);
        run(e, 0x4fc29820, 0); // fmul v0.2d, v1.2d, v2.d[1]
        expect(D3, 0x4018000000000000L, 0);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void pairwise(A64Harness.Engine e) {
        set(1, pair(S1, S2), pair(S3, S4));
        set(2, pair(S_HALF, S_HALF), pair(S4, S4));
        run(e, 0x6e22d420, 0); // faddp v0.4s: n0+n1, n2+n3, m0+m1, m2+m3
        expect(pair(S3, 0x40e00000L), pair(S1, 0x41000000L), 0);
        run(e, 0x7e30d820, 0); // faddp s0, v1.2s
        expect(S3, 0, 0);
        set(1, D1, D2);
        run(e, 0x7e70d820, 0); // faddp d0, v1.2d
        expect(D3, 0, 0);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void acrossLanes(A64Harness.Engine e) {
        set(1, pair(S1, S4), pair(S3 | S_NEG, S2));
        run(e, 0x6e30f820, 0); // fmaxv
        expect(S4, 0, 0);
        run(e, 0x6eb0f820, 0); // fminv
        expect(S3 | S_NEG, 0, 0);
        set(1, pair(S1, S_QNAN), pair(S3, S2));
        run(e, 0x6e30f820, 0); // fmaxv propagates the NaN
        expect(S_QNAN, 0, 0);
        run(e, 0x6e30c820, 0); // fmaxnmv ignores a quiet NaN
        expect(S3, 0, 0);
        set(1, pair(S1, S_SNAN), pair(S3, S2));
        // A signalling NaN is invalid, but its quietened result then loses to the other pair's maximum.
        run(e, 0x6e30c820, 0);
        expect(S3, 0, IOC);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void narrowAndLengthen(A64Harness.Engine e) {
        set(0, 0x1234, 0x5678);
        set(1, pair(S1, S2), pair(0x477ff000L, S_HALF));
        run(e, 0x4e216820, 0); // fcvtn2 v0.8h, v1.4s: the low half is kept
        expect(0x1234, 0x3800_7c00_4000_3c00L, 0x14);
        set(1, D1, 0x3fd5555555555555L);
        run(e, 0x0e616820, 0); // fcvtn v0.2s, v1.2d
        expect(pair(S1, 0x3eaaaaabL), 0, IXC);
        set(1, 0, 0x3fd5555555555555L);
        run(e, 0x7e616820, 0); // fcvtxn s0, d1 rounds to odd
        expect(0, 0, 0);
        set(1, 0x3fd5555555555555L, 0);
        run(e, 0x7e616820, 0);
        expect(0x3eaaaaabL, 0, IXC);
        set(1, 0x3fd5555550000000L, 0);
        run(e, 0x7e616820, 0);
        expect(0x3eaaaaabL, 0, IXC);
        set(1, 0, pair(S1, S2 | S_NEG));
        run(e, 0x4e617820, 0); // fcvtl2 v0.2d, v1.4s
        expect(D1, D2 | 1L << 63, 0);
        set(1, 0x3800_7c00_4000_3c00L, 0);
        run(e, 0x0e217820, 0); // fcvtl v0.4s, v1.4h
        expect(pair(S1, S2), pair(S_INF, S_HALF), 0);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void estimates(A64Harness.Engine e) {
        set(1, S1, 0);
        run(e, 0x5ea1d820, 0); // frecpe s0, s1: 1.0 -> 0.998046875
        expect(0x3f7f8000L, 0, 0);
        set(1, S4, 0);
        run(e, 0x7ea1d820, 0); // frsqrte s0, s1: 1/sqrt(4) -> 0.4990234375
        expect(0x3eff8000L, 0, 0);
        set(1, S3, 0);
        run(e, 0x5ea1d820, 0); // 1/3 -> 0.3330078125
        expect(0x3eaa8000L, 0, 0);
        set(1, 0, 0);
        run(e, 0x5ea1d820, 0);
        expect(S_INF, 0, DZC);
        set(1, S1 | S_NEG, 0);
        run(e, 0x7ea1d820, 0); // frsqrte of a negative number
        expect(0x7fc00000L, 0, IOC);
        set(1, 1, 0);
        run(e, 0x5ea1d820, RP); // frecpe of a tiny denormal overflows
        expect(S_INF, 0, 0x14);
        run(e, 0x5ea1d820, FZ); // or, flushed, divides by zero
        expect(S_INF, 0, DZC | IDC);
        set(1, D2, 0x7fd0000000000000L);
        run(e, 0x4ee1d820, 0); // frecpe v0.2d: 0.5 -> 0.4990234375 and a denormal result
        expect(0x3fdff00000000000L, 0x000ff80000000000L, 0);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void immediatesAndCompares(A64Harness.Engine e) {
        run(e, 0x4f03f600, 0); // fmov v0.4s, #1.0
        expect(pair(S1, S1), pair(S1, S1), 0);
        run(e, 0x6f04f400, 0); // fmov v0.2d, #-2.0
        expect(0xc000000000000000L, 0xc000000000000000L, 0);
        set(1, pair(S1, S_NEG), pair(S_QNAN, S_INF));
        run(e, 0x4ea0c820, 0); // fcmgt v0.4s, v1.4s, #0.0
        expect(pair(0xffffffffL, 0), pair(0, 0xffffffffL), IOC);
        set(1, 1L << 63, D1 | 1L << 63);
        run(e, 0x4ee0e820, 0); // fcmlt v0.2d, v1.2d, #0.0
        expect(0, -1L, 0);
        set(1, D2, 0);
        set(2, D2, 0);
        run(e, 0x7e62e420, 0); // fcmge d0, d1, d2
        expect(-1L, 0, 0);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void fixedPointConversions(A64Harness.Engine e) {
        set(1, pair(0x10000, 0xffff8000L), pair(1, 0x7fffffffL));
        run(e, 0x4f30e420, 0); // scvtf v0.4s, v1.4s, #16
        expect(pair(S1, 0xbf000000L), pair(0x37800000L, 0x47000000L), IXC);
        set(1, 0x3ff8000000000000L, 0xbff0000000000000L);
        run(e, 0x6f7ffc20, 0); // fcvtzu v0.2d, v1.2d, #1: 1.5 * 2 = 3; negative saturates to 0
        expect(3, 0, IOC);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void fusedVectorForms(A64Harness.Engine e) {
        set(0, D3, D3);
        set(1, D1, D2);
        set(2, D2, D1);
        run(e, 0x4ee2cc20, 0); // fmls v0.2d: 3 - v1 * v2
        expect(D1, D1, 0);
        set(0, D1, 0x7ff8000000000001L);
        set(1, D1, D1);
        set(2, 0, 0x7ff8000000000002L);
        run(e, 0x4fc21820, 0); // fmla v0.2d, v1.2d, v2.d[1]: the accumulator's NaN wins over the element's
        expect(0x7ff8000000000002L, 0x7ff8000000000001L, 0);
        set(1, 0x3ff8000000000000L, 0x7ff0000000000001L);
        run(e, 0x6ee1f820, 0); // fsqrt v0.2d
        expect(0x3ff3988e1409212eL, 0x7ff8000000000001L, IOC | IXC);
        set(1, pair(0x40200000L, 0xc0200000L), pair(S_HALF, 0x3fc00000L));
        run(e, 0x6e218820, 0); // frinta v0.4s: 2.5 -> 3, -2.5 -> -3, 0.5 -> 1, 1.5 -> 2
        expect(pair(S3, S3 | S_NEG), pair(S1, S2), 0);
    }
}
