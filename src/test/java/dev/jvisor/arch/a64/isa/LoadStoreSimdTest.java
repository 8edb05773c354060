package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.A64Harness.Engine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

import static dev.jvisor.arch.a64.A64Harness.DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** SIMD&FP register loads and stores: scalar forms, pairs, and the LD1-LD4/ST1-ST4 structure instructions. */
class LoadStoreSimdTest {
    private static final long PATTERN0 = 0x8877_6655_4433_2211L, PATTERN1 = 0xF0E0_D0C0_B0A0_9080L;

    /** A harness whose 64 bytes at DATA hold 0, 1, 2, ... 63 and whose vector registers are all ones. */
    private static A64Harness countingBytes() {
        A64Harness h = new A64Harness();
        for (int i = 0; i < 64; i++) h.ram.set(ValueLayout.JAVA_BYTE, DATA + i, (byte) i);
        Arrays.fill(h.cpu.v, -1L);
        return h;
    }

    private static void assertQ(A64Harness h, int n, long lo, long hi) {
        assertEquals(lo, h.cpu.v[2 * n], "low half of v" + n);
        assertEquals(hi, h.cpu.v[2 * n + 1], "high half of v" + n);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void scalarLoadsClearTheRestOfTheRegister(Engine e) {
        A64Harness h = new A64Harness().write64(DATA, PATTERN0).write64(DATA + 8, PATTERN1)
                .x(1, DATA).x(2, 2).x(3, 0xFFFF_FFFFL);
        Arrays.fill(h.cpu.v, -1L);
        h.run(e,
                0x3d400420, // ldr b0, [x1, #1]
                0x7d400421, // ldr h1, [x1, #2]
                0xbd400422, // ldr s2, [x1, #4]
                0xfd400423, // ldr d3, [x1, #8]
                0x3dc00024, // ldr q4, [x1]
                0x3cc01025, // ldur q5, [x1, #1]
                0xfc408426, // ldr d6, [x1], #8
                0xbc5fcc27, // ldr s7, [x1, #-4]!
                0x7c627828, // ldr h8, [x1, x2, lsl #1]
                0x3c63c829  // ldr b9, [x1, w3, sxtw]
        );
        assertEquals(List.of(), h.events);
        assertQ(h, 0, 0x22, 0);
        assertQ(h, 1, 0x4433, 0);
        assertQ(h, 2, 0x8877_6655L, 0);
        assertQ(h, 3, PATTERN1, 0);
        assertQ(h, 4, PATTERN0, PATTERN1);
        assertQ(h, 5, 0x8088_7766_5544_3322L, 0x00F0_E0D0_C0B0_A090L);
        assertQ(h, 6, PATTERN0, 0);
        assertQ(h, 7, 0x8877_6655L, 0);
        assertQ(h, 8, 0x9080, 0);
        assertQ(h, 9, 0x44, 0);
        assertEquals(DATA + 4, h.x(1));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void scalarStoresWriteOnlyTheirSize(Engine e) {
        A64Harness h = new A64Harness().x(10, DATA + 64).write64(DATA + 88, -1);
        h.cpu.setQ(4, PATTERN0, PATTERN1);
        h.cpu.setQ(3, PATTERN1, PATTERN0);
        h.cpu.setQ(2, 0x1234_5678_8877_6655L, -1);
        h.cpu.setQ(1, 0x4433, -1);
        h.cpu.setQ(0, 0x0122, -1);
        h.run(e,
                0x3d800144, // str q4, [x10]
                0xfd000943, // str d3, [x10, #16]
                0xbd001942, // str s2, [x10, #24]
                0x7d003941, // str h1, [x10, #28]
                0x3d007940, // str b0, [x10, #30]
                0x3c821144, // stur q4, [x10, #33]
                0x3c840d43  // str q3, [x10, #64]!
        );
        assertEquals(List.of(), h.events);
        assertEquals(PATTERN0, h.read64(DATA + 64));
        assertEquals(PATTERN1, h.read64(DATA + 72));
        assertEquals(PATTERN1, h.read64(DATA + 80));
        assertEquals(0xFF22_4433_8877_6655L, h.read64(DATA + 88));
        assertEquals(PATTERN0, h.read64(DATA + 97));
        assertEquals(PATTERN1, h.read64(DATA + 105));
        assertEquals(PATTERN1, h.read64(DATA + 128));
        assertEquals(PATTERN0, h.read64(DATA + 136));
        assertEquals(DATA + 128, h.x(10));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void simdPairs(Engine e) {
        A64Harness h = new A64Harness().write64(DATA, PATTERN0).write64(DATA + 8, PATTERN1)
                .write64(DATA + 16, 0xAAAA).write64(DATA + 24, 0xBBBB).x(20, DATA).x(21, DATA + 128);
        Arrays.fill(h.cpu.v, -1L);
        h.run(e,
                0x2d402e8a, // ldp s10, s11, [x20]
                0x6d40368c, // ldp d12, d13, [x20]
                0xacc13e8e, // ldp q14, q15, [x20], #32
                0xadbf3eae, // stp q14, q15, [x21, #-32]!
                0x6c3f36ac, // stnp d12, d13, [x21, #-16]
                0x2c7f4690, // ldnp s16, s17, [x20, #-8]
                0x2d3d2aab  // stp s11, s10, [x21, #-24]
        );
        assertEquals(List.of(), h.events);
        assertQ(h, 10, 0x4433_2211L, 0);
        assertQ(h, 11, 0x8877_6655L, 0);
        assertQ(h, 12, PATTERN0, 0);
        assertQ(h, 13, PATTERN1, 0);
        assertQ(h, 14, PATTERN0, PATTERN1);
        assertQ(h, 15, 0xAAAA, 0xBBBB);
        assertQ(h, 16, 0xBBBB, 0);
        assertQ(h, 17, 0, 0);
        assertEquals(DATA + 32, h.x(20));
        assertEquals(DATA + 96, h.x(21));
        assertEquals(PATTERN0, h.read64(DATA + 96));
        assertEquals(PATTERN1, h.read64(DATA + 104));
        assertEquals(0xAAAA, h.read64(DATA + 112));
        assertEquals(0xBBBB, h.read64(DATA + 120));
        assertEquals(PATTERN0, h.read64(DATA + 80));
        assertEquals(0x4433_2211_8877_6655L, h.read64(DATA + 72));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void multipleStructureLoadsDeinterleave(Engine e) {
        A64Harness h = countingBytes().x(0, DATA).x(1, DATA).x(2, 64);
        h.run(e,
                0x4c407000, // ld1 {v0.16b}, [x0]
                0x0cdfa001, // ld1 {v1.8b, v2.8b}, [x0], #16
                0x4c408423, // ld2 {v3.8h, v4.8h}, [x1]
                0x4c400825, // ld4 {v5.4s, v6.4s, v7.4s, v8.4s}, [x1]
                0x0c404029, // ld3 {v9.8b, v10.8b, v11.8b}, [x1]
                0x4cc22c2c, // ld1 {v12.2d, v13.2d, v14.2d, v15.2d}, [x1], x2
                0x0cdf6c10  // ld1 {v16.1d, v17.1d, v18.1d}, [x0], #24
        );
        assertEquals(List.of(), h.events);
        assertQ(h, 0, 0x0706_0504_0302_0100L, 0x0F0E_0D0C_0B0A_0908L);
        assertQ(h, 1, 0x0706_0504_0302_0100L, 0);
        assertQ(h, 2, 0x0F0E_0D0C_0B0A_0908L, 0);
        assertQ(h, 3, 0x0D0C_0908_0504_0100L, 0x1D1C_1918_1514_1110L);
        assertQ(h, 4, 0x0F0E_0B0A_0706_0302L, 0x1F1E_1B1A_1716_1312L);
        assertQ(h, 5, 0x1312_1110_0302_0100L, 0x3332_3130_2322_2120L);
        assertQ(h, 6, 0x1716_1514_0706_0504L, 0x3736_3534_2726_2524L);
        assertQ(h, 7, 0x1B1A_1918_0B0A_0908L, 0x3B3A_3938_2B2A_2928L);
        assertQ(h, 8, 0x1F1E_1D1C_0F0E_0D0CL, 0x3F3E_3D3C_2F2E_2D2CL);
        assertQ(h, 9, 0x1512_0F0C_0906_0300L, 0);
        assertQ(h, 10, 0x1613_100D_0A07_0401L, 0);
        assertQ(h, 11, 0x1714_110E_0B08_0502L, 0);
        assertQ(h, 12, 0x0706_0504_0302_0100L, 0x0F0E_0D0C_0B0A_0908L);
        assertQ(h, 15, 0x3736_3534_3332_3130L, 0x3F3E_3D3C_3B3A_3938L);
        assertEquals(DATA + 64, h.x(1));
        assertQ(h, 16, 0x1716_1514_1312_1110L, 0);
        assertQ(h, 18, 0x2726_2524_2322_2120L, 0);
        assertEquals(DATA + 40, h.x(0));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void registerListsWrapFromV31ToV0(Engine e) {
        A64Harness h = countingBytes().x(0, DATA);
        h.run(e,
                0x4c40801f  // ld2 {v31.16b, v0.16b}, [x0]
        );
        assertQ(h, 31, 0x0E0C_0A08_0604_0200L, 0x1E1C_1A18_1614_1210L);
        assertQ(h, 0, 0x0F0D_0B09_0705_0301L, 0x1F1D_1B19_1715_1311L);
        assertQ(h, 1, -1, -1);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void multipleStructureStoresInterleave(Engine e) {
        A64Harness h = new A64Harness().x(3, DATA + 256).x(4, DATA + 512).x(5, 8);
        for (int s = 0; s < 4; s++) {
            long lo = 0, hi = 0;
            for (int i = 0; i < 8; i++) {
                lo |= (long) (0x10 * s + i) << 8 * i;
                hi |= (long) (0x10 * s + 8 + i) << 8 * i;
            }
            h.cpu.setQ(16 + s, lo, hi);
        }
        h.x(6, DATA + 768).x(7, DATA + 1024);
        h.run(e,
                0x4c9f0070, // st4 {v16.16b, v17.16b, v18.16b, v19.16b}, [x3], #64
                0x0c858490, // st2 {v16.4h, v17.4h}, [x4], x5
                0x4c00acd2, // st1 {v18.2d, v19.2d}, [x6]
                0x0c0048f0  // st3 {v16.2s, v17.2s, v18.2s}, [x7]
        );
        assertEquals(List.of(), h.events);
        assertEquals(0x3121_1101_3020_1000L, h.read64(DATA + 256));
        assertEquals(0x3323_1303_3222_1202L, h.read64(DATA + 264));
        assertEquals(0x3F2F_1F0F_3E2E_1E0EL, h.read64(DATA + 312));
        assertEquals(DATA + 320, h.x(3));
        assertEquals(0x1312_0302_1110_0100L, h.read64(DATA + 512));
        assertEquals(0x1716_0706_1514_0504L, h.read64(DATA + 520));
        assertEquals(0L, h.read64(DATA + 528));
        assertEquals(DATA + 520, h.x(4));
        assertEquals(0x2726_2524_2322_2120L, h.read64(DATA + 768));
        assertEquals(0x3736_3534_3332_3130L, h.read64(DATA + 784));
        assertEquals(0x3F3E_3D3C_3B3A_3938L, h.read64(DATA + 792));
        assertEquals(0x1312_1110_0302_0100L, h.read64(DATA + 1024));
        assertEquals(0x0706_0504_2322_2120L, h.read64(DATA + 1032));
        assertEquals(0x2726_2524_1716_1514L, h.read64(DATA + 1040));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void singleLaneLoadsKeepTheOtherLanesAndReplicateFills(Engine e) {
        A64Harness h = countingBytes().x(1, DATA + 15).x(2, DATA + 8).x(4, DATA + 32).x(5, -8).x(6, DATA).x(7, 100);
        h.cpu.setQ(0, 0x1111_1111_1111_1111L, 0x2222_2222_2222_2222L);
        h.run(e,
                0x4d401c20, // ld1 {v0.b}[15], [x1]
                0x4ddf8441, // ld1 {v1.d}[1], [x2], #8
                0x0de59082, // ld2 {v2.s, v3.s}[1], [x4], x5
                0x4d406084, // ld3 {v4.h, v5.h, v6.h}[4], [x4]
                0x4d40c827, // ld1r {v7.4s}, [x1]
                0x0d40c028, // ld1r {v8.8b}, [x1]
                0x4dffe4c9, // ld4r {v9.8h, v10.8h, v11.8h, v12.8h}, [x6], #8
                0x0de7cccd, // ld2r {v13.1d, v14.1d}, [x6], x7
                0x4d40e04f  // ld3r {v15.16b, v16.16b, v17.16b}, [x2]
        );
        assertEquals(List.of(), h.events);
        assertQ(h, 0, 0x1111_1111_1111_1111L, 0x0F22_2222_2222_2222L);
        assertQ(h, 1, -1, 0x0F0E_0D0C_0B0A_0908L);
        assertEquals(DATA + 16, h.x(2));
        assertQ(h, 2, 0x2322_2120_FFFF_FFFFL, -1);
        assertQ(h, 3, 0x2726_2524_FFFF_FFFFL, -1);
        assertEquals(DATA + 24, h.x(4));
        assertQ(h, 4, -1, 0xFFFF_FFFF_FFFF_1918L);
        assertQ(h, 5, -1, 0xFFFF_FFFF_FFFF_1B1AL);
        assertQ(h, 6, -1, 0xFFFF_FFFF_FFFF_1D1CL);
        assertQ(h, 7, 0x1211_100F_1211_100FL, 0x1211_100F_1211_100FL);
        assertQ(h, 8, 0x0F0F_0F0F_0F0F_0F0FL, 0);
        assertQ(h, 9, 0x0100_0100_0100_0100L, 0x0100_0100_0100_0100L);
        assertQ(h, 12, 0x0706_0706_0706_0706L, 0x0706_0706_0706_0706L);
        assertQ(h, 13, 0x0F0E_0D0C_0B0A_0908L, 0);
        assertQ(h, 14, 0x1716_1514_1312_1110L, 0);
        assertEquals(DATA + 108, h.x(6));
        assertQ(h, 15, 0x1010_1010_1010_1010L, 0x1010_1010_1010_1010L);
        assertQ(h, 17, 0x1212_1212_1212_1212L, 0x1212_1212_1212_1212L);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void singleLaneStores(Engine e) {
        A64Harness h = new A64Harness().x(8, DATA + 256).x(9, DATA + 264).x(10, DATA + 272).x(11, DATA + 288);
        h.cpu.setQ(0, 0, 0x0F00_0000_0000_0000L);
        h.cpu.setQ(2, 0x2322_2120_0000_0000L, 0);
        h.cpu.setQ(3, 0x2726_2524_0000_0000L, 0);
        h.cpu.setQ(4, 0, 0x1918);
        h.cpu.setQ(5, 0, 0x1B1A);
        h.cpu.setQ(6, 0, 0x1D1C);
        for (int k = 0; k < 4; k++) h.cpu.setQ(12 + k, 0, 0x0101_0101_0101_0101L * (k + 1));
        h.run(e,
                0x4d001d00, // st1 {v0.b}[15], [x8]
                0x4d9f6124, // st3 {v4.h, v5.h, v6.h}[4], [x9], #6
                0x0d209142, // st2 {v2.s, v3.s}[1], [x10]
                0x4d20a56c  // st4 {v12.d, v13.d, v14.d, v15.d}[1], [x11]
        );
        assertEquals(List.of(), h.events);
        assertEquals(0x0FL, h.read64(DATA + 256));
        assertEquals(0x0000_1D1C_1B1A_1918L, h.read64(DATA + 264));
        assertEquals(DATA + 270, h.x(9));
        assertEquals(0x2726_2524_2322_2120L, h.read64(DATA + 272));
        assertEquals(0x0101_0101_0101_0101L, h.read64(DATA + 288));
        assertEquals(0x0404_0404_0404_0404L, h.read64(DATA + 312));
        assertEquals(0L, h.read64(DATA + 320));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void reservedStructureEncodingsAreUndefined(Engine e) {
        int[] reserved = {
            0x0c408c00, // ld2 {v0.1d, v1.1d}, [x0]: no .1d for LD2-LD4
            0x0d404400, // ld1 {v0.h}[0] with size<0> set
            0x0d409400, // ld1 {v0.d}[0] with S set
            0x0d408800, // ld1 {v0.s}[0] with size = 10
            0x0d00c000, // ld1r with L = 0 (there is no ST1R)
        };
        for (int insn : reserved) {
            A64Harness h = new A64Harness().x(0, DATA);
            h.run(e, insn);
            assertEquals(List.of(String.format("undefined %08x", insn)), h.events);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void faultingStructureAccessesChangeNothing(Engine e) {
        long nearEnd = A64Harness.MEMORY_SIZE - 16;
        A64Harness load = countingBytes().x(0, nearEnd);
        load.run(e,
                0x4cdf2000  // ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x0], #64
        );
        assertEquals(List.of("fault TRANSLATION 0x100000 READ"), load.events);
        for (int n = 0; n < 4; n++) assertQ(load, n, -1, -1);
        assertEquals(nearEnd, load.x(0));

        A64Harness store = countingBytes().x(0, nearEnd);
        store.run(e,
                0x4c9f2000  // st1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x0], #64
        );
        assertEquals(List.of("fault TRANSLATION 0x100000 WRITE"), store.events);
        assertEquals(0L, store.read64(nearEnd));
        assertEquals(0L, store.read64(nearEnd + 8));
        assertEquals(nearEnd, store.x(0));

        A64Harness replicate = countingBytes().x(1, A64Harness.MEMORY_SIZE - 2);
        replicate.run(e,
                0x4d60c424  // ld2r {v4.8h, v5.8h}, [x1]
        );
        assertEquals(1, replicate.events.size());
        assertQ(replicate, 4, -1, -1);

        A64Harness q = countingBytes().x(1, A64Harness.MEMORY_SIZE - 8);
        q.cpu.setQ(7, 1, 2);
        q.run(e,
                0x3d800027, // str q7, [x1]
                0x3dc00026  // ldr q6, [x1]
        );
        assertEquals(List.of("fault TRANSLATION 0x100000 WRITE"), q.events);
        assertEquals(0L, q.read64(A64Harness.MEMORY_SIZE - 8));
    }
}
