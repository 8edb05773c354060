package dev.jvisor.memory;

import java.lang.foreign.MemorySegment;

/**
 * Guest memory where virtual address = offset into one segment, all of it readable, writable and executable, and
 * everything past its end unmapped. What per-instruction tests and tiny bare-metal programs need.
 */
public final class FlatMemory extends CpuMemory {
    private final long size;
    private long readOnlyStart, readOnlyEnd;

    public FlatMemory(MemorySegment ram) {
        super(ram);
        this.size = ram.byteSize();
    }

    @Override
    protected long translatePage(long va, Access access) {
        if (va < 0 || va >= size) throw new MemoryFault(MemoryFault.Kind.TRANSLATION, va, access);
        if (access == Access.WRITE && va >= readOnlyStart && va < readOnlyEnd) {
            throw new MemoryFault(MemoryFault.Kind.PERMISSION, va, access);
        }
        return 0;
    }

    /** Makes the pages of [start, end) fault on writes, as a loaded program's text would. */
    public void protectFromWrites(long start, long end) {
        readOnlyStart = start & ~PAGE_MASK;
        readOnlyEnd = (end + PAGE_MASK) & ~PAGE_MASK;
        flushTlb();
    }
}
