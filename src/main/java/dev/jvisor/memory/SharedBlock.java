package dev.jvisor.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Host memory that several guest address spaces map at once: an anonymous memfd, mapped MAP_SHARED|MAP_FIXED into
 * each {@link GuestRam} that needs it. This is how a guest's MAP_SHARED|MAP_ANONYMOUS memory stays shared between
 * the processes a fork() makes, although each process has its own reservation. Reference-counted by its users; the
 * descriptor is closed when the last one lets go (the host keeps the memory while mappings remain).
 */
public final class SharedBlock {
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 0x01, MAP_FIXED = 0x10;
    private static final int MFD_CLOEXEC = 1;
    private static final MethodHandle MEMFD_CREATE, FTRUNCATE, MMAP, CLOSE;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        MEMFD_CREATE = linker.downcallHandle(libc.find("memfd_create").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        FTRUNCATE = linker.downcallHandle(libc.find("ftruncate").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        MMAP = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        CLOSE = linker.downcallHandle(libc.find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    private final int fd;
    private final long size;
    private int users = 1;

    private SharedBlock(int fd, long size) {
        this.fd = fd;
        this.size = size;
    }

    /** A zero-filled block of {@code size} bytes; null if the host refuses (out of memory or descriptors). */
    public static SharedBlock create(long size) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) MEMFD_CREATE.invokeExact(arena.allocateFrom("jvisor-shared"), MFD_CLOEXEC);
            if (fd < 0) return null;
            if ((int) FTRUNCATE.invokeExact(fd, size) != 0) {
                int ignored = (int) CLOSE.invokeExact(fd);
                return null;
            }
            return new SharedBlock(fd, size);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public long size() {
        return size;
    }

    /**
     * Maps {@code [blockOffset, blockOffset+length)} of the block over {@code [offset, offset+length)} of
     * {@code ram}, replacing what was there. Returns false if the host refuses.
     */
    public boolean mapInto(GuestRam ram, long offset, long blockOffset, long length) {
        java.util.Objects.checkFromIndexSize(offset, length, ram.size());
        java.util.Objects.checkFromIndexSize(blockOffset, length, size);
        MemorySegment at = ram.segment().asSlice(offset, length);
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(at, length, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_FIXED, fd, blockOffset);
            return p.address() == at.address();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public synchronized void retain() {
        users++;
    }

    public void release() {
        boolean last;
        synchronized (this) {
            last = --users == 0;
        }
        if (!last) return;
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
