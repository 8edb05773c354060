package dev.jvisor.machine;

/**
 * How vCPU indices map to MPIDR affinity on this machine: clusters of 16, like QEMU's virt board with a GICv3, so
 * that one SGI target list (16 bits) covers a cluster. The GIC, PSCI and the device tree all follow this, and the
 * CPU side must report the same value in MPIDR_EL1.
 */
public final class CpuTopology {
    private CpuTopology() {}

    /** Aff2:Aff1:Aff0 in bits 23..0 (Aff3 is always zero here). */
    public static int affinityOf(int cpu) {
        return (cpu / 16) << 8 | cpu % 16;
    }

    /** The vCPU whose affinity is {@code affinity} (Aff3 in bits 39..32, Aff2..Aff0 in 23..0), or -1. */
    public static int cpuOf(long affinity, int cpus) {
        if ((affinity & ~0xFF_00FF_FFFFL) != 0 || (affinity >>> 32) != 0 || (affinity & 0xF0) != 0) return -1;
        long cpu = (affinity >>> 8 & 0xFFFF) * 16 + (affinity & 0xF);
        return cpu < cpus && affinityOf((int) cpu) == affinity ? (int) cpu : -1;
    }
}
