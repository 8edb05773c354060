package dev.jvisor.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The Linux KVM ABI for x86-64 as jvisor uses it: every ioctl number, capability, exit reason and struct layout in
 * one place (from include/uapi/linux/kvm.h and arch/x86/include/uapi/asm/kvm.h). The layouts are checked against the
 * sizes the kernel headers give (see KvmAbiTest); the offsets here are what the rest of the package reads.
 */
public final class KvmAbi {
    private KvmAbi() {}

    private static final int KVMIO = 0xAE;
    private static final int IOC_WRITE = 1, IOC_READ = 2;

    private static long io(int nr) {
        return (KVMIO << 8) | nr;
    }

    private static long ioc(int dir, int nr, long size) {
        return ((long) dir << 30) | (size << 16) | (KVMIO << 8) | nr;
    }

    // System ioctls (on the /dev/kvm descriptor).
    public static final long KVM_GET_API_VERSION = io(0x00);
    public static final long KVM_CREATE_VM = io(0x01);
    public static final long KVM_CHECK_EXTENSION = io(0x03);
    public static final long KVM_GET_VCPU_MMAP_SIZE = io(0x04);
    public static final long KVM_GET_SUPPORTED_CPUID = ioc(IOC_READ | IOC_WRITE, 0x05, 8);

    // VM ioctls.
    public static final long KVM_CREATE_VCPU = io(0x41);
    public static final long KVM_SET_USER_MEMORY_REGION = ioc(IOC_WRITE, 0x46, 32);
    public static final long KVM_SET_TSS_ADDR = io(0x47);
    public static final long KVM_CREATE_IRQCHIP = io(0x60);
    public static final long KVM_IRQ_LINE = ioc(IOC_WRITE, 0x61, 8);
    public static final long KVM_IRQFD = ioc(IOC_WRITE, 0x76, 32);
    public static final long KVM_CREATE_PIT2 = ioc(IOC_WRITE, 0x77, 64);
    public static final long KVM_IOEVENTFD = ioc(IOC_WRITE, 0x79, 64);

    // vCPU ioctls.
    public static final long KVM_RUN = io(0x80);
    public static final long KVM_GET_REGS = ioc(IOC_READ, 0x81, 144);
    public static final long KVM_SET_REGS = ioc(IOC_WRITE, 0x82, 144);
    public static final long KVM_GET_SREGS = ioc(IOC_READ, 0x83, 312);
    public static final long KVM_SET_SREGS = ioc(IOC_WRITE, 0x84, 312);
    public static final long KVM_GET_MSRS = ioc(IOC_READ | IOC_WRITE, 0x88, 8);
    public static final long KVM_SET_MSRS = ioc(IOC_WRITE, 0x89, 8);
    public static final long KVM_SET_SIGNAL_MASK = ioc(IOC_WRITE, 0x8b, 4);
    public static final long KVM_GET_FPU = ioc(IOC_READ, 0x8c, 416);
    public static final long KVM_SET_FPU = ioc(IOC_WRITE, 0x8d, 416);
    public static final long KVM_SET_CPUID2 = ioc(IOC_WRITE, 0x90, 8);
    public static final long KVM_GET_MP_STATE = ioc(IOC_READ, 0x98, 4);
    public static final long KVM_SET_MP_STATE = ioc(IOC_WRITE, 0x99, 4);

    /** kvm_mp_state values: with an in-kernel local APIC, application processors start waiting for INIT/SIPI. */
    public static final int KVM_MP_STATE_RUNNABLE = 0, KVM_MP_STATE_UNINITIALIZED = 1,
            KVM_MP_STATE_INIT_RECEIVED = 2, KVM_MP_STATE_HALTED = 3, KVM_MP_STATE_SIPI_RECEIVED = 4;

    /** The name of an ioctl request number, for error messages. */
    public static String ioctlName(long request) {
        if (request == KVM_GET_API_VERSION) return "KVM_GET_API_VERSION";
        if (request == KVM_CREATE_VM) return "KVM_CREATE_VM";
        if (request == KVM_CHECK_EXTENSION) return "KVM_CHECK_EXTENSION";
        if (request == KVM_GET_VCPU_MMAP_SIZE) return "KVM_GET_VCPU_MMAP_SIZE";
        if (request == KVM_GET_SUPPORTED_CPUID) return "KVM_GET_SUPPORTED_CPUID";
        if (request == KVM_CREATE_VCPU) return "KVM_CREATE_VCPU";
        if (request == KVM_SET_USER_MEMORY_REGION) return "KVM_SET_USER_MEMORY_REGION";
        if (request == KVM_SET_TSS_ADDR) return "KVM_SET_TSS_ADDR";
        if (request == KVM_CREATE_IRQCHIP) return "KVM_CREATE_IRQCHIP";
        if (request == KVM_IRQ_LINE) return "KVM_IRQ_LINE";
        if (request == KVM_IRQFD) return "KVM_IRQFD";
        if (request == KVM_CREATE_PIT2) return "KVM_CREATE_PIT2";
        if (request == KVM_IOEVENTFD) return "KVM_IOEVENTFD";
        if (request == KVM_RUN) return "KVM_RUN";
        if (request == KVM_GET_REGS) return "KVM_GET_REGS";
        if (request == KVM_SET_REGS) return "KVM_SET_REGS";
        if (request == KVM_GET_SREGS) return "KVM_GET_SREGS";
        if (request == KVM_SET_SREGS) return "KVM_SET_SREGS";
        if (request == KVM_GET_MSRS) return "KVM_GET_MSRS";
        if (request == KVM_SET_MSRS) return "KVM_SET_MSRS";
        if (request == KVM_SET_SIGNAL_MASK) return "KVM_SET_SIGNAL_MASK";
        if (request == KVM_GET_FPU) return "KVM_GET_FPU";
        if (request == KVM_SET_FPU) return "KVM_SET_FPU";
        if (request == KVM_SET_CPUID2) return "KVM_SET_CPUID2";
        if (request == KVM_GET_MP_STATE) return "KVM_GET_MP_STATE";
        if (request == KVM_SET_MP_STATE) return "KVM_SET_MP_STATE";
        return String.format("ioctl 0x%x", request);
    }

    public static final int KVM_API_VERSION = 12;

    // Capabilities (KVM_CHECK_EXTENSION arguments).
    public static final int KVM_CAP_IRQCHIP = 0;
    public static final int KVM_CAP_USER_MEMORY = 3;
    public static final int KVM_CAP_SET_TSS_ADDR = 4;
    public static final int KVM_CAP_EXT_CPUID = 7;
    public static final int KVM_CAP_NR_VCPUS = 9;
    public static final int KVM_CAP_NR_MEMSLOTS = 10;
    public static final int KVM_CAP_IRQFD = 32;
    public static final int KVM_CAP_PIT2 = 33;
    public static final int KVM_CAP_IOEVENTFD = 36;
    public static final int KVM_CAP_MAX_VCPUS = 66;
    public static final int KVM_CAP_IMMEDIATE_EXIT = 136;

    // Exit reasons (kvm_run.exit_reason).
    public static final int KVM_EXIT_UNKNOWN = 0;
    public static final int KVM_EXIT_EXCEPTION = 1;
    public static final int KVM_EXIT_IO = 2;
    public static final int KVM_EXIT_HYPERCALL = 3;
    public static final int KVM_EXIT_DEBUG = 4;
    public static final int KVM_EXIT_HLT = 5;
    public static final int KVM_EXIT_MMIO = 6;
    public static final int KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    public static final int KVM_EXIT_SHUTDOWN = 8;
    public static final int KVM_EXIT_FAIL_ENTRY = 9;
    public static final int KVM_EXIT_INTR = 10;
    public static final int KVM_EXIT_INTERNAL_ERROR = 17;
    public static final int KVM_EXIT_SYSTEM_EVENT = 24;
    /** One past the largest exit reason a counter array indexes; larger ones are counted together. */
    public static final int EXIT_REASON_LIMIT = 64;

    public static final int KVM_EXIT_IO_IN = 0, KVM_EXIT_IO_OUT = 1;

    /** The names of exit reasons, as the kernel spells them. */
    public static String exitReasonName(int reason) {
        return switch (reason) {
            case KVM_EXIT_UNKNOWN -> "UNKNOWN";
            case KVM_EXIT_EXCEPTION -> "EXCEPTION";
            case KVM_EXIT_IO -> "IO";
            case KVM_EXIT_HYPERCALL -> "HYPERCALL";
            case KVM_EXIT_DEBUG -> "DEBUG";
            case KVM_EXIT_HLT -> "HLT";
            case KVM_EXIT_MMIO -> "MMIO";
            case KVM_EXIT_IRQ_WINDOW_OPEN -> "IRQ_WINDOW_OPEN";
            case KVM_EXIT_SHUTDOWN -> "SHUTDOWN";
            case KVM_EXIT_FAIL_ENTRY -> "FAIL_ENTRY";
            case KVM_EXIT_INTR -> "INTR";
            case KVM_EXIT_INTERNAL_ERROR -> "INTERNAL_ERROR";
            case KVM_EXIT_SYSTEM_EVENT -> "SYSTEM_EVENT";
            default -> "reason " + reason;
        };
    }

    /** Byte offset of a (possibly nested) field, e.g. {@code offset(SREGS, "gdt", "limit")}. */
    public static long offset(MemoryLayout layout, String... path) {
        MemoryLayout.PathElement[] elements = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) elements[i] = MemoryLayout.PathElement.groupElement(path[i]);
        return layout.byteOffset(elements);
    }

    /** struct kvm_userspace_memory_region. */
    public static final StructLayout USERSPACE_MEMORY_REGION = MemoryLayout.structLayout(
            JAVA_INT.withName("slot"), JAVA_INT.withName("flags"), JAVA_LONG.withName("guest_phys_addr"),
            JAVA_LONG.withName("memory_size"), JAVA_LONG.withName("userspace_addr"));

    /** struct kvm_regs: the general registers in this order, then rip and rflags. */
    public static final StructLayout REGS = MemoryLayout.structLayout(
            JAVA_LONG.withName("rax"), JAVA_LONG.withName("rbx"), JAVA_LONG.withName("rcx"),
            JAVA_LONG.withName("rdx"), JAVA_LONG.withName("rsi"), JAVA_LONG.withName("rdi"),
            JAVA_LONG.withName("rsp"), JAVA_LONG.withName("rbp"), JAVA_LONG.withName("r8"),
            JAVA_LONG.withName("r9"), JAVA_LONG.withName("r10"), JAVA_LONG.withName("r11"),
            JAVA_LONG.withName("r12"), JAVA_LONG.withName("r13"), JAVA_LONG.withName("r14"),
            JAVA_LONG.withName("r15"), JAVA_LONG.withName("rip"), JAVA_LONG.withName("rflags"));

    /** struct kvm_segment. */
    public static final StructLayout SEGMENT = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"), JAVA_INT.withName("limit"), JAVA_SHORT.withName("selector"),
            JAVA_BYTE.withName("type"), JAVA_BYTE.withName("present"), JAVA_BYTE.withName("dpl"),
            JAVA_BYTE.withName("db"), JAVA_BYTE.withName("s"), JAVA_BYTE.withName("l"), JAVA_BYTE.withName("g"),
            JAVA_BYTE.withName("avl"), JAVA_BYTE.withName("unusable"), JAVA_BYTE.withName("padding"));

    /** struct kvm_dtable. */
    public static final StructLayout DTABLE = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"), JAVA_SHORT.withName("limit"), MemoryLayout.paddingLayout(6));

    /** struct kvm_sregs. */
    public static final StructLayout SREGS = MemoryLayout.structLayout(
            SEGMENT.withName("cs"), SEGMENT.withName("ds"), SEGMENT.withName("es"), SEGMENT.withName("fs"),
            SEGMENT.withName("gs"), SEGMENT.withName("ss"), SEGMENT.withName("tr"), SEGMENT.withName("ldt"),
            DTABLE.withName("gdt"), DTABLE.withName("idt"), JAVA_LONG.withName("cr0"), JAVA_LONG.withName("cr2"),
            JAVA_LONG.withName("cr3"), JAVA_LONG.withName("cr4"), JAVA_LONG.withName("cr8"),
            JAVA_LONG.withName("efer"), JAVA_LONG.withName("apic_base"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("interrupt_bitmap"));

    /** struct kvm_fpu (legacy FXSAVE-like image). */
    public static final StructLayout FPU = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("fpr"), JAVA_SHORT.withName("fcw"),
            JAVA_SHORT.withName("fsw"), JAVA_BYTE.withName("ftwx"), JAVA_BYTE.withName("pad1"),
            JAVA_SHORT.withName("last_opcode"), JAVA_LONG.withName("last_ip"), JAVA_LONG.withName("last_dp"),
            MemoryLayout.sequenceLayout(256, JAVA_BYTE).withName("xmm"), JAVA_INT.withName("mxcsr"),
            JAVA_INT.withName("pad2"));

    /** struct kvm_msrs header; kvm_msr_entry array follows. */
    public static final StructLayout MSRS_HEADER = MemoryLayout.structLayout(
            JAVA_INT.withName("nmsrs"), JAVA_INT.withName("pad"));
    public static final StructLayout MSR_ENTRY = MemoryLayout.structLayout(
            JAVA_INT.withName("index"), JAVA_INT.withName("reserved"), JAVA_LONG.withName("data"));

    /** struct kvm_cpuid2 header; kvm_cpuid_entry2 array follows. */
    public static final StructLayout CPUID2_HEADER = MemoryLayout.structLayout(
            JAVA_INT.withName("nent"), JAVA_INT.withName("padding"));
    public static final StructLayout CPUID_ENTRY2 = MemoryLayout.structLayout(
            JAVA_INT.withName("function"), JAVA_INT.withName("index"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("eax"), JAVA_INT.withName("ebx"), JAVA_INT.withName("ecx"), JAVA_INT.withName("edx"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("padding"));

    /** struct kvm_ioeventfd. */
    public static final StructLayout IOEVENTFD = MemoryLayout.structLayout(
            JAVA_LONG.withName("datamatch"), JAVA_LONG.withName("addr"), JAVA_INT.withName("len"),
            JAVA_INT.withName("fd"), JAVA_INT.withName("flags"), MemoryLayout.paddingLayout(36));
    public static final int KVM_IOEVENTFD_FLAG_DATAMATCH = 1, KVM_IOEVENTFD_FLAG_PIO = 2,
            KVM_IOEVENTFD_FLAG_DEASSIGN = 4;

    /** struct kvm_signal_mask header: len, then len bytes of kernel sigset. */
    public static final StructLayout SIGNAL_MASK_HEADER = MemoryLayout.structLayout(JAVA_INT.withName("len"));
    /** The kernel's sigset_t on x86-64 is 64 bits, not glibc's 1024. */
    public static final int KERNEL_SIGSET_BYTES = 8;

    // struct kvm_run: the fields jvisor reads, at their fixed offsets (the union starts at 32).
    public static final long RUN_IMMEDIATE_EXIT = 1;
    public static final long RUN_EXIT_REASON = 8;
    public static final long RUN_IO_DIRECTION = 32;
    public static final long RUN_IO_SIZE = 33;
    public static final long RUN_IO_PORT = 34;
    public static final long RUN_IO_COUNT = 36;
    public static final long RUN_IO_DATA_OFFSET = 40;
    public static final long RUN_MMIO_PHYS_ADDR = 32;
    public static final long RUN_MMIO_DATA = 40;
    public static final long RUN_MMIO_LEN = 48;
    public static final long RUN_MMIO_IS_WRITE = 52;
    public static final long RUN_FAIL_ENTRY_REASON = 32;
    public static final long RUN_FAIL_ENTRY_CPU = 40;
    public static final long RUN_INTERNAL_SUBERROR = 32;
    public static final long RUN_INTERNAL_NDATA = 36;
    public static final long RUN_INTERNAL_DATA = 40;
    public static final long RUN_EXCEPTION_VECTOR = 32;
    public static final long RUN_EXCEPTION_ERROR_CODE = 36;
    public static final long RUN_SYSTEM_EVENT_TYPE = 32;
    /** The part of kvm_run this package touches must lie inside the mapping KVM reports. */
    public static final long RUN_MIN_SIZE = 2352;

    /** The MSR swapgs exchanges with GS.base; any guest may hold any value in it. */
    public static final int MSR_KERNEL_GS_BASE = 0xc0000102;
}
