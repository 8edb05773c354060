package dev.jvisor.memory;

import java.lang.foreign.MemorySegment;

/**
 * Guest memory where virtual address = offset into one segment, all of it readable, writable and executable, and
 * everything past its end unmapped. What per-instruction tests and tiny bare-metal programs need.
 */
public final class FlatMemory extends CpuMemory {
    private final long size;

    public FlatMemory(MemorySegment ram) {
        super(ram);
        this.size = ram.byteSize();
    }

    @Override
    protected long translatePage(long va, Access access) {
        if (va < 0 || va >= size) throw new MemoryFault(MemoryFault.Kind.TRANSLATION, va, access);
        return 0;
    }

    public MemorySegment segment() {
        return ram;
    }
}
