package dev.jvisor.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One large host reservation holding a whole guest address space, with the bulk operations an OS layer needs
 * (copies for loaders and system calls, zeroing, returning pages to the host) so that code outside this package
 * never touches {@code java.lang.foreign}. Offsets are bytes from the start of the reservation; callers check
 * guest permissions, this class only checks bounds.
 */
public final class GuestRam {
    private final MemorySegment segment;

    private GuestRam(MemorySegment segment) {
        this.segment = segment;
    }

    /** Reserves {@code size} bytes of zeroed memory that costs nothing until touched (see {@link HostMemory}). */
    public static GuestRam reserve(long size) {
        return new GuestRam(HostMemory.reserve(size, false));
    }

    public long size() {
        return segment.byteSize();
    }

    /** The segment itself, for {@link CpuMemory} subclasses that translate into it. */
    public MemorySegment segment() {
        return segment;
    }

    /** A little-endian direct buffer over {@code [offset, offset + length)}: zero-copy file I/O into guest memory. */
    public ByteBuffer buffer(long offset, int length) {
        return segment.asSlice(offset, length).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The little-endian 64-bit value at {@code offset}, which need not be aligned. */
    public long read64(long offset) {
        return segment.get(LE_LONG, offset);
    }

    public void write64(long offset, long value) {
        segment.set(LE_LONG, offset, value);
    }

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public void copyIn(long offset, byte[] src, int srcOffset, int length) {
        MemorySegment.copy(src, srcOffset, segment, ValueLayout.JAVA_BYTE, offset, length);
    }

    public void copyOut(long offset, byte[] dst, int dstOffset, int length) {
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, dst, dstOffset, length);
    }

    /** Copies within the reservation; overlapping ranges behave like memmove. */
    public void move(long from, long to, long length) {
        MemorySegment.copy(segment, from, segment, to, length);
    }

    /**
     * Copies {@code [offset, offset+length)} of {@code from} to the same offsets here, skipping blocks that are zero
     * in the source so that untouched memory stays unbacked in the copy too (fork of a mostly empty stack).
     */
    public void copyFrom(GuestRam from, long offset, long length) {
        final long block = 64 * 1024;
        for (long at = offset; at < offset + length; at += block) {
            long n = Math.min(block, offset + length - at);
            MemorySegment src = from.segment.asSlice(at, n);
            if (src.mismatch(ZEROS.asSlice(0, n)) == -1) continue;
            MemorySegment.copy(src, 0, segment, at, n);
        }
    }

    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[64 * 1024]);

    /**
     * Replaces {@code [offset, offset+length)} (page-aligned) with fresh private zero pages, detaching whatever was
     * mapped there, such as a {@link SharedBlock}.
     */
    public void makePrivate(long offset, long length) {
        HostMemory.remapPrivate(segment, offset, length);
    }

    /** Returns the reservation to the host; nothing may touch it afterwards. */
    public void release() {
        HostMemory.release(segment);
    }

    public void zero(long offset, long length) {
        segment.asSlice(offset, length).fill((byte) 0);
    }

    /**
     * Makes {@code [offset, offset + length)} read as zero, returning whole host pages to the kernel so that an
     * unmapped multi-GiB region stops costing memory.
     */
    public void discard(long offset, long length) {
        long pageMask = CpuMemory.PAGE_MASK;
        long first = (offset + pageMask) & ~pageMask;
        long last = (offset + length) & ~pageMask;
        if (first >= last) {
            zero(offset, length);
            return;
        }
        zero(offset, first - offset);
        HostMemory.discard(segment, first, last - first);
        zero(last, offset + length - last);
    }
}
