package dev.jvisor.kvm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.memory.HostMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A KVM virtual machine: guest-physical memory slots backed by off-heap host memory, the in-kernel interrupt
 * controllers when the host offers them, and its vCPUs. Closing it closes every vCPU and descriptor and unmaps the
 * memory it allocated, in that order, so nothing outlives the VM even when a guest crashed.
 */
public final class Vm implements AutoCloseable {
    /** A memory slot: {@code memory} appears to the guest at {@code guestAddress}. */
    public record MemoryRegion(int slot, long guestAddress, MemorySegment memory) {}

    private static final int KVM_PIT_SPEAKER_DUMMY = 1;
    private static final long HUGE_PAGE = 2L << 20;

    private final Kvm kvm;
    private final int fd;
    private final List<MemoryRegion> regions = new ArrayList<>();
    private final List<MemorySegment> ownedMemory = new ArrayList<>();
    private final List<Vcpu> vcpus = new ArrayList<>();
    private final List<Notifier> notifiers = new ArrayList<>();
    private boolean irqchip, pit;
    private boolean closed;

    Vm(Kvm kvm, int fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    /**
     * Allocates {@code size} bytes of zeroed host memory (touched lazily) and maps it at {@code guestAddress}.
     * The host memory is aligned like the guest-physical address to 2 MiB and asks for transparent huge pages, so
     * that KVM can map guest memory with 2 MiB pages: under shadow paging (KVM-PVM) that means one page fault per
     * 2 MiB the guest first touches instead of 512, which is measurable in a compute-bound guest.
     */
    public synchronized MemoryRegion addMemory(long guestAddress, long size) {
        if ((guestAddress | size) % 4096 != 0 || size <= 0) {
            throw new IllegalArgumentException("memory slots are whole pages");
        }
        MemorySegment reservation = HostMemory.reserve(size + HUGE_PAGE, false);
        ownedMemory.add(reservation);
        long skew = Math.floorMod(guestAddress - reservation.address(), HUGE_PAGE);
        MemorySegment memory = reservation.asSlice(skew, size);
        Native.madvise(memory, Native.MADV_HUGEPAGE);
        return mapMemory(guestAddress, memory);
    }

    /** Maps host memory the caller owns (and must keep alive until the VM is closed) at {@code guestAddress}. */
    public synchronized MemoryRegion mapMemory(long guestAddress, MemorySegment memory) {
        for (MemoryRegion r : regions) {
            if (guestAddress < r.guestAddress() + r.memory().byteSize()
                    && r.guestAddress() < guestAddress + memory.byteSize()) {
                throw new IllegalArgumentException(String.format("memory at 0x%x overlaps slot %d", guestAddress,
                        r.slot()));
            }
        }
        int slot = regions.size();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment region = arena.allocate(KvmAbi.USERSPACE_MEMORY_REGION);
            region.set(JAVA_INT, KvmAbi.offset(KvmAbi.USERSPACE_MEMORY_REGION, "slot"), slot);
            region.set(JAVA_INT, KvmAbi.offset(KvmAbi.USERSPACE_MEMORY_REGION, "flags"), 0);
            region.set(JAVA_LONG, KvmAbi.offset(KvmAbi.USERSPACE_MEMORY_REGION, "guest_phys_addr"), guestAddress);
            region.set(JAVA_LONG, KvmAbi.offset(KvmAbi.USERSPACE_MEMORY_REGION, "memory_size"), memory.byteSize());
            region.set(JAVA_LONG, KvmAbi.offset(KvmAbi.USERSPACE_MEMORY_REGION, "userspace_addr"),
                    memory.address());
            Native.ioctlOrThrow(fd, KvmAbi.KVM_SET_USER_MEMORY_REGION, region);
        }
        MemoryRegion r = new MemoryRegion(slot, guestAddress, memory);
        regions.add(r);
        return r;
    }

    /**
     * Creates the in-kernel interrupt controllers (PIC, IOAPIC, local APICs) and PIT when the host offers them; must
     * come before the first vCPU. Returns whether it did.
     */
    public synchronized boolean createIrqchipIfOffered() {
        if (!vcpus.isEmpty()) throw new IllegalStateException("the irqchip must exist before the vCPUs");
        if (kvm.checkExtension(KvmAbi.KVM_CAP_IRQCHIP) <= 0) return false;
        Native.ioctlOrThrow(fd, KvmAbi.KVM_CREATE_IRQCHIP, 0L);
        irqchip = true;
        if (kvm.checkExtension(KvmAbi.KVM_CAP_PIT2) > 0) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment config = arena.allocate(64, 8);
                config.set(JAVA_INT, 0, KVM_PIT_SPEAKER_DUMMY);
                Native.ioctlOrThrow(fd, KvmAbi.KVM_CREATE_PIT2, config);
                pit = true;
            }
        }
        return true;
    }

    public synchronized boolean hasIrqchip() {
        return irqchip;
    }

    public synchronized boolean hasPit() {
        return pit;
    }

    /**
     * Registers an ioeventfd: guest writes of {@code length} bytes to {@code address} (an MMIO address, or a port
     * when {@code port}) no longer exit to user space; KVM completes them itself and signals the returned
     * {@link Notifier}. For writes that need no answer, such as a virtio queue notification: the guest goes on
     * at once and a device thread picks the work up. Needs KVM_CAP_IOEVENTFD.
     */
    public synchronized Notifier addIoEventFd(long address, int length, boolean port) {
        if (kvm.checkExtension(KvmAbi.KVM_CAP_IOEVENTFD) <= 0) {
            throw new KvmException("this host's KVM has no ioeventfd (KVM_CAP_IOEVENTFD)");
        }
        int eventFd = Native.eventfd();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(KvmAbi.IOEVENTFD);
            request.set(JAVA_LONG, KvmAbi.offset(KvmAbi.IOEVENTFD, "addr"), address);
            request.set(JAVA_INT, KvmAbi.offset(KvmAbi.IOEVENTFD, "len"), length);
            request.set(JAVA_INT, KvmAbi.offset(KvmAbi.IOEVENTFD, "fd"), eventFd);
            request.set(JAVA_INT, KvmAbi.offset(KvmAbi.IOEVENTFD, "flags"),
                    port ? KvmAbi.KVM_IOEVENTFD_FLAG_PIO : 0);
            Native.ioctlOrThrow(fd, KvmAbi.KVM_IOEVENTFD, request);
        } catch (RuntimeException e) {
            Native.close(eventFd);
            throw e;
        }
        Notifier notifier = new Notifier(eventFd);
        notifiers.add(notifier);
        return notifier;
    }

    /** The eventfd behind an ioeventfd; closed with the VM. */
    public static final class Notifier {
        private final int eventFd;

        private Notifier(int eventFd) {
            this.eventFd = eventFd;
        }

        /** How many matching guest writes happened since the last call (0 if none), without blocking. */
        public long take() {
            return Native.readEventfd(eventFd);
        }
    }

    /** Creates vCPU {@code id}; its kvm_run is mapped and ready. */
    public synchronized Vcpu createVcpu(int id) {
        int vcpuFd = Native.ioctlOrThrow(fd, KvmAbi.KVM_CREATE_VCPU, id);
        Vcpu vcpu;
        try {
            vcpu = new Vcpu(id, vcpuFd, Native.mmapShared(vcpuFd, kvm.vcpuMmapSize(), "kvm_run"));
        } catch (RuntimeException e) {
            Native.close(vcpuFd);
            throw e;
        }
        vcpus.add(vcpu);
        return vcpu;
    }

    public synchronized List<Vcpu> vcpus() {
        return List.copyOf(vcpus);
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Closes the vCPUs (their threads must have left KVM_RUN), the VM descriptor, then unmaps guest memory. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (Vcpu v : vcpus) v.close();
        Native.close(fd);
        for (Notifier n : notifiers) Native.close(n.eventFd);
        for (MemorySegment m : ownedMemory) HostMemory.release(m);
        ownedMemory.clear();
    }
}
