package dev.jvisor.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The ABI table against the numbers and sizes GCC computes from the kernel's own headers (linux/kvm.h). */
class KvmAbiTest {
    @Test
    void ioctlNumbersMatchTheKernelHeaders() {
        assertEquals(0xae80L, KvmAbi.KVM_RUN);
        assertEquals(0x8090ae81L, KvmAbi.KVM_GET_REGS);
        assertEquals(0x4090ae82L, KvmAbi.KVM_SET_REGS);
        assertEquals(0x8138ae83L, KvmAbi.KVM_GET_SREGS);
        assertEquals(0x4138ae84L, KvmAbi.KVM_SET_SREGS);
        assertEquals(0x81a0ae8cL, KvmAbi.KVM_GET_FPU);
        assertEquals(0x41a0ae8dL, KvmAbi.KVM_SET_FPU);
        assertEquals(0xc008ae88L, KvmAbi.KVM_GET_MSRS);
        assertEquals(0x4008ae89L, KvmAbi.KVM_SET_MSRS);
        assertEquals(0x4008ae90L, KvmAbi.KVM_SET_CPUID2);
        assertEquals(0xc008ae05L, KvmAbi.KVM_GET_SUPPORTED_CPUID);
        assertEquals(0x4020ae46L, KvmAbi.KVM_SET_USER_MEMORY_REGION);
        assertEquals(0xae60L, KvmAbi.KVM_CREATE_IRQCHIP);
        assertEquals(0x4040ae77L, KvmAbi.KVM_CREATE_PIT2);
        assertEquals(0x4040ae79L, KvmAbi.KVM_IOEVENTFD);
        assertEquals(0x4020ae76L, KvmAbi.KVM_IRQFD);
        assertEquals(0x4004ae8bL, KvmAbi.KVM_SET_SIGNAL_MASK);
        assertEquals(0x4008ae61L, KvmAbi.KVM_IRQ_LINE);
        assertEquals(0xae47L, KvmAbi.KVM_SET_TSS_ADDR);
        assertEquals(0x8004ae98L, KvmAbi.KVM_GET_MP_STATE);
        assertEquals(0x4004ae99L, KvmAbi.KVM_SET_MP_STATE);
        assertEquals(0xae01L, KvmAbi.KVM_CREATE_VM);
        assertEquals(0xae41L, KvmAbi.KVM_CREATE_VCPU);
    }

    @Test
    void structLayoutsHaveTheKernelsSizes() {
        assertEquals(144, KvmAbi.REGS.byteSize());
        assertEquals(312, KvmAbi.SREGS.byteSize());
        assertEquals(24, KvmAbi.SEGMENT.byteSize());
        assertEquals(16, KvmAbi.DTABLE.byteSize());
        assertEquals(416, KvmAbi.FPU.byteSize());
        assertEquals(32, KvmAbi.USERSPACE_MEMORY_REGION.byteSize());
        assertEquals(16, KvmAbi.MSR_ENTRY.byteSize());
        assertEquals(40, KvmAbi.CPUID_ENTRY2.byteSize());
        assertEquals(64, KvmAbi.IOEVENTFD.byteSize());
        assertEquals(192, KvmAbi.SREGS.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("gdt")));
        assertEquals(224, KvmAbi.SREGS.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("cr0")));
        assertEquals(408, KvmAbi.FPU.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("mxcsr")));
        assertEquals(152, KvmAbi.FPU.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("xmm")));
    }

    @Test
    void kvmRunOffsetsMatchTheKernelHeaders() {
        assertEquals(8, KvmAbi.RUN_EXIT_REASON);
        assertEquals(1, KvmAbi.RUN_IMMEDIATE_EXIT);
        assertEquals(33, KvmAbi.RUN_IO_SIZE);
        assertEquals(34, KvmAbi.RUN_IO_PORT);
        assertEquals(36, KvmAbi.RUN_IO_COUNT);
        assertEquals(40, KvmAbi.RUN_IO_DATA_OFFSET);
        assertEquals(40, KvmAbi.RUN_MMIO_DATA);
        assertEquals(48, KvmAbi.RUN_MMIO_LEN);
        assertEquals(52, KvmAbi.RUN_MMIO_IS_WRITE);
        assertEquals(2352, KvmAbi.RUN_MIN_SIZE);
    }
}
