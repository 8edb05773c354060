package dev.jvisor.engine.dbt;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.Cpu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.ValueLayout;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Register and flag state that the translator keeps in JVM locals must be exactly the interpreter's wherever the
 * guest can observe it: after a fault in the middle of a region, across loops whose flags live over the back edge,
 * and around instructions that still call their semantics.
 */
class TranslatedCodeTest {
    private static final long UNMAPPED = 0x10_0000_0000L;

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void aFaultMidRegionKeepsEveryEarlierInstructionAndNothingLater(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        h.x(1, 41).x(2, 5).x(3, 0x333).x(4, UNMAPPED).x(5, 0x555);
        h.cpu.nzcv = 0;
        h.run(engine,
                0x91000421,  // add x1, x1, #1
                0xf1000c42,  // subs x2, x2, #3
                0xf9400083,  // ldr x3, [x4]
                0x910004a5); // add x5, x5, #1
        assertEquals(List.of("fault TRANSLATION 0x1000000000 READ"), h.events);
        assertEquals(42, h.x(1));
        assertEquals(2, h.x(2));
        assertEquals(0x333, h.x(3), "the faulting load wrote nothing");
        assertEquals(0x555, h.x(5), "the instruction after the fault did not run");
        assertEquals(Cpu.C, h.cpu.nzcv, "5 - 3: no borrow, positive, non-zero");
        assertEquals(A64Harness.CODE + 8, h.cpu.pc);
        assertEquals(3, h.cpu.instructions);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void aFaultAfterLoadsAndStoresWithWritebackKeepsTheirResults(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        h.write64(0x8000, 0x1234_5678_9ABC_DEF0L);
        h.x(2, 0x8000).x(4, UNMAPPED).x(5, 0x9000).x(3, 0x333);
        h.run(engine,
                0xf8408441,  // ldr x1, [x2], #8
                0xf8008ca1,  // str x1, [x5, #8]!
                0xf9400083,  // ldr x3, [x4]
                0x910004a5); // add x5, x5, #1
        assertEquals(List.of("fault TRANSLATION 0x1000000000 READ"), h.events);
        assertEquals(0x1234_5678_9ABC_DEF0L, h.x(1));
        assertEquals(0x8008, h.x(2), "post-index writeback");
        assertEquals(0x9008, h.x(5), "pre-index writeback, and the add after the fault did not run");
        assertEquals(0x1234_5678_9ABC_DEF0L, h.read64(0x9008));
        assertEquals(0x333, h.x(3));
        assertEquals(A64Harness.CODE + 8, h.cpu.pc);
    }

    private static final int[] HINTS_AND_SYSTEM_READS = {
            0xf1000484,  // subs x4, x4, #1
            0xd503201f,  // nop
            0xd53bd041,  // mrs x1, tpidr_el0
            0xd5033bbf,  // dmb ish
            0x91000422,  // add x2, x1, #1
            0xd53b4203,  // mrs x3, nzcv
            0xd5033f5f,  // clrex
            0xd503233f,  // paciasp (a NOP without FEAT_PAuth)
            0x910004a5}; // add x5, x5, #1

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void hintsBarriersAndSystemRegisterReadsInsideARegion(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        h.cpu.tpidrEl0 = 0x7000_1234_5678L;
        h.x(4, 1).x(5, 10);
        h.run(engine, HINTS_AND_SYSTEM_READS);
        assertEquals(0x7000_1234_5678L, h.x(1));
        assertEquals(0x7000_1234_5679L, h.x(2));
        assertEquals((long) (Cpu.Z | Cpu.C), h.x(3), "1 - 1: zero, no borrow");
        assertEquals(11, h.x(5));
        assertEquals(List.of(), h.events);
    }

    @Test
    void hintsBarriersAndSystemRegisterReadsDoNotEndTheRegion() {
        A64Harness h = new A64Harness();
        for (int i = 0; i < HINTS_AND_SYSTEM_READS.length; i++) {
            h.ram.set(ValueLayout.JAVA_INT_UNALIGNED, A64Harness.CODE + 4L * i, HINTS_AND_SYSTEM_READS[i]);
        }
        h.ram.set(ValueLayout.JAVA_INT_UNALIGNED, A64Harness.CODE + 4L * HINTS_AND_SYSTEM_READS.length, 0xd65f03c0); // ret
        h.x(30, A64Harness.CODE + 0x800);
        h.cpu.pc = A64Harness.CODE;
        DbtEngine engine = new DbtEngine(h.cpu, new CodeCache(), null, 1);
        engine.run(HINTS_AND_SYSTEM_READS.length + 1);
        assertEquals(A64Harness.CODE + 0x800, h.cpu.pc);
        assertEquals(1, engine.stats.regionRuns, "one region from the SUBS to the RET");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void aPreIndexedLoadThatFaultsLeavesItsBaseRegister(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        h.x(4, UNMAPPED - 16).x(6, 7);
        h.run(engine,
                0x910008c6,  // add x6, x6, #2
                0xf8410c83); // ldr x3, [x4, #16]!
        assertEquals(UNMAPPED - 16, h.x(4));
        assertEquals(9, h.x(6));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void aStorePairAcrossIntoAnUnmappedPageWritesNeitherHalf(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        long address = A64Harness.MEMORY_SIZE - 8;
        h.write64(address, 0x1111);
        h.x(1, 0xAAAA).x(2, 0xBBBB).x(4, address);
        h.run(engine, 0xa9000881); // stp x1, x2, [x4]
        assertEquals(List.of("fault TRANSLATION 0x100000 WRITE"), h.events);
        assertEquals(0x1111, h.read64(address));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void flagsLiveAcrossALoopBackEdgeAndOutOfTheRegion(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        h.x(0, 0).x(5, 10);
        h.run(engine,
                0x91000c00,  // add x0, x0, #3         <- loop
                0xf10004a5,  // subs x5, x5, #1
                0x54ffffc1,  // b.ne loop
                0x9a9f17e1,  // cset x1, eq
                0xab1f00a6); // adds x6, x5, xzr: flags left lazy at the end of the region
        assertEquals(30, h.x(0));
        assertEquals(0, h.x(5));
        assertEquals(1, h.x(1));
        assertEquals(Cpu.Z, h.cpu.nzcv);
        assertEquals(3 * 10 + 2 + 1, h.cpu.instructions, "the loop, the tail and the harness BRK");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void conditionsFromEachKindOfLazyFlags(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        h.x(1, -5).x(2, 3).x(3, 0x8000_0000L);
        h.run(engine,
                0xeb02003f,  // cmp x1, x2           (-5 < 3 signed, above unsigned)
                0x9a9fa7e4,  // cset x4, lt
                0x9a9f97e5,  // cset x5, hi
                0x6b1f007f,  // cmp w3, wzr          (0x80000000 is negative as a word)
                0x9a9f57e6,  // cset x6, mi
                0x9a9f77e7,  // cset x7, vs
                0xea03007f,  // tst x3, x3
                0x9a9fd7e8,  // cset x8, gt
                0xab01003f,  // cmn x1, x1           (-10: carry out, negative)
                0x9a9f37e9,  // cset x9, cs
                0x9a9f57ea); // cset x10, mi
        assertEquals(1, h.x(4));
        assertEquals(1, h.x(5));
        assertEquals(1, h.x(6));
        assertEquals(0, h.x(7));
        assertEquals(1, h.x(8));
        assertEquals(1, h.x(9));
        assertEquals(1, h.x(10));
        assertEquals(Cpu.N | Cpu.C, h.cpu.nzcv);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void aSemanticsCallSeesRegistersAndFlagsWrittenBeforeItAndItsResultsAreSeenAfter(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        h.x(1, 10).x(2, 20);
        h.run(engine,
                0x91000421,  // add x1, x1, #1
                0xeb01005f,  // cmp x2, x1
                0x9a020023,  // adc x3, x1, x2       (a semantics call: reads x1, x2 and C)
                0x91000463,  // add x3, x3, #1
                0x9e670020,  // fmov d0, x1          (another call)
                0x9e660004); // fmov x4, d0
        assertEquals(11, h.x(1));
        assertEquals(11 + 20 + 1 + 1, h.x(3));
        assertEquals(11, h.x(4));
        assertEquals(Cpu.C, h.cpu.nzcv);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void stackPointerAndZeroRegisterOperands(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        h.cpu.setSp(0x8_0000);
        h.x(1, 0x1234);
        h.run(engine,
                0xd10043ff,  // sub sp, sp, #16
                0xa9007fe1,  // stp x1, xzr, [sp]
                0x910003e2,  // mov x2, sp
                0xf94007e3,  // ldr x3, [sp, #8]
                0xf84107e4,  // ldr x4, [sp], #16
                0x8b1f03e5,  // add x5, xzr, xzr
                0xaa0103e6,  // mov x6, x1
                0xf100003f); // cmp x1, #0 (subs xzr, x1, #0)
        assertEquals(0x8_0000 - 16, h.x(2));
        assertEquals(0, h.x(3));
        assertEquals(0x1234, h.x(4));
        assertEquals(0x8_0000, h.cpu.sp());
        assertEquals(0, h.x(5));
        assertEquals(0x1234, h.x(6));
        assertEquals(Cpu.C, h.cpu.nzcv);
        assertEquals(0x1234, h.read64(0x8_0000 - 16));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void aRegionTooBigForHotSpotIsTranslatedSmaller(A64Harness.Engine engine) {
        // 128 times: add x(1 + i % 8), x(1 + i % 8), #1 and fmov d0, x1, a semantics call that flushes and reloads the
        // block's registers; 256 instructions of this would be far over HotSpot's 8,000-byte method limit.
        int[] code = new int[256];
        for (int i = 0; i < 128; i++) {
            int r = 1 + i % 8;
            code[2 * i] = 0x91000400 | r << 5 | r;
            code[2 * i + 1] = 0x9e670020;
        }
        A64Harness h = new A64Harness();
        h.run(engine, code);
        for (int r = 1; r <= 8; r++) assertEquals(16, h.x(r), "x" + r);
        assertEquals(16, h.cpu.v[0]);

        Region region = new RegionTranslator().translate(h.cpu, A64Harness.CODE);
        org.junit.jupiter.api.Assertions.assertTrue(region.instructionCount < 256 && region.instructionCount >= 32,
                "instructions in the region: " + region.instructionCount);
    }
}
