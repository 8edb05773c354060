package dev.jvisor.machine.gic;

import dev.jvisor.machine.CpuTopology;
import dev.jvisor.machine.bus.BusAccessException;
import dev.jvisor.machine.bus.Device;
import dev.jvisor.machine.fdt.FdtNode;
import java.util.List;
import java.util.function.IntToLongFunction;
import java.util.function.ObjLongConsumer;
import java.util.function.ToLongFunction;

/**
 * A GICv3 without LPIs or an ITS, in its single-security-state configuration (GICD_CTLR.DS = 1, the view a
 * non-secure OS gets on QEMU's virt board): affinity routing always on, a distributor for the SPIs, one
 * redistributor per vCPU for its SGIs and PPIs, and the ICC_* system-register CPU interface. Group 0 interrupts are
 * signalled as FIQ and group 1 as IRQ. The CPU interface implements 5 priority bits, so priorities read back with
 * their low three bits clear and each active-priority register has 32 bits.
 *
 * <p>All state sits behind this object's monitor: device threads (the timer, the UART) and vCPU threads all call in.
 * The vCPU lines are recomputed after every change and reported to {@link InterruptOutputs} only when they change,
 * while the monitor is held; the receiver must only record the level and wake its vCPU.
 */
public final class GicV3 {
    public static final long DISTRIBUTOR_SIZE = 0x10000;
    public static final long REDISTRIBUTOR_STRIDE = 0x20000;
    public static final int SPURIOUS = 1023;
    private static final int SPI_BASE = 32;
    private static final int PRIORITY_BITS = 5;
    private static final int PRIORITY_MASK = 0xFF << (8 - PRIORITY_BITS) & 0xFF;
    /** The smallest binary point that still splits all implemented priority bits into the group priority. */
    private static final int MIN_BPR0 = 7 - PRIORITY_BITS;
    private static final int MIN_BPR1 = MIN_BPR0 + 1;
    private static final int IDLE_PRIORITY = 0xFF;
    private static final int PIDR2_GICV3 = 0x3B;
    private static final int[] COMPONENT_ID = {0x0D, 0xF0, 0x05, 0xB1};

    private static final class Irq {
        boolean enabled;
        /** Pending state not tied to the input line: an edge seen, a GICD_ISPENDR write, an SGI. */
        boolean latched;
        boolean line;
        boolean active;
        boolean group1;
        boolean edge;
        int priority;
        /** GICD_IROUTER: Aff3 in bits 39..32, IRM in bit 31, Aff2..Aff0 in bits 23..0. */
        long route;

        boolean pending() {
            return latched || line && !edge;
        }
    }

    private static final class CpuInterface {
        int pmr;
        int bpr0 = MIN_BPR0;
        int bpr1 = MIN_BPR1;
        boolean cbpr;
        boolean eoiMode;
        boolean groupEnable0;
        boolean groupEnable1;
        int activePriorities0;
        int activePriorities1;
        boolean processorSleep = true;
        boolean irq;
        boolean fiq;
        final VirtualInterface virtual = new VirtualInterface();
        /** Virtual IRQ (bit 0) and FIQ (bit 1) as last signalled. */
        int virtualLines;
        /** ICC_SRE_EL2.Enable: held; EL1's ICC_SRE_EL1 accesses are not trapped by it. */
        boolean sreEl2Enable;
    }

    /** The virtual CPU interface's maintenance interrupt, a PPI of each vCPU. */
    public static final int MAINTENANCE_PPI = 25;

    private final int cpus;
    private final int spis;
    private final Irq[][] privateIrqs;
    private final Irq[] sharedIrqs;
    private final CpuInterface[] cpuInterfaces;
    private final InterruptOutputs outputs;
    private boolean distributorGroup0;
    private boolean distributorGroup1;

    /** {@code spis} must be a multiple of 32 between 32 and 988. */
    public GicV3(int cpus, int spis, InterruptOutputs outputs) {
        if (cpus < 1 || cpus > 256) throw new IllegalArgumentException("1..256 vCPUs, not " + cpus);
        if (spis < 32 || spis > 988 || spis % 32 != 0) throw new IllegalArgumentException("bad SPI count " + spis);
        this.cpus = cpus;
        this.spis = spis;
        this.outputs = outputs;
        privateIrqs = new Irq[cpus][SPI_BASE];
        cpuInterfaces = new CpuInterface[cpus];
        for (int c = 0; c < cpus; c++) {
            cpuInterfaces[c] = new CpuInterface();
            for (int i = 0; i < SPI_BASE; i++) {
                Irq irq = privateIrqs[c][i] = new Irq();
                irq.edge = i < 16;
            }
        }
        sharedIrqs = new Irq[spis];
        for (int i = 0; i < spis; i++) sharedIrqs[i] = new Irq();
    }

    public int cpuCount() {
        return cpus;
    }

    public int spiCount() {
        return spis;
    }

    // ---------------------------------------------------------------- interrupt inputs

    /** Drives a private peripheral interrupt line (INTID 16..31) of one vCPU. */
    public synchronized void setPpiLevel(int cpu, int intid, boolean level) {
        if (intid < 16 || intid >= SPI_BASE) throw new IllegalArgumentException("not a PPI: " + intid);
        setLine(privateIrqs[cpu][intid], level);
    }

    /** Drives a shared peripheral interrupt line (INTID 32 and up). */
    public synchronized void setSpiLevel(int intid, boolean level) {
        if (intid < SPI_BASE || intid >= SPI_BASE + spis) throw new IllegalArgumentException("not an SPI: " + intid);
        setLine(sharedIrqs[intid - SPI_BASE], level);
    }

    private void setLine(Irq irq, boolean level) {
        if (irq.edge && level && !irq.line) irq.latched = true;
        irq.line = level;
        update();
    }

    // ---------------------------------------------------------------- state lookup and signalling

    private Irq irq(int cpu, int intid) {
        if (intid < 0) return null;
        if (intid < SPI_BASE) return privateIrqs[cpu][intid];
        return intid < SPI_BASE + spis ? sharedIrqs[intid - SPI_BASE] : null;
    }

    /** The vCPU an SPI is delivered to, or -1 when its route names no vCPU. */
    private int target(Irq spi) {
        if ((spi.route & 1L << 31) != 0) {
            // 1 of N: any vCPU that is awake and accepts the group; the lowest-numbered one keeps this deterministic.
            for (int c = 0; c < cpus; c++) {
                CpuInterface ci = cpuInterfaces[c];
                if (!ci.processorSleep && (spi.group1 ? ci.groupEnable1 : ci.groupEnable0)) return c;
            }
            return 0;
        }
        return CpuTopology.cpuOf(spi.route & ~(1L << 31), cpus);
    }

    private boolean forwardable(int cpu, Irq irq) {
        CpuInterface ci = cpuInterfaces[cpu];
        boolean groupOn = irq.group1 ? distributorGroup1 && ci.groupEnable1 : distributorGroup0 && ci.groupEnable0;
        return groupOn && irq.enabled && irq.pending() && !irq.active;
    }

    /** The highest-priority interrupt the distributor and redistributor forward to {@code cpu}, or SPURIOUS. */
    private int highestPending(int cpu) {
        if (cpuInterfaces[cpu].processorSleep) return SPURIOUS;
        int best = SPURIOUS;
        int bestPriority = 0x100;
        for (int i = 0; i < SPI_BASE; i++) {
            Irq irq = privateIrqs[cpu][i];
            if (irq.priority < bestPriority && forwardable(cpu, irq)) {
                best = i;
                bestPriority = irq.priority;
            }
        }
        for (int i = 0; i < spis; i++) {
            Irq irq = sharedIrqs[i];
            if (irq.priority < bestPriority && forwardable(cpu, irq) && target(irq) == cpu) {
                best = SPI_BASE + i;
                bestPriority = irq.priority;
            }
        }
        return best;
    }

    private int groupPriority(CpuInterface ci, int priority, boolean group1) {
        int mask = group1 && !ci.cbpr ? 0xFF << ci.bpr1 : 0xFF << (ci.bpr0 + 1);
        return priority & mask & 0xFF;
    }

    private static int runningPriority(CpuInterface ci) {
        int active = ci.activePriorities0 | ci.activePriorities1;
        return active == 0 ? IDLE_PRIORITY : Integer.numberOfTrailingZeros(active) << 3;
    }

    /** The interrupt {@code cpu} would take now: highest pending, unmasked by PMR and preempting the running one. */
    private int signalled(int cpu) {
        int intid = highestPending(cpu);
        if (intid == SPURIOUS) return SPURIOUS;
        CpuInterface ci = cpuInterfaces[cpu];
        Irq irq = irq(cpu, intid);
        boolean takes = irq.priority < ci.pmr && groupPriority(ci, irq.priority, irq.group1) < runningPriority(ci);
        return takes ? intid : SPURIOUS;
    }

    private void update() {
        for (int c = 0; c < cpus; c++) {
            int intid = signalled(c);
            boolean group1 = intid != SPURIOUS && irq(c, intid).group1;
            boolean irqLevel = intid != SPURIOUS && group1;
            boolean fiqLevel = intid != SPURIOUS && !group1;
            CpuInterface ci = cpuInterfaces[c];
            if (ci.irq != irqLevel) {
                ci.irq = irqLevel;
                outputs.setIrq(c, irqLevel);
            }
            if (ci.fiq != fiqLevel) {
                ci.fiq = fiqLevel;
                outputs.setFiq(c, fiqLevel);
            }
        }
    }

    // ---------------------------------------------------------------- CPU interface

    private synchronized long acknowledge(int cpu, boolean group1) {
        int intid = signalled(cpu);
        if (intid == SPURIOUS) return SPURIOUS;
        Irq irq = irq(cpu, intid);
        if (irq.group1 != group1) return SPURIOUS;
        CpuInterface ci = cpuInterfaces[cpu];
        int bit = 1 << (groupPriority(ci, irq.priority, group1) >>> 3);
        if (group1) ci.activePriorities1 |= bit;
        else ci.activePriorities0 |= bit;
        irq.active = true;
        irq.latched = false;
        update();
        return intid;
    }

    private synchronized void endOfInterrupt(int cpu, long value) {
        int intid = (int) (value & 0xFF_FFFF);
        if (intid >= 1020 && intid <= 1023) return;
        CpuInterface ci = cpuInterfaces[cpu];
        int active = ci.activePriorities0 | ci.activePriorities1;
        if (active != 0) {
            int lowest = Integer.lowestOneBit(active);
            if ((ci.activePriorities0 & lowest) != 0) ci.activePriorities0 &= ~lowest;
            else ci.activePriorities1 &= ~lowest;
        }
        if (!ci.eoiMode) deactivate(cpu, intid);
        update();
    }

    private synchronized void deactivateInterrupt(int cpu, long value) {
        deactivate(cpu, (int) (value & 0xFF_FFFF));
        update();
    }

    private void deactivate(int cpu, int intid) {
        Irq irq = irq(cpu, intid);
        if (irq != null) irq.active = false;
    }

    private synchronized long highestPendingOfGroup(int cpu, boolean group1) {
        int intid = highestPending(cpu);
        return intid != SPURIOUS && irq(cpu, intid).group1 == group1 ? intid : SPURIOUS;
    }

    private synchronized void generateSgi(int cpu, long value, boolean group1) {
        int intid = (int) (value >>> 24 & 0xF);
        boolean allButSelf = (value & 1L << 40) != 0;
        for (int c = 0; c < cpus; c++) {
            boolean hit;
            if (allButSelf) {
                hit = c != cpu;
            } else {
                int affinity = CpuTopology.affinityOf(c);
                long aff3 = value >>> 48 & 0xFF;
                long aff2 = value >>> 32 & 0xFF;
                long aff1 = value >>> 16 & 0xFF;
                long rangeSelector = value >>> 44 & 0xF;
                int aff0 = affinity & 0xFF;
                hit = aff3 == 0 && aff2 == (affinity >>> 16 & 0xFF) && aff1 == (affinity >>> 8 & 0xFF)
                        && aff0 / 16 == rangeSelector && (value & 1L << (aff0 % 16)) != 0;
            }
            Irq sgi = privateIrqs[c][intid];
            if (hit && sgi.group1 == group1) sgi.latched = true;
        }
        update();
    }

    private synchronized long read(int cpu, ToLongFunction<CpuInterface> field) {
        return field.applyAsLong(cpuInterfaces[cpu]);
    }

    private synchronized void write(int cpu, ObjLongConsumer<CpuInterface> field, long value) {
        field.accept(cpuInterfaces[cpu], value);
        update();
    }

    private static CpuRegister icc(String name, int crm, int op2, IntToLongFunction reader,
                                   CpuRegister.Writer writer) {
        return new CpuRegister(name, CpuRegister.encode(3, 0, 12, crm, op2), reader, writer);
    }

    /** The ICC_*_EL1 registers for the CPU side to register; each call sees the accessing vCPU's index. */
    public List<CpuRegister> cpuInterfaceRegisters() {
        return List.of(
                new CpuRegister("ICC_PMR_EL1", CpuRegister.encode(3, 0, 4, 6, 0),
                        c -> read(c, ci -> ci.pmr), (c, v) -> write(c, (ci, x) -> ci.pmr = (int) x & PRIORITY_MASK, v)),
                icc("ICC_IAR0_EL1", 8, 0, c -> acknowledge(c, false), null),
                icc("ICC_EOIR0_EL1", 8, 1, null, this::endOfInterrupt),
                icc("ICC_HPPIR0_EL1", 8, 2, c -> highestPendingOfGroup(c, false), null),
                icc("ICC_BPR0_EL1", 8, 3, c -> read(c, ci -> ci.bpr0),
                        (c, v) -> write(c, (ci, x) -> ci.bpr0 = Math.max(MIN_BPR0, (int) x & 7), v)),
                icc("ICC_AP0R0_EL1", 8, 4, c -> read(c, ci -> Integer.toUnsignedLong(ci.activePriorities0)),
                        (c, v) -> write(c, (ci, x) -> ci.activePriorities0 = (int) x, v)),
                icc("ICC_AP1R0_EL1", 9, 0, c -> read(c, ci -> Integer.toUnsignedLong(ci.activePriorities1)),
                        (c, v) -> write(c, (ci, x) -> ci.activePriorities1 = (int) x, v)),
                icc("ICC_DIR_EL1", 11, 1, null, this::deactivateInterrupt),
                icc("ICC_RPR_EL1", 11, 3, c -> read(c, GicV3::runningPriority), null),
                icc("ICC_SGI1R_EL1", 11, 5, null, (c, v) -> generateSgi(c, v, true)),
                icc("ICC_SGI0R_EL1", 11, 7, null, (c, v) -> generateSgi(c, v, false)),
                icc("ICC_IAR1_EL1", 12, 0, c -> acknowledge(c, true), null),
                icc("ICC_EOIR1_EL1", 12, 1, null, this::endOfInterrupt),
                icc("ICC_HPPIR1_EL1", 12, 2, c -> highestPendingOfGroup(c, true), null),
                icc("ICC_BPR1_EL1", 12, 3, c -> read(c, ci -> ci.cbpr ? Math.min(ci.bpr0 + 1, 7) : ci.bpr1),
                        (c, v) -> write(c, (ci, x) -> {
                            if (!ci.cbpr) ci.bpr1 = Math.max(MIN_BPR1, (int) x & 7);
                        }, v)),
                icc("ICC_CTLR_EL1", 12, 4, c -> read(c, GicV3::controlValue),
                        (c, v) -> write(c, (ci, x) -> {
                            ci.cbpr = (x & 1) != 0;
                            ci.eoiMode = (x & 2) != 0;
                        }, v)),
                // System-register access only: SRE, DFB and DIB are fixed at one.
                icc("ICC_SRE_EL1", 12, 5, c -> 7, (c, v) -> {}),
                icc("ICC_IGRPEN0_EL1", 12, 6, c -> read(c, ci -> ci.groupEnable0 ? 1 : 0),
                        (c, v) -> write(c, (ci, x) -> ci.groupEnable0 = (x & 1) != 0, v)),
                icc("ICC_IGRPEN1_EL1", 12, 7, c -> read(c, ci -> ci.groupEnable1 ? 1 : 0),
                        (c, v) -> write(c, (ci, x) -> ci.groupEnable1 = (x & 1) != 0, v)));
    }

    // ---------------------------------------------------------------- virtual CPU interface

    /** Re-derives {@code cpu}'s virtual IRQ/FIQ and maintenance interrupt after its virtual interface changed. */
    private void updateVirtual(int cpu) {
        CpuInterface ci = cpuInterfaces[cpu];
        int lines = ci.virtual.lines();
        if (lines != ci.virtualLines) {
            int changed = lines ^ ci.virtualLines;
            ci.virtualLines = lines;
            if ((changed & 1) != 0) outputs.setVirtualIrq(cpu, (lines & 1) != 0);
            if ((changed & 2) != 0) outputs.setVirtualFiq(cpu, (lines & 2) != 0);
        }
        Irq maintenance = privateIrqs[cpu][MAINTENANCE_PPI];
        boolean level = ci.virtual.maintenance();
        if (maintenance.line != level) setLine(maintenance, level);
        else update();
    }

    private synchronized long readVirtual(int cpu, java.util.function.ToLongFunction<VirtualInterface> field) {
        return field.applyAsLong(cpuInterfaces[cpu].virtual);
    }

    private synchronized long changeVirtual(int cpu, java.util.function.ToLongFunction<VirtualInterface> change) {
        long result = change.applyAsLong(cpuInterfaces[cpu].virtual);
        updateVirtual(cpu);
        return result;
    }

    private synchronized void writeVirtual(int cpu, ObjLongConsumer<VirtualInterface> field, long value) {
        field.accept(cpuInterfaces[cpu].virtual, value);
        updateVirtual(cpu);
    }

    /** An EOI or DIR of the guest: a hardware interrupt's physical INTID is deactivated with it. */
    private synchronized void virtualDeactivation(int cpu, java.util.function.ToIntFunction<VirtualInterface> op) {
        int physical = op.applyAsInt(cpuInterfaces[cpu].virtual);
        if (physical >= 0) deactivate(cpu, physical);
        updateVirtual(cpu);
    }

    private static CpuRegister ich(String name, int crm, int op2, IntToLongFunction reader,
                                   CpuRegister.Writer writer) {
        return new CpuRegister(name, CpuRegister.encode(3, 4, 12, crm, op2), reader, writer);
    }

    /**
     * The guest's ICV_* registers: an EL1 access to an ICC_* register reaches them instead when HCR_EL2.IMO/FMO
     * virtualizes it. They are registered at the ICC encoding with op1 7, which no instruction can name: the CPU
     * side redirects there.
     */
    private static CpuRegister icv(String name, int crn, int crm, int op2, IntToLongFunction reader,
                                   CpuRegister.Writer writer) {
        return new CpuRegister(name, CpuRegister.encode(3, VIRTUAL_OP1, crn, crm, op2), reader, writer);
    }

    /** The op1 under which the ICV_* registers are registered. */
    public static final int VIRTUAL_OP1 = 7;

    /**
     * The hypervisor's ICH_*_EL2 and ICC_SRE_EL2 registers and the guest's ICV_*_EL1 ones, for the CPU side to
     * register on CPUs with EL2 (it lets only EL2 reach the former).
     */
    public List<CpuRegister> virtualInterfaceRegisters() {
        List<CpuRegister> regs = new java.util.ArrayList<>(List.of(
                ich("ICH_AP0R0_EL2", 8, 0, c -> readVirtual(c, v -> Integer.toUnsignedLong(v.ap0)),
                        (c, x) -> writeVirtual(c, (v, y) -> v.ap0 = (int) y, x)),
                ich("ICH_AP1R0_EL2", 9, 0, c -> readVirtual(c, v -> Integer.toUnsignedLong(v.ap1)),
                        (c, x) -> writeVirtual(c, (v, y) -> v.ap1 = (int) y, x)),
                ich("ICC_SRE_EL2", 9, 5, c -> read(c, ci -> ci.sreEl2Enable ? 0xF : 0x7),
                        (c, x) -> write(c, (ci, y) -> ci.sreEl2Enable = (y & 8) != 0, x)),
                ich("ICH_HCR_EL2", 11, 0, c -> readVirtual(c, v -> v.hcr), (c, x) -> writeVirtual(c,
                        VirtualInterface::writeHcr, x)),
                ich("ICH_VTR_EL2", 11, 1, c -> VirtualInterface.VTR, null),
                ich("ICH_MISR_EL2", 11, 2, c -> readVirtual(c, VirtualInterface::misr), null),
                ich("ICH_EISR_EL2", 11, 3, c -> readVirtual(c, VirtualInterface::eisr), null),
                ich("ICH_ELRSR_EL2", 11, 5, c -> readVirtual(c, VirtualInterface::elrsr), null),
                ich("ICH_VMCR_EL2", 11, 7, c -> readVirtual(c, v -> v.vmcr),
                        (c, x) -> writeVirtual(c, VirtualInterface::writeVmcr, x)),
                icv("ICV_PMR_EL1", 4, 6, 0, c -> readVirtual(c, v -> v.vmcr >>> 24 & 0xFF),
                        (c, x) -> writeVirtual(c,
                                (v, y) -> v.writeVmcr(v.vmcr & ~(0xFFL << 24) | (y & 0xFF) << 24), x)),
                icv("ICV_IAR0_EL1", 12, 8, 0, c -> changeVirtual(c, v -> v.acknowledge(false)), null),
                icv("ICV_EOIR0_EL1", 12, 8, 1, null, (c, x) -> virtualDeactivation(c, v -> v.endOfInterrupt(x))),
                icv("ICV_HPPIR0_EL1", 12, 8, 2, c -> readVirtual(c, v -> v.highestPendingOfGroup(false)), null),
                icv("ICV_BPR0_EL1", 12, 8, 3, c -> readVirtual(c, v -> v.vmcr >>> 21 & 7),
                        (c, x) -> writeVirtual(c, (v, y) -> v.writeVmcr(v.vmcr & ~(7L << 21) | (y & 7) << 21), x)),
                icv("ICV_AP0R0_EL1", 12, 8, 4, c -> readVirtual(c, v -> Integer.toUnsignedLong(v.ap0)),
                        (c, x) -> writeVirtual(c, (v, y) -> v.ap0 = (int) y, x)),
                icv("ICV_AP1R0_EL1", 12, 9, 0, c -> readVirtual(c, v -> Integer.toUnsignedLong(v.ap1)),
                        (c, x) -> writeVirtual(c, (v, y) -> v.ap1 = (int) y, x)),
                icv("ICV_DIR_EL1", 12, 11, 1, null, (c, x) -> virtualDeactivation(c, v -> v.deactivateInterrupt(x))),
                icv("ICV_RPR_EL1", 12, 11, 3, c -> readVirtual(c, VirtualInterface::runningPriorityRegister), null),
                icv("ICV_IAR1_EL1", 12, 12, 0, c -> changeVirtual(c, v -> v.acknowledge(true)), null),
                icv("ICV_EOIR1_EL1", 12, 12, 1, null, (c, x) -> virtualDeactivation(c, v -> v.endOfInterrupt(x))),
                icv("ICV_HPPIR1_EL1", 12, 12, 2, c -> readVirtual(c, v -> v.highestPendingOfGroup(true)), null),
                icv("ICV_BPR1_EL1", 12, 12, 3, c -> readVirtual(c, v -> v.vmcr >>> 18 & 7),
                        (c, x) -> writeVirtual(c, (v, y) -> v.writeVmcr(v.vmcr & ~(7L << 18) | (y & 7) << 18), x)),
                icv("ICV_CTLR_EL1", 12, 12, 4, c -> readVirtual(c, VirtualInterface::control),
                        (c, x) -> writeVirtual(c, VirtualInterface::writeControl, x)),
                icv("ICV_IGRPEN0_EL1", 12, 12, 6, c -> readVirtual(c, v -> v.vmcr & 1),
                        (c, x) -> writeVirtual(c, (v, y) -> v.writeVmcr(v.vmcr & ~1L | y & 1), x)),
                icv("ICV_IGRPEN1_EL1", 12, 12, 7, c -> readVirtual(c, v -> v.vmcr >>> 1 & 1),
                        (c, x) -> writeVirtual(c, (v, y) -> v.writeVmcr(v.vmcr & ~2L | (y & 1) << 1), x))));
        for (int n = 0; n < VirtualInterface.LIST_REGISTERS; n++) {
            int index = n;
            regs.add(ich("ICH_LR" + n + "_EL2", 12 + n / 8, n % 8, c -> readVirtual(c, v -> v.lr[index]),
                    (c, x) -> writeVirtual(c, (v, y) -> v.writeLr(index, y), x)));
        }
        return regs;
    }

    private static long controlValue(CpuInterface ci) {
        return (PRIORITY_BITS - 1) << 8 | (ci.eoiMode ? 2 : 0) | (ci.cbpr ? 1 : 0);
    }

    // ---------------------------------------------------------------- distributor

    /** The distributor's 64 KiB frame, mapped at GICD's base. */
    public Device distributor() {
        return new Device() {
            @Override
            public String name() {
                return "gicv3-distributor";
            }

            @Override
            public long read(long offset, int size) {
                return distributorRead((int) offset, size);
            }

            @Override
            public void write(long offset, int size, long value) {
                distributorWrite((int) offset, size, value);
            }
        };
    }

    private synchronized long distributorRead(int offset, int size) {
        if (offset >= 0x6100 && offset < 0x6000 + 8 * (SPI_BASE + spis)) {
            checkSize(offset, size, 8, 4);
            Irq spi = sharedIrqs[(offset - 0x6000) / 8 - SPI_BASE];
            return size == 8 ? spi.route : spi.route >>> ((offset & 4) * 8) & 0xFFFF_FFFFL;
        }
        if (offset >= 0x400 && offset < 0x800) {
            checkSize(offset, size, 4, 1);
            return priorities(offset, size, -1);
        }
        checkSize(offset, size, 4, 4);
        return switch (offset) {
            case 0x0000 -> (distributorGroup0 ? 1 : 0) | (distributorGroup1 ? 2 : 0) | 1 << 4 | 1 << 6;
            case 0x0004 -> (SPI_BASE + spis) / 32 - 1 | 9 << 19;
            case 0x0008, 0x000C, 0x0010 -> 0;
            case 0xFFE8 -> PIDR2_GICV3;
            case 0xFFF0, 0xFFF4, 0xFFF8, 0xFFFC -> COMPONENT_ID[(offset - 0xFFF0) / 4];
            default -> offset >= 0x80 && offset < 0x400 ? bitsRead(offset, -1) : icfgRead(offset, -1);
        };
    }

    private synchronized void distributorWrite(int offset, int size, long value) {
        if (offset >= 0x6100 && offset < 0x6000 + 8 * (SPI_BASE + spis)) {
            checkSize(offset, size, 8, 4);
            Irq spi = sharedIrqs[(offset - 0x6000) / 8 - SPI_BASE];
            long writable = 0xFF_8000_0000L | 0xFF_FFFF;
            if (size == 8) {
                spi.route = value & writable;
            } else {
                int shift = (offset & 4) * 8;
                spi.route = (spi.route & ~(0xFFFF_FFFFL << shift) | (value & 0xFFFF_FFFFL) << shift) & writable;
            }
        } else if (offset >= 0x400 && offset < 0x800) {
            checkSize(offset, size, 4, 1);
            setPriorities(offset, size, value, -1);
        } else {
            checkSize(offset, size, 4, 4);
            if (offset == 0) {
                distributorGroup0 = (value & 1) != 0;
                distributorGroup1 = (value & 2) != 0;
            } else if (offset >= 0x80 && offset < 0x400) {
                bitsWrite(offset, (int) value, -1);
            } else {
                icfgWrite(offset, (int) value, -1);
            }
        }
        update();
    }

    private static void checkSize(int offset, int size, int widest, int narrowest) {
        if (size > widest || size < narrowest || (offset & (size - 1)) != 0) {
            throw new BusAccessException(size + "-byte GIC access at offset 0x" + Integer.toHexString(offset), offset);
        }
    }

    /**
     * The one-bit-per-interrupt registers (IGROUPR, IS/ICENABLER, IS/ICPENDR, IS/ICACTIVER) at 0x080..0x3FF of a
     * distributor or SGI frame. {@code cpu} is the redistributor's vCPU, or -1 for the distributor, whose first word
     * of each (the private interrupts) is RAZ/WI under affinity routing.
     */
    private long bitsRead(int offset, int cpu) {
        int kind = offset >>> 7;
        int first = (offset & 0x7F) * 8;
        if (cpu < 0 ? first == 0 : first != 0) return 0;
        int word = 0;
        for (int bit = 0; bit < 32; bit++) {
            Irq irq = cpu < 0 ? irq(0, first + bit) : privateIrqs[cpu][bit];
            if (irq == null) break;
            boolean set = switch (kind) {
                case 1 -> irq.group1;
                case 2, 3 -> irq.enabled;
                case 4, 5 -> irq.pending();
                case 6, 7 -> irq.active;
                default -> false;
            };
            if (set) word |= 1 << bit;
        }
        return Integer.toUnsignedLong(word);
    }

    private void bitsWrite(int offset, int value, int cpu) {
        int kind = offset >>> 7;
        int first = (offset & 0x7F) * 8;
        if (cpu < 0 ? first == 0 : first != 0) return;
        for (int bit = 0; bit < 32; bit++) {
            Irq irq = cpu < 0 ? irq(0, first + bit) : privateIrqs[cpu][bit];
            if (irq == null) break;
            boolean one = (value & 1 << bit) != 0;
            switch (kind) {
                case 1 -> irq.group1 = one;
                case 2 -> irq.enabled |= one;
                case 3 -> irq.enabled &= !one;
                case 4 -> irq.latched |= one;
                case 5 -> irq.latched &= !one;
                case 6 -> irq.active |= one;
                case 7 -> irq.active &= !one;
                default -> { }
            }
        }
    }

    private long priorities(int offset, int size, int cpu) {
        long value = 0;
        for (int i = 0; i < size; i++) {
            int intid = offset - 0x400 + i;
            Irq irq = cpu < 0 ? (intid < SPI_BASE ? null : irq(0, intid)) : privateIrqs[cpu][intid];
            if (irq != null) value |= (long) irq.priority << (8 * i);
        }
        return value;
    }

    private void setPriorities(int offset, int size, long value, int cpu) {
        for (int i = 0; i < size; i++) {
            int intid = offset - 0x400 + i;
            Irq irq = cpu < 0 ? (intid < SPI_BASE ? null : irq(0, intid)) : privateIrqs[cpu][intid];
            if (irq != null) irq.priority = (int) (value >>> (8 * i)) & PRIORITY_MASK;
        }
    }

    /** ICFGR: two bits per interrupt, of which bit 1 selects edge triggering; SGIs are always edge. */
    private long icfgRead(int offset, int cpu) {
        if (offset < 0xC00 || offset >= 0xD00) return 0;
        int first = (offset - 0xC00) * 4;
        if (cpu < 0 ? first < SPI_BASE : first >= SPI_BASE) return 0;
        int word = 0;
        for (int i = 0; i < 16; i++) {
            Irq irq = cpu < 0 ? irq(0, first + i) : privateIrqs[cpu][first + i];
            if (irq != null && irq.edge) word |= 2 << (2 * i);
        }
        return Integer.toUnsignedLong(word);
    }

    private void icfgWrite(int offset, int value, int cpu) {
        if (offset < 0xC00 || offset >= 0xD00) return;
        int first = (offset - 0xC00) * 4;
        if (cpu < 0 ? first < SPI_BASE : first >= SPI_BASE || first == 0) return;
        for (int i = 0; i < 16; i++) {
            Irq irq = cpu < 0 ? irq(0, first + i) : privateIrqs[cpu][first + i];
            if (irq != null) irq.edge = (value & 2 << (2 * i)) != 0;
        }
    }

    // ---------------------------------------------------------------- redistributors

    /** All redistributors, {@link #REDISTRIBUTOR_STRIDE} bytes each (RD frame, then SGI frame), vCPU 0 first. */
    public Device redistributors() {
        return new Device() {
            @Override
            public String name() {
                return "gicv3-redistributors";
            }

            @Override
            public long read(long offset, int size) {
                return redistributorRead((int) (offset / REDISTRIBUTOR_STRIDE),
                        (int) (offset % REDISTRIBUTOR_STRIDE), size);
            }

            @Override
            public void write(long offset, int size, long value) {
                redistributorWrite((int) (offset / REDISTRIBUTOR_STRIDE),
                        (int) (offset % REDISTRIBUTOR_STRIDE), size, value);
            }
        };
    }

    public long redistributorRegionSize() {
        return cpus * REDISTRIBUTOR_STRIDE;
    }

    private synchronized long redistributorRead(int cpu, int offset, int size) {
        if (offset == 0x0008) {
            checkSize(offset, size, 8, 4);
            long typer = (long) CpuTopology.affinityOf(cpu) << 32 | (long) cpu << 8 | (cpu == cpus - 1 ? 1 << 4 : 0);
            return size == 8 ? typer : typer & 0xFFFF_FFFFL;
        }
        if (offset == 0x000C) {
            checkSize(offset, size, 4, 4);
            return CpuTopology.affinityOf(cpu);
        }
        if (offset >= 0x10400 && offset < 0x10420) {
            checkSize(offset, size, 4, 1);
            return priorities(offset - 0x10000, size, cpu);
        }
        checkSize(offset, size, 8, 4);
        if (offset >= 0x10080 && offset < 0x10400) return bitsRead(offset - 0x10000, cpu);
        if (offset >= 0x10C00 && offset < 0x10D00) return icfgRead(offset - 0x10000, cpu);
        return switch (offset) {
            case 0x0014 -> cpuInterfaces[cpu].processorSleep ? 6 : 0;
            case 0xFFE8 -> PIDR2_GICV3;
            case 0xFFF0, 0xFFF4, 0xFFF8, 0xFFFC -> COMPONENT_ID[(offset - 0xFFF0) / 4];
            default -> 0;
        };
    }

    private synchronized void redistributorWrite(int cpu, int offset, int size, long value) {
        if (offset >= 0x10400 && offset < 0x10420) {
            checkSize(offset, size, 4, 1);
            setPriorities(offset - 0x10000, size, value, cpu);
        } else {
            checkSize(offset, size, 8, 4);
            if (offset == 0x0014) {
                cpuInterfaces[cpu].processorSleep = (value & 2) != 0;
            } else if (offset >= 0x10080 && offset < 0x10400) {
                bitsWrite(offset - 0x10000, (int) value, cpu);
            } else if (offset >= 0x10C00 && offset < 0x10D00) {
                icfgWrite(offset - 0x10000, (int) value, cpu);
            }
        }
        update();
    }

    /** The interrupt controller's device tree node: one distributor and one redistributor region. */
    public FdtNode deviceTreeNode(long distributorBase, long redistributorBase, int phandle) {
        return deviceTreeNode(distributorBase, redistributorBase, phandle, false);
    }

    /** The same, naming the virtual interface's maintenance interrupt when the CPUs have EL2 to take it. */
    public FdtNode deviceTreeNode(long distributorBase, long redistributorBase, int phandle, boolean el2) {
        FdtNode node = new FdtNode(String.format("intc@%x", distributorBase));
        node.string("compatible", "arm,gic-v3");
        node.cells("#interrupt-cells", 3);
        node.empty("interrupt-controller");
        node.cells("#redistributor-regions", 1);
        node.cells64("reg", distributorBase, DISTRIBUTOR_SIZE, redistributorBase, redistributorRegionSize());
        node.cells("phandle", phandle);
        if (el2) {
            node.cells("interrupts", dev.jvisor.machine.fdt.DeviceTreeIrq.PPI, MAINTENANCE_PPI - 16,
                    dev.jvisor.machine.fdt.DeviceTreeIrq.LEVEL_HIGH);
        }
        return node;
    }
}
