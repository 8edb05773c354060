package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.A64Harness.Engine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.ValueLayout;
import java.util.List;

import static dev.jvisor.arch.a64.A64Harness.DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Single-register and pair loads and stores of general registers, in every addressing mode. */
class LoadStoreTest {
    private static final long PATTERN0 = 0x8877_6655_4433_2211L, PATTERN1 = 0xF0E0_D0C0_B0A0_9080L;

    private static A64Harness withPattern() {
        return new A64Harness().write64(DATA, PATTERN0).write64(DATA + 8, PATTERN1);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void unsignedOffsetLoadsZeroAndSignExtend(Engine e) {
        A64Harness h = withPattern().x(1, DATA).x(3, -1).x(7, -1).write64(DATA + 32760, 0x0123_4567_89AB_CDEFL);
        h.run(e,
                0x39401c22, // ldrb w2, [x1, #7]
                0x39c01c23, // ldrsb w3, [x1, #7]
                0x39801c24, // ldrsb x4, [x1, #7]
                0x79400c25, // ldrh w5, [x1, #6]
                0x79801c26, // ldrsh x6, [x1, #14]
                0x79c00427, // ldrsh w7, [x1, #2]
                0xb9400428, // ldr w8, [x1, #4]
                0xb9800c29, // ldrsw x9, [x1, #12]
                0xf940042a, // ldr x10, [x1, #8]
                0xf97ffc2b, // ldr x11, [x1, #32760]
                0x3980002c  // ldrsb x12, [x1, #0]
        );
        assertEquals(List.of(), h.events);
        assertEquals(0x88L, h.x(2));
        assertEquals(0xFFFF_FF88L, h.x(3), "a W load clears bits 63..32");
        assertEquals(0xFFFF_FFFF_FFFF_FF88L, h.x(4));
        assertEquals(0x8877L, h.x(5));
        assertEquals(0xFFFF_FFFF_FFFF_F0E0L, h.x(6));
        assertEquals(0x4433L, h.x(7));
        assertEquals(0x8877_6655L, h.x(8));
        assertEquals(0xFFFF_FFFF_F0E0_D0C0L, h.x(9));
        assertEquals(PATTERN1, h.x(10));
        assertEquals(0x0123_4567_89AB_CDEFL, h.x(11));
        assertEquals(0x11L, h.x(12));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void unsignedOffsetStoresWriteOnlyTheirSize(Engine e) {
        A64Harness h = new A64Harness().x(1, DATA).x(10, PATTERN1).write64(DATA + 16, -1);
        h.run(e,
                0x3900402a, // strb w10, [x1, #16]
                0x3900443f, // strb wzr, [x1, #17]
                0x7900242a, // strh w10, [x1, #18]
                0xb900142a, // str w10, [x1, #20]
                0xf9000c2a, // str x10, [x1, #24]
                0xf900103f  // str xzr, [x1, #32]
        );
        assertEquals(0xB0A0_9080_9080_0080L, h.read64(DATA + 16));
        assertEquals(PATTERN1, h.read64(DATA + 24));
        assertEquals(0L, h.read64(DATA + 32));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void unscaledPreAndPostIndexWriteBack(Engine e) {
        A64Harness h = withPattern().x(1, DATA + 16);
        h.run(e,
                0xf85f8022, // ldur x2, [x1, #-8]
                0xf85f0c23, // ldr x3, [x1, #-16]!
                0xf8408424, // ldr x4, [x1], #8
                0xf8008c24, // str x4, [x1, #8]!
                0x381ff422, // strb w2, [x1], #-1
                0xb89fd025, // ldursw x5, [x1, #-3]
                0x785f9026, // ldurh w6, [x1, #-7]
                0x789ffc27  // ldrsh x7, [x1, #-1]!
        );
        assertEquals(List.of(), h.events);
        assertEquals(PATTERN1, h.x(2));
        assertEquals(PATTERN0, h.x(3));
        assertEquals(PATTERN0, h.x(4));
        assertEquals(0x8877_6655_4433_2280L, h.read64(DATA + 16));
        assertEquals(0xFFFF_FFFF_F0E0_D0C0L, h.x(5));
        assertEquals(0x9080L, h.x(6));
        assertEquals(DATA + 14, h.x(1));
        assertEquals(0xFFFF_FFFF_FFFF_F0E0L, h.x(7));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void unprivilegedFormsArePlainAccessesAtEl0(Engine e) {
        A64Harness h = withPattern().x(1, DATA + 8);
        h.run(e,
                0xf85f8822, // ldtr x2, [x1, #-8]
                0x38807823, // ldtrsb x3, [x1, #7]
                0x78400824, // ldtrh w4, [x1]
                0xb8010822, // sttr w2, [x1, #16]
                0x380ff824  // sttrb w4, [x1, #255]
        );
        assertEquals(PATTERN0, h.x(2));
        assertEquals(0xFFFF_FFFF_FFFF_FFF0L, h.x(3));
        assertEquals(0x9080L, h.x(4));
        assertEquals(0x4433_2211L, h.read64(DATA + 24));
        assertEquals(0x80, h.ram.get(ValueLayout.JAVA_BYTE, DATA + 8 + 255) & 0xFF);
        assertEquals(DATA + 8, h.x(1));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void registerOffsetExtendsAndShifts(Engine e) {
        A64Harness h = withPattern().write64(DATA + 16, 16).write64(DATA + 24, 24)
                .x(1, DATA).x(2, 2).x(4, 0xFFFF_FFFF_0000_0003L).x(6, 0xFFFF_FFFFL).x(9, -16).x(11, -8)
                .x(13, DATA + 16);
        h.run(e,
                0xf8627823, // ldr x3, [x1, x2, lsl #3]
                0xf8645825, // ldr x5, [x1, w4, uxtw #3]
                0xf866d9a7, // ldr x7, [x13, w6, sxtw #3]
                0x386969a8, // ldrb w8, [x13, x9]
                0xf86be9aa, // ldr x10, [x13, x11, sxtx]
                0x7862782c, // ldrh w12, [x1, x2, lsl #1]
                0xb8a6d9ae, // ldrsw x14, [x13, w6, sxtw #2]
                0xb862482f, // ldr w15, [x1, w2, uxtw]
                0x382279a2, // strb w2, [x13, x2, lsl #0]
                0x782279a2  // strh w2, [x13, x2, lsl #1]
        );
        assertEquals(List.of(), h.events);
        assertEquals(16L, h.x(3));
        assertEquals(24L, h.x(5), "UXTW ignores bits 63..32 of Xm");
        assertEquals(PATTERN1, h.x(7), "SXTW makes 0xFFFFFFFF minus one");
        assertEquals(0x11L, h.x(8));
        assertEquals(PATTERN1, h.x(10));
        assertEquals(0x6655L, h.x(12));
        assertEquals(0xFFFF_FFFF_F0E0_D0C0L, h.x(14));
        assertEquals(0x6655_4433L, h.x(15));
        assertEquals(0x0000_0002_0002_0010L, h.read64(DATA + 16));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void stackPointerAsBaseAndWriteBack(Engine e) {
        A64Harness h = new A64Harness().x(31, DATA + 64).x(29, 0x29).x(30, 0x30);
        h.run(e,
                0xa9bf7bfd, // stp x29, x30, [sp, #-16]!
                0xf94007e0, // ldr x0, [sp, #8]
                0x394003e1, // ldrb w1, [sp]
                0xf81f8fe0, // str x0, [sp, #-8]!
                0xa8c18fe2  // ldp x2, x3, [sp], #24
        );
        assertEquals(0x30L, h.x(0));
        assertEquals(0x29L, h.x(1));
        assertEquals(0x30L, h.x(2));
        assertEquals(0x29L, h.x(3));
        assertEquals(DATA + 64, h.cpu.sp());
        assertEquals(0x30L, h.read64(DATA + 56));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void writeBackOntoTheTransferRegister(Engine e) {
        A64Harness h = withPattern().x(1, DATA).x(2, DATA + 24).x(3, DATA + 8).x(5, DATA);
        h.run(e,
                0xf8408421, // ldr x1, [x1], #8
                0xf81f8c42, // str x2, [x2, #-8]!
                0xa9ff9063, // ldp x3, x4, [x3, #-8]!
                0xa98214a6  // stp x6, x5, [x5, #32]!
        );
        assertEquals(PATTERN0, h.x(1), "load writeback onto Rt is suppressed");
        assertEquals(DATA + 16, h.x(2));
        assertEquals(DATA + 24, h.read64(DATA + 16), "a store writes the register's value from before the writeback");
        assertEquals(PATTERN0, h.x(3));
        assertEquals(PATTERN1, h.x(4));
        assertEquals(DATA + 32, h.x(5));
        assertEquals(DATA, h.read64(DATA + 40));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void literalLoadsAndPrefetch(Engine e) {
        A64Harness h = new A64Harness();
        long lit = A64Harness.CODE - 256;
        h.write64(lit, 0x1122_3344_8877_6655L).write64(lit + 8, 0x0102_0304_0506_0708L)
                .write64(lit + 16, 0x1112_1314_1516_1718L).write64(lit + 24, 0x2122_2324_2526_2728L);
        h.cpu.v[7] = -1;
        h.cpu.v[11] = -1;
        h.run(e,
                0x58fff800, // ldr x0, .-256
                0x98fff7e1, // ldrsw x1, .-260
                0x18fff7e2, // ldr w2, .-260
                0x5cfff7e3, // ldr d3, .-260
                0x9cfff804, // ldr q4, .-256
                0x1cfff825, // ldr s5, .-252
                0xd87fff80, // prfm pldl1keep, .+0xffff0
                0x58000046, // ldr x6, .+8
                0x14000003, // b .+12
                0xdeadbeef, // .word 0xdeadbeef
                0xcafef00d  // .word 0xcafef00d
        );
        assertEquals(List.of(), h.events);
        assertEquals(0x1122_3344_8877_6655L, h.x(0));
        assertEquals(0xFFFF_FFFF_8877_6655L, h.x(1));
        assertEquals(0x1122_3344L, h.x(2));
        assertEquals(0x0102_0304_0506_0708L, h.cpu.v[6]);
        assertEquals(0L, h.cpu.v[7]);
        assertEquals(0x1112_1314_1516_1718L, h.cpu.v[8]);
        assertEquals(0x2122_2324_2526_2728L, h.cpu.v[9]);
        assertEquals(0x2526_2728L, h.cpu.v[10]);
        assertEquals(0L, h.cpu.v[11]);
        assertEquals(0xCAFE_F00D_DEAD_BEEFL, h.x(6));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void prefetchNeverFaults(Engine e) {
        A64Harness h = new A64Harness().x(1, 0x7FFF_0000_0000L).x(2, 8);
        h.run(e,
                0xf9800020, // prfm pldl1keep, [x1]
                0xf8a26835, // prfm pstl3strm, [x1, x2]
                0xf89ff02a, // prfum plil2keep, [x1, #-1]
                0xf980043f  // prfm #0x1f, [x1, #8]
        );
        assertEquals(List.of(), h.events);
        assertEquals(A64Harness.CODE + 16, h.cpu.pc);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void pairsInEveryMode(Engine e) {
        A64Harness h = withPattern().x(1, DATA).x(2, DATA + 64).x(3, 0x1111).x(4, 0x2222);
        h.run(e,
                0xa9401825, // ldp x5, x6, [x1]
                0x29412027, // ldp w7, w8, [x1, #8]
                0x69412829, // ldpsw x9, x10, [x1, #8]
                0xa840302b, // ldnp x11, x12, [x1]
                0xa9bf1043, // stp x3, x4, [x2, #-16]!
                0x28bf0c44, // stp w4, w3, [x2], #-8
                0x283f1043, // stnp w3, w4, [x2, #-8]
                0xa9c0b84d, // ldp x13, x14, [x2, #8]!
                0x68c1404f  // ldpsw x15, x16, [x2], #8
        );
        assertEquals(List.of(), h.events);
        assertEquals(PATTERN0, h.x(5));
        assertEquals(PATTERN1, h.x(6));
        assertEquals(0xB0A0_9080L, h.x(7));
        assertEquals(0xF0E0_D0C0L, h.x(8));
        assertEquals(0xFFFF_FFFF_B0A0_9080L, h.x(9));
        assertEquals(0xFFFF_FFFF_F0E0_D0C0L, h.x(10));
        assertEquals(PATTERN0, h.x(11));
        assertEquals(PATTERN1, h.x(12));
        assertEquals(0x0000_2222_0000_1111L, h.read64(DATA + 32));
        assertEquals(0x0000_1111_0000_2222L, h.read64(DATA + 48));
        assertEquals(0x2222L, h.read64(DATA + 56));
        assertEquals(0x0000_1111_0000_2222L, h.x(13));
        assertEquals(0x2222L, h.x(14));
        assertEquals(0x2222L, h.x(15));
        assertEquals(0x1111L, h.x(16));
        assertEquals(DATA + 56, h.x(2));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void faultingLoadLeavesRegistersAndBaseUnchanged(Engine e) {
        A64Harness h = new A64Harness().x(1, 0x20_0000).x(2, 77);
        h.run(e,
                0xf8408422  // ldr x2, [x1], #8
        );
        assertEquals(List.of("fault TRANSLATION 0x200000 READ"), h.events);
        assertEquals(0x20_0000L, h.x(1));
        assertEquals(77L, h.x(2));
        assertEquals(A64Harness.CODE, h.cpu.pc);

        A64Harness pair = new A64Harness().x(1, A64Harness.MEMORY_SIZE + 4).x(2, 22).x(3, 33);
        pair.run(e,
                0xa9ff8c22  // ldp x2, x3, [x1, #-8]!
        );
        assertEquals(1, pair.events.size());
        assertEquals(A64Harness.MEMORY_SIZE + 4L, pair.x(1));
        assertEquals(22L, pair.x(2));
        assertEquals(33L, pair.x(3));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void faultingStoreWritesNothing(Engine e) {
        long last = A64Harness.MEMORY_SIZE - 8;
        A64Harness pair = new A64Harness().x(1, last).x(2, 22).x(3, 33);
        pair.run(e,
                0xa8810c22  // stp x2, x3, [x1], #16
        );
        assertEquals(List.of("fault TRANSLATION 0x100000 WRITE"), pair.events);
        assertEquals(0L, pair.read64(last));
        assertEquals(last, pair.x(1));

        A64Harness single = new A64Harness().x(1, last).x(2, 22);
        single.run(e,
                0xf8008c22  // str x2, [x1, #8]!
        );
        assertEquals(List.of("fault TRANSLATION 0x100000 WRITE"), single.events);
        assertEquals(last, single.x(1));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void unallocatedAndChosenUndefinedEncodings(Engine e) {
        int[] undefined = {
            0xa9400401, // ldp x1, x1, [x0]: CONSTRAINED UNPREDICTABLE, UNDEFINED chosen
            0xb9c00020, // size=10 opc=11 unsigned offset: unallocated
            0xf8800c00, // PRFM encoding with pre-index: unallocated
            0x69400440 & ~(1 << 23) & ~(1 << 24), // LDPSW with the non-temporal mode: unallocated
            0x3cc00c20 | 1 << 30, // size=01 V=1 opc=11 pre-index: unallocated
        };
        for (int insn : undefined) {
            A64Harness h = new A64Harness().x(0, DATA).x(1, DATA);
            h.run(e, insn);
            assertEquals(List.of(String.format("undefined %08x", insn)), h.events);
            assertEquals(DATA, h.x(1));
        }
    }
}
