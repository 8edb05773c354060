package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.A64Harness.Engine;
import dev.jvisor.arch.a64.CpuModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static dev.jvisor.arch.a64.A64Harness.DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Exclusives, load-acquire/store-release and the LSE atomics on one CPU; see LoadStoreStressTest for two. */
class LoadStoreAtomicTest {
    private static final long PATTERN0 = 0x8877_6655_4433_2211L, PATTERN1 = 0xF0E0_D0C0_B0A0_9080L;

    @ParameterizedTest
    @EnumSource(Engine.class)
    void storeExclusiveSucceedsAfterLoadExclusive(Engine e) {
        A64Harness h = new A64Harness().write64(DATA, 5).x(0, DATA).x(2, -1).x(3, 42);
        h.run(e,
                0xc85f7c01, // ldxr x1, [x0]
                0xc8027c03  // stxr w2, x3, [x0]
        );
        assertEquals(List.of(), h.events);
        assertEquals(5L, h.x(1));
        assertEquals(0L, h.x(2));
        assertEquals(42L, h.read64(DATA));
        assertEquals(0, h.cpu.exclusiveSize, "a store-exclusive clears the monitor");
        h.run(e,
                0xc8027c01  // stxr w2, x1, [x0]
        );
        assertEquals(1L, h.x(2), "no second success without a new load-exclusive");
        assertEquals(42L, h.read64(DATA));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void storeExclusiveFailsWhenTheMonitorIsLost(Engine e) {
        int ldxr = 0xc85f7c01; // ldxr x1, [x0]
        int stxr = 0xc8027c03; // stxr w2, x3, [x0]
        A64Harness h = new A64Harness().write64(DATA, 5).x(0, DATA).x(3, 42);
        h.run(e, ldxr);
        h.cpu.exclusiveSize = 0; // what CLREX or an exception return does
        h.run(e, stxr);
        assertEquals(1L, h.x(2));
        assertEquals(5L, h.read64(DATA));

        h.run(e, ldxr);
        h.write64(DATA, 6); // another observer's store between the two
        h.run(e, stxr);
        assertEquals(1L, h.x(2));
        assertEquals(6L, h.read64(DATA));

        h.x(4, DATA + 8).run(e,
                0xc85f7c01, // ldxr x1, [x0]
                0xc8027c83  // stxr w2, x3, [x4]
        );
        assertEquals(1L, h.x(2), "a different address fails");
        assertEquals(0L, h.read64(DATA + 8));

        h.run(e,
                0xc85f7c01, // ldxr x1, [x0]
                0x88027c03  // stxr w2, w3, [x0]
        );
        assertEquals(1L, h.x(2), "a different size fails");
        assertEquals(6L, h.read64(DATA));
        assertEquals(List.of(), h.events);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void subwordExclusivesTouchOnlyTheirBytes(Engine e) {
        A64Harness h = new A64Harness().write64(DATA, 0x1122_3344_5566_7788L).x(0, DATA + 3).x(4, DATA + 6)
                .x(3, 0x1AB).x(6, 0xBEEF);
        h.run(e,
                0x085f7c01, // ldxrb w1, [x0]
                0x08027c03, // stxrb w2, w3, [x0]
                0x485ffc85, // ldaxrh w5, [x4]
                0x4807fc86  // stlxrh w7, w6, [x4]
        );
        assertEquals(List.of(), h.events);
        assertEquals(0x55L, h.x(1));
        assertEquals(0x1122L, h.x(5));
        assertEquals(0L, h.x(2));
        assertEquals(0L, h.x(7));
        assertEquals(0xBEEF_3344_AB66_7788L, h.read64(DATA));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void exclusivePairs(Engine e) {
        A64Harness h = new A64Harness().write64(DATA + 16, PATTERN0).write64(DATA + 24, PATTERN1)
                .write64(DATA + 32, 0x2222_2222_1111_1111L).x(0, DATA + 16).x(6, DATA + 32);
        h.run(e,
                0xc87f0801, // ldxp x1, x2, [x0]
                0xc8230402, // stxp w3, x2, x1, [x0]
                0x887f94c4, // ldaxp w4, w5, [x6]
                0x882790c5  // stlxp w7, w5, w4, [x6]
        );
        assertEquals(List.of(), h.events);
        assertEquals(PATTERN0, h.x(1));
        assertEquals(PATTERN1, h.x(2));
        assertEquals(0L, h.x(3));
        assertEquals(PATTERN1, h.read64(DATA + 16));
        assertEquals(PATTERN0, h.read64(DATA + 24));
        assertEquals(0x1111_1111L, h.x(4));
        assertEquals(0x2222_2222L, h.x(5));
        assertEquals(0L, h.x(7));
        assertEquals(0x1111_1111_2222_2222L, h.read64(DATA + 32));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void exclusivePairFailsAsAWholeWhenOnlyTheHighHalfChanged(Engine e) {
        A64Harness h = new A64Harness().write64(DATA, PATTERN0).write64(DATA + 8, PATTERN1).x(0, DATA).x(8, 8).x(9, 9);
        h.run(e,
                0xc87f0801  // ldxp x1, x2, [x0]
        );
        h.write64(DATA + 8, 77);
        h.run(e,
                0xc8232408  // stxp w3, x8, x9, [x0]
        );
        assertEquals(1L, h.x(3));
        assertEquals(PATTERN0, h.read64(DATA), "the low half is put back");
        assertEquals(77L, h.read64(DATA + 8));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void exclusivesAndOrderedAccessesNeedAlignment(Engine e) {
        String[] expected = {
            "fault ALIGNMENT 0x80004 READ", "fault ALIGNMENT 0x80004 WRITE", "fault ALIGNMENT 0x80008 READ",
            "fault ALIGNMENT 0x80002 READ", "fault ALIGNMENT 0x80002 WRITE", "fault ALIGNMENT 0x80001 WRITE",
            "fault ALIGNMENT 0x80008 WRITE",
        };
        int[] insns = {
                0xc85f7c01, // ldxr x1, [x0]
                0xc8027c03, // stxr w2, x3, [x0]
                0xc87f0c81, // ldxp x1, x3, [x4]
                0x88dffca1, // ldar w1, [x5]
                0x889ffca1, // stlr w1, [x5]
                0xb82100c3, // ldadd w1, w3, [x6]
                0x48227c84, // casp x2, x3, x4, x5, [x4]
        };
        for (int i = 0; i < insns.length; i++) {
            A64Harness h = new A64Harness().x(0, DATA + 4).x(4, DATA + 8).x(5, DATA + 2).x(6, DATA + 1)
                    .x(1, 11).x(2, 22);
            h.run(e, insns[i]);
            assertEquals(List.of(expected[i]), h.events);
            assertEquals(11L, h.x(1));
            assertEquals(22L, h.x(2));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void overlappingOperandsAreUndefined(Engine e) {
        int[] insns = {
            0xc8017c01, // stxr w1, x1, [x0]
            0xc8007c01, // stxr w0, x1, [x0]
            0xc87f0401, // ldxp x1, x1, [x0]
            0x48217c82, // casp x1, x2, x2, x3, [x4]: odd Rs
        };
        for (int insn : insns) {
            A64Harness h = new A64Harness().x(0, DATA).x(4, DATA);
            h.run(e, insn);
            assertEquals(List.of(String.format("undefined %08x", insn)), h.events);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void acquireAndReleaseAccesses(Engine e) {
        A64Harness h = new A64Harness().x(0, DATA).x(3, PATTERN1).x(5, -1);
        h.run(e,
                0xc89ffc03, // stlr x3, [x0]
                0xc8dffc04, // ldar x4, [x0]
                0x08dffc05, // ldarb w5, [x0]
                0x489ffc03, // stlrh w3, [x0, #0]
                0xb8bfc006, // ldapr w6, [x0]
                0x78bfc007  // ldaprh w7, [x0]
        );
        assertEquals(List.of(), h.events);
        assertEquals(PATTERN1, h.x(4));
        assertEquals(0x80L, h.x(5));
        assertEquals(0xB0A0_9080L, h.x(6));
        assertEquals(0x9080L, h.x(7));
        assertEquals(PATTERN1, h.read64(DATA));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void featureGates(Engine e) {
        int[] lseAndRcpc = {
                0xb8210002, // ldadd w1, w2, [x0]
                0xc8a17c02, // cas x1, x2, [x0]
                0x48227c04, // casp x2, x3, x4, x5, [x0]
                0xf8218002, // swp x1, x2, [x0]
                0xf8bfc001, // ldapr x1, [x0]
        };
        for (int insn : lseAndRcpc) {
            A64Harness h = new A64Harness(CpuModel.cortexA57()).x(0, DATA).x(1, 5);
            h.run(e, insn);
            assertEquals(List.of(String.format("undefined %08x", insn)), h.events);
            assertEquals(0L, h.read64(DATA));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void compareAndSwapReturnsTheOldValue(Engine e) {
        A64Harness h = new A64Harness().write64(DATA, 7).write64(DATA + 8, 0x1122_3344_5566_7788L).x(0, DATA)
                .x(1, 7).x(2, 9).x(3, 8).x(4, 11)
                .x(5, DATA + 9).x(6, 0xFFFF_FF77L).x(7, 0xAA)
                .x(8, DATA + 10).x(9, 0x1234).x(10, 0x4321);
        h.run(e,
                0xc8a17c02, // cas x1, x2, [x0]
                0xc8e37c04, // casa x3, x4, [x0]
                0x08e6fca7, // casalb w6, w7, [x5]
                0x48e97d0a  // casah w9, w10, [x8]
        );
        assertEquals(List.of(), h.events);
        assertEquals(7L, h.x(1));
        assertEquals(9L, h.x(3), "a failed CAS returns what it found");
        assertEquals(9L, h.read64(DATA));
        assertEquals(0x77L, h.x(6), "CASB compares the low byte and zero-extends the old value");
        assertEquals(0x5566L, h.x(9));
        assertEquals(0x1122_3344_5566_AA88L, h.read64(DATA + 8));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void compareAndSwapPairs(Engine e) {
        A64Harness h = new A64Harness().write64(DATA + 16, PATTERN0).write64(DATA + 24, PATTERN1)
                .write64(DATA + 32, 0x2222_2222_1111_1111L)
                .x(2, PATTERN0).x(3, PATTERN1).x(4, 1).x(5, 2).x(6, DATA + 16)
                .x(10, 0x1111_1111L).x(11, 0x2222_2222L).x(12, 0x33).x(13, 0x44).x(14, DATA + 32);
        h.run(e,
                0x48227cc4, // casp x2, x3, x4, x5, [x6]
                0x086afdcc  // caspal w10, w11, w12, w13, [x14]
        );
        assertEquals(List.of(), h.events);
        assertEquals(PATTERN0, h.x(2));
        assertEquals(PATTERN1, h.x(3));
        assertEquals(1L, h.read64(DATA + 16));
        assertEquals(2L, h.read64(DATA + 24));
        assertEquals(0x0000_0044_0000_0033L, h.read64(DATA + 32));
        assertEquals(0x1111_1111L, h.x(10));
        assertEquals(0x2222_2222L, h.x(11));
        h.x(2, 1).x(3, 3).x(4, 5).x(5, 6).run(e,
                0x4822fcc4  // caspl x2, x3, x4, x5, [x6]
        );
        assertEquals(1L, h.x(2));
        assertEquals(2L, h.x(3));
        assertEquals(1L, h.read64(DATA + 16), "a mismatch in the high half leaves memory alone");
        assertEquals(2L, h.read64(DATA + 24));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void arithmeticAtomicsWithSignsAndSizes(Engine e) {
        A64Harness h = new A64Harness()
                .write64(DATA, 10).x(0, DATA).x(1, 5)
                .write64(DATA + 8, 0x5555_5555_5555_55FFL).x(30, DATA + 8).x(3, 2)
                .write64(DATA + 16, 0x8000_0000_7FFF_0080L).x(24, DATA + 16).x(25, DATA + 18).x(26, DATA + 20)
                .x(5, 5).x(7, 0x8000).x(9, 5)
                .write64(DATA + 24, -1).x(27, DATA + 24).x(11, 3)
                .write64(DATA + 72, -5).x(28, DATA + 72).x(20, -7)
                .write64(DATA + 80, 0xFFFF_FFF0L).x(29, DATA + 80).x(22, 3);
        h.run(e,
                0xf8210002, // ldadd x1, x2, [x0]
                0x382303c4, // ldaddb w3, w4, [x30]
                0x38254306, // ldsmaxb w5, w6, [x24]
                0x78275328, // ldsminh w7, w8, [x25]
                0xb829634a, // ldumax w9, w10, [x26]
                0xf82b736c, // ldumin x11, x12, [x27]
                0xf8344395, // ldsmax x20, x21, [x28]
                0xb83653b7  // ldsmin w22, w23, [x29]
        );
        assertEquals(List.of(), h.events);
        assertEquals(10L, h.x(2));
        assertEquals(15L, h.read64(DATA));
        assertEquals(0xFFL, h.x(4));
        assertEquals(0x5555_5555_5555_5501L, h.read64(DATA + 8), "a byte add wraps without carrying out");
        assertEquals(0x80L, h.x(6), "the old value is zero-extended");
        assertEquals(0x7FFFL, h.x(8));
        assertEquals(0x8000_0000L, h.x(10));
        assertEquals(0x8000_0000_8000_0005L, h.read64(DATA + 16), "signed byte max(-128, 5), signed half min");
        assertEquals(-1L, h.x(12));
        assertEquals(3L, h.read64(DATA + 24));
        assertEquals(-5L, h.x(21));
        assertEquals(-5L, h.read64(DATA + 72));
        assertEquals(0xFFFF_FFF0L, h.x(23));
        assertEquals(0xFFFF_FFF0L, h.read64(DATA + 80));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void bitwiseAtomicsSwapAndStoreAliases(Engine e) {
        A64Harness h = new A64Harness()
                .write64(DATA + 32, 0xFF00FF).x(0, DATA + 32).x(13, 0x0F000F)
                .write64(DATA + 40, 0xAAAA_AAAA_1234_5678L).x(1, DATA + 40).x(15, 0xFFFF_FFFFL)
                .write64(DATA + 48, 0x0101).x(2, DATA + 48).x(17, 0x1010)
                .write64(DATA + 56, 0x1234).x(3, DATA + 56).x(19, 0x5678)
                .write64(DATA + 64, 1).x(4, DATA + 64).x(21, 2)
                .write64(DATA + 88, 0x0F).x(5, DATA + 88).x(22, 0xF0);
        h.run(e,
                0xf82d100e, // ldclr x13, x14, [x0]
                0xb82f2030, // ldeor w15, w16, [x1]
                0x78313052, // ldseth w17, w18, [x2]
                0xf8f38074, // swpal x19, x20, [x3]
                0xb835009f, // stadd w21, [x4]
                0xf87630bf  // stsetl x22, [x5]
        );
        assertEquals(List.of(), h.events);
        assertEquals(0xF0_00F0L, h.read64(DATA + 32));
        assertEquals(0xFF00FFL, h.x(14));
        assertEquals(0xAAAA_AAAA_EDCB_A987L, h.read64(DATA + 40));
        assertEquals(0x1234_5678L, h.x(16));
        assertEquals(0x1111L, h.read64(DATA + 48));
        assertEquals(0x0101L, h.x(18));
        assertEquals(0x5678L, h.read64(DATA + 56));
        assertEquals(0x1234L, h.x(20));
        assertEquals(3L, h.read64(DATA + 64));
        assertEquals(0xFFL, h.read64(DATA + 88));
    }
}
