package dev.jvisor.engine.dbt;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.memory.MemoryFault;

/** Static entry points translated code calls on its cold paths. */
public final class DbtRuntime {
    private DbtRuntime() {}

    /**
     * An instruction of {@code region} at page offset {@code offset} threw {@code e}. {@code retiredThroughBlock}
     * counts the region's instructions up to the end of the faulting instruction's block; the faulting instruction
     * counts as retired, as in the interpreter. Returns the PC to continue at.
     */
    public static long fault(Region region, Cpu cpu, int offset, RuntimeException e, long retiredThroughBlock) {
        int blockEnd = region.blockEndByOffset[offset >>> 2];
        long notReached = (blockEnd - offset) / 4 - 1;
        cpu.instructions += retiredThroughBlock - notReached;
        long pc = (region.pc & ~0xFFFL) | offset;
        cpu.pc = pc;
        if (e instanceof MemoryFault f) return cpu.hooks.memoryFault(cpu, f, pc);
        if (e instanceof UndefinedInstruction) {
            int insn = cpu.mem.fetch32(pc);
            return cpu.hooks.undefined(cpu, insn, pc);
        }
        throw e;
    }
}
