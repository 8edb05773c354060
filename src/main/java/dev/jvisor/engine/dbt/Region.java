package dev.jvisor.engine.dbt;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.memory.CpuMemory;
import dev.jvisor.memory.MemoryFault;

/**
 * A translation: guest code from one page, compiled into a hidden class whose {@link #run} executes it and returns
 * the guest address to continue at. A region may hold several basic blocks with jumps between them, so that a guest
 * loop becomes a JVM loop HotSpot can see and compile as one.
 */
public abstract class Region {
    /** Guest address of the first instruction. */
    public final long pc;
    /** Host offsets of the guest pages the code came from (one or two); stores there invalidate the region. */
    final long[] hostPages;
    /**
     * For each instruction, by its offset from the start of the region's first page divided by 4: the offset of the
     * end of its basic block, or -1.
     */
    final short[] blockEndByOffset;
    /** Guest instructions in the region. */
    final int instructionCount;

    /** Cleared when the guest overwrites the code; dispatchers never enter an invalid region again. */
    volatile boolean valid = true;
    /** The successor this region went to last time, for chaining without a cache lookup. */
    volatile Link link;

    record Link(long pc, Region target) {}

    protected Region(long pc, long[] hostPages, short[] blockEndByOffset, int instructionCount) {
        this.pc = pc;
        this.hostPages = hostPages;
        this.blockEndByOffset = blockEndByOffset;
        this.instructionCount = instructionCount;
    }

    /**
     * Whether the region's pages are the ones {@code mem} fetches from now at the region's addresses: under a system
     * MMU the same virtual PC may hold other code after a page-table or address-space switch.
     */
    final boolean matches(CpuMemory mem) {
        long page = pc & ~CpuMemory.PAGE_MASK;
        try {
            for (int i = 0; i < hostPages.length; i++) {
                if (mem.codeHostPage(page + ((long) i << CpuMemory.PAGE_SHIFT)) != hostPages[i]) return false;
            }
            return true;
        } catch (MemoryFault f) {
            return false; // not executable now: the interpreter takes the fault
        }
    }

    /** Whether {@code target} lies in one of the virtual pages the region's code came from. */
    final boolean sharesPage(long target) {
        long delta = (target >>> CpuMemory.PAGE_SHIFT) - (pc >>> CpuMemory.PAGE_SHIFT);
        return delta >= 0 && delta < hostPages.length;
    }

    /** Executes the region on {@code cpu} and returns the next guest PC. Adds retired instructions to the CPU. */
    public abstract long run(Cpu cpu);
}
