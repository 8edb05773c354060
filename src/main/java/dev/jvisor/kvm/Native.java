package dev.jvisor.kvm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls the VMM needs, each reporting errno through FFM's captured call state so a failure can be
 * turned into a {@link KvmException} naming the call. KVM_RUN blocks for as long as the guest runs, so every handle
 * here is an ordinary (non-critical) downcall that lets the JVM reach a safepoint meanwhile.
 */
@SuppressWarnings("restricted") // linking libc and sizing the pointers it returns is this class's whole job
final class Native {
    private Native() {}

    static final int O_RDWR = 2, O_CLOEXEC = 0x80000;
    static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    static final int SIG_BLOCK = 0;
    static final int EINTR = 4, EAGAIN = 11;
    /** glibc's sigset_t, which pthread_sigmask wants: 1024 bits. */
    static final int GLIBC_SIGSET_BYTES = 128;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle IOCTL_LONG = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPTION,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_PTR = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO_OPTION,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle MADVISE = downcall("madvise",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle CLOCK_GETTIME = downcall("clock_gettime",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle GETTID = downcall("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETPID = downcall("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle TGKILL = downcall("tgkill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle PTHREAD_SIGMASK = downcall("pthread_sigmask",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGTIMEDWAIT = downcall("sigtimedwait",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle STRERROR = downcall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** Per-caller scratch for errno; each thread that makes calls owns one (KVM_RUN threads keep theirs). */
    static MemorySegment newErrnoSlot(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment slot) {
        return (int) ERRNO.get(slot, 0L);
    }

    static String describe(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /** open(2); returns the descriptor or -errno. */
    static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slot = newErrnoSlot(arena);
            int fd = (int) OPEN.invokeExact(slot, arena.allocateFrom(path), flags);
            return fd >= 0 ? fd : -errno(slot);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) CLOSE.invokeExact(newErrnoSlot(arena), fd);
            if (rc != 0) throw new IllegalStateException("close(" + fd + ") failed");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl with an integer argument; returns the result or -errno. */
    static int ioctl(MemorySegment errnoSlot, int fd, long request, long arg) {
        try {
            int rc = (int) IOCTL_LONG.invokeExact(errnoSlot, fd, request, arg);
            return rc >= 0 ? rc : -errno(errnoSlot);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl with a pointer argument; returns the result or -errno. */
    static int ioctl(MemorySegment errnoSlot, int fd, long request, MemorySegment arg) {
        try {
            int rc = (int) IOCTL_PTR.invokeExact(errnoSlot, fd, request, arg);
            return rc >= 0 ? rc : -errno(errnoSlot);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl that must succeed: failure becomes a KvmException naming the request. */
    static int ioctlOrThrow(int fd, long request, MemorySegment arg) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = ioctl(newErrnoSlot(arena), fd, request, arg);
            if (rc < 0) throw new KvmException(KvmAbi.ioctlName(request), -rc);
            return rc;
        }
    }

    static int ioctlOrThrow(int fd, long request, long arg) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = ioctl(newErrnoSlot(arena), fd, request, arg);
            if (rc < 0) throw new KvmException(KvmAbi.ioctlName(request), -rc);
            return rc;
        }
    }

    /** mmap of a descriptor, shared and read-write (kvm_run). */
    static MemorySegment mmapShared(int fd, long size, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slot = newErrnoSlot(arena);
            MemorySegment p = (MemorySegment) MMAP.invokeExact(slot, MemorySegment.NULL, size,
                    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0L);
            if (p.address() == -1L) throw new KvmException("mmap of " + what, errno(slot));
            return p.reinterpret(size);
        } catch (KvmException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void munmap(MemorySegment segment) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slot = newErrnoSlot(arena);
            int rc = (int) MUNMAP.invokeExact(slot, segment, segment.byteSize());
            if (rc != 0) throw new KvmException("munmap", errno(slot));
        } catch (KvmException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static final int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;

    /** eventfd(2), close-on-exec and non-blocking. */
    static int eventfd() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slot = newErrnoSlot(arena);
            int fd = (int) EVENTFD.invokeExact(slot, 0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (fd < 0) throw new KvmException("eventfd", errno(slot));
            return fd;
        } catch (KvmException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Reads and resets an eventfd's counter; 0 when nothing was signalled (EAGAIN). */
    static long readEventfd(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slot = newErrnoSlot(arena);
            MemorySegment value = arena.allocate(JAVA_LONG);
            long n = (long) READ.invokeExact(slot, fd, value, 8L);
            if (n == 8) return value.get(JAVA_LONG, 0);
            if (n < 0 && errno(slot) == EAGAIN) return 0;
            throw new KvmException("read of eventfd", n < 0 ? errno(slot) : 0);
        } catch (KvmException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static final int MADV_HUGEPAGE = 14;

    /** madvise(2); returns 0 or -errno. Advice is a hint, so callers may ignore failure. */
    static int madvise(MemorySegment range, int advice) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slot = newErrnoSlot(arena);
            int rc = (int) MADVISE.invokeExact(slot, range, range.byteSize(), advice);
            return rc == 0 ? 0 : -errno(slot);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final int CLOCK_THREAD_CPUTIME_ID = 3;

    /** CPU time the calling thread has used, guest time included when it runs a vCPU. */
    static long threadCpuNanos() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ts = arena.allocate(16, 8);
            int rc = (int) CLOCK_GETTIME.invokeExact(CLOCK_THREAD_CPUTIME_ID, ts);
            if (rc != 0) return 0;
            return ts.get(JAVA_LONG, 0) * 1_000_000_000L + ts.get(JAVA_LONG, 8);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** tgkill(2); returns 0 or -errno. */
    static int tgkill(int pid, int tid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slot = newErrnoSlot(arena);
            int rc = (int) TGKILL.invokeExact(slot, pid, tid, signal);
            return rc == 0 ? 0 : -errno(slot);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Blocks {@code signal} in the calling thread and returns the thread's previous kernel signal mask. */
    static long blockSignal(int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocate(GLIBC_SIGSET_BYTES);
            MemorySegment old = arena.allocate(GLIBC_SIGSET_BYTES);
            set.set(JAVA_LONG, 0, 1L << (signal - 1));
            int rc = (int) PTHREAD_SIGMASK.invokeExact(SIG_BLOCK, set, old);
            if (rc != 0) throw new KvmException("pthread_sigmask", rc);
            return old.get(JAVA_LONG, 0);
        } catch (KvmException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Takes every pending instance of a blocked {@code signal} off the calling thread without waiting (real-time
     * signals queue, one instance per send); returns how many there were.
     */
    static int consumeSignal(int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocate(GLIBC_SIGSET_BYTES);
            set.set(JAVA_LONG, 0, 1L << (signal - 1));
            MemorySegment zero = arena.allocate(16);
            MemorySegment slot = newErrnoSlot(arena);
            int taken = 0;
            while ((int) SIGTIMEDWAIT.invokeExact(slot, set, MemorySegment.NULL, zero) == signal) taken++;
            return taken;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
