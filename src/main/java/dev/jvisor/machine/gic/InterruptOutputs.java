package dev.jvisor.machine.gic;

/**
 * Where an interrupt controller drives each vCPU's IRQ and FIQ inputs. Called with the new level only when it
 * changes, possibly from a device or timer thread, never with the controller's lock held by the receiver's caller
 * in a way that could call back into the controller synchronously.
 */
public interface InterruptOutputs {
    void setIrq(int cpu, boolean asserted);

    void setFiq(int cpu, boolean asserted);

    /** The virtual IRQ the GIC's virtual CPU interface signals to a guest on {@code cpu} (ICH_LR, ICH_VMCR). */
    default void setVirtualIrq(int cpu, boolean asserted) {}

    /** The virtual FIQ (group 0) counterpart of {@link #setVirtualIrq}. */
    default void setVirtualFiq(int cpu, boolean asserted) {}
}
