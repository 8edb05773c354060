package dev.jvisor.engine.dbt;

import dev.jvisor.arch.a64.Cpu;

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

    /** Executes the region on {@code cpu} and returns the next guest PC. Adds retired instructions to the CPU. */
    public abstract long run(Cpu cpu);
}
