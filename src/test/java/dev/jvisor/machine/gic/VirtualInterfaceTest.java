package dev.jvisor.machine.gic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.machine.bus.MmioBus;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The GICv3 virtual CPU interface: a hypervisor's list registers against its guest's ICV_* view. */
class VirtualInterfaceTest {
    static final long GICD = 0x0800_0000L;
    static final long GICR = 0x080A_0000L;
    static final long SGI = 0x10000;
    static final long PENDING = 1L << 62, ACTIVE = 2L << 62, HW = 1L << 61, GROUP1 = 1L << 60;

    final boolean[] virq = new boolean[2];
    final boolean[] irq = new boolean[2];
    GicV3 gic;
    MmioBus bus;
    final Map<String, CpuRegister> regs = new HashMap<>();

    @BeforeEach
    void setUp() {
        gic = new GicV3(2, 32, new InterruptOutputs() {
            @Override
            public void setIrq(int cpu, boolean asserted) {
                irq[cpu] = asserted;
            }

            @Override
            public void setFiq(int cpu, boolean asserted) {}

            @Override
            public void setVirtualIrq(int cpu, boolean asserted) {
                virq[cpu] = asserted;
            }
        });
        bus = new MmioBus();
        bus.map(GICD, GicV3.DISTRIBUTOR_SIZE, gic.distributor());
        bus.map(GICR, gic.redistributorRegionSize(), gic.redistributors());
        bus.write(GICD, 4, 0x13); // both groups, affinity routing
        for (CpuRegister r : gic.cpuInterfaceRegisters()) regs.put(r.name(), r);
        for (CpuRegister r : gic.virtualInterfaceRegisters()) regs.put(r.name(), r);
    }

    long read(String reg) {
        return regs.get(reg).read(0);
    }

    void write(String reg, long value) {
        regs.get(reg).write(0, value);
    }

    /** A guest with group 1 enabled and every priority unmasked; the interface on. */
    void guestReady() {
        write("ICH_VMCR_EL2", 0xF8L << 24 | 2);
        write("ICH_HCR_EL2", 1);
    }

    @Test
    void vtrDescribesFourListRegistersAndFiveBitsOfPriority() {
        long vtr = read("ICH_VTR_EL2");
        assertEquals(3, vtr & 0x1F);
        assertEquals(4, vtr >>> 29 & 7, "PRIbits - 1");
        assertEquals(4, vtr >>> 26 & 7, "PREbits - 1");
        assertEquals(0, vtr >>> 23 & 7, "16-bit virtual INTIDs");
    }

    @Test
    void aPendingListRegisterIsSignalledAcknowledgedAndEnded() {
        write("ICH_LR0_EL2", PENDING | GROUP1 | 0xA0L << 48 | 27);
        assertFalse(virq[0], "interface disabled");
        guestReady();
        assertTrue(virq[0]);
        assertEquals(27, read("ICV_HPPIR1_EL1"));
        assertEquals(0b1110, read("ICH_ELRSR_EL2"), "LR0 in use");
        assertEquals(27, read("ICV_IAR1_EL1"));
        assertFalse(virq[0], "active now");
        assertEquals(ACTIVE, read("ICH_LR0_EL2") & (3L << 62));
        assertEquals(0xA0, read("ICV_RPR_EL1"));
        assertEquals(1023, read("ICV_IAR1_EL1"), "nothing else pending");
        write("ICV_EOIR1_EL1", 27);
        assertEquals(0, read("ICH_LR0_EL2") & (3L << 62), "EOI deactivates without VEOIM");
        assertEquals(0xFF, read("ICV_RPR_EL1"));
        assertEquals(0b1111, read("ICH_ELRSR_EL2"));
    }

    @Test
    void priorityMaskAndGroupEnableHoldTheInterruptBack() {
        write("ICH_LR1_EL2", PENDING | GROUP1 | 0xA0L << 48 | 40);
        write("ICH_VMCR_EL2", 0x80L << 24 | 2);
        write("ICH_HCR_EL2", 1);
        assertFalse(virq[0], "VPMR 0x80 masks priority 0xA0");
        write("ICV_PMR_EL1", 0xF0);
        assertTrue(virq[0]);
        write("ICV_IGRPEN1_EL1", 0);
        assertFalse(virq[0]);
        assertEquals(0xF0L << 24 | 2L << 21 | 3L << 18 | 1 << 3, read("ICH_VMCR_EL2"),
                "the guest's PMR and group enable live in ICH_VMCR_EL2; minimum binary points; VFIQEn RES1");
    }

    @Test
    void aHardwareInterruptIsDeactivatedPhysicallyWithTheGuestsEoi() {
        // The host took physical PPI 27 and left it active for the guest.
        bus.write(GICR + 0x14, 4, 0);
        bus.write(GICR + SGI + 0x80, 4, 0xFFFF_FFFFL);
        bus.write(GICR + SGI + 0x100, 4, 1 << 27);
        write("ICC_PMR_EL1", 0xF0);
        write("ICC_IGRPEN1_EL1", 1);
        write("ICC_CTLR_EL1", 2); // EOImode: priority drop only, as KVM's host runs
        gic.setPpiLevel(0, 27, true);
        assertEquals(27, read("ICC_IAR1_EL1"));
        write("ICC_EOIR1_EL1", 27);
        gic.setPpiLevel(0, 27, false);
        assertEquals(1L << 27, bus.read(GICR + SGI + 0x300, 4) & 1L << 27, "still active");
        write("ICH_LR0_EL2", PENDING | HW | GROUP1 | 27L << 32 | 0xA0L << 48 | 27);
        guestReady();
        assertEquals(27, read("ICV_IAR1_EL1"));
        write("ICV_EOIR1_EL1", 27);
        assertEquals(0, bus.read(GICR + SGI + 0x300, 4) & 1L << 27, "the guest's EOI deactivated PPI 27");
    }

    @Test
    void underflowRaisesTheMaintenanceInterrupt() {
        bus.write(GICR + 0x14, 4, 0);
        bus.write(GICR + SGI + 0x80, 4, 0xFFFF_FFFFL);
        bus.write(GICR + SGI + 0x100, 4, 1 << GicV3.MAINTENANCE_PPI);
        write("ICC_PMR_EL1", 0xF0);
        write("ICC_IGRPEN1_EL1", 1);
        write("ICH_LR0_EL2", PENDING | GROUP1 | 0xA0L << 48 | 30);
        write("ICH_LR1_EL2", PENDING | GROUP1 | 0xA0L << 48 | 31);
        write("ICH_VMCR_EL2", 0xF8L << 24 | 2);
        write("ICH_HCR_EL2", 1 | 2); // En, UIE
        assertEquals(0, read("ICH_MISR_EL2"), "two valid list registers");
        assertFalse(irq[0]);
        read("ICV_IAR1_EL1");
        write("ICV_EOIR1_EL1", 30);
        assertEquals(2, read("ICH_MISR_EL2"), "U: at most one valid list register");
        assertTrue(irq[0], "maintenance interrupt");
        assertEquals(GicV3.MAINTENANCE_PPI, read("ICC_IAR1_EL1"));
    }

    @Test
    void anEoiWithoutAListRegisterCountsInEoicountAndNpSignalsNothingPending() {
        write("ICH_VMCR_EL2", 0xF8L << 24 | 2);
        write("ICH_HCR_EL2", 1 | 4 | 8); // En, LRENPIE, NPIE
        assertEquals(8, read("ICH_MISR_EL2"), "NP: no list register pending");
        write("ICV_EOIR1_EL1", 99);
        assertEquals(1, read("ICH_HCR_EL2") >>> 27);
        assertEquals(4 | 8, read("ICH_MISR_EL2"), "LRENP with EOIcount non-zero");
    }

    @Test
    void eoiMarksAnInterruptAskingForMaintenance() {
        write("ICH_LR2_EL2", PENDING | GROUP1 | 1L << 41 | 0xA0L << 48 | 50);
        guestReady();
        assertEquals(50, read("ICV_IAR1_EL1"));
        write("ICV_EOIR1_EL1", 50);
        assertEquals(0b100, read("ICH_EISR_EL2"));
        assertEquals(0b1011, read("ICH_ELRSR_EL2"), "not free until the hypervisor has seen the EOI");
        assertEquals(1, read("ICH_MISR_EL2") & 1, "EOI");
    }
}
