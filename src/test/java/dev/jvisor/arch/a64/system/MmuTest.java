package dev.jvisor.arch.a64.system;

import dev.jvisor.memory.Access;
import dev.jvisor.memory.MemoryFault;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The stage-1 walker on hand-built tables: translations, each fault kind with its status code and level, and AT. */
class MmuTest {
    static final long TABLE = 3, PAGE = 3, BLOCK = 1, AF = 1L << 10, EL0 = 1L << 6, RO = 1L << 7,
        UXN = 1L << 54, PXN = 1L << 53, DEVICE = 1L << 2, INNER_SHAREABLE = 3L << 8;
    /** T0SZ 16 and T1SZ 16 (48-bit VAs), 4 KB granules, 48-bit IPS. */
    static final long TCR_48 = 16 | 16L << 16 | 2L << 30 | 5L << 32;

    static final long L0 = TestMachine.RAM_BASE + 0x10_0000, L1 = L0 + 0x1000, L2 = L0 + 0x2000, L3 = L0 + 0x3000;
    static final long DATA = TestMachine.RAM_BASE + 0x20_0000;

    TestMachine m;

    @BeforeEach
    void setUp() {
        m = new TestMachine();
        m.regs.mair = 0xFF | 0x00L << 8; // attr 0 Normal write-back, attr 1 Device-nGnRnE
        m.regs.tcr = TCR_48;
        m.regs.ttbr0 = L0;
        m.regs.sctlr |= SysRegFile.SCTLR_M;
        // VA 0x4000_0000 + n*4K -> DATA + n*4K, via L0[0] -> L1[1] -> L2[0] -> L3[n]
        m.ramWrite64(L0, L1 | TABLE);
        m.ramWrite64(L1 + 8, L2 | TABLE);
        m.ramWrite64(L2, L3 | TABLE);
        m.mmu.registersChanged();
    }

    static final long VA = 0x4000_0000L;

    void page(int n, long attrs) {
        m.ramWrite64(L3 + 8L * n, DATA + 0x1000L * n | PAGE | AF | attrs);
        m.mmu.registersChanged();
    }

    MemoryFault fault(long va, Access access) {
        return assertThrows(MemoryFault.class, () -> {
            switch (access) {
                case READ -> m.mmu.read64(va);
                case WRITE -> m.mmu.write64(va, 0);
                case EXECUTE -> m.mmu.fetch32(va);
            }
        });
    }

    void assertFault(int status, int level, long va, Access access) {
        MemoryFault f = fault(va, access);
        assertEquals(status | level, Mmu.statusCode(f), f.toString());
        assertEquals(va, f.address);
    }

    @Test
    void fourKilobytePagesTranslateThroughFourLevels() {
        page(0, 0);
        page(5, 0);
        m.ramWrite64(DATA + 0x5008, 0x1122_3344_5566_7788L);
        assertEquals(0x1122_3344_5566_7788L, m.mmu.read64(VA + 0x5008));
        m.mmu.write32(VA + 0x10, 0xCAFE_F00D);
        assertEquals(0xCAFE_F00DL, m.ramRead64(DATA + 0x10) & 0xFFFF_FFFFL);
    }

    @Test
    void invalidDescriptorsFaultAtTheirLevel() {
        assertFault(0b000100, 3, VA + 0x1000, Access.READ);          // L3[1] invalid
        assertFault(0b000100, 2, VA + 0x20_0000, Access.READ);       // L2[1] invalid
        assertFault(0b000100, 1, VA + 0x4000_0000L, Access.READ); // L1[2] invalid
        assertFault(0b000100, 0, 0x8000_0000_0000L - 0x1000, Access.READ); // L0[255] invalid
        // Outside the 48-bit TTBR0 range: level 0 translation fault before any table is read.
        assertFault(0b000100, 0, 0x0001_0000_0000_0000L, Access.READ);
        // A page descriptor with bit 1 clear at level 3 is reserved.
        m.ramWrite64(L3, DATA | 1 | AF);
        m.mmu.registersChanged();
        assertFault(0b000100, 3, VA, Access.READ);
    }

    @Test
    void blocksAtLevelsOneAndTwo() {
        m.ramWrite64(L2 + 8, 0x4060_0000L | BLOCK | AF);              // 2 MB block
        m.ramWrite64(L1 + 16, 0x4000_0000L | BLOCK | AF);             // 1 GB block
        m.ramWrite64(0x4060_0000L + 0x1_2340, 77);
        m.mmu.registersChanged();
        assertEquals(77, m.mmu.read64(VA + 0x20_0000 + 0x1_2340));
        assertEquals(77, m.mmu.read64(0x8000_0000L + 0x60_0000 + 0x1_2340));
        // A block at level 0 does not exist with 4 KB granules.
        m.ramWrite64(L0 + 8, 0x4000_0000L | BLOCK | AF);
        m.mmu.registersChanged();
        assertFault(0b000100, 0, 0x80_0000_0000L, Access.READ);
    }

    @Test
    void accessFlagFaultComesBeforePermission() {
        m.ramWrite64(L3, DATA | PAGE | RO);
        m.mmu.registersChanged();
        assertFault(0b001000, 3, VA + 8, Access.WRITE);
        MemoryFault f = fault(VA, Access.READ);
        assertEquals(0b001011, Mmu.statusCode(f));
    }

    @Test
    void permissionsFollowApUxnPxnAndPan() {
        page(0, RO);                 // EL1 read-only
        page(1, EL0);                // EL0 and EL1 read-write
        page(2, EL0 | RO | PXN);     // read-only everywhere, not executable at EL1
        page(3, UXN);                // EL1 only
        assertEquals(0, m.mmu.read64(VA));
        assertFault(0b001100, 3, VA + 8, Access.WRITE);
        m.mmu.write64(VA + 0x1000, 1);
        // EL0-writable memory is never executable at EL1; PXN forbids it too.
        assertFault(0b001100, 3, VA + 0x1000, Access.EXECUTE);
        assertFault(0b001100, 3, VA + 0x2000, Access.EXECUTE);
        m.mmu.fetch32(VA + 0x3000);

        m.cpu.el = 0;
        m.mmu.privilegeChanged();
        assertFault(0b001100, 3, VA, Access.READ);
        assertEquals(1, m.mmu.read64(VA + 0x1000));
        assertFault(0b001100, 3, VA + 0x2000, Access.WRITE);
        m.mmu.fetch32(VA + 0x2000);
        assertFault(0b001100, 3, VA + 0x3000, Access.EXECUTE);

        m.cpu.el = 1;
        m.cpu.pan = true;
        m.mmu.privilegeChanged();
        assertFault(0b001100, 3, VA + 0x1000, Access.READ);
        assertEquals(0, m.mmu.read64(VA)); // not EL0-accessible: PAN does not apply
        m.mmu.setUnprivileged(true);     // LDTR under PAN reaches user memory as EL0 would
        assertEquals(1, m.mmu.read64(VA + 0x1000));
        assertFault(0b001100, 3, VA, Access.READ);
        m.mmu.setUnprivileged(false);
    }

    @Test
    void tableAttributesRestrictEverythingBelow() {
        page(0, EL0);
        m.ramWrite64(L2, L3 | TABLE | 1L << 62); // APTable[1]: no writes below
        m.mmu.registersChanged();
        assertFault(0b001100, 3, VA, Access.WRITE);
        m.ramWrite64(L2, L3 | TABLE | 1L << 61); // APTable[0]: no EL0 access below
        m.cpu.el = 0;
        m.mmu.privilegeChanged();
        assertFault(0b001100, 3, VA, Access.READ);
        m.ramWrite64(L2, L3 | TABLE | 1L << 60); // UXNTable
        m.ramWrite64(L3, DATA | PAGE | AF | EL0 | RO);
        m.mmu.registersChanged();
        assertFault(0b001100, 3, VA, Access.EXECUTE);
    }

    @Test
    void privilegeChangesNeverReuseTranslationsCheckedForAnotherPrivilege() {
        page(0, 0);          // EL1 only
        page(1, EL0);        // EL0 and EL1
        assertEquals(0, m.mmu.read64(VA));
        assertEquals(0, m.mmu.read64(VA + 0x1000));
        m.cpu.el = 0;
        m.mmu.privilegeChanged();
        assertFault(0b001100, 3, VA, Access.READ);
        assertEquals(0, m.mmu.read64(VA + 0x1000));
        m.cpu.el = 1;
        m.cpu.pan = true;
        m.mmu.privilegeChanged();
        assertFault(0b001100, 3, VA + 0x1000, Access.READ);
        m.mmu.setUnprivileged(true);
        assertEquals(0, m.mmu.read64(VA + 0x1000));
        m.mmu.setUnprivileged(false);
        assertFault(0b001100, 3, VA + 0x1000, Access.WRITE);
        m.cpu.pan = false;
        m.mmu.privilegeChanged();
        m.mmu.write64(VA + 0x1000, 3);
        assertEquals(3, m.mmu.read64(VA + 0x1000));
    }

    @Test
    void wxnMakesWritableMemoryExecuteNever() {
        page(0, 0);
        m.mmu.fetch32(VA);
        m.regs.sctlr |= SysRegFile.SCTLR_WXN;
        m.mmu.registersChanged();
        assertFault(0b001100, 3, VA, Access.EXECUTE);
    }

    @Test
    void ttbr1CoversTheTopOfTheAddressSpace() {
        long top = L0 + 0x4000;
        m.regs.ttbr1 = top;
        // VA 0xFFFF_FFFF_FFE0_0000: L0[511] -> L1[511] -> L2[511] 2 MB block at DATA
        m.ramWrite64(top + 511 * 8, L1 | TABLE);
        m.ramWrite64(L1 + 511 * 8, L2 | TABLE);
        m.ramWrite64(L2 + 511 * 8, DATA | BLOCK | AF);
        m.ramWrite64(DATA + 0x100, 0xABCDL);
        m.mmu.registersChanged();
        assertEquals(0xABCD, m.mmu.read64(0xFFFF_FFFF_FFE0_0100L));
        // Between the two ranges: fault at level 0.
        assertFault(0b000100, 0, 0xFFFE_0000_0000_0000L, Access.READ);
        // EPD1 disables walks from TTBR1.
        m.regs.tcr = TCR_48 | 1L << 23;
        m.mmu.registersChanged();
        assertFault(0b000100, 0, 0xFFFF_FFFF_FFE0_0100L, Access.READ);
    }

    @Test
    void thirtyNineBitAddressesStartAtLevelOne() {
        m.regs.tcr = 25 | 25L << 16 | 2L << 30 | 5L << 32;
        m.regs.ttbr0 = L1; // level 1 table: VA[38:30]
        page(4, 0);
        m.ramWrite64(DATA + 0x4000, 99);
        assertEquals(99, m.mmu.read64(VA + 0x4000));
        assertFault(0b000100, 0, 0x80_0000_0000L, Access.READ);
    }

    @Test
    void topByteIgnoredOnlyWhenTbiIsSet() {
        page(0, 0);
        long tagged = VA | 0x5AL << 56;
        assertFault(0b000100, 0, tagged, Access.READ);
        m.regs.tcr = TCR_48 | 1L << 37;
        m.mmu.registersChanged();
        assertEquals(0, m.mmu.read64(tagged));
    }

    @Test
    void sixtyFourKilobyteGranule() {
        // T0SZ 22 (42 bits), TG0 64 KB: levels 2 (VA[41:29]) and 3 (VA[28:16]).
        m.regs.tcr = 22 | 1L << 14 | 16L << 16 | 2L << 30 | 5L << 32;
        long l2 = TestMachine.RAM_BASE + 0x40_0000, l3 = l2 + 0x1_0000;
        m.regs.ttbr0 = l2;
        m.ramWrite64(l2 + 8 * 3, l3 | TABLE);
        m.ramWrite64(l3 + 8 * 2, 0x4050_0000L | PAGE | AF);
        m.ramWrite64(0x4050_0000L + 0xFFF8, 1234);
        m.mmu.registersChanged();
        assertEquals(1234, m.mmu.read64(3L << 29 | 2L << 16 | 0xFFF8));
        assertFault(0b000100, 3, 3L << 29 | 3L << 16, Access.READ);
    }

    @Test
    void addressSizeAndExternalAbortOnWalk() {
        m.regs.tcr = TCR_48 & ~(7L << 32); // IPS 32 bits: RAM at 1 GiB fits, descriptors beyond 4 GiB do not
        m.ramWrite64(L3, 0x1_0000_0000L | PAGE | AF);
        m.mmu.registersChanged();
        assertFault(0b000000, 3, VA, Access.READ);
        m.regs.tcr = TCR_48;
        m.ramWrite64(L2, 0x1000_0000L | TABLE); // next table in unmapped physical space
        m.mmu.registersChanged();
        assertFault(0b010100, 3, VA, Access.READ);
    }

    @Test
    void deviceMemoryIsCheckedForAlignmentAndNeverExecuted() {
        m.ramWrite64(L3, TestMachine.UART | PAGE | AF | DEVICE | PXN);
        m.ramWrite64(L3 + 8, TestMachine.UART + 0x1000 | PAGE | AF | DEVICE);
        m.mmu.registersChanged();
        m.mmu.write8(VA, 'k');
        assertEquals("k", m.output.toString());
        assertEquals(TestMachine.DEVICE_ID, m.mmu.read32(VA + 4));
        assertEquals(0b100001, Mmu.statusCode(fault(VA + 2, Access.READ)));
        // Nothing at that physical address: synchronous external abort.
        assertFault(0b010000, 0, VA + 0x1000, Access.READ);
        // Device memory is execute-never even without XN bits.
        assertFault(0b001100, 3, VA + 0x1000, Access.EXECUTE);
    }

    @Test
    void alignmentIsCheckedWithTheMmuOffAndWithSctlrA() {
        page(0, 0);
        page(1, 0);
        m.ramWrite64(DATA + 0x1000, 0x0807_0605_0403_0201L);
        assertEquals(0x0201_0000_0000_0000L, m.mmu.read64(VA + 0xFFA), "A clear: misaligned and page-crossing");
        m.regs.write(m.cpu, dev.jvisor.arch.a64.SysReg.SCTLR_EL1, m.regs.sctlr | SysRegFile.SCTLR_A);
        assertEquals(0b100001, Mmu.statusCode(fault(VA + 0xFFA, Access.READ)));
        assertEquals(0b100001, Mmu.statusCode(fault(VA + 0x1004, Access.WRITE)));
        assertEquals(0x0403_0201L, m.mmu.read32(VA + 0x1000));
        assertEquals(0x02, m.mmu.read8(VA + 0x1001));
        assertEquals(0x0807_0605_0403_0201L, m.mmu.compareAndExchange(VA + 0x1000, 8, 0x0807_0605_0403_0201L, 9));
        assertEquals(9, m.ramRead64(DATA + 0x1000));
        m.ramWrite32(DATA + 4, 0xD503201F);
        assertEquals(0xD503201F, m.mmu.fetch32(VA + 4), "instruction fetches are not data accesses");

        m.regs.write(m.cpu, dev.jvisor.arch.a64.SysReg.SCTLR_EL1, 0);
        m.ramWrite64(DATA, 0x1122_3344_5566_7788L);
        assertEquals(0x5566_7788L, m.mmu.read32(DATA));
        MemoryFault f = fault(DATA + 2, Access.READ);
        assertEquals(MemoryFault.Kind.ALIGNMENT, f.kind, "MMU off: data is Device memory");
        m.regs.write(m.cpu, dev.jvisor.arch.a64.SysReg.SCTLR_EL1, SysRegFile.SCTLR_M);
        assertEquals(0x0000_1122_3344_5566L, m.mmu.read64(VA + 2), "MMU on, A clear: Normal memory, no check");
    }

    @Test
    void mmuOffIsIdentity() {
        m.regs.sctlr &= ~SysRegFile.SCTLR_M;
        m.mmu.registersChanged();
        m.ramWrite64(DATA, 5);
        assertEquals(5, m.mmu.read64(DATA));
        m.mmu.write8(TestMachine.UART, 'x');
        assertEquals("x", m.output.toString());
        assertEquals(0b010000, Mmu.statusCode(fault(0x1000, Access.READ)));
    }

    @Test
    void addressTranslationFillsPar() {
        page(1, EL0 | RO | INNER_SHAREABLE);
        assertEquals(0xFFL << 56 | DATA + 0x1000 | 1L << 11 | 3L << 7, m.mmu.addressTranslate(VA + 0x1234, false, 1));
        // Write to a read-only page: F set, FST permission level 3.
        assertEquals(1L << 11 | 0b001111L << 1 | 1, m.mmu.addressTranslate(VA + 0x1234, true, 0));
        assertEquals(1L << 11 | 0b000111L << 1 | 1, m.mmu.addressTranslate(VA + 0x2000, false, 1));
        // AT ignores PAN.
        m.cpu.pan = true;
        assertEquals(DATA + 0x1000, m.mmu.addressTranslate(VA + 0x1000, false, 1) & 0xFFFF_FFFF_F000L);
    }

    @Test
    void tlbIsFlushedWhenTranslationRegistersChange() {
        page(0, 0);
        m.ramWrite64(DATA, 1);
        assertEquals(1, m.mmu.read64(VA));
        m.ramWrite64(L3, DATA + 0x1000 | PAGE | AF);
        m.ramWrite64(DATA + 0x1000, 2);
        assertEquals(1, m.mmu.read64(VA), "the TLB still holds the old translation until told");
        m.regs.write(m.cpu, dev.jvisor.arch.a64.SysReg.TTBR0_EL1, L0 | 5L << 48);
        assertEquals(2, m.mmu.read64(VA));
    }
}
