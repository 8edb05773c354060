package dev.jvisor.machine.gic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.machine.bus.BusAccessException;
import dev.jvisor.machine.bus.MmioBus;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GicV3Test {
    static final long GICD = 0x0800_0000L;
    static final long GICR = 0x080A_0000L;
    static final long SGI = 0x10000;

    final boolean[] irq = new boolean[4];
    final boolean[] fiq = new boolean[4];
    int lineChanges;
    GicV3 gic;
    MmioBus bus;
    Map<String, CpuRegister> icc;

    @BeforeEach
    void setUp() {
        gic = new GicV3(4, 64, new InterruptOutputs() {
            @Override
            public void setIrq(int cpu, boolean asserted) {
                irq[cpu] = asserted;
                lineChanges++;
            }

            @Override
            public void setFiq(int cpu, boolean asserted) {
                fiq[cpu] = asserted;
                lineChanges++;
            }
        });
        bus = new MmioBus();
        bus.map(GICD, GicV3.DISTRIBUTOR_SIZE, gic.distributor());
        bus.map(GICR, gic.redistributorRegionSize(), gic.redistributors());
        icc = new HashMap<>();
        for (CpuRegister r : gic.cpuInterfaceRegisters()) icc.put(r.name(), r);
    }

    long rd(int cpu) {
        return GICR + cpu * GicV3.REDISTRIBUTOR_STRIDE;
    }

    long read(String reg, int cpu) {
        return icc.get(reg).read(cpu);
    }

    void write(String reg, int cpu, long value) {
        icc.get(reg).write(cpu, value);
    }

    /** What Linux's gic-v3 driver does: wake the redistributor, group 1 everything, enable groups, open PMR. */
    void bringUp(int cpu) {
        bus.write(rd(cpu) + 0x14, 4, 0);
        bus.write(rd(cpu) + SGI + 0x80, 4, 0xFFFF_FFFFL);
        write("ICC_PMR_EL1", cpu, 0xF0);
        write("ICC_IGRPEN1_EL1", cpu, 1);
    }

    void enableDistributor() {
        bus.write(GICD, 4, 0x13);
        bus.write(GICD + 0x84, 4, 0xFFFF_FFFFL);
        bus.write(GICD + 0x88, 4, 0xFFFF_FFFFL);
    }

    @Test
    void identificationMatchesASingleSecurityStateGicV3() {
        assertEquals(0x3B, bus.read(GICD + 0xFFE8, 4) & 0xFF);
        assertEquals(0x3 << 4, bus.read(GICD + 0xFFE8, 4) & 0xF0);
        long typer = bus.read(GICD + 4, 4);
        assertEquals(2, typer & 0x1F, "96 INTIDs: ITLinesNumber 2");
        assertEquals(9, typer >>> 19 & 0x1F, "10 INTID bits");
        assertEquals(0, typer & 1 << 17, "no LPIs");
        assertEquals(0x50, bus.read(GICD, 4), "ARE and DS read as one");
        assertEquals(0x3B, bus.read(rd(2) + 0xFFE8, 4));
        long[] componentId = {0x0D, 0xF0, 0x05, 0xB1};
        for (int i = 0; i < 4; i++) assertEquals(componentId[i], bus.read(GICD + 0xFFF0 + 4 * i, 4), "CIDR" + i);
        assertEquals(0x4 << 8, read("ICC_CTLR_EL1", 0) & 0x700, "5 priority bits");
        assertEquals(7, read("ICC_SRE_EL1", 0));
    }

    @Test
    void redistributorTyperGivesAffinityProcessorNumberAndLast() {
        assertEquals(2L << 32 | 2 << 8, bus.read(rd(2) + 8, 8));
        assertEquals(3L << 32 | 3 << 8 | 1 << 4, bus.read(rd(3) + 8, 8));
        assertEquals(3, bus.read(rd(3) + 0xC, 4));
    }

    @Test
    void wakerReportsChildrenAsleepUntilProcessorSleepIsCleared() {
        assertEquals(6, bus.read(rd(1) + 0x14, 4));
        bus.write(rd(1) + 0x14, 4, 0);
        assertEquals(0, bus.read(rd(1) + 0x14, 4));
    }

    @Test
    void spiIsSignalledAcknowledgedAndEnded() {
        enableDistributor();
        bringUp(0);
        bus.write(GICD + 0x400 + 33, 1, 0xA0);
        bus.write(GICD + 0x6000 + 8 * 33, 8, 0);
        bus.write(GICD + 0x104, 4, 1 << 1);
        assertEquals(1 << 1, bus.read(GICD + 0x104, 4));
        assertFalse(irq[0]);
        gic.setSpiLevel(33, true);
        assertTrue(irq[0]);
        assertEquals(33, read("ICC_HPPIR1_EL1", 0));
        assertEquals(33, read("ICC_IAR1_EL1", 0));
        assertFalse(irq[0], "active, not re-signalled while the level stays high");
        assertEquals(0xA0, read("ICC_RPR_EL1", 0));
        assertEquals(1L << (0xA0 >> 3), read("ICC_AP1R0_EL1", 0));
        assertEquals(GicV3.SPURIOUS, read("ICC_IAR1_EL1", 0));
        assertEquals(1 << 1, bus.read(GICD + 0x304, 4), "active");
        gic.setSpiLevel(33, false);
        write("ICC_EOIR1_EL1", 0, 33);
        assertEquals(0xFF, read("ICC_RPR_EL1", 0));
        assertEquals(0, bus.read(GICD + 0x304, 4), "EOImode 0 deactivates");
        assertFalse(irq[0]);
    }

    @Test
    void levelInterruptStillAssertedAfterEoiIsTakenAgain() {
        enableDistributor();
        bringUp(0);
        bus.write(GICD + 0x104, 4, 1 << 8);
        gic.setSpiLevel(40, true);
        assertEquals(40, read("ICC_IAR1_EL1", 0));
        write("ICC_EOIR1_EL1", 0, 40);
        assertTrue(irq[0]);
        assertEquals(40, read("ICC_IAR1_EL1", 0));
    }

    @Test
    void edgeInterruptLatchesOncePerRisingEdge() {
        enableDistributor();
        bringUp(0);
        bus.write(GICD + 0xC00 + 8, 4, 2 << 2 * 1);
        assertEquals(2 << 2, bus.read(GICD + 0xC08, 4));
        bus.write(GICD + 0x104, 4, 1 << 1);
        gic.setSpiLevel(33, true);
        gic.setSpiLevel(33, false);
        assertTrue(irq[0], "an edge stays pending after the line drops");
        assertEquals(33, read("ICC_IAR1_EL1", 0));
        write("ICC_EOIR1_EL1", 0, 33);
        assertFalse(irq[0]);
    }

    @Test
    void priorityMaskHoldsBackInterruptsAtOrBelowIt() {
        enableDistributor();
        bringUp(0);
        bus.write(GICD + 0x400 + 34, 1, 0xF0);
        bus.write(GICD + 0x104, 4, 1 << 2);
        gic.setSpiLevel(34, true);
        assertFalse(irq[0], "priority 0xF0 is not below PMR 0xF0");
        assertEquals(34, read("ICC_HPPIR1_EL1", 0), "still the highest pending");
        assertEquals(GicV3.SPURIOUS, read("ICC_IAR1_EL1", 0));
        write("ICC_PMR_EL1", 0, 0xF8);
        assertTrue(irq[0]);
        assertEquals(0xF8, read("ICC_PMR_EL1", 0));
        write("ICC_PMR_EL1", 0, 0xFF);
        assertEquals(0xF8, read("ICC_PMR_EL1", 0), "only 5 priority bits");
    }

    @Test
    void higherPriorityPreemptsAndLowerWaitsForPriorityDrop() {
        enableDistributor();
        bringUp(0);
        bus.write(GICD + 0x420, 4, 0x80_40_00_00L);
        bus.write(GICD + 0x104, 4, 0b1100);
        gic.setSpiLevel(35, true);
        assertEquals(35, read("ICC_IAR1_EL1", 0));
        assertEquals(0x80, read("ICC_RPR_EL1", 0));
        gic.setSpiLevel(34, true);
        assertTrue(irq[0], "0x40 preempts 0x80");
        assertEquals(34, read("ICC_IAR1_EL1", 0));
        assertEquals(0x40, read("ICC_RPR_EL1", 0));
        write("ICC_EOIR1_EL1", 0, 34);
        assertEquals(0x80, read("ICC_RPR_EL1", 0), "the drop removes only the highest active priority");
        gic.setSpiLevel(34, false);
        write("ICC_EOIR1_EL1", 0, 35);
        assertEquals(0xFF, read("ICC_RPR_EL1", 0));
    }

    @Test
    void equalPriorityDoesNotPreemptAndLowestIntidWinsTies() {
        enableDistributor();
        bringUp(0);
        bus.write(GICD + 0x104, 4, 0b1110);
        gic.setSpiLevel(35, true);
        gic.setSpiLevel(34, true);
        assertEquals(34, read("ICC_IAR1_EL1", 0));
        assertFalse(irq[0]);
        assertEquals(GicV3.SPURIOUS, read("ICC_IAR1_EL1", 0));
        gic.setSpiLevel(33, true);
        assertFalse(irq[0]);
    }

    @Test
    void binaryPointGroupsPrioritiesForPreemption() {
        enableDistributor();
        bringUp(0);
        write("ICC_BPR1_EL1", 0, 0);
        assertEquals(3, read("ICC_BPR1_EL1", 0), "clamped to the minimum");
        write("ICC_BPR1_EL1", 0, 6);
        bus.write(GICD + 0x420, 4, 0x40_60_00_00L);
        bus.write(GICD + 0x104, 4, 0b1100);
        gic.setSpiLevel(35, true);
        assertEquals(35, read("ICC_IAR1_EL1", 0));
        assertEquals(0x40, read("ICC_RPR_EL1", 0), "running priority is the group priority 0x40 of 0x60");
        gic.setSpiLevel(34, true);
        assertFalse(irq[0], "0x40 is in the same group as 0x60");
    }

    @Test
    void eoiModeOneSplitsPriorityDropFromDeactivation() {
        enableDistributor();
        bringUp(0);
        write("ICC_CTLR_EL1", 0, 2);
        assertEquals(2, read("ICC_CTLR_EL1", 0) & 3);
        bus.write(GICD + 0x104, 4, 1 << 1);
        gic.setSpiLevel(33, true);
        assertEquals(33, read("ICC_IAR1_EL1", 0));
        write("ICC_EOIR1_EL1", 0, 33);
        assertEquals(0xFF, read("ICC_RPR_EL1", 0));
        assertEquals(1 << 1, bus.read(GICD + 0x304, 4), "still active");
        assertFalse(irq[0]);
        write("ICC_DIR_EL1", 0, 33);
        assertEquals(0, bus.read(GICD + 0x304, 4));
        assertTrue(irq[0], "the level is still high");
    }

    @Test
    void disabledGroupsAndInterruptsAreNotForwarded() {
        bringUp(0);
        bus.write(GICD + 0x84, 4, 0xFFFF_FFFFL);
        bus.write(GICD + 0x104, 4, 1 << 1);
        gic.setSpiLevel(33, true);
        assertFalse(irq[0], "distributor group 1 disabled");
        bus.write(GICD, 4, 2);
        assertTrue(irq[0]);
        write("ICC_IGRPEN1_EL1", 0, 0);
        assertFalse(irq[0]);
        write("ICC_IGRPEN1_EL1", 0, 1);
        bus.write(GICD + 0x184, 4, 1 << 1);
        assertFalse(irq[0]);
        assertEquals(1 << 1, bus.read(GICD + 0x204, 4), "still pending");
    }

    @Test
    void group0IsSignalledAsFiqAndAcknowledgedThroughIar0() {
        bus.write(GICD, 4, 3);
        bus.write(rd(0) + 0x14, 4, 0);
        write("ICC_PMR_EL1", 0, 0xF8);
        write("ICC_IGRPEN0_EL1", 0, 1);
        bus.write(GICD + 0x104, 4, 1 << 1);
        gic.setSpiLevel(33, true);
        assertTrue(fiq[0]);
        assertFalse(irq[0]);
        assertEquals(GicV3.SPURIOUS, read("ICC_IAR1_EL1", 0));
        assertEquals(33, read("ICC_HPPIR0_EL1", 0));
        assertEquals(33, read("ICC_IAR0_EL1", 0));
        assertEquals(1L << 0, read("ICC_AP0R0_EL1", 0));
        write("ICC_EOIR0_EL1", 0, 33);
        assertEquals(0, read("ICC_AP0R0_EL1", 0));
    }

    @Test
    void spiRoutingFollowsIrouterAffinity() {
        enableDistributor();
        for (int c = 0; c < 4; c++) bringUp(c);
        bus.write(GICD + 0x104, 4, 1 << 1);
        bus.write(GICD + 0x6000 + 8 * 33, 4, 2);
        assertEquals(2, bus.read(GICD + 0x6000 + 8 * 33, 8));
        gic.setSpiLevel(33, true);
        assertTrue(irq[2]);
        assertFalse(irq[0]);
        assertEquals(GicV3.SPURIOUS, read("ICC_IAR1_EL1", 0));
        bus.write(GICD + 0x6000 + 8 * 33, 8, 9);
        assertFalse(irq[2], "affinity 9 names no vCPU");
        bus.write(GICD + 0x6000 + 8 * 33, 8, 1L << 31);
        assertTrue(irq[0], "1 of N picks an awake vCPU");
    }

    @Test
    void sgiReachesTargetListAndAllButSelf() {
        enableDistributor();
        for (int c = 0; c < 4; c++) {
            bringUp(c);
            bus.write(rd(c) + SGI + 0x100, 4, 0xFFFF);
        }
        write("ICC_SGI1R_EL1", 0, 5L << 24 | 0b1010);
        assertFalse(irq[0]);
        assertTrue(irq[1]);
        assertTrue(irq[3]);
        assertEquals(1 << 5, bus.read(rd(1) + SGI + 0x200, 4));
        assertEquals(5, read("ICC_IAR1_EL1", 1));
        write("ICC_EOIR1_EL1", 1, 5);
        assertFalse(irq[1]);
        write("ICC_SGI1R_EL1", 2, 1L << 40 | 3L << 24);
        assertTrue(irq[0]);
        assertTrue(irq[1]);
        assertEquals(0, bus.read(rd(2) + SGI + 0x200, 4) & 1 << 3, "not to the sender");
        write("ICC_SGI1R_EL1", 0, 1L << 16 | 4L << 24 | 1);
        assertEquals(0, bus.read(rd(0) + SGI + 0x200, 4) & 1 << 4, "Aff1 = 1 names no vCPU here");
    }

    @Test
    void ppiIsPrivateToItsVcpu() {
        enableDistributor();
        bringUp(1);
        bus.write(rd(1) + SGI + 0x100, 4, 1 << 27);
        bus.write(rd(1) + SGI + 0x400 + 27, 1, 0xA0);
        assertEquals(0xA0L << 24, bus.read(rd(1) + SGI + 0x418, 4));
        assertEquals(0, bus.read(GICD + 0x400 + 24, 4), "the distributor's private copies are RAZ");
        gic.setPpiLevel(0, 27, true);
        assertFalse(irq[1]);
        gic.setPpiLevel(1, 27, true);
        assertTrue(irq[1]);
        assertEquals(27, read("ICC_IAR1_EL1", 1));
    }

    @Test
    void sleepingRedistributorForwardsNothing() {
        enableDistributor();
        bringUp(0);
        bus.write(rd(0) + SGI + 0x100, 4, 1 << 30);
        gic.setPpiLevel(0, 30, true);
        assertTrue(irq[0]);
        bus.write(rd(0) + 0x14, 4, 2);
        assertFalse(irq[0]);
    }

    @Test
    void softwarePendAndClearPend() {
        enableDistributor();
        bringUp(0);
        bus.write(GICD + 0x104, 4, 1 << 1);
        bus.write(GICD + 0x204, 4, 1 << 1);
        assertTrue(irq[0]);
        bus.write(GICD + 0x284, 4, 1 << 1);
        assertFalse(irq[0]);
        assertEquals(0, bus.read(GICD + 0x204, 4));
    }

    @Test
    void linesAreReportedOnlyOnChange() {
        enableDistributor();
        bringUp(0);
        bus.write(GICD + 0x104, 4, 0b110);
        int before = lineChanges;
        gic.setSpiLevel(33, true);
        gic.setSpiLevel(34, true);
        assertEquals(before + 1, lineChanges);
    }

    @Test
    void badAccessSizesAreBusErrors() {
        assertThrows(BusAccessException.class, () -> bus.read(GICD + 0x104, 2));
        assertThrows(BusAccessException.class, () -> bus.read(GICD + 0x106, 4));
        assertThrows(BusAccessException.class, () -> bus.write(GICD + 0x6000 + 8 * 33, 2, 0));
    }

    /** The register sequence of Linux 6.1's irq-gic-v3 driver on two CPUs, then a timer tick and an IPI. */
    @Test
    void linuxDriverSequence() {
        // gic_dist_init: disable, SPIs group 1, level, priority 0xa0, route to CPU 0, then enable with ARE.
        bus.write(GICD, 4, 0);
        assertEquals(0, bus.read(GICD, 4) & 1L << 31, "RWP clear");
        assertTrue((bus.read(GICD, 4) & 1 << 6) != 0, "security disabled: DS");
        for (int i = 32; i < 96; i += 32) {
            bus.write(GICD + 0x80 + i / 8, 4, 0xFFFF_FFFFL);
            bus.write(GICD + 0x180 + i / 8, 4, 0xFFFF_FFFFL);
            bus.write(GICD + 0x380 + i / 8, 4, 0xFFFF_FFFFL);
        }
        for (int i = 32; i < 96; i += 16) bus.write(GICD + 0xC00 + i / 4, 4, 0);
        for (int i = 32; i < 96; i += 4) bus.write(GICD + 0x400 + i, 4, 0xA0A0_A0A0L);
        bus.write(GICD, 4, 0x13);
        for (int i = 32; i < 96; i++) bus.write(GICD + 0x6000 + 8L * i, 8, 0);
        for (int cpu = 0; cpu < 2; cpu++) {
            // gic_populate_rdist / gic_enable_redist: find our frame by affinity, wake it.
            long typer = bus.read(rd(cpu) + 8, 8);
            assertEquals(cpu, typer >>> 32);
            bus.write(rd(cpu) + 0x14, 4, bus.read(rd(cpu) + 0x14, 4) & ~2L);
            assertEquals(0, bus.read(rd(cpu) + 0x14, 4) & 4, "children awake");
            // gic_cpu_config: private interrupts group 1, inactive, disabled, priority 0xa0.
            bus.write(rd(cpu) + SGI + 0x80, 4, 0xFFFF_FFFFL);
            bus.write(rd(cpu) + SGI + 0x380, 4, 0xFFFF_FFFFL);
            bus.write(rd(cpu) + SGI + 0x180, 4, 0xFFFF_0000L);
            bus.write(rd(cpu) + SGI + 0x100, 4, 0x0000_FFFFL);
            for (int i = 0; i < 32; i += 4) bus.write(rd(cpu) + SGI + 0x400 + i, 4, 0xA0A0_A0A0L);
            // gic_cpu_sys_reg_init: SRE, PMR probe for group 0, PMR 0xf0, BPR1 0, EOImode drop, APRs, enable.
            assertEquals(1, read("ICC_SRE_EL1", cpu) & 1);
            write("ICC_PMR_EL1", cpu, 0x08);
            assertEquals(0x08, read("ICC_PMR_EL1", cpu), "5 priority bits: 0x08 sticks, so group 0 exists");
            write("ICC_PMR_EL1", cpu, 0xF0);
            write("ICC_BPR1_EL1", cpu, 0);
            write("ICC_CTLR_EL1", cpu, 2);
            assertEquals(4, read("ICC_CTLR_EL1", cpu) >>> 8 & 7, "PRIbits");
            write("ICC_AP0R0_EL1", cpu, 0);
            write("ICC_AP1R0_EL1", cpu, 0);
            write("ICC_IGRPEN1_EL1", cpu, 1);
        }
        // The arch timer driver enables PPI 27 on each CPU; CPU 1's virtual timer fires.
        bus.write(rd(1) + SGI + 0x100, 4, 1 << 27);
        gic.setPpiLevel(1, 27, true);
        assertTrue(irq[1]);
        assertFalse(irq[0]);
        assertEquals(27, read("ICC_IAR1_EL1", 1));
        gic.setPpiLevel(1, 27, false);
        write("ICC_EOIR1_EL1", 1, 27);
        write("ICC_DIR_EL1", 1, 27);
        assertEquals(0, bus.read(rd(1) + SGI + 0x300, 4), "deactivated");
        // An IPI (SGI 1) from CPU 0 to CPU 1 by affinity.
        write("ICC_SGI1R_EL1", 0, 1L << 24 | 1 << 1);
        assertTrue(irq[1]);
        assertEquals(1, read("ICC_IAR1_EL1", 1));
        write("ICC_EOIR1_EL1", 1, 1);
        write("ICC_DIR_EL1", 1, 1);
        assertFalse(irq[1]);
        assertEquals(0xFF, read("ICC_RPR_EL1", 1));
    }
}
