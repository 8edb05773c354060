package dev.jvisor.arch.a64;

import dev.jvisor.engine.dbt.CodeCache;
import dev.jvisor.engine.dbt.DbtEngine;
import dev.jvisor.engine.interp.Interpreter;
import dev.jvisor.memory.FlatMemory;
import dev.jvisor.memory.HostMemory;
import dev.jvisor.memory.MemoryFault;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs hand-encoded instruction sequences on a CPU with 1 MiB of flat memory, on any engine, for per-instruction
 * tests. Code is placed at {@link #CODE}; a scratch data area is at {@link #DATA}. The sequence ends when the PC
 * reaches the word after the last instruction. Exceptions are recorded, not thrown, so tests can assert on them.
 */
public final class A64Harness {
    public static final long CODE = 0x1000;
    public static final long DATA = 0x8_0000;
    public static final int MEMORY_SIZE = 1 << 20;

    /** The engines every per-instruction test runs on. */
    public enum Engine { INTERP, DBT }

    /** The BRK immediate the harness appends to every sequence to stop the engine. */
    private static final int STOP_BRK = 0x7A5;

    public final MemorySegment ram;
    public final FlatMemory mem;
    public final List<String> events = new ArrayList<>();
    public final Cpu cpu;

    public A64Harness() {
        this(CpuModel.max());
    }

    public A64Harness(CpuModel model) {
        this(model, MEMORY_SIZE);
    }

    /** A harness with {@code memorySize} bytes of flat memory (at least one page past CODE). */
    public A64Harness(CpuModel model, int memorySize) {
        ram = HostMemory.reserve(memorySize, false);
        mem = new FlatMemory(ram);
        cpu = new Cpu(mem, model, new SystemHooks() {
            @Override public long svc(Cpu c, int imm, long pc) { events.add("svc " + imm); return pc + 4; }
            @Override public long brk(Cpu c, int imm, long pc) {
                if (imm != STOP_BRK) events.add("brk " + imm);
                c.exitRequest = true;
                return pc;
            }
            @Override public long undefined(Cpu c, int insn, long pc) {
                events.add(String.format("undefined %08x", insn));
                c.exitRequest = true;
                return pc;
            }
            @Override public long memoryFault(Cpu c, MemoryFault f, long pc) {
                events.add("fault " + f.kind + " 0x" + Long.toHexString(f.address) + " " + f.access);
                c.exitRequest = true;
                return pc;
            }
        });
    }

    /**
     * Writes {@code insns} at CODE, followed by a BRK the harness owns, and runs them on {@code engine} from CODE
     * until that BRK or an exception event stops the CPU. The translator translates on first sight here, so the
     * sequence runs as translated code.
     */
    public A64Harness run(Engine engine, int... insns) {
        for (int i = 0; i < insns.length; i++) ram.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, CODE + 4L * i, insns[i]);
        ram.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, CODE + 4L * insns.length, 0xD4200000 | STOP_BRK << 5);
        cpu.pc = CODE;
        cpu.exitRequest = false;
        switch (engine) {
            case INTERP -> {
                Interpreter interp = new Interpreter(cpu, null);
                long guard = 100_000_000;
                while (!cpu.exitRequest && guard > 0) guard -= interp.run(1_000_000);
                if (!cpu.exitRequest) throw new AssertionError("sequence did not finish");
            }
            case DBT -> new DbtEngine(cpu, new CodeCache(), null, 1).run();
        }
        return this;
    }

    public long x(int n) { return cpu.x[n]; }

    public A64Harness x(int n, long value) { cpu.x[n] = value; return this; }

    public long read64(long addr) { return ram.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, addr); }

    public A64Harness write64(long addr, long value) {
        ram.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, addr, value);
        return this;
    }

    public int nzcv() { return cpu.nzcv >>> 28; }
}
