package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.A64Harness.Engine;
import dev.jvisor.arch.a64.CpuModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Integer data processing: exact results and flags at the edges. Encodings come from aarch64-linux-gnu-as. */
class DataProcessingTest {
    private static final long MIN = Long.MIN_VALUE;

    private static A64Harness h() {
        return new A64Harness();
    }

    private static void assertUndefined(Engine e, int insn) {
        A64Harness h = h().run(e, insn);
        assertEquals(List.of(String.format("undefined %08x", insn)), h.events);
        assertEquals(A64Harness.CODE, h.cpu.pc);
    }

    // ---- add/subtract immediate ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void addImmediate(Engine e) {
        A64Harness h = h().x(1, 5).run(e, 0x91004020 /* add x0, x1, #16 */);
        assertEquals(21, h.x(0));
        h = h().x(1, 0xFFFF_FFFF_FFFF_F000L).run(e, 0x11400420 /* add w0, w1, #1, lsl #12 */);
        assertEquals(0, h.x(0), "32-bit wraps and zeroes the top half");
        h = h().x(1, 0x1234).run(e, 0x9100003f /* mov sp, x1 */, 0x910023e2 /* add x2, sp, #8 */,
            0xd14007e3 /* sub x3, sp, #0x1, lsl #12 */);
        assertEquals(0x1234, h.cpu.sp());
        assertEquals(0x123C, h.x(2));
        assertEquals(0x234, h.x(3));
        h = h().x(1, -1).run(e, 0x1100003f /* add wsp, w1, #0 */);
        assertEquals(0xFFFF_FFFFL, h.cpu.sp(), "WSP write zero-extends");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void addsImmediateFlags(Engine e) {
        A64Harness h = h().x(1, Long.MAX_VALUE).run(e, 0xb1000420 /* adds x0, x1, #1 */);
        assertEquals(MIN, h.x(0));
        assertEquals(0b1001, h.nzcv(), "signed overflow, no carry");
        h = h().x(1, -1).run(e, 0xb1000420 /* adds x0, x1, #1 */);
        assertEquals(0, h.x(0));
        assertEquals(0b0110, h.nzcv(), "zero with carry");
        h = h().x(1, 5).run(e, 0xf100143f /* cmp x1, #5 */);
        assertEquals(0b0110, h.nzcv(), "equal: Z and no borrow");
        assertEquals(0, h.cpu.sp(), "CMP's Rd 31 is the zero register, not SP");
        h = h().x(1, 4).run(e, 0xf100143f /* cmp x1, #5 */);
        assertEquals(0b1000, h.nzcv(), "borrow clears C");
        h = h().x(1, 0x1_0000_0000L).run(e, 0x7100043f /* cmp w1, #1 */);
        assertEquals(0b1000, h.nzcv(), "32-bit compare sees only w1 = 0");
        h = h().x(1, 0x8000_0000L).run(e, 0x71000420 /* subs w0, w1, #1 */);
        assertEquals(0x7FFF_FFFFL, h.x(0));
        assertEquals(0b0011, h.nzcv(), "INT_MIN - 1 overflows");
        h = h().x(1, 0xFFFF_FFFFL).run(e, 0x3100043f /* cmn w1, #1 */);
        assertEquals(0b0110, h.nzcv());
        h = h().x(1, 0).run(e, 0xf1000020 /* subs x0, x1, #0 */);
        assertEquals(0b0110, h.nzcv(), "x - 0 sets C");
    }

    // ---- add/subtract register ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void addSubShiftedRegister(Engine e) {
        A64Harness h = h().x(1, 1).x(2, 1).run(e, 0x8b02fc20 /* add x0, x1, x2, lsl #63 */,
            0xcb020023 /* sub x3, x1, x2, lsl #0 */,
            0x8b820424 /* add x4, x1, x2, asr #1 */);
        assertEquals(MIN + 1, h.x(0));
        assertEquals(0, h.x(3));
        assertEquals(1, h.x(4));
        h = h().x(1, 10).x(2, MIN).run(e, 0xcb82fc20 /* sub x0, x1, x2, asr #63 */,
            0xcb42fc23 /* sub x3, x1, x2, lsr #63 */);
        assertEquals(11, h.x(0));
        assertEquals(9, h.x(3));
        h = h().x(1, 0xFFFF_FFFF_0000_0000L).x(2, 1).run(e, 0x0b027c20 /* add w0, w1, w2, lsl #31 */);
        assertEquals(0x8000_0000L, h.x(0));
        h = h().x(2, 7).run(e, 0xcb0203e0 /* neg x0, x2 */, 0x6b020be3 /* negs w3, w2, lsl #2 */);
        assertEquals(-7, h.x(0));
        assertEquals(0xFFFF_FFE4L, h.x(3));
        assertEquals(0b1000, h.nzcv());
        h = h().x(1, 3).x(2, 3).run(e, 0xeb02003f /* cmp x1, x2 */);
        assertEquals(0b0110, h.nzcv());
        h = h().x(1, Long.MAX_VALUE).x(2, 1).run(e, 0xab020020 /* adds x0, x1, x2 */);
        assertEquals(0b1001, h.nzcv());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void addSubShiftedRegisterUnallocated(Engine e) {
        assertUndefined(e, 0x8bc20020); // add x0, x1, x2 with shift type 11 (ROR)
        assertUndefined(e, 0x0b028020); // add w0, w1, w2, lsl #32
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void addSubExtendedRegister(Engine e) {
        A64Harness h = h().x(1, 100).x(2, 0xFFFF_FFFFL).run(e, 0x8b22c820 /* add x0, x1, w2, sxtw #2 */);
        assertEquals(96, h.x(0));
        h = h().x(1, 100).x(2, 0x1FF).run(e, 0x8b220020 /* add x0, x1, w2, uxtb */,
            0xcb223023 /* sub x3, x1, w2, uxth #4 */);
        assertEquals(355, h.x(0));
        assertEquals(100 - 0x1FF0, h.x(3));
        h = h().x(1, 0).x(2, 0x8000).run(e, 0x8b22a020 /* add x0, x1, w2, sxth */);
        assertEquals(-0x8000, h.x(0));
        h = h().x(1, 0x10).run(e, 0x9100003f /* mov sp, x1 */, 0x8b2163e0 /* add x0, sp, x1 */,
            0x8b216bff /* add sp, sp, x1, lsl #2 */);
        assertEquals(0x20, h.x(0));
        assertEquals(0x50, h.cpu.sp());
        h = h().x(3, 0x40).run(e, 0x9100007f /* mov sp, x3 */, 0xeb2363ff /* cmp sp, x3 */);
        assertEquals(0b0110, h.nzcv());
        h = h().x(2, 0x1FF).x(1, 0x100).run(e, 0x9100003f /* mov sp, x1 */, 0x4b2207e0 /* sub w0, wsp, w2, uxtb #1 */);
        assertEquals(0x100 - 0x1FE & 0xFFFF_FFFFL, h.x(0));
        h = h().x(1, -1).x(2, 1).run(e, 0xab22e020 /* adds x0, x1, x2, sxtx */);
        assertEquals(0b0110, h.nzcv());
        assertUndefined(e, 0x8b225420); // add x0, x1, w2, uxtw #5
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void addSubWithCarry(Engine e) {
        A64Harness h = h().x(1, 1).x(2, 1);
        h.cpu.nzcv = 0x2000_0000;
        h.run(e, 0x9a020020 /* adc x0, x1, x2 */, 0xda020023 /* sbc x3, x1, x2 */);
        assertEquals(3, h.x(0));
        assertEquals(0, h.x(3), "SBC with C set is plain subtraction");
        h = h().x(1, 5).x(2, 3).run(e, 0xda020020 /* sbc x0, x1, x2 */);
        assertEquals(1, h.x(0), "SBC with C clear subtracts one more");
        h = h().x(1, -1).x(2, 0);
        h.cpu.nzcv = 0x2000_0000;
        h.run(e, 0xba020020 /* adcs x0, x1, x2 */);
        assertEquals(0, h.x(0));
        assertEquals(0b0110, h.nzcv(), "carry in propagates to carry out");
        h = h().x(1, 0x7FFF_FFFFL).x(2, 0);
        h.cpu.nzcv = 0x2000_0000;
        h.run(e, 0x3a020020 /* adcs w0, w1, w2 */);
        assertEquals(0x8000_0000L, h.x(0));
        assertEquals(0b1001, h.nzcv());
        h = h().x(1, 0).x(2, 0).run(e, 0x7a020020 /* sbcs w0, w1, w2 */);
        assertEquals(0xFFFF_FFFFL, h.x(0));
        assertEquals(0b1000, h.nzcv(), "0 - 0 - borrow");
        h = h().x(2, 5);
        h.cpu.nzcv = 0x2000_0000;
        h.run(e, 0xda0203e0 /* ngc x0, x2 */);
        assertEquals(-5, h.x(0));
    }

    // ---- logical ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void logicalImmediate(Engine e) {
        A64Harness h = h().x(1, -1).run(e, 0x92401c20 /* and x0, x1, #0xff */, 0x12089c22 /* and w2, w1, #0xff00ff00 */,
            0x92441c23 /* and x3, x1, #0xf00000000000000f */, 0xb200f3e4 /* orr x4, xzr, #0x5555555555555555 */,
            0x320107e5 /* orr w5, wzr, #0x80000001 */, 0xd2410026 /* eor x6, x1, #0x8000000000000000 */,
            0xb27ffbe7 /* orr x7, xzr, #0xfffffffffffffffe */, 0x9240f828 /* and x8, x1, #0x7fffffffffffffff */);
        assertEquals(0xFF, h.x(0));
        assertEquals(0xFF00_FF00L, h.x(2));
        assertEquals(0xF000_0000_0000_000FL, h.x(3));
        assertEquals(0x5555_5555_5555_5555L, h.x(4));
        assertEquals(0x8000_0001L, h.x(5));
        assertEquals(Long.MAX_VALUE, h.x(6));
        assertEquals(-2L, h.x(7));
        assertEquals(Long.MAX_VALUE, h.x(8));
        h = h().x(1, MIN).run(e, 0xf2410020 /* ands x0, x1, #0x8000000000000000 */);
        assertEquals(0b1000, h.nzcv());
        h = h().x(1, 2).run(e, 0x7200003f /* tst w1, #1 */);
        assertEquals(0b0100, h.nzcv());
        h = h().x(1, 0x1000).run(e, 0xd240003f /* eor sp, x1, #1 */);
        assertEquals(0x1001, h.cpu.sp(), "logical immediate writes SP for Rd 31");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void logicalImmediateUnallocated(Engine e) {
        assertUndefined(e, 0x12401c20); // and w0, w1 with N = 1
        assertUndefined(e, 0x9240fc20); // and x0, x1 with N = 1, imms = 111111: all-ones element
        assertUndefined(e, 0x1200fc20); // 32-bit imms 111111 with N = 0: no element size
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void logicalShiftedRegister(Engine e) {
        A64Harness h = h().x(1, 0xF0F0).x(2, 0xFF00).run(e, 0x8a020020 /* and x0, x1, x2 */,
            0x8a220023 /* bic x3, x1, x2 */,
            0xaa020024 /* orr x4, x1, x2 */, 0x2a220025 /* orn w5, w1, w2 */, 0xca020026 /* eor x6, x1, x2 */,
            0xca220027 /* eon x7, x1, x2 */,
            0xaa2203e8 /* mvn x8, x2 */, 0x2a0203e9 /* mov w9, w2 */, 0x8ac2202a /* and x10, x1, x2, ror #8 */);
        assertEquals(0xF000, h.x(0));
        assertEquals(0x00F0, h.x(3));
        assertEquals(0xFFF0, h.x(4));
        assertEquals(0xFFFF_00FFL | 0xF0F0, h.x(5));
        assertEquals(0x0FF0, h.x(6));
        assertEquals(~0x0FF0L, h.x(7));
        assertEquals(~0xFF00L, h.x(8));
        assertEquals(0xFF00, h.x(9));
        assertEquals(0xF0F0 & 0xFF, h.x(10));
        h = h().x(1, 1).x(2, 3).run(e, 0x8ac20420 /* and x0, x1, x2, ror #1 */);
        assertEquals(1, h.x(0), "ROR #1 moves bit 0 to bit 63");
        h = h().x(2, 3).run(e, 0xaac207e0 /* orr x0, xzr, x2, ror #1 */, 0x2ac207e1 /* orr w1, wzr, w2, ror #1 */);
        assertEquals(0x8000_0000_0000_0001L, h.x(0));
        assertEquals(0x8000_0001L, h.x(1));
        h = h().x(1, MIN).x(2, -1).run(e, 0xea020020 /* ands x0, x1, x2 */);
        assertEquals(0b1000, h.nzcv());
        h = h().x(1, 0xFF).x(2, 0xFF);
        h.cpu.nzcv = 0xF000_0000;
        h.run(e, 0x6a220020 /* bics w0, w1, w2 */);
        assertEquals(0b0100, h.nzcv(), "logical flag setting clears C and V");
        assertUndefined(e, 0x0a028020); // and w0, w1, w2, lsl #32
    }

    // ---- move wide ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void moveWide(Engine e) {
        A64Harness h = h().x(0, -1).x(3, -1).run(e, 0xd2a24681 /* movz x1, #0x1234, lsl #16 */,
            0x92c24682 /* movn x2, #0x1234, lsl #32 */, 0x12824684 /* movn w4, #0x1234 */,
            0xf2e24680 /* movk x0, #0x1234, lsl #48 */,
            0x72800023 /* movk w3, #0x1 */, 0x92800005 /* movn x5, #0 */, 0x52bfffe6 /* movz w6, #0xffff, lsl #16 */);
        assertEquals(0x1234_0000L, h.x(1));
        assertEquals(0xFFFF_EDCB_FFFF_FFFFL, h.x(2));
        assertEquals(0xFFFF_EDCBL, h.x(4));
        assertEquals(0x1234_FFFF_FFFF_FFFFL, h.x(0));
        assertEquals(0xFFFF_0001L, h.x(3), "32-bit MOVK zeroes the top half");
        assertEquals(-1L, h.x(5));
        assertEquals(0xFFFF_0000L, h.x(6));
        assertUndefined(e, 0x52c00000); // movz w0, #0, lsl #32
    }

    // ---- PC-relative ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void adrAndAdrp(Engine e) {
        // At 0x1000 and 0x1004; ADRP at 0x1008 and 0x100c, page offset 8 and 0xc.
        A64Harness h = h().run(e, 0x10000080 /* adr x0, .+16 */, 0x10fffff1 /* adr x17, .-4 */,
            0xf0000002 /* adrp x2, .+0x3000 */, 0xf0ffffe3 /* adrp x3, .-0x1000 */);
        assertEquals(0x1010, h.x(0));
        assertEquals(0x1000, h.x(17));
        assertEquals(0x4000, h.x(2));
        assertEquals(0, h.x(3));
        assertEquals("adr x17, 0x1000", DisassemblyOf.text(0x10fffff1, 0x1004));
        assertEquals("adrp x2, 0x4000", DisassemblyOf.text(0xf0000002, 0x1008));
    }

    // ---- bitfield and extract ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void shiftAliases(Engine e) {
        A64Harness h = h().x(1, MIN).run(e, 0x937ffc20 /* asr x0, x1, #63 */, 0xd37ffc22 /* lsr x2, x1, #63 */,
            0x9340fc23 /* asr x3, x1, #0 */,
            0x53007c24 /* lsr w4, w1, #0 */);
        assertEquals(-1, h.x(0));
        assertEquals(1, h.x(2));
        assertEquals(MIN, h.x(3));
        assertEquals(0, h.x(4));
        h = h().x(1, 0xFFFF_FFFF_0000_0001L).run(e, 0xd3410020 /* lsl x0, x1, #63 */, 0x53010022 /* lsl w2, w1, #31 */,
            0x13007c23 /* asr w3, w1, #0 */, 0xd340fc24 /* lsl x4, x1, #0 */);
        assertEquals(MIN, h.x(0));
        assertEquals(0x8000_0000L, h.x(2));
        assertEquals(1, h.x(3));
        assertEquals(0xFFFF_FFFF_0000_0001L, h.x(4));
        h = h().x(1, 0x8000_0000L).run(e, 0x131f7c20 /* asr w0, w1, #31 */);
        assertEquals(0xFFFF_FFFFL, h.x(0));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void extendAliases(Engine e) {
        A64Harness h = h().x(1, 0xFFFF_FFFF_8000_8080L).run(e, 0x93401c20 /* sxtb x0, w1 */,
            0x13003c22 /* sxth w2, w1 */,
            0x93407c23 /* sxtw x3, w1 */, 0x53001c24 /* uxtb w4, w1 */, 0x53003c25 /* uxth w5, w1 */,
            0x13001c26 /* sxtb w6, w1 */);
        assertEquals(0xFFFF_FFFF_FFFF_FF80L, h.x(0));
        assertEquals(0xFFFF_8080L, h.x(2));
        assertEquals(0xFFFF_FFFF_8000_8080L, h.x(3));
        assertEquals(0x80, h.x(4));
        assertEquals(0x8080, h.x(5));
        assertEquals(0xFFFF_FF80L, h.x(6));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void bitfieldExtractAndInsert(Engine e) {
        A64Harness h = h().x(1, 0xABCD_EF98_7654_3F21L).x(10, -1).x(11, -1).x(12, -1).x(13, 0).x(14, -1)
            .run(e, 0xd3442c20 /* ubfx x0, x1, #4, #8 */, 0x93442c22 /* sbfx x2, x1, #4, #8 */,
                0xd37c1c23 /* ubfiz x3, x1, #4, #8 */,
                0x93440c24 /* sbfiz x4, x1, #60, #4 */, 0xb37c1c2a /* bfi x10, x1, #4, #8 */,
                0xb3483c2b /* bfxil x11, x1, #8, #8 */,
                0xb3440fec /* bfc x12, #60, #4 */, 0xb340fc2d /* bfi x13, x1, #0, #64 */,
                0x331f002e /* bfm w14, w1, #31, #0 */,
                0x9340fc25 /* sbfx x5, x1, #0, #64 */, 0xd37ffc26 /* ubfx x6, x1, #63, #1 */,
                0x13082c27 /* sbfx w7, w1, #8, #4 */);
        assertEquals(0xF2, h.x(0));
        assertEquals(0xFFFF_FFFF_FFFF_FFF2L, h.x(2));
        assertEquals(0x210, h.x(3));
        assertEquals(0x1000_0000_0000_0000L, h.x(4));
        assertEquals(0xFFFF_FFFF_FFFF_F21FL, h.x(10));
        assertEquals(0xFFFF_FFFF_FFFF_FF3FL, h.x(11));
        assertEquals(0x0FFF_FFFF_FFFF_FFFFL, h.x(12));
        assertEquals(0xABCD_EF98_7654_3F21L, h.x(13));
        assertEquals(0xFFFF_FFFFL, h.x(14), "32-bit BFM keeps only Wd, bit 1 from bit 0 of w1");
        assertEquals(0xABCD_EF98_7654_3F21L, h.x(5));
        assertEquals(1, h.x(6));
        assertEquals(0xFFFF_FFFFL, h.x(7), "sign of field 0xf, zero-extended from W");
        assertUndefined(e, 0x93031420); // sbfm x0, x1 with N = 0
        assertUndefined(e, 0x13203c20); // sbfm w0, w1 with immr = 32
        assertUndefined(e, 0x13403c20); // sbfm w0, w1 with N = 1
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void extract(Engine e) {
        A64Harness h = h().x(1, 0x1122_3344_5566_7788L).x(2, 0x99AA_BBCC_DDEE_FF00L).run(e,
            0x93c20020 /* extr x0, x1, x2, #0 */, 0x93c22023 /* extr x3, x1, x2, #8 */,
            0x13820024 /* extr w4, w1, w2, #0 */,
            0x13824025 /* extr w5, w1, w2, #16 */, 0x93c1fc26 /* ror x6, x1, #63 */,
            0x93c2fc27 /* extr x7, x1, x2, #63 */,
            0x13817c28 /* ror w8, w1, #31 */);
        assertEquals(0x99AA_BBCC_DDEE_FF00L, h.x(0));
        assertEquals(0x8899_AABB_CCDD_EEFFL, h.x(3));
        assertEquals(0xDDEE_FF00L, h.x(4));
        assertEquals(0x7788_DDEEL, h.x(5));
        assertEquals(0x2244_6688_AACC_EF10L, h.x(6));
        assertEquals(0x2244_6688_AACC_EF11L, h.x(7));
        assertEquals(0xAACC_EF10L, h.x(8));
        assertUndefined(e, 0x13828020); // extr w0, w1, w2, #32
        assertUndefined(e, 0x93821420); // extr x0, x1, x2, #5 with N = 0
    }

    // ---- conditional select and compare ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void conditionalSelect(Engine e) {
        A64Harness h = h().x(1, 10).x(2, 20);
        h.cpu.nzcv = 0x4000_0000; // Z
        h.run(e, 0x9a820020 /* csel x0, x1, x2, eq */, 0x9a821023 /* csel x3, x1, x2, ne */,
            0x9a821424 /* csinc x4, x1, x2, ne */,
            0xda821025 /* csinv x5, x1, x2, ne */, 0xda821426 /* csneg x6, x1, x2, ne */, 0x9a9f17e7 /* cset x7, eq */,
            0x5a9f13e8 /* csetm w8, eq */,
            0xda811429 /* cneg x9, x1, eq */, 0x9a82e42b /* csinc x11, x1, x2, al */,
            0x9a82f42c /* csinc x12, x1, x2, nv */,
            0x1a82042d /* csinc w13, w1, w2, eq */, 0x9a81142e /* cinc x14, x1, eq */);
        assertEquals(10, h.x(0));
        assertEquals(20, h.x(3));
        assertEquals(21, h.x(4));
        assertEquals(~20L, h.x(5));
        assertEquals(-20, h.x(6));
        assertEquals(1, h.x(7));
        assertEquals(0xFFFF_FFFFL, h.x(8));
        assertEquals(-10, h.x(9));
        assertEquals(10, h.x(11), "AL holds");
        assertEquals(10, h.x(12), "NV holds too");
        assertEquals(10, h.x(13));
        assertEquals(11, h.x(14));
        h = h().x(2, 0xFFFF_FFFFL).run(e, 0x1a8217e0 /* csinc w0, wzr, w2, ne */);
        assertEquals(0, h.x(0), "32-bit increment wraps");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void conditionalCompare(Engine e) {
        A64Harness h = h().x(1, 5).x(2, 5).run(e, 0xfa421024 /* ccmp x1, x2, #4, ne */);
        assertEquals(0b0110, h.nzcv(), "Z clear: NE holds, compare equal values");
        h = h().x(1, 5).x(2, 6);
        h.cpu.nzcv = 0x4000_0000;
        h.run(e, 0xfa421024 /* ccmp x1, x2, #4, ne */);
        assertEquals(0b0100, h.nzcv(), "condition false: flags from #nzcv");
        h = h().x(1, 3).run(e, 0x7a5f082f /* ccmp w1, #31, #15, eq */);
        assertEquals(0b1111, h.nzcv());
        h = h().x(1, 3);
        h.cpu.nzcv = 0x4000_0000;
        h.run(e, 0x7a430820 /* ccmp w1, #3, #0, eq */);
        assertEquals(0b0110, h.nzcv());
        h = h().x(1, -1).run(e, 0xba41e820 /* ccmn x1, #1, #0, al */);
        assertEquals(0b0110, h.nzcv());
        h = h().x(1, Long.MAX_VALUE).x(2, 1).run(e, 0xba42a022 /* ccmn x1, x2, #2, ge */);
        assertEquals(0b1001, h.nzcv());
        h = h().x(1, 0x7FFF_FFFFL).x(2, 1).run(e, 0x3a42a022 /* ccmn w1, w2, #2, ge */);
        assertEquals(0b1001, h.nzcv());
    }

    // ---- multiply and divide ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void multiply(Engine e) {
        A64Harness h = h().x(1, 0x1_0000_0003L).x(2, -2).x(3, 100).run(e, 0x9b020c20 /* madd x0, x1, x2, x3 */,
            0x9b028c24 /* msub x4, x1, x2, x3 */, 0x1b027c25 /* mul w5, w1, w2 */, 0x9b02fc26 /* mneg x6, x1, x2 */,
            0x1b020c27 /* madd w7, w1, w2, w3 */);
        assertEquals(100 - 0x2_0000_0006L, h.x(0));
        assertEquals(100 + 0x2_0000_0006L, h.x(4));
        assertEquals(0xFFFF_FFFAL, h.x(5));
        assertEquals(0x2_0000_0006L, h.x(6));
        assertEquals(94, h.x(7));
        h = h().x(1, 0xFFFF_FFFFL).x(2, 0xFFFF_FFFFL).x(3, 1).run(e, 0x9b220c20 /* smaddl x0, w1, w2, x3 */,
            0x9ba20c24 /* umaddl x4, w1, w2, x3 */, 0x9b228c25 /* smsubl x5, w1, w2, x3 */,
            0x9ba28c26 /* umsubl x6, w1, w2, x3 */,
            0x9b227c27 /* smull x7, w1, w2 */, 0x9ba2fc28 /* umnegl x8, w1, w2 */);
        assertEquals(2, h.x(0));
        assertEquals(0xFFFF_FFFE_0000_0002L, h.x(4));
        assertEquals(0, h.x(5));
        assertEquals(1 - 0xFFFF_FFFE_0000_0001L, h.x(6));
        assertEquals(1, h.x(7));
        assertEquals(-0xFFFF_FFFE_0000_0001L, h.x(8));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void multiplyHigh(Engine e) {
        A64Harness h = h().x(1, -1).x(2, -1).x(3, MIN).x(4, 2).run(e, 0x9b427c20 /* smulh x0, x1, x2 */,
            0x9bc27c25 /* umulh x5, x1, x2 */, 0x9b447c66 /* smulh x6, x3, x4 */, 0x9bc47c67 /* umulh x7, x3, x4 */,
            0x9b447c28 /* smulh x8, x1, x4 */,
            0x9b437c69 /* smulh x9, x3, x3 */);
        assertEquals(0, h.x(0));
        assertEquals(-2, h.x(5));
        assertEquals(-1, h.x(6));
        assertEquals(1, h.x(7));
        assertEquals(-1, h.x(8));
        assertEquals(0x4000_0000_0000_0000L, h.x(9));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void divide(Engine e) {
        A64Harness h = h().x(1, 100).x(2, 0).x(3, MIN).x(4, -1).x(5, -7).x(6, 2).run(e,
            0x9ac20820 /* udiv x0, x1, x2 */, 0x9ac20c27 /* sdiv x7, x1, x2 */, 0x9ac40c68 /* sdiv x8, x3, x4 */,
            0x9ac60ca9 /* sdiv x9, x5, x6 */,
            0x9ac6088a /* udiv x10, x4, x6 */, 0x1ac608ab /* udiv w11, w5, w6 */, 0x1ac60cac /* sdiv w12, w5, w6 */);
        assertEquals(0, h.x(0));
        assertEquals(0, h.x(7));
        assertEquals(MIN, h.x(8));
        assertEquals(-3, h.x(9), "rounds toward zero");
        assertEquals(Long.MAX_VALUE, h.x(10));
        assertEquals(0x7FFF_FFFCL, h.x(11));
        assertEquals(0xFFFF_FFFDL, h.x(12));
        h = h().x(1, 0xFFFF_FFFF_8000_0000L).x(2, 0xFFFF_FFFFL).x(3, 0x1_0000_0000L).run(e,
            0x1ac20c20 /* sdiv w0, w1, w2 */, 0x1ac30824 /* udiv w4, w1, w3 */);
        assertEquals(0x8000_0000L, h.x(0), "INT_MIN / -1 = INT_MIN");
        assertEquals(0, h.x(4), "divisor w3 is 0");
    }

    // ---- shifts, bit operations ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void variableShifts(Engine e) {
        A64Harness h = h().x(1, 0x8000_0000_0000_0001L).x(2, 64).x(3, 63).x(4, 33).x(5, -1).run(e,
            0x9ac22020 /* lsl x0, x1, x2 */, 0x9ac32026 /* lsl x6, x1, x3 */, 0x9ac32427 /* lsr x7, x1, x3 */,
            0x9ac32828 /* asr x8, x1, x3 */,
            0x9ac42c29 /* ror x9, x1, x4 */, 0x1ac424aa /* lsr w10, w5, w4 */, 0x1ac4282b /* asr w11, w1, w4 */,
            0x1ac42c2c /* ror w12, w1, w4 */,
            0x1ac5202d /* lsl w13, w1, w5 */);
        assertEquals(0x8000_0000_0000_0001L, h.x(0), "shift by 64 is shift by 0");
        assertEquals(MIN, h.x(6));
        assertEquals(1, h.x(7));
        assertEquals(-1, h.x(8));
        assertEquals(0x0000_0000_C000_0000L, h.x(9));
        assertEquals(0x7FFF_FFFFL, h.x(10), "w shift by 33 is shift by 1");
        assertEquals(0, h.x(11));
        assertEquals(0x8000_0000L, h.x(12));
        assertEquals(0x8000_0000L, h.x(13), "w shift by -1 is shift by 31");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void bitAndByteReversal(Engine e) {
        A64Harness h = h().x(1, 0x0123_4567_89AB_CDEFL).x(2, 1).run(e, 0xdac00040 /* rbit x0, x2 */,
            0x5ac00043 /* rbit w3, w2 */,
            0xdac00424 /* rev16 x4, x1 */, 0x5ac00425 /* rev16 w5, w1 */, 0xdac00826 /* rev32 x6, x1 */,
            0xdac00c27 /* rev x7, x1 */, 0x5ac00828 /* rev w8, w1 */,
            0xdac00029 /* rbit x9, x1 */);
        assertEquals(MIN, h.x(0));
        assertEquals(0x8000_0000L, h.x(3));
        assertEquals(0x2301_6745_AB89_EFCDL, h.x(4));
        assertEquals(0xAB89_EFCDL, h.x(5));
        assertEquals(0x6745_2301_EFCD_AB89L, h.x(6));
        assertEquals(0xEFCD_AB89_6745_2301L, h.x(7));
        assertEquals(0xEFCD_AB89L, h.x(8));
        assertEquals(0xF7B3_D591_E6A2_C480L, h.x(9));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void countLeading(Engine e) {
        A64Harness h = h().x(1, 0).x(2, -1).x(3, 1).x(4, 0x7FFF_FFFFL).x(5, 0xFFFF_FFFF_0000_0000L).run(e,
            0xdac01020 /* clz x0, x1 */, 0x5ac01026 /* clz w6, w1 */, 0xdac01047 /* clz x7, x2 */,
            0xdac01428 /* cls x8, x1 */, 0xdac01449 /* cls x9, x2 */,
            0x5ac0142a /* cls w10, w1 */, 0xdac0146b /* cls x11, x3 */, 0x5ac0148c /* cls w12, w4 */,
            0x5ac010ad /* clz w13, w5 */, 0xdac014ae /* cls x14, x5 */,
            0xdac0106f /* clz x15, x3 */);
        assertEquals(64, h.x(0));
        assertEquals(32, h.x(6));
        assertEquals(0, h.x(7));
        assertEquals(63, h.x(8));
        assertEquals(63, h.x(9));
        assertEquals(31, h.x(10));
        assertEquals(62, h.x(11));
        assertEquals(0, h.x(12));
        assertEquals(32, h.x(13));
        assertEquals(31, h.x(14));
        assertEquals(63, h.x(15));
    }

    // ---- CRC32 ----

    private static final long DIGITS_1_TO_8 = 0x3837_3635_3433_3231L; // "12345678" little-endian
    private static final long DIGIT_9 = 0x39;

    @ParameterizedTest
    @EnumSource(Engine.class)
    void crc32CheckValues(Engine e) {
        A64Harness h = h().x(0, 0xFFFF_FFFFL).x(1, DIGITS_1_TO_8).x(2, DIGIT_9).run(e,
            0x9ac14c00 /* crc32x w0, w0, x1 */, 0x1ac24000 /* crc32b w0, w0, w2 */, 0x2a2003e0 /* mvn w0, w0 */);
        assertEquals(0xCBF4_3926L, h.x(0));
        h = h().x(0, 0xFFFF_FFFFL).x(1, DIGITS_1_TO_8).x(2, DIGIT_9).run(e,
            0x9ac15c00 /* crc32cx w0, w0, x1 */, 0x1ac25000 /* crc32cb w0, w0, w2 */, 0x2a2003e0 /* mvn w0, w0 */);
        assertEquals(0xE306_9283L, h.x(0));
        // The same message through the word and halfword forms; upper register bits beyond the size are ignored.
        h = h().x(0, 0xFFFF_FFFFL).x(1, DIGITS_1_TO_8).x(2, 0xFFFF_0000_0000_0000L | DIGIT_9)
            .x(3, 0x3635).x(4, 0xABCD_0000_0000_3837L).run(e,
                0x1ac14800 /* crc32w w0, w0, w1 */, 0x1ac34400 /* crc32h w0, w0, w3 */,
                0x1ac44400 /* crc32h w0, w0, w4 */,
                0x1ac24000 /* crc32b w0, w0, w2 */, 0x2a2003e0 /* mvn w0, w0 */);
        assertEquals(0xCBF4_3926L, h.x(0));
        h = h().x(0, 0xFFFF_FFFFL).x(1, DIGITS_1_TO_8).x(2, DIGIT_9).x(3, 0x3635).x(4, 0x3837).run(e,
            0x1ac15800 /* crc32cw w0, w0, w1 */, 0x1ac35400 /* crc32ch w0, w0, w3 */,
            0x1ac45400 /* crc32ch w0, w0, w4 */,
            0x1ac25000 /* crc32cb w0, w0, w2 */, 0x2a2003e0 /* mvn w0, w0 */);
        assertEquals(0xE306_9283L, h.x(0));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void crc32NeedsTheFeature(Engine e) {
        var model = new CpuModel("no-crc", EnumSet.noneOf(CpuModel.Feature.class), 0);
        int insn = 0x1ac24000 /* crc32b w0, w0, w2 */;
        A64Harness h = new A64Harness(model).run(e, insn);
        assertEquals(List.of(String.format("undefined %08x", insn)), h.events);
    }

    // ---- register 31 ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void zeroRegisterReadsZeroAndDiscardsWrites(Engine e) {
        A64Harness h = h().x(1, 7);
        h.cpu.setSp(0x8000);
        h.run(e, 0x8b01003f /* add xzr, x1, x1 */, 0x8b1f0022 /* add x2, x1, xzr */,
            0x9b017c23 /* madd x3, x1, x1, xzr */,
            0x9a81e3e4 /* csel x4, xzr, x1, al */);
        assertEquals(0x8000, h.cpu.sp());
        assertEquals(7, h.x(2));
        assertEquals(49, h.x(3));
        assertEquals(0, h.x(4));
    }
}
