package dev.jvisor.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One virtual CPU: its descriptor, its mmap'd kvm_run, and register access. {@link #run} blocks in KVM_RUN for as long
 * as the guest executes, so each vCPU runs on its own platform thread; that thread calls {@link #bindToCurrentThread}
 * first so that {@link #kick} from any other thread can make KVM_RUN return.
 *
 * <p>The kick uses a real-time signal that the vCPU thread keeps blocked except inside KVM_RUN (KVM_SET_SIGNAL_MASK).
 * A blocked, thread-directed signal stays pending instead of running its default action, so no signal handler is
 * needed in the JVM; KVM sees it pending and leaves the guest with EINTR. immediate_exit covers the window where the
 * thread is just about to enter KVM_RUN.
 */
public final class Vcpu implements AutoCloseable {
    /** SIGRTMIN+6 with glibc's SIGRTMIN of 34; neither HotSpot nor glibc use it. */
    static final int KICK_SIGNAL = 40;

    private final int id;
    private final int fd;
    private final MemorySegment run;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment errnoSlot = Native.newErrnoSlot(arena);
    private final MemorySegment regsBuffer = arena.allocate(KvmAbi.REGS);
    private final MemorySegment sregsBuffer = arena.allocate(KvmAbi.SREGS);
    private final MemorySegment fpuBuffer = arena.allocate(KvmAbi.FPU);
    private final long[] exitCounts = new long[KvmAbi.EXIT_REASON_LIMIT + 1];
    private final Object kickLock = new Object();
    private int boundTid;
    private boolean closed;

    Vcpu(int id, int fd, MemorySegment run) {
        this.id = id;
        this.fd = fd;
        this.run = run;
    }

    public int id() {
        return id;
    }

    /**
     * Enters the guest until the next exit KVM hands to user space and decodes why. A kicked vCPU returns
     * {@link VcpuExit.Interrupted} (from then on, every time).
     */
    public VcpuExit run() {
        int rc = Native.ioctl(errnoSlot, fd, KvmAbi.KVM_RUN, 0L);
        if (rc < 0) {
            int errno = -rc;
            if (errno == Native.EINTR || errno == Native.EAGAIN) {
                Native.consumeSignal(KICK_SIGNAL);
                exitCounts[KvmAbi.KVM_EXIT_INTR]++;
                return new VcpuExit.Interrupted();
            }
            throw new KvmException("KVM_RUN on vCPU " + id, errno);
        }
        int reason = run.get(JAVA_INT, KvmAbi.RUN_EXIT_REASON);
        exitCounts[Math.min(Math.max(reason, 0), KvmAbi.EXIT_REASON_LIMIT)]++;
        return switch (reason) {
            case KvmAbi.KVM_EXIT_MMIO -> new VcpuExit.Mmio(run.get(JAVA_LONG, KvmAbi.RUN_MMIO_PHYS_ADDR),
                    run.get(JAVA_INT, KvmAbi.RUN_MMIO_LEN), run.get(JAVA_BYTE, KvmAbi.RUN_MMIO_IS_WRITE) != 0,
                    run.get(JAVA_LONG, KvmAbi.RUN_MMIO_DATA));
            case KvmAbi.KVM_EXIT_IO -> {
                int size = run.get(JAVA_BYTE, KvmAbi.RUN_IO_SIZE);
                int count = run.get(JAVA_INT, KvmAbi.RUN_IO_COUNT);
                long offset = run.get(JAVA_LONG, KvmAbi.RUN_IO_DATA_OFFSET);
                yield new VcpuExit.Io(Short.toUnsignedInt(run.get(JAVA_SHORT, KvmAbi.RUN_IO_PORT)),
                        run.get(JAVA_BYTE, KvmAbi.RUN_IO_DIRECTION) == KvmAbi.KVM_EXIT_IO_OUT, size, count,
                        run.asSlice(offset, (long) size * count));
            }
            case KvmAbi.KVM_EXIT_HLT -> new VcpuExit.Hlt();
            case KvmAbi.KVM_EXIT_SHUTDOWN -> new VcpuExit.Shutdown();
            case KvmAbi.KVM_EXIT_FAIL_ENTRY -> new VcpuExit.FailEntry(
                    run.get(JAVA_LONG, KvmAbi.RUN_FAIL_ENTRY_REASON), run.get(JAVA_INT, KvmAbi.RUN_FAIL_ENTRY_CPU));
            case KvmAbi.KVM_EXIT_INTERNAL_ERROR -> {
                int ndata = Math.min(run.get(JAVA_INT, KvmAbi.RUN_INTERNAL_NDATA), 16);
                long[] data = new long[Math.max(ndata, 0)];
                for (int i = 0; i < data.length; i++) data[i] = run.get(JAVA_LONG, KvmAbi.RUN_INTERNAL_DATA + 8L * i);
                yield new VcpuExit.InternalError(run.get(JAVA_INT, KvmAbi.RUN_INTERNAL_SUBERROR), data);
            }
            case KvmAbi.KVM_EXIT_EXCEPTION -> new VcpuExit.Exception(run.get(JAVA_INT, KvmAbi.RUN_EXCEPTION_VECTOR),
                    run.get(JAVA_INT, KvmAbi.RUN_EXCEPTION_ERROR_CODE));
            case KvmAbi.KVM_EXIT_SYSTEM_EVENT -> new VcpuExit.SystemEvent(
                    run.get(JAVA_INT, KvmAbi.RUN_SYSTEM_EVENT_TYPE));
            case KvmAbi.KVM_EXIT_INTR -> new VcpuExit.Interrupted();
            default -> new VcpuExit.Other(reason);
        };
    }

    /** Supplies the value of an MMIO read before the next {@link #run}: its low {@code length} bytes. */
    public void completeMmioRead(long value) {
        run.set(JAVA_LONG, KvmAbi.RUN_MMIO_DATA, value);
    }

    /** How many exits of each reason this vCPU has seen; the last slot counts reasons past the table. */
    public long[] exitCounts() {
        return exitCounts.clone();
    }

    /**
     * Makes the calling thread the one that runs this vCPU: blocks the kick signal outside KVM_RUN and lets KVM
     * unblock it inside.
     */
    public void bindToCurrentThread() {
        long previous = Native.blockSignal(KICK_SIGNAL);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment mask = scratch.allocate(KvmAbi.SIGNAL_MASK_HEADER.byteSize() + KvmAbi.KERNEL_SIGSET_BYTES, 8);
            mask.set(JAVA_INT, 0, KvmAbi.KERNEL_SIGSET_BYTES);
            mask.set(JAVA_LONG.withByteAlignment(4), 4, previous & ~(1L << (KICK_SIGNAL - 1)));
            Native.ioctlOrThrow(fd, KvmAbi.KVM_SET_SIGNAL_MASK, mask);
        }
        synchronized (kickLock) {
            boundTid = Native.gettid();
        }
    }

    /** CPU time of the calling thread; on the bound thread, the time this vCPU ran, guest and VMM together. */
    public static long currentThreadCpuNanos() {
        return Native.threadCpuNanos();
    }

    /**
     * Called by the bound thread when it stops running this vCPU, so later kicks cannot hit a reused thread id. It
     * also takes a kick still pending off the thread: a thread that ends with the signal pending would have it
     * delivered, with its default action of killing the process.
     */
    public void unbindFromCurrentThread() {
        synchronized (kickLock) {
            boundTid = 0;
        }
        Native.consumeSignal(KICK_SIGNAL);
    }

    /** Makes the vCPU leave the guest: the current or next {@link #run} returns {@link VcpuExit.Interrupted}. */
    public void kick() {
        synchronized (kickLock) {
            if (closed) return;
            run.set(JAVA_BYTE, KvmAbi.RUN_IMMEDIATE_EXIT, (byte) 1);
            if (boundTid != 0) Native.tgkill(Native.getpid(), boundTid, KICK_SIGNAL);
        }
    }

    public synchronized Regs getRegs() {
        Native.ioctlOrThrow(fd, KvmAbi.KVM_GET_REGS, regsBuffer);
        Regs regs = new Regs();
        regs.readFrom(regsBuffer);
        return regs;
    }

    public synchronized void setRegs(Regs regs) {
        regs.writeTo(regsBuffer);
        Native.ioctlOrThrow(fd, KvmAbi.KVM_SET_REGS, regsBuffer);
    }

    public synchronized Sregs getSregs() {
        Native.ioctlOrThrow(fd, KvmAbi.KVM_GET_SREGS, sregsBuffer);
        Sregs sregs = new Sregs();
        sregs.readFrom(sregsBuffer);
        return sregs;
    }

    public synchronized void setSregs(Sregs sregs) {
        sregs.writeTo(sregsBuffer);
        Native.ioctlOrThrow(fd, KvmAbi.KVM_SET_SREGS, sregsBuffer);
    }

    public synchronized Fpu getFpu() {
        Native.ioctlOrThrow(fd, KvmAbi.KVM_GET_FPU, fpuBuffer);
        Fpu fpu = new Fpu();
        fpu.readFrom(fpuBuffer);
        return fpu;
    }

    public synchronized void setFpu(Fpu fpu) {
        fpu.writeTo(fpuBuffer);
        Native.ioctlOrThrow(fd, KvmAbi.KVM_SET_FPU, fpuBuffer);
    }

    /** Writes model-specific registers; KVM rejecting any of them is an error naming the first it refused. */
    public void setMsrs(int[] indices, long[] values) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment msrs = msrBlock(scratch, indices);
            for (int i = 0; i < indices.length; i++) msrs.set(JAVA_LONG, msrEntry(i) + MSR_DATA, values[i]);
            int done = Native.ioctlOrThrow(fd, KvmAbi.KVM_SET_MSRS, msrs);
            if (done != indices.length) {
                throw new KvmException(String.format("KVM_SET_MSRS refused MSR 0x%x", indices[done]));
            }
        }
    }

    /** Reads one model-specific register. */
    public long getMsr(int index) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment msrs = msrBlock(scratch, new int[] {index});
            int done = Native.ioctlOrThrow(fd, KvmAbi.KVM_GET_MSRS, msrs);
            if (done != 1) throw new KvmException(String.format("KVM_GET_MSRS refused MSR 0x%x", index));
            return msrs.get(JAVA_LONG, msrEntry(0) + MSR_DATA);
        }
    }

    private static final long MSR_INDEX = KvmAbi.offset(KvmAbi.MSR_ENTRY, "index"),
            MSR_DATA = KvmAbi.offset(KvmAbi.MSR_ENTRY, "data");

    /** Where entry {@code i} of a kvm_msrs block starts. */
    private static long msrEntry(int i) {
        return KvmAbi.MSRS_HEADER.byteSize() + i * KvmAbi.MSR_ENTRY.byteSize();
    }

    private static MemorySegment msrBlock(Arena arena, int[] indices) {
        MemorySegment msrs = arena.allocate(msrEntry(indices.length), 8);
        msrs.set(JAVA_INT, KvmAbi.offset(KvmAbi.MSRS_HEADER, "nmsrs"), indices.length);
        for (int i = 0; i < indices.length; i++) msrs.set(JAVA_INT, msrEntry(i) + MSR_INDEX, indices[i]);
        return msrs;
    }

    /** The multiprocessing state (KVM_MP_STATE_*): only meaningful with an in-kernel irqchip. */
    public int getMpState() {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment state = scratch.allocate(JAVA_INT);
            Native.ioctlOrThrow(fd, KvmAbi.KVM_GET_MP_STATE, state);
            return state.get(JAVA_INT, 0);
        }
    }

    /** Sets the multiprocessing state, e.g. makes an application processor runnable without an INIT/SIPI. */
    public void setMpState(int mpState) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment state = scratch.allocate(JAVA_INT);
            state.set(JAVA_INT, 0, mpState);
            Native.ioctlOrThrow(fd, KvmAbi.KVM_SET_MP_STATE, state);
        }
    }

    /** Sets the CPUID leaves the guest sees, from a kvm_cpuid2 blob (see {@link Kvm#supportedCpuid}). */
    public void setCpuid(MemorySegment cpuid2) {
        Native.ioctlOrThrow(fd, KvmAbi.KVM_SET_CPUID2, cpuid2);
    }

    /** Closes the descriptor and unmaps kvm_run; the thread running this vCPU must have left KVM_RUN. */
    @Override
    public void close() {
        synchronized (kickLock) {
            if (closed) return;
            closed = true;
        }
        Native.munmap(run);
        Native.close(fd);
        arena.close();
    }
}
