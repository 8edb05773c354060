package dev.jvisor.machine.timer;

import dev.jvisor.machine.fdt.DeviceTreeIrq;
import dev.jvisor.machine.fdt.FdtNode;
import dev.jvisor.machine.gic.CpuRegister;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The timers of the Arm generic timer, counting the system counter: per vCPU the EL1 physical and virtual timers and,
 * for a CPU with EL2, the EL2 physical timer (CNTHP) and FEAT_VHE's EL2 virtual timer (CNTHV). Each timer's output is
 * a level: enabled, condition met (count >= compare value, unsigned) and not masked. It drives a PPI (27 virtual,
 * 30 physical, 26 EL2 physical, 28 EL2 virtual) through {@link PpiSink}. The EL1 virtual timer counts the physical
 * count less CNTVOFF_EL2; the EL2 virtual timer counts as EL2 with E2H sees the virtual count, with no offset. The
 * output is recomputed on every register access, and a host scheduler thread re-checks a timer at the moment its
 * compare value is due, so an idle vCPU in WFI is woken.
 */
public final class GenericTimer implements AutoCloseable {
    public static final int VIRTUAL_PPI = 27;
    public static final int PHYSICAL_PPI = 30;
    public static final int HYP_PHYSICAL_PPI = 26;
    public static final int HYP_VIRTUAL_PPI = 28;
    /** Named in the device tree as the binding requires; a non-secure guest never reaches it. */
    static final int SECURE_PHYSICAL_PPI = 29;
    /** The frequency of arch.a64's system counter, which CNTFRQ_EL0 reports. */
    public static final long FREQUENCY_HZ = 62_500_000;
    private static final long NANOS_PER_TICK = 1_000_000_000L / FREQUENCY_HZ;

    private static final long ENABLE = 1;
    private static final long IMASK = 2;
    private static final long ISTATUS = 4;

    /** The system counter the timers compare with. */
    public interface Counter {
        long ticks();
    }

    /** Where timer outputs go: GicV3::setPpiLevel fits. */
    @FunctionalInterface
    public interface PpiSink {
        void setPpiLevel(int cpu, int intid, boolean level);
    }

    private final class Timer {
        final int cpu;
        final int ppi;
        final boolean virtual;
        long control;
        long compare;
        boolean output;
        ScheduledFuture<?> wakeup;
        /** The counter value {@link #wakeup} is set for, so unchanged deadlines are not rescheduled. */
        long wakeupTicks;

        Timer(int cpu, int ppi, boolean virtual) {
            this.cpu = cpu;
            this.ppi = ppi;
            this.virtual = virtual;
        }

        long count() {
            return virtual ? counter.ticks() - virtualOffset[cpu] : counter.ticks();
        }

        long offset() {
            return virtual ? virtualOffset[cpu] : 0;
        }

        boolean conditionMet() {
            return (control & ENABLE) != 0 && Long.compareUnsigned(count(), compare) >= 0;
        }
    }

    private final Counter counter;
    private final PpiSink sink;
    private final Timer[] physical;
    private final Timer[] virtualTimers;
    private final Timer[] hypPhysical;
    private final Timer[] hypVirtual;
    private final long[] virtualOffset;
    private final long[] kernelControl;
    private final long[] frequencyRegister;
    private final ScheduledExecutorService scheduler;

    /**
     * Timers over {@code counter}. With {@code hostWakeups} a daemon thread raises each output when it falls due;
     * without, outputs change only on register accesses and {@link #poll()} (deterministic, for tests).
     */
    public GenericTimer(int cpus, Counter counter, PpiSink sink, boolean hostWakeups) {
        this.counter = counter;
        this.sink = sink;
        physical = new Timer[cpus];
        virtualTimers = new Timer[cpus];
        hypPhysical = new Timer[cpus];
        hypVirtual = new Timer[cpus];
        virtualOffset = new long[cpus];
        kernelControl = new long[cpus];
        frequencyRegister = new long[cpus];
        Arrays.fill(frequencyRegister, FREQUENCY_HZ);
        for (int c = 0; c < cpus; c++) {
            physical[c] = new Timer(c, PHYSICAL_PPI, false);
            virtualTimers[c] = new Timer(c, VIRTUAL_PPI, true);
            hypPhysical[c] = new Timer(c, HYP_PHYSICAL_PPI, false);
            hypVirtual[c] = new Timer(c, HYP_VIRTUAL_PPI, false);
        }
        if (hostWakeups) {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "generic-timer");
                t.setDaemon(true);
                return t;
            });
            // The guest reprograms its timer at every tick: cancelled wakeups must not pile up in the queue.
            executor.setRemoveOnCancelPolicy(true);
            scheduler = executor;
        } else {
            scheduler = null;
        }
    }

    /** Re-evaluates every timer output; for callers without host wakeups (a run loop, tests). */
    public synchronized void poll() {
        for (int c = 0; c < physical.length; c++) {
            refresh(physical[c]);
            refresh(virtualTimers[c]);
            refresh(hypPhysical[c]);
            refresh(hypVirtual[c]);
        }
    }

    /** CNTVOFF_EL2: the virtual count is the physical count minus this. */
    public synchronized void setVirtualOffset(int cpu, long offset) {
        virtualOffset[cpu] = offset;
        refresh(virtualTimers[cpu]);
    }

    public synchronized long virtualOffset(int cpu) {
        return virtualOffset[cpu];
    }

    private void refresh(Timer t) {
        boolean met = t.conditionMet();
        boolean level = met && (t.control & IMASK) == 0;
        if (level != t.output) {
            t.output = level;
            sink.setPpiLevel(t.cpu, t.ppi, level);
        }
        if (scheduler == null) return;
        boolean wanted = (t.control & ENABLE) != 0 && !met;
        long deadline = t.compare + t.offset();
        if (t.wakeup != null && !t.wakeup.isDone() && wanted && t.wakeupTicks == deadline) return;
        if (t.wakeup != null) {
            t.wakeup.cancel(false);
            t.wakeup = null;
        }
        if (wanted) {
            long ticks = t.compare - t.count();
            // A deadline centuries away needs no host wakeup.
            if (ticks < 0 || ticks > Long.MAX_VALUE / NANOS_PER_TICK) return;
            long nanos = ticks * NANOS_PER_TICK + 1;
            t.wakeupTicks = deadline;
            t.wakeup = scheduler.schedule(() -> wake(t, deadline), nanos, TimeUnit.NANOSECONDS);
        }
    }

    private synchronized void wake(Timer t, long deadline) {
        // This wakeup is over: forget it (unless a newer one replaced it) so that refresh can set the next one.
        if (t.wakeupTicks == deadline) t.wakeup = null;
        refresh(t);
    }

    private synchronized long readControl(Timer t) {
        refresh(t);
        return t.control | (t.conditionMet() ? ISTATUS : 0);
    }

    private synchronized void writeControl(Timer t, long value) {
        t.control = value & (ENABLE | IMASK);
        refresh(t);
    }

    private synchronized long readCompare(Timer t) {
        return t.compare;
    }

    private synchronized void writeCompare(Timer t, long value) {
        t.compare = value;
        refresh(t);
    }

    /** TVAL is the signed 32-bit distance from the count to the compare value. */
    private synchronized long readTimerValue(Timer t) {
        return (t.compare - t.count()) & 0xFFFF_FFFFL;
    }

    private synchronized void writeTimerValue(Timer t, long value) {
        t.compare = t.count() + (int) value;
        refresh(t);
    }

    private synchronized long readCount(boolean virtual, int cpu) {
        return virtual ? counter.ticks() - virtualOffset[cpu] : counter.ticks();
    }

    private static int cnt(int op1, int crm, int op2) {
        return CpuRegister.encode(3, op1, 14, crm, op2);
    }

    /** The CNT* registers of EL0 and EL1 for the CPU side to register. */
    public List<CpuRegister> registers() {
        return List.of(
                // Firmware's note to software of the counter's rate, writable at the highest EL (EL1 here; the CPU
                // side refuses EL0 writes). Writing it does not change the rate.
                new CpuRegister("CNTFRQ_EL0", cnt(3, 0, 0), this::frequencyRegister, this::setFrequencyRegister),
                new CpuRegister("CNTPCT_EL0", cnt(3, 0, 1), c -> readCount(false, c), null),
                new CpuRegister("CNTVCT_EL0", cnt(3, 0, 2), c -> readCount(true, c), null),
                new CpuRegister("CNTP_TVAL_EL0", cnt(3, 2, 0), c -> readTimerValue(physical[c]),
                        (c, v) -> writeTimerValue(physical[c], v)),
                new CpuRegister("CNTP_CTL_EL0", cnt(3, 2, 1), c -> readControl(physical[c]),
                        (c, v) -> writeControl(physical[c], v)),
                new CpuRegister("CNTP_CVAL_EL0", cnt(3, 2, 2), c -> readCompare(physical[c]),
                        (c, v) -> writeCompare(physical[c], v)),
                new CpuRegister("CNTV_TVAL_EL0", cnt(3, 3, 0), c -> readTimerValue(virtualTimers[c]),
                        (c, v) -> writeTimerValue(virtualTimers[c], v)),
                new CpuRegister("CNTV_CTL_EL0", cnt(3, 3, 1), c -> readControl(virtualTimers[c]),
                        (c, v) -> writeControl(virtualTimers[c], v)),
                new CpuRegister("CNTV_CVAL_EL0", cnt(3, 3, 2), c -> readCompare(virtualTimers[c]),
                        (c, v) -> writeCompare(virtualTimers[c], v)),
                // EL0 access controls; the CPU side consults kernelControl(cpu) when EL0 touches the timer.
                new CpuRegister("CNTKCTL_EL1", cnt(0, 1, 0), this::kernelControl,
                        (c, v) -> setKernelControl(c, v)),
                // EL2's registers: the CPU side lets only EL2 reach them, and only on a CPU that has it.
                new CpuRegister("CNTVOFF_EL2", cnt(4, 0, 3), this::virtualOffset, this::setVirtualOffset),
                new CpuRegister("CNTHP_TVAL_EL2", cnt(4, 2, 0), c -> readTimerValue(hypPhysical[c]),
                        (c, v) -> writeTimerValue(hypPhysical[c], v)),
                new CpuRegister("CNTHP_CTL_EL2", cnt(4, 2, 1), c -> readControl(hypPhysical[c]),
                        (c, v) -> writeControl(hypPhysical[c], v)),
                new CpuRegister("CNTHP_CVAL_EL2", cnt(4, 2, 2), c -> readCompare(hypPhysical[c]),
                        (c, v) -> writeCompare(hypPhysical[c], v)),
                new CpuRegister("CNTHV_TVAL_EL2", cnt(4, 3, 0), c -> readTimerValue(hypVirtual[c]),
                        (c, v) -> writeTimerValue(hypVirtual[c], v)),
                new CpuRegister("CNTHV_CTL_EL2", cnt(4, 3, 1), c -> readControl(hypVirtual[c]),
                        (c, v) -> writeControl(hypVirtual[c], v)),
                new CpuRegister("CNTHV_CVAL_EL2", cnt(4, 3, 2), c -> readCompare(hypVirtual[c]),
                        (c, v) -> writeCompare(hypVirtual[c], v)));
    }

    private synchronized long frequencyRegister(int cpu) {
        return frequencyRegister[cpu];
    }

    private synchronized void setFrequencyRegister(int cpu, long value) {
        frequencyRegister[cpu] = value & 0xFFFF_FFFFL;
    }

    public synchronized long kernelControl(int cpu) {
        return kernelControl[cpu];
    }

    private synchronized void setKernelControl(int cpu, long value) {
        // EL0PCTEN, EL0VCTEN, EVNTEN, EVNTDIR, EVNTI, EL0VTEN, EL0PTEN: bits 9..0.
        kernelControl[cpu] = value & 0x3FF;
    }

    @Override
    public void close() {
        if (scheduler != null) scheduler.shutdownNow();
    }

    /** The architected timer's node for CPUs without EL2. */
    public static FdtNode deviceTreeNode() {
        return deviceTreeNode(false);
    }

    /**
     * The architected timer's node. The binding lists the secure, non-secure physical, virtual, hypervisor physical
     * and hypervisor virtual PPIs in that order; a kernel at non-secure EL1 uses the second and third, one at EL2
     * the fourth (or, with VHE, the fifth). The hypervisor timers are named only for CPUs with EL2.
     */
    public static FdtNode deviceTreeNode(boolean el2) {
        FdtNode node = new FdtNode("timer");
        node.string("compatible", "arm,armv8-timer", "arm,armv7-timer");
        long[] el1 = {
                DeviceTreeIrq.PPI, SECURE_PHYSICAL_PPI - 16, DeviceTreeIrq.LEVEL_HIGH,
                DeviceTreeIrq.PPI, PHYSICAL_PPI - 16, DeviceTreeIrq.LEVEL_HIGH,
                DeviceTreeIrq.PPI, VIRTUAL_PPI - 16, DeviceTreeIrq.LEVEL_HIGH};
        long[] hyp = {
                DeviceTreeIrq.PPI, HYP_PHYSICAL_PPI - 16, DeviceTreeIrq.LEVEL_HIGH,
                DeviceTreeIrq.PPI, HYP_VIRTUAL_PPI - 16, DeviceTreeIrq.LEVEL_HIGH};
        long[] all = java.util.Arrays.copyOf(el1, el2 ? el1.length + hyp.length : el1.length);
        if (el2) System.arraycopy(hyp, 0, all, el1.length, hyp.length);
        node.cells("interrupts", all);
        node.empty("always-on");
        return node;
    }
}
