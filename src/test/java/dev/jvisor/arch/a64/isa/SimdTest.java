package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.A64Harness.Engine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Integer Advanced SIMD, family by family, with hand-computed lane values. Lane 0 is the least significant: in a
 * 64-bit half written as hex, the rightmost digits. SimdOracleTest adds random coverage of every row against qemu.
 */
class SimdTest {
    private static final long ONES = -1L;

    private static void set(A64Harness h, int reg, long lo, long hi) {
        h.cpu.v[2 * reg] = lo;
        h.cpu.v[2 * reg + 1] = hi;
    }

    private static void assertV(A64Harness h, int reg, long lo, long hi) {
        assertEquals(String.format("%016x:%016x", hi, lo),
            String.format("%016x:%016x", h.cpu.v[2 * reg + 1], h.cpu.v[2 * reg]), "v" + reg + " (hi:lo)");
    }

    /** Runs one instruction and checks no exception happened and whether FPSR.QC ended up set. */
    private static void exec(A64Harness h, Engine engine, int insn, boolean saturates) {
        h.cpu.fpsr = 0;
        h.events.clear();
        h.run(engine, insn);
        assertEquals(List.of(), h.events);
        assertEquals(saturates, (h.cpu.fpsr & SimdOps.QC) != 0, "FPSR.QC");
    }

    private static void exec(A64Harness h, Engine engine, int insn) {
        exec(h, engine, insn, false);
    }

    private static void assertUndefined(A64Harness h, Engine engine, int insn) {
        h.events.clear();
        h.run(engine, insn);
        assertEquals(List.of(String.format("undefined %08x", insn)), h.events);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void addAndSubKeepCarriesInsideLanes(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 1, 0x0102_0304_05FF_7F80L, ONES);
        set(h, 2, 0x0101_0101_0101_0101L, 0x0000_0000_0000_0001L);
        exec(h, e, 0x4e228420); // add v0.16b, v1.16b, v2.16b
        assertV(h, 0, 0x0203_0405_0600_8081L, 0xFFFF_FFFF_FFFF_FF00L);
        exec(h, e, 0x4e628420); // add v0.8h
        assertV(h, 0, 0x0203_0405_0700_8081L, 0xFFFF_FFFF_FFFF_0000L);
        exec(h, e, 0x4ea28420); // add v0.4s
        assertV(h, 0, 0x0203_0405_0700_8081L, 0xFFFF_FFFF_0000_0000L);
        exec(h, e, 0x4ee28420); // add v0.2d
        assertV(h, 0, 0x0203_0405_0700_8081L, 0);
        set(h, 0, ONES, ONES);
        exec(h, e, 0x0e228420); // add v0.8b: a 64-bit result clears the upper half
        assertV(h, 0, 0x0203_0405_0600_8081L, 0);
        exec(h, e, 0x2e628420); // sub v0.4h
        assertV(h, 0, 0x0001_0203_04FE_7E7FL, 0);
        exec(h, e, 0x4ea18421); // add v1.4s, v1.4s, v1.4s
        assertV(h, 1, 0x0204_0608_0BFE_FF00L, 0xFFFF_FFFE_FFFF_FFFEL);
        assertUndefined(h, e, 0x0ee28420); // add v0.1d does not exist
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void stringSearchIdiom(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 0, 0x6F77_006F_6C6C_6568L, 0x4141_4141_0064_6C72L); // "hello\0world\0AAAA"
        set(h, 4, 0x6C6C_6C6C_6C6C_6C6CL, 0x6C6C_6C6C_6C6C_6C6CL);
        set(h, 5, ONES, ONES);
        exec(h, e, 0x4e209801); // cmeq v1.16b, v0.16b, #0
        assertV(h, 1, 0x0000_FF00_0000_0000L, 0x0000_0000_FF00_0000L);
        exec(h, e, 0x6e21a422); // umaxp v2.16b, v1.16b, v1.16b
        assertV(h, 2, 0x0000_FF00_00FF_0000L, 0x0000_FF00_00FF_0000L);
        exec(h, e, 0x4e083c40); // mov x0, v2.d[0]
        assertEquals(0x0000_FF00_00FF_0000L, h.x(0));
        exec(h, e, 0x6e243c03); // cmhs v3.16b, v0.16b, v4.16b
        assertV(h, 3, 0xFFFF_00FF_FFFF_0000L, 0x0000_0000_0000_FFFFL);
        exec(h, e, 0x6e31a805); // uminv b5, v0.16b
        assertV(h, 5, 0, 0);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void saturatingArithmeticClampsAndSetsQc(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 1, 0x0000_0000_FF01_807FL, 0);
        set(h, 2, 0x0000_0000_FF01_FF01L, 0);
        exec(h, e, 0x0e220c20, true); // sqadd v0.8b: 7f+1 and 80+ff clamp
        assertV(h, 0, 0x0000_0000_FE02_807FL, 0);
        set(h, 1, 0x0005_8000_FFFF_0001L, 0);
        set(h, 2, 0x0003_8000_0001_0002L, 0);
        exec(h, e, 0x6e622c20, true); // uqsub v0.8h: 1-2 clamps to 0
        assertV(h, 0, 0x0002_0000_FFFE_0000L, 0);
        set(h, 2, 0x0003_8000_0001_0001L, 0);
        exec(h, e, 0x6e622c20, false); // uqsub with no lane below zero leaves QC alone
        assertV(h, 0, 0x0002_0000_FFFE_0000L, 0);

        set(h, 1, 0xFFFF_7FFF_4000_8000L, 0);
        set(h, 2, 0x0001_7FFF_4000_8000L, 0);
        exec(h, e, 0x0e62b420, true); // sqdmulh v0.4h: only (-1) * (-1) in Q15 overflows
        assertV(h, 0, 0xFFFF_7FFE_2000_7FFFL, 0);
        set(h, 1, 0x0001_0000_8000_0000L, 0);
        set(h, 2, 0x0000_8000_8000_0000L, 0);
        exec(h, e, 0x2ea2b420, true); // sqrdmulh v0.2s: 2*2^16*2^15 = 2^32, plus half rounds to 1
        assertV(h, 0, 0x0000_0001_7FFF_FFFFL, 0);
        set(h, 1, 0x8000_8000_0002_8000L, 0x8000_8000_8000_8000L);
        set(h, 2, 0x8000_0000_0000_0000L, 0);
        exec(h, e, 0x4f72c020, true); // sqdmulh v0.8h, v1.8h, v2.h[3]
        assertV(h, 0, 0x7FFF_7FFF_FFFE_7FFFL, 0x7FFF_7FFF_7FFF_7FFFL);

        set(h, 1, Long.MAX_VALUE, 0);
        set(h, 2, 1, 0);
        exec(h, e, 0x5ee20c20, true); // sqadd d0, d1, d2
        assertV(h, 0, Long.MAX_VALUE, 0);
        set(h, 1, 0x1234_5678_9ABC_DEF0L, 0);
        set(h, 2, 0x20, 0);
        exec(h, e, 0x7e220c20, true); // uqadd b0, b1, b2: the rest of the register is cleared
        assertV(h, 0, 0xFF, 0);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void qcIsSticky(Engine e) {
        A64Harness h = new A64Harness();
        h.cpu.fpsr = SimdOps.QC;
        h.run(e, 0x0e220c20); // sqadd v0.8b of zeros
        assertEquals(SimdOps.QC, h.cpu.fpsr);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void shiftsRoundHalfUpAndHandleFullWidth(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 1, 0xFFFF_FFFF_0000_0003L, 0x0000_0002_0000_0001L);
        exec(h, e, 0x6f3f2420); // urshr v0.4s, v1.4s, #1
        assertV(h, 0, 0x8000_0000_0000_0002L, 0x0000_0001_0000_0001L);
        exec(h, e, 0x4f3f2420); // srshr v0.4s, v1.4s, #1: -1 rounds to 0
        assertV(h, 0, 0x0000_0000_0000_0002L, 0x0000_0001_0000_0001L);

        set(h, 1, 0x0007_FFF8_0137_0128L, 0x0008_0000_0000_1000L);
        exec(h, e, 0x0f0c8c20); // rshrn v0.8b, v1.8h, #4
        assertV(h, 0, 0x0100_0000_0000_1313L, 0);
        set(h, 0, 0x1111_1111_1111_1111L, 0x2222_2222_2222_2222L);
        exec(h, e, 0x4f088420); // shrn2 v0.16b, v1.8h, #8: the lower half is kept
        assertV(h, 0, 0x1111_1111_1111_1111L, 0x0000_0010_00FF_0101L);

        set(h, 1, 0x0003_FFFE_FFFF_FFFBL, 0x0000_0006_7FFF_FFFFL);
        exec(h, e, 0x2f1e8c20, true); // sqrshrun v0.4h, v1.4s, #2
        assertV(h, 0, 0x0002_FFFF_FFFF_0000L, 0);

        set(h, 1, ONES, 0x7FFF_FFFF_FFFF_FFFFL);
        exec(h, e, 0x7f400420); // ushr d0, d1, #64
        assertV(h, 0, 0, 0);
        set(h, 1, 0x8000_0000_0000_0000L, 0x7FFF_FFFF_FFFF_FFFFL);
        exec(h, e, 0x4f400420); // sshr v0.2d, v1.2d, #64
        assertV(h, 0, ONES, 0);

        set(h, 1, 0xFFFF_FFF7_0000_0010L, 0x4000_0000_0000_0001L);
        set(h, 2, 0x0000_00FF_FFFF_FFFEL, 0x0000_0081_0000_001FL);
        exec(h, e, 0x4ea25420); // srshl v0.4s, v1.4s, v2.4s: amounts -2, -1, 31, -127
        assertV(h, 0, 0xFFFF_FFFC_0000_0004L, 0x0000_0000_8000_0000L);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void tableLookups(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 1, 0x0706_0504_0302_0100L, 0x0F0E_0D0C_0B0A_0908L);
        set(h, 2, 0x010E_2005_FF10_000FL, 0x0F11_0A03_8040_0908L);
        exec(h, e, 0x4e020020); // tbl v0.16b, {v1.16b}, v2.16b: indices past 15 give 0
        assertV(h, 0, 0x010E_0005_0000_000FL, 0x0F00_0A03_0000_0908L);
        set(h, 0, 0xAAAA_AAAA_AAAA_AAAAL, 0xBBBB_BBBB_BBBB_BBBBL);
        exec(h, e, 0x0e021020); // tbx v0.8b: out-of-range bytes keep Vd
        assertV(h, 0, 0x010E_AA05_AAAA_000FL, 0);

        set(h, 30, 0x0706_0504_0302_0100L, 0x0F0E_0D0C_0B0A_0908L);
        set(h, 31, 0x1716_1514_1312_1110L, 0x1F1E_1D1C_1B1A_1918L);
        set(h, 0, 0x2726_2524_2322_2120L, 0x2F2E_2D2C_2B2A_2928L);
        set(h, 1, 0x3736_3534_3332_3130L, 0x3F3E_3D3C_3B3A_3938L);
        set(h, 2, 0xFF30_1001_401F_203FL, 0x3121_113E_412E_0F2FL);
        exec(h, e, 0x4e0263c0); // tbl v0.16b, {v30-v1}: the register list wraps from v31 to v0
        assertV(h, 0, 0x0030_1001_001F_203FL, 0x3121_113E_002E_0F2FL);

        set(h, 2, 0x0404_0F10_0201_0003L, 0);
        exec(h, e, 0x4e020042); // tbl v2.16b, {v2.16b}, v2.16b
        assertV(h, 2, 0x1010_0000_0100_0302L, 0x0303_0303_0303_0303L);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void extConcatenatesAndShifts(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 1, 0x0706_0504_0302_0100L, 0x0F0E_0D0C_0B0A_0908L);
        set(h, 2, 0x1716_1514_1312_1110L, 0x1F1E_1D1C_1B1A_1918L);
        exec(h, e, 0x2e021820); // ext v0.8b, v1.8b, v2.8b, #3
        assertV(h, 0, 0x1211_1007_0605_0403L, 0);
        exec(h, e, 0x6e025820); // ext v0.16b, v1.16b, v2.16b, #11
        assertV(h, 0, 0x1211_100F_0E0D_0C0BL, 0x1A19_1817_1615_1413L);
        set(h, 3, 0x0706_0504_0302_0100L, 0x0F0E_0D0C_0B0A_0908L);
        exec(h, e, 0x6e034063); // ext v3.16b, v3.16b, v3.16b, #8 swaps the halves
        assertV(h, 3, 0x0F0E_0D0C_0B0A_0908L, 0x0706_0504_0302_0100L);
        assertUndefined(h, e, 0x2e025820); // ext of 8 bytes from position 11
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void permutes(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 1, 0x0000_0011_0000_0010L, 0x0000_0013_0000_0012L);
        set(h, 2, 0x0000_0021_0000_0020L, 0x0000_0023_0000_0022L);
        exec(h, e, 0x4e823820); // zip1 v0.4s
        assertV(h, 0, 0x0000_0020_0000_0010L, 0x0000_0021_0000_0011L);
        exec(h, e, 0x4e827820); // zip2 v0.4s
        assertV(h, 0, 0x0000_0022_0000_0012L, 0x0000_0023_0000_0013L);
        exec(h, e, 0x4e821820); // uzp1 v0.4s
        assertV(h, 0, 0x0000_0012_0000_0010L, 0x0000_0022_0000_0020L);

        set(h, 1, 0x0706_0504_0302_0100L, 0x0F0E_0D0C_0B0A_0908L);
        set(h, 2, 0x1716_1514_1312_1110L, 0x1F1E_1D1C_1B1A_1918L);
        exec(h, e, 0x0e025820); // uzp2 v0.8b
        assertV(h, 0, 0x1715_1311_0705_0301L, 0);
        exec(h, e, 0x4e013821); // zip1 v1.16b, v1.16b, v1.16b
        assertV(h, 1, 0x0303_0202_0101_0000L, 0x0707_0606_0505_0404L);

        set(h, 1, 0x0003_0002_0001_0000L, 0x0007_0006_0005_0004L);
        set(h, 2, 0x0013_0012_0011_0010L, 0x0017_0016_0015_0014L);
        exec(h, e, 0x4e422820); // trn1 v0.8h
        assertV(h, 0, 0x0012_0002_0010_0000L, 0x0016_0006_0014_0004L);
        exec(h, e, 0x4e426820); // trn2 v0.8h
        assertV(h, 0, 0x0013_0003_0011_0001L, 0x0017_0007_0015_0005L);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void copiesBetweenLanesAndGeneralRegisters(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 0, ONES, ONES);
        exec(h, e, 0x4e040fe0); // dup v0.4s, wzr
        assertV(h, 0, 0, 0);
        h.x(1, 0x1234_5678_9ABC_DEF0L);
        exec(h, e, 0x4e010c20); // dup v0.16b, w1
        assertV(h, 0, 0xF0F0_F0F0_F0F0_F0F0L, 0xF0F0_F0F0_F0F0_F0F0L);
        exec(h, e, 0x4e080c20); // dup v0.2d, x1
        assertV(h, 0, 0x1234_5678_9ABC_DEF0L, 0x1234_5678_9ABC_DEF0L);
        set(h, 1, 0x0000_0000_8001_00ABL, 0xBEEF_0000_0000_0000L);
        exec(h, e, 0x4e1e0420); // dup v0.8h, v1.h[7]
        assertV(h, 0, 0xBEEF_BEEF_BEEF_BEEFL, 0xBEEF_BEEF_BEEF_BEEFL);

        set(h, 0, 0x1111_1111_2222_2222L, 0x3333_3333_3333_3333L);
        h.x(1, 0xFFFF_FFFF_8765_4321L);
        exec(h, e, 0x4e0c1c20); // mov v0.s[1], w1
        assertV(h, 0, 0x8765_4321_2222_2222L, 0x3333_3333_3333_3333L);
        exec(h, e, 0x6e1f0420); // mov v0.b[15], v1.b[0]
        assertV(h, 0, 0x8765_4321_2222_2222L, 0xAB33_3333_3333_3333L);

        set(h, 1, 0x0000_0000_8001_00ABL, 0x80EF_0000_0000_0000L);
        h.x(0, ONES);
        exec(h, e, 0x0e1f3c20); // umov w0, v1.b[15]
        assertEquals(0x80, h.x(0));
        exec(h, e, 0x4e1f2c20); // smov x0, v1.b[15]
        assertEquals(0xFFFF_FFFF_FFFF_FF80L, h.x(0));
        exec(h, e, 0x0e062c20); // smov w0, v1.h[1]: sign-extends to 32 bits only
        assertEquals(0x0000_0000_FFFF_8001L, h.x(0));
        exec(h, e, 0x4e183c20); // mov x0, v1.d[1]
        assertEquals(0x80EF_0000_0000_0000L, h.x(0));
        exec(h, e, 0x5e1c0420); // mov s0, v1.s[3]
        assertV(h, 0, 0x80EF_0000L, 0);
        long sp = h.cpu.x[31];
        exec(h, e, 0x0e013c3f); // umov wzr, v1.b[0]: register 31 is the zero register here, not SP
        assertEquals(sp, h.cpu.x[31]);
        assertUndefined(h, e, 0x4e000420); // imm5 = 0 selects no element size
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void modifiedImmediates(Engine e) {
        A64Harness h = new A64Harness();
        exec(h, e, 0x4f002640); // movi v0.4s, #0x12, lsl #8
        assertV(h, 0, 0x0000_1200_0000_1200L, 0x0000_1200_0000_1200L);
        exec(h, e, 0x6f018680); // mvni v0.8h, #0x34
        assertV(h, 0, 0xFFCB_FFCB_FFCB_FFCBL, 0xFFCB_FFCB_FFCB_FFCBL);
        exec(h, e, 0x0f05d560); // movi v0.2s, #0xab, msl #16
        assertV(h, 0, 0x00AB_FFFF_00AB_FFFFL, 0);
        exec(h, e, 0x2f05e4a0); // movi d0, #0xff00ff0000ff00ff
        assertV(h, 0, 0xFF00_FF00_00FF_00FFL, 0);
        exec(h, e, 0x6f07e7e0); // movi v0.2d, #-1
        assertV(h, 0, ONES, ONES);
        exec(h, e, 0x4f03e7e0); // movi v0.16b, #0x7f
        assertV(h, 0, 0x7F7F_7F7F_7F7F_7F7FL, 0x7F7F_7F7F_7F7F_7F7FL);
        set(h, 0, 0x0000_0001_0000_0002L, 1);
        exec(h, e, 0x4f047400); // orr v0.4s, #0x80, lsl #24
        assertV(h, 0, 0x8000_0001_8000_0002L, 0x8000_0000_8000_0001L);
        set(h, 0, 0x1234_5678_9ABC_DEF0L, ONES);
        exec(h, e, 0x2f0797e0); // bic v0.4h, #0xff
        assertV(h, 0, 0x1200_5600_9A00_DE00L, 0);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void narrowingAndWidening(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 1, 0x8001_7FFF_0100_00FFL, 0xFF80_0080_FFFF_0000L);
        exec(h, e, 0x0e212820); // xtn v0.8b, v1.8h
        assertV(h, 0, 0x8080_FF00_01FF_00FFL, 0);
        set(h, 0, 0x1111_1111_1111_1111L, 0x2222_2222_2222_2222L);
        exec(h, e, 0x4e212820); // xtn2 v0.16b, v1.8h
        assertV(h, 0, 0x1111_1111_1111_1111L, 0x8080_FF00_01FF_00FFL);
        exec(h, e, 0x0e214820, true); // sqxtn v0.8b, v1.8h
        assertV(h, 0, 0x807F_FF00_807F_7F7FL, 0);
        exec(h, e, 0x2f08a420); // uxtl v0.8h, v1.8b
        assertV(h, 0, 0x0001_0000_0000_00FFL, 0x0080_0001_007F_00FFL);
        exec(h, e, 0x4f20a420); // sxtl2 v0.2d, v1.4s
        assertV(h, 0, 0xFFFF_FFFF_FFFF_0000L, 0xFFFF_FFFF_FF80_0080L);
        set(h, 0, 0x1111_1111_1111_1111L, 0);
        exec(h, e, 0x6e614820, true); // uqxtn2 v0.8h, v1.4s
        assertV(h, 0, 0x1111_1111_1111_1111L, ONES);
        set(h, 1, 0x0000_0000_8000_0000L, 0x0000_0001_0000_0000L);
        exec(h, e, 0x2ea12820, true); // sqxtun v0.2s, v1.2d
        assertV(h, 0, 0xFFFF_FFFF_8000_0000L, 0);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void acrossLanes(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 1, ONES, 0x0102_0304_0506_0780L);
        set(h, 0, ONES, ONES);
        exec(h, e, 0x4e31b820); // addv b0, v1.16b
        assertV(h, 0, 0x94, 0);
        exec(h, e, 0x6e70a820); // umaxv h0, v1.8h
        assertV(h, 0, 0xFFFF, 0);
        exec(h, e, 0x4eb1a820); // sminv s0, v1.4s
        assertV(h, 0, 0xFFFF_FFFFL, 0);
        exec(h, e, 0x4e703820); // saddlv s0, v1.8h
        assertV(h, 0, 0x1088, 0);
        exec(h, e, 0x2e303820); // uaddlv h0, v1.8b
        assertV(h, 0, 0x07F8, 0);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void bitCountsAndReversals(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 1, 0xFF7F_0103_0000_8001L, 0xF0F0_F0F0_5555_AAAAL);
        exec(h, e, 0x4e205820); // cnt v0.16b
        assertV(h, 0, 0x0807_0102_0000_0101L, 0x0404_0404_0404_0404L);
        exec(h, e, 0x4e200820); // rev64 v0.16b
        assertV(h, 0, 0x0180_0000_0301_7FFFL, 0xAAAA_5555_F0F0_F0F0L);
        exec(h, e, 0x6e600820); // rev32 v0.8h
        assertV(h, 0, 0x0103_FF7F_8001_0000L, 0xF0F0_F0F0_AAAA_5555L);
        exec(h, e, 0x0e201820); // rev16 v0.8b
        assertV(h, 0, 0x7FFF_0301_0000_0180L, 0);
        exec(h, e, 0x6e605820); // rbit v0.16b
        assertV(h, 0, 0xFFFE_80C0_0000_0180L, 0x0F0F_0F0F_AAAA_5555L);
        exec(h, e, 0x6ea04820); // clz v0.4s
        assertV(h, 0, 0x10, 1);
        exec(h, e, 0x0e204820); // cls v0.8b
        assertV(h, 0, 0x0700_0605_0707_0006L, 0);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void reciprocalEstimates(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 1, 0x7FFF_FFFF_8000_0000L, 0xC000_0000_FFFF_FFFFL);
        exec(h, e, 0x4ea1c820); // urecpe v0.4s: 1/0.5 is just under 2; below one half saturates
        assertV(h, 0, 0xFFFF_FFFF_FF80_0000L, 0xAA80_0000_8000_0000L);
        set(h, 1, 0x3FFF_FFFF_4000_0000L, ONES);
        exec(h, e, 0x2ea1c820); // ursqrte v0.2s: 1/sqrt(0.25) is just under 2; below a quarter saturates
        assertV(h, 0, 0xFFFF_FFFF_FF80_0000L, 0);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void multiplies(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 1, 0x0000_0000_0080_FF03L, 0);
        set(h, 2, 0x0000_0000_0002_FF03L, 0);
        exec(h, e, 0x0e22e020); // pmull v0.8h, v1.8b, v2.8b: carry-less
        assertV(h, 0, 0x0000_0100_5555_0005L, 0);
        assertUndefined(h, e, 0x0ee2e020); // pmull v0.1q needs FEAT_PMULL

        set(h, 1, 0x8000_0000_0000_0001L, 0x0000_000A_FFFF_FFFFL);
        set(h, 2, 0x0000_0003_0000_0007L, 0x0000_0000_0002_0000L);
        exec(h, e, 0x4fa28020); // mul v0.4s, v1.4s, v2.s[1]
        assertV(h, 0, 0x8000_0000_0000_0003L, 0x0000_001E_FFFF_FFFDL);
        set(h, 0, 0x0001_0001_0001_0001L, 0x0001_0001_0001_0001L);
        set(h, 1, 0x0004_0003_0002_0001L, 0x0008_0007_0006_0005L);
        exec(h, e, 0x6f520820); // mla v0.8h, v1.8h, v2.h[5]
        assertV(h, 0, 0x0009_0007_0005_0003L, 0x0011_000F_000D_000BL);

        set(h, 1, 0, 0x0000_0002_FFFF_FFFFL);
        set(h, 2, 0, 0x0000_0003_FFFF_FFFFL);
        exec(h, e, 0x6ea2c020); // umull2 v0.2d, v1.4s, v2.4s
        assertV(h, 0, 0xFFFF_FFFE_0000_0001L, 6);
        set(h, 0, 0x0000_000A_0000_000AL, 0x0000_000A_0000_000AL);
        set(h, 1, 0x8000_7FFF_FFFE_0001L, 0);
        set(h, 2, 0xFFFF, 0);
        exec(h, e, 0x0f422020); // smlal v0.4s, v1.4h, v2.h[0]
        assertV(h, 0, 0x0000_000C_0000_0009L, 0x0000_800A_FFFF_800BL);

        set(h, 1, ONES, ONES);
        set(h, 2, 0, 0x0807_0605_0403_0201L);
        exec(h, e, 0x6e221020); // uaddw2 v0.8h, v1.8h, v2.16b
        assertV(h, 0, 0x0003_0002_0001_0000L, 0x0007_0006_0005_0004L);
        set(h, 1, 0xFFFF_0000_0001_8000L, 0x0000_0000_1234_5678L);
        set(h, 2, 0x0001_0000_0000_8000L, 0xFFFF_FFFF_0000_0000L);
        exec(h, e, 0x0e624020); // addhn v0.4h, v1.4s, v2.4s
        assertV(h, 0, 0xFFFF_1234_0000_0002L, 0);
        set(h, 0, 0x1111_1111_1111_1111L, 0);
        set(h, 1, 0x1234_FF80_007F_0080L, 0);
        set(h, 2, 0, 0);
        exec(h, e, 0x6e224020); // raddhn2 v0.16b, v1.8h, v2.8h
        assertV(h, 0, 0x1111_1111_1111_1111L, 0x0000_0000_1200_0001L);
        set(h, 1, 0x8000_0000L, 0);
        set(h, 2, 0x8000_0000L, 0);
        exec(h, e, 0x5ea2d020, true); // sqdmull d0, s1, s2
        assertV(h, 0, Long.MAX_VALUE, 0);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void laneArithmetic(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 1, 0x0000_0000_8010_FF00L, 0);
        set(h, 2, 0x0000_0000_7F20_00FFL, 0);
        exec(h, e, 0x6e227420); // uabd v0.16b
        assertV(h, 0, 0x0000_0000_0110_FFFFL, 0);
        set(h, 0, 100, 0);
        set(h, 1, 0x7FFF_FFFF_FFFF_FFFBL, 0);
        set(h, 2, 0x8000_0000_0000_0005L, 0);
        exec(h, e, 0x4ea27c20); // saba v0.4s
        assertV(h, 0, 0xFFFF_FFFF_0000_006EL, 0);
        set(h, 1, 0x01FF, 0);
        set(h, 2, 0x02FF, 0);
        exec(h, e, 0x2e220420); // uhadd v0.8b
        assertV(h, 0, 0x01FF, 0);
        set(h, 1, 0x01FF_807FL, 0);
        set(h, 2, 0x0000_807FL, 0);
        exec(h, e, 0x0e221420); // srhadd v0.8b
        assertV(h, 0, 0x0100_807FL, 0);

        set(h, 1, 0x0000_0002_0000_0001L, 0x0000_0000_0000_00F0L);
        set(h, 2, 0x0000_0001_0000_0003L, 0xFFFF_FFFF_0000_0010L);
        exec(h, e, 0x4ea28c20); // cmtst v0.4s
        assertV(h, 0, 0x0000_0000_FFFF_FFFFL, 0x0000_0000_FFFF_FFFFL);
        set(h, 1, ONES, 6);
        set(h, 2, 0, 5);
        exec(h, e, 0x4ee23420); // cmgt v0.2d
        assertV(h, 0, 0, ONES);
        exec(h, e, 0x6ee23420); // cmhi v0.2d
        assertV(h, 0, ONES, ONES);
        set(h, 1, 0xFFFF_0000_7FFF_8000L, 0);
        exec(h, e, 0x4e60a820); // cmlt v0.8h, v1.8h, #0
        assertV(h, 0, 0xFFFF_0000_0000_FFFFL, 0);

        set(h, 1, 0x0000_0002_0000_0001L, 0x0000_0004_0000_0003L);
        set(h, 2, 0x0000_0014_0000_000AL, 0x0000_0028_0000_001EL);
        exec(h, e, 0x4ea2bc20); // addp v0.4s
        assertV(h, 0, 0x0000_0007_0000_0003L, 0x0000_0046_0000_001EL);
        set(h, 1, ONES, 2);
        exec(h, e, 0x5ef1b820); // addp d0, v1.2d
        assertV(h, 0, 1, 0);
        set(h, 1, 0x0305_8001L, 0);
        set(h, 2, 0xFF7FL, 0);
        exec(h, e, 0x0e22ac20); // sminp v0.8b
        assertV(h, 0, 0x0000_00FF_0000_0380L, 0);

        set(h, 1, 0x8000_0000_0000_0000L, 0);
        exec(h, e, 0x7ee0b820); // neg d0, d1 wraps
        assertV(h, 0, 0x8000_0000_0000_0000L, 0);
        set(h, 1, 0x01FF80L, 0);
        exec(h, e, 0x4e20b820); // abs v0.16b
        assertV(h, 0, 0x010180L, 0);
        exec(h, e, 0x4e207820, true); // sqabs v0.16b
        assertV(h, 0, 0x01017FL, 0);
        set(h, 1, 0x8000_0000L, 0);
        exec(h, e, 0x7ea07820, true); // sqneg s0, s1
        assertV(h, 0, 0x7FFF_FFFFL, 0);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void bitwiseSelects(Engine e) {
        A64Harness h = new A64Harness();
        long ones = 0x1111_1111_1111_1111L, twos = 0x2222_2222_2222_2222L;
        set(h, 1, ones, ones);
        set(h, 2, twos, twos);
        set(h, 0, 0xFF00_FF00_FF00_FF00L, 0);
        exec(h, e, 0x6e621c20); // bsl v0.16b: v0 selects v1 over v2
        assertV(h, 0, 0x1122_1122_1122_1122L, twos);
        set(h, 0, 0xFF00_FF00_FF00_FF00L, 0);
        exec(h, e, 0x6ea21c20); // bit: insert v1 where v2 is set
        assertV(h, 0, 0xDD00_DD00_DD00_DD00L, 0);
        set(h, 0, 0xFF00_FF00_FF00_FF00L, 0);
        exec(h, e, 0x6ee21c20); // bif: insert v1 where v2 is clear
        assertV(h, 0, 0x3311_3311_3311_3311L, ones);
        exec(h, e, 0x4ee21c20); // orn v0.16b
        assertV(h, 0, 0xDDDD_DDDD_DDDD_DDDDL, 0xDDDD_DDDD_DDDD_DDDDL);
        set(h, 1, 0x0F0F_0F0F_0F0F_0F0FL, ONES);
        exec(h, e, 0x2e205820); // mvn v0.8b
        assertV(h, 0, 0xF0F0_F0F0_F0F0_F0F0L, 0);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void shiftInsertAccumulateAndSaturatingLeft(Engine e) {
        A64Harness h = new A64Harness();
        set(h, 0, 0x1122_3344_5566_7788L, 0);
        set(h, 1, 0xAABB_CCDD_EEFF_0011L, 0xFF);
        exec(h, e, 0x6f485420); // sli v0.2d, v1.2d, #8
        assertV(h, 0, 0xBBCC_DDEE_FF00_1188L, 0xFF00);
        set(h, 0, 0x1122_3344L, 0);
        set(h, 1, 0xFFFF_FFFF_AABB_CCDDL, 0);
        exec(h, e, 0x6f384420); // sri v0.4s, v1.4s, #8
        assertV(h, 0, 0x00FF_FFFF_11AA_BBCCL, 0);
        set(h, 0, 0xFFFF_FFFF_0000_0001L, 0);
        set(h, 1, 0x8000_0000_8000_0000L, 0x7FFF_FFFFL);
        exec(h, e, 0x6f211420); // usra v0.4s, v1.4s, #31
        assertV(h, 0, 2, 0);
        set(h, 1, 0x0FFF_FFFF_FFFF_FFFFL, 0x0000_0005_1000_0000L);
        exec(h, e, 0x6f246420, true); // sqshlu v0.4s, v1.4s, #4
        assertV(h, 0, 0xFFFF_FFF0_0000_0000L, 0x0000_0050_FFFF_FFFFL);
        set(h, 1, 0x20, 0);
        exec(h, e, 0x7f0b7420, true); // uqshl b0, b1, #3
        assertV(h, 0, 0xFF, 0);
        set(h, 1, 3, 0);
        exec(h, e, 0x5f7f5420); // shl d0, d1, #63
        assertV(h, 0, 0x8000_0000_0000_0000L, 0);

        set(h, 1, 0x7FFF_7FFF_FFFF_FFFFL, 0x8000_8000_0002_0001L);
        exec(h, e, 0x4e602820); // saddlp v0.4s, v1.8h
        assertV(h, 0, 0x0000_FFFE_FFFF_FFFEL, 0xFFFF_0000_0000_0003L);
        set(h, 0, 1, 2);
        set(h, 1, ONES, 0x0000_0002_0000_0001L);
        exec(h, e, 0x6ea06820); // uadalp v0.2d, v1.4s
        assertV(h, 0, 0x0000_0001_FFFF_FFFFL, 5);
        set(h, 1, 0, 0x0002_FFFF_0001_8000L);
        exec(h, e, 0x6e613820); // shll2 v0.4s, v1.8h, #16
        assertV(h, 0, 0x0001_0000_8000_0000L, 0x0002_0000_FFFF_0000L);
        set(h, 0, 0xFF80_7FL, 0);
        set(h, 1, 0x02FF_01L, 0);
        exec(h, e, 0x4e203820, true); // suqadd v0.16b, v1.16b
        assertV(h, 0, 0x017F_7FL, 0);
        set(h, 0, 1, 0);
        set(h, 1, -2L, 0);
        exec(h, e, 0x7ee03820, true); // usqadd d0, d1
        assertV(h, 0, 0, 0);
    }
}
