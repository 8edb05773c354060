package dev.jvisor.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/** The /dev/kvm system descriptor: API version, capabilities, and the factory for VMs. */
public final class Kvm implements AutoCloseable {
    public static final Path DEFAULT_DEVICE = Path.of("/dev/kvm");
    private static final int ENOENT = 2, EACCES = 13, EPERM = 1, ENXIO = 6, ENODEV = 19;

    private final int fd;
    private final int vcpuMmapSize;
    private boolean closed;

    private Kvm(int fd) {
        this.fd = fd;
        int api = Native.ioctlOrThrow(fd, KvmAbi.KVM_GET_API_VERSION, 0L);
        if (api != KvmAbi.KVM_API_VERSION) {
            Native.close(fd);
            throw new KvmUnavailableException("/dev/kvm speaks KVM API " + api + ", this VMM needs "
                    + KvmAbi.KVM_API_VERSION);
        }
        this.vcpuMmapSize = Native.ioctlOrThrow(fd, KvmAbi.KVM_GET_VCPU_MMAP_SIZE, 0L);
        if (vcpuMmapSize < KvmAbi.RUN_MIN_SIZE) {
            Native.close(fd);
            throw new KvmUnavailableException("kvm_run mapping of " + vcpuMmapSize + " bytes is too small");
        }
    }

    /** Opens /dev/kvm. */
    public static Kvm open() {
        return open(DEFAULT_DEVICE);
    }

    /** Opens a KVM device node; a missing node or missing permission is a {@link KvmUnavailableException}. */
    public static Kvm open(Path device) {
        int fd = Native.open(device.toString(), Native.O_RDWR | Native.O_CLOEXEC);
        if (fd < 0) {
            int errno = -fd;
            String why = switch (errno) {
                case ENOENT -> "does not exist (no KVM on this host, or the kvm module is not loaded)";
                case EACCES, EPERM -> "cannot be opened: permission denied (add yourself to the kvm group)";
                case ENXIO, ENODEV -> "has no KVM driver behind it";
                default -> "cannot be opened: " + Native.describe(errno);
            };
            throw new KvmUnavailableException(device + " " + why);
        }
        return new Kvm(fd);
    }

    /** True when a KVM device exists and this process may open it read-write. */
    public static boolean available() {
        return Files.isReadable(DEFAULT_DEVICE) && Files.isWritable(DEFAULT_DEVICE);
    }

    public int apiVersion() {
        return Native.ioctlOrThrow(fd, KvmAbi.KVM_GET_API_VERSION, 0L);
    }

    /** KVM_CHECK_EXTENSION: 0 when absent, otherwise a capability-specific positive value. */
    public int checkExtension(int capability) {
        return Native.ioctlOrThrow(fd, KvmAbi.KVM_CHECK_EXTENSION, capability);
    }

    public int vcpuMmapSize() {
        return vcpuMmapSize;
    }

    /** The largest vCPU count one VM may have on this host. */
    public int maxVcpus() {
        int max = checkExtension(KvmAbi.KVM_CAP_MAX_VCPUS);
        return max > 0 ? max : Math.max(checkExtension(KvmAbi.KVM_CAP_NR_VCPUS), 4);
    }

    /** The CPUID leaves KVM can give a guest, as a kvm_cpuid2 blob ready for {@link Vcpu#setCpuid}. */
    public MemorySegment supportedCpuid(Arena arena) {
        for (int capacity = 64; ; capacity *= 2) {
            MemorySegment blob = arena.allocate(KvmAbi.CPUID2_HEADER.byteSize()
                    + capacity * KvmAbi.CPUID_ENTRY2.byteSize(), 8);
            blob.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, capacity);
            try (Arena scratch = Arena.ofConfined()) {
                int rc = Native.ioctl(Native.newErrnoSlot(scratch), fd, KvmAbi.KVM_GET_SUPPORTED_CPUID, blob);
                if (rc >= 0) return blob;
                if (-rc != 7 /* E2BIG: the array was too small */ || capacity > 4096) {
                    throw new KvmException("KVM_GET_SUPPORTED_CPUID", -rc);
                }
            }
        }
    }

    /** Creates an empty VM. */
    public Vm createVm() {
        int vmFd = Native.ioctlOrThrow(fd, KvmAbi.KVM_CREATE_VM, 0L);
        return new Vm(this, vmFd);
    }

    int fd() {
        return fd;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Native.close(fd);
    }
}
