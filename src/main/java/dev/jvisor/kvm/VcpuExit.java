package dev.jvisor.kvm;

import java.lang.foreign.MemorySegment;

/** Why KVM_RUN returned, decoded from kvm_run. The exit loops switch over these. */
public sealed interface VcpuExit {
    /** Port I/O: for OUT, {@code data} holds size*count bytes to consume; for IN, the VMM fills it. */
    record Io(int port, boolean out, int size, int count, MemorySegment data) implements VcpuExit {}

    /** An access to guest-physical memory no slot backs. For a read, complete it with Vcpu.completeMmioRead. */
    record Mmio(long address, int length, boolean write, long data) implements VcpuExit {}

    /** HLT with no in-kernel irqchip to wait for an interrupt. */
    record Hlt() implements VcpuExit {}

    /** The vCPU shut down: on x86 a triple fault (an exception the guest could not deliver). */
    record Shutdown() implements VcpuExit {}

    /** The hardware refused to enter the guest: its state is invalid. */
    record FailEntry(long hardwareReason, int cpu) implements VcpuExit {}

    /** KVM could not handle an exit itself (e.g. it failed to emulate an instruction). */
    record InternalError(int suberror, long[] data) implements VcpuExit {}

    /** The guest raised an exception KVM reports to user space instead of delivering it. */
    record Exception(int vector, int errorCode) implements VcpuExit {}

    /** A system event such as a reset or power-off request. */
    record SystemEvent(int type) implements VcpuExit {}

    /** KVM_RUN returned early because this vCPU was kicked (a signal or immediate_exit). */
    record Interrupted() implements VcpuExit {}

    /** Any other exit reason. */
    record Other(int reason) implements VcpuExit {}
}
