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
 * read-modify-write loops; a lost update shows as a total below the exact count. The loops count and increment
 * through lookup tables (table[i] = i + 1, i - 1) so that they need nothing outside the load/store instructions.
 */
class LoadStoreStressTest {
    private static final int ITERATIONS = 100_000;
    private static final long CODE = 0x1000, COUNTER = 0x8000, INCREMENT = 0x10_0000, DECREMENT = 0x20_0000;
    private static final long SIZE = 4 << 20;

    private final MemorySegment ram = HostMemory.reserve(SIZE, false);
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final CodeCache codeCache = new CodeCache();

    LoadStoreStressTest() {
        for (int i = 0; i <= 2 * ITERATIONS; i++) ram.set(ValueLayout.JAVA_INT_UNALIGNED, INCREMENT + 4L * i, i + 1);
        for (int i = 1; i <= ITERATIONS; i++) ram.set(ValueLayout.JAVA_INT_UNALIGNED, DECREMENT + 4L * i, i - 1);
    }

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
        c.x[5] = INCREMENT;
        c.x[6] = DECREMENT;
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
    void loadExclusiveStoreExclusiveLoopLosesNoUpdate(Engine e) throws InterruptedException {
        runTwoThreads(e,
                0x885f7c01, // loop: ldxr w1, [x0]
                0xb86158a1, // ldr w1, [x5, w1, uxtw #2]
                0x88027c01, // stxr w2, w1, [x0]
                0x35ffffa2, // cbnz w2, loop
                0xb86358c3, // ldr w3, [x6, w3, uxtw #2]
                0x35ffff63, // cbnz w3, loop
                0x00000000  // udf #0
        );
        assertEquals(2 * ITERATIONS, ram.get(ValueLayout.JAVA_INT_UNALIGNED, COUNTER));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void atomicAddLosesNoUpdate(Engine e) throws InterruptedException {
        runTwoThreads(e,
                0xb8270008, // loop: ldadd w7, w8, [x0]
                0xb86358c3, // ldr w3, [x6, w3, uxtw #2]
                0x35ffffc3, // cbnz w3, loop
                0x00000000  // udf #0
        );
        assertEquals(2 * ITERATIONS, ram.get(ValueLayout.JAVA_INT_UNALIGNED, COUNTER));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void exclusivePairOfDoublewordsUpdatesBothHalvesAtomically(Engine e) throws InterruptedException {
        runTwoThreads(e,
                0xc87f8801, // loop: ldaxp x1, x2, [x0]
                0xb86158a1, // ldr w1, [x5, w1, uxtw #2]
                0xb86258a2, // ldr w2, [x5, w2, uxtw #2]
                0xc8248801, // stlxp w4, x1, x2, [x0]
                0x35ffff84, // cbnz w4, loop
                0xb86358c3, // ldr w3, [x6, w3, uxtw #2]
                0x35ffff43, // cbnz w3, loop
                0x00000000  // udf #0
        );
        assertEquals(2L * ITERATIONS, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, COUNTER));
        assertEquals(2L * ITERATIONS, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, COUNTER + 8));
    }
}
