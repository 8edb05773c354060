package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.A64Harness.Engine;
import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.arch.a64.SystemHooks;
import dev.jvisor.engine.dbt.CodeCache;
import dev.jvisor.engine.dbt.DbtEngine;
import dev.jvisor.engine.interp.Interpreter;
import dev.jvisor.memory.FlatMemory;
import dev.jvisor.memory.HostMemory;
import dev.jvisor.memory.MemoryFault;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two guest threads, each a Cpu with its own memory view over one shared segment, hammer one counter with
 * read-modify-write loops of 100,000 increments each; a lost update shows as a total below the exact count.
 */
class LoadStoreStressTest {
    private static final int ITERATIONS = 100_000;
    private static final long CODE = 0x1000, COUNTER = 0x8000;
    private static final long SIZE = 1 << 20;

    private final MemorySegment ram = HostMemory.reserve(SIZE, false);
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final CodeCache codeCache = new CodeCache();

    private Cpu guestThread() {
        Cpu c = new Cpu(new FlatMemory(ram), CpuModel.max(), new SystemHooks() {
            @Override public long svc(Cpu cpu, int imm, long pc) { throw new AssertionError("svc"); }
            @Override public long brk(Cpu cpu, int imm, long pc) { throw new AssertionError("brk"); }
            @Override public long undefined(Cpu cpu, int insn, long pc) {
                if (insn != 0) problems.add(String.format("undefined %08x at %x", insn, pc));
                cpu.exitRequest = true;  // udf #0 ends the loop
                return pc;
            }
            @Override public long memoryFault(Cpu cpu, MemoryFault f, long pc) {
                problems.add(f.getMessage());
                cpu.exitRequest = true;
                return pc;
            }
        });
        c.pc = CODE;
        c.x[0] = COUNTER;
        c.x[3] = ITERATIONS;
        c.x[7] = 1;
        return c;
    }

    /** The guest thread's run loop on engine {@code e}; the translator's vCPUs share one code cache. */
    private Runnable engine(Engine e, Cpu c) {
        return switch (e) {
            case INTERP -> () -> new Interpreter(c, null).run(Long.MAX_VALUE);
            case DBT -> {
                DbtEngine dbt = new DbtEngine(c, codeCache, null, 1);
                yield dbt::run;
            }
        };
    }

    private void runTwoThreads(Engine e, int... program) throws InterruptedException {
        for (int i = 0; i < program.length; i++) ram.set(ValueLayout.JAVA_INT_UNALIGNED, CODE + 4L * i, program[i]);
        Thread a = new Thread(engine(e, guestThread())), b = new Thread(engine(e, guestThread()));
        a.start();
        b.start();
        a.join();
        b.join();
        assertEquals(List.of(), problems);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void loadExclusiveAddStoreExclusiveLoopLosesNoUpdate(Engine e) throws InterruptedException {
        runTwoThreads(e,
                0x885f7c01, // loop: ldxr w1, [x0]
                0x11000421, // add w1, w1, #1
                0x88027c01, // stxr w2, w1, [x0]
                0x35ffffa2, // cbnz w2, loop
                0x71000463, // subs w3, w3, #1
                0x54ffff61, // b.ne loop
                0x00000000  // udf #0
        );
        assertEquals(2 * ITERATIONS, ram.get(ValueLayout.JAVA_INT_UNALIGNED, COUNTER));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void atomicAddLosesNoUpdate(Engine e) throws InterruptedException {
        runTwoThreads(e,
                0xb8270008, // loop: ldadd w7, w8, [x0]
                0x71000463, // subs w3, w3, #1
                0x54ffffc1, // b.ne loop
                0x00000000  // udf #0
        );
        assertEquals(2 * ITERATIONS, ram.get(ValueLayout.JAVA_INT_UNALIGNED, COUNTER));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void compareAndSwapLoopLosesNoUpdate(Engine e) throws InterruptedException {
        runTwoThreads(e,
                0xb9400001, // loop: ldr w1, [x0]
                0x11000429, // retry: add w9, w1, #1
                0x2a0103ea, // mov w10, w1
                0x88eafc09, // casal w10, w9, [x0]
                0x6b01015f, // cmp w10, w1
                0x2a0a03e1, // mov w1, w10
                0x54ffff61, // b.ne retry
                0x71000463, // subs w3, w3, #1
                0x54ffff01, // b.ne loop
                0x00000000  // udf #0
        );
        assertEquals(2 * ITERATIONS, ram.get(ValueLayout.JAVA_INT_UNALIGNED, COUNTER));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void exclusivePairOfDoublewordsUpdatesBothHalvesAtomically(Engine e) throws InterruptedException {
        runTwoThreads(e,
                0xc87f8801, // loop: ldaxp x1, x2, [x0]
                0x91000421, // add x1, x1, #1
                0x91000442, // add x2, x2, #1
                0xc8248801, // stlxp w4, x1, x2, [x0]
                0x35ffff84, // cbnz w4, loop
                0x71000463, // subs w3, w3, #1
                0x54ffff41, // b.ne loop
                0x00000000  // udf #0
        );
        assertEquals(2L * ITERATIONS, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, COUNTER));
        assertEquals(2L * ITERATIONS, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, COUNTER + 8));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void compareAndSwapPairLoopUpdatesBothHalvesAtomically(Engine e) throws InterruptedException {
        runTwoThreads(e,
                0xa9401404, // loop: ldp x4, x5, [x0]
                0x91000486, // retry: add x6, x4, #1
                0x910004a7, // add x7, x5, #1
                0xaa0403e8, // mov x8, x4
                0xaa0503e9, // mov x9, x5
                0x4868fc06, // caspal x8, x9, x6, x7, [x0]
                0xeb04011f, // cmp x8, x4
                0xfa450120, // ccmp x9, x5, #0, eq
                0xaa0803e4, // mov x4, x8
                0xaa0903e5, // mov x5, x9
                0x54fffee1, // b.ne retry
                0x71000463, // subs w3, w3, #1
                0x54fffe81, // b.ne loop
                0x00000000  // udf #0
        );
        assertEquals(2L * ITERATIONS, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, COUNTER));
        assertEquals(2L * ITERATIONS, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, COUNTER + 8));
    }
}
