package dev.jvisor.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Large off-heap regions reserved straight from the host kernel with mmap. Java's own allocators zero what they hand
 * out, which would touch every page of a multi-GiB guest; an anonymous MAP_NORESERVE mapping costs nothing until the
 * guest writes to it, and the same memory can later be given to KVM as a memory slot.
 */
public final class HostMemory {
    private static final int PROT_READ = 1, PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 0x02, MAP_SHARED = 0x01, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    private static final int MADV_DONTNEED = 4;
    private static final MethodHandle MMAP, MUNMAP, MADVISE;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        MMAP = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        MUNMAP = linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        MADVISE = linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    }

    private HostMemory() {}

    /**
     * Reserves {@code size} bytes of zeroed, readable and writable memory. {@code shared} makes the mapping
     * MAP_SHARED, which KVM slots and a forked helper can see; private is right for an emulated guest.
     * The segment lives until {@link #release} or the end of the process.
     */
    public static MemorySegment reserve(long size, boolean shared) {
        try {
            int flags = (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_NORESERVE;
            MemorySegment p = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, PROT_READ | PROT_WRITE,
                    flags, -1, 0L);
            if (p.address() == -1L || p.address() == 0) {
                throw new OutOfMemoryError("mmap of " + size + " bytes of guest memory failed");
            }
            return p.reinterpret(size, Arena.global(), null);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Returns the memory of a segment from {@link #reserve} to the host. The segment must not be used again. */
    public static void release(MemorySegment segment) {
        try {
            int rc = (int) MUNMAP.invokeExact(segment, segment.byteSize());
            if (rc != 0) throw new IllegalStateException("munmap failed");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Gives the host pages of {@code [offset, offset + length)} back to the kernel; afterwards they read as zero and
     * cost nothing until written again. Both bounds must be host-page aligned (4 KiB on the hosts jvisor runs on).
     */
    public static void discard(MemorySegment segment, long offset, long length) {
        if (length == 0) return;
        java.util.Objects.checkFromIndexSize(offset, length, segment.byteSize());
        try {
            int rc = (int) MADVISE.invokeExact(segment.asSlice(offset, length), length, MADV_DONTNEED);
            if (rc != 0) {
                // Not expected for an anonymous private mapping; zeroing by hand keeps the guest-visible result.
                segment.asSlice(offset, length).fill((byte) 0);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
