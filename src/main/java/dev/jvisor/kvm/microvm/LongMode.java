package dev.jvisor.kvm.microvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.kvm.Segment;
import dev.jvisor.kvm.Sregs;
import java.lang.foreign.MemorySegment;

/**
 * The micro-VM's x86-64 machine state, built by the VMM instead of by guest boot code: 64-bit long mode with paging
 * already on, an identity map of guest RAM and of the MMIO window, and a GDT with kernel and user segments and a TSS.
 *
 * <p>Guest-physical layout: page 0 unmapped (null pointers fault); the rest of the first 2 MiB holds these tables,
 * supervisor-only so a CPL3 guest cannot rewrite its own page tables; guest programs load from 2 MiB up; the MMIO
 * window is mapped with 4 KiB pages (KVM-PVM only turns accesses to unbacked memory into MMIO exits through 4 KiB
 * guest mappings; through a 2 MiB one it reflects a page fault into the guest). There is no IDT: an exception the
 * guest raises becomes a triple fault, which KVM reports and the VMM turns into a crash report.
 */
public final class LongMode {
    private LongMode() {}

    static final long GDT = 0x1000;
    static final long TSS = 0x2000;
    static final long PML4 = 0x10000;
    static final long PDPT = 0x11000;
    static final long PD = 0x12000; // four of them: 4 GiB of 2 MiB pages
    static final long PT_LOW = 0x16000;
    static final long PT_MMIO = 0x17000;
    /** Guest programs load at or above this. */
    public static final long LOAD_BASE = 0x200000;
    /** Guest RAM must end below the MMIO window. */
    public static final long MMIO_BASE = 0xd0000000L;
    public static final long MMIO_SIZE = 0x200000;
    public static final long MAX_RAM = 0xc0000000L;

    static final int KERNEL_CS = 0x08, KERNEL_DS = 0x10, USER_DS = 0x18 | 3, USER_CS = 0x20 | 3, TSS_SELECTOR = 0x28;
    private static final int GDT_ENTRIES = 7; // null, kernel code/data, user data/code, 16-byte TSS

    private static final long PRESENT = 1, WRITABLE = 2, USER = 4, LARGE = 0x80;
    private static final long CR0_PE = 1, CR0_MP = 2, CR0_ET = 0x10, CR0_NE = 0x20, CR0_WP = 0x10000, CR0_PG = 1L << 31;
    private static final long CR4_PAE = 0x20, CR4_OSFXSR = 0x200, CR4_OSXMMEXCPT = 0x400;
    private static final long EFER_LME = 0x100, EFER_LMA = 0x400;
    static final long RFLAGS_FIXED = 0x2, RFLAGS_IOPL3 = 0x3000;
    private static final int SEG_CODE_EXEC_READ_ACCESSED = 11, SEG_DATA_RW_ACCESSED = 3, SEG_TSS64_BUSY = 11;
    private static final int SEG_LDT = 2;

    /** Writes page tables, GDT and TSS into the first 2 MiB of {@code ram} (which starts at guest-physical 0). */
    public static void buildTables(MemorySegment ram) {
        long ramSize = ram.byteSize();
        if (ramSize > MAX_RAM) throw new IllegalArgumentException("guest RAM must end below 3 GiB");
        ram.asSlice(0, LOAD_BASE).fill((byte) 0);
        ram.set(JAVA_LONG, PML4, PDPT | PRESENT | WRITABLE | USER);
        for (int i = 0; i < 4; i++) ram.set(JAVA_LONG, PDPT + 8L * i, (PD + 0x1000L * i) | PRESENT | WRITABLE | USER);
        for (long addr = LOAD_BASE; addr < ramSize; addr += 0x200000) {
            ram.set(JAVA_LONG, PD + 8 * (addr >> 21), addr | PRESENT | WRITABLE | USER | LARGE);
        }
        ram.set(JAVA_LONG, PD, PT_LOW | PRESENT | WRITABLE | USER);
        for (long page = 1; page < 512; page++) ram.set(JAVA_LONG, PT_LOW + 8 * page, (page << 12) | PRESENT | WRITABLE);
        ram.set(JAVA_LONG, PD + 8 * (MMIO_BASE >> 21), PT_MMIO | PRESENT | WRITABLE | USER);
        for (long page = 0; page < 512; page++) {
            ram.set(JAVA_LONG, PT_MMIO + 8 * page, (MMIO_BASE + (page << 12)) | PRESENT | WRITABLE | USER);
        }

        ram.set(JAVA_LONG, GDT + KERNEL_CS, 0x00af9b000000ffffL);
        ram.set(JAVA_LONG, GDT + KERNEL_DS, 0x00cf93000000ffffL);
        ram.set(JAVA_LONG, GDT + (USER_DS & ~3), 0x00cff3000000ffffL);
        ram.set(JAVA_LONG, GDT + (USER_CS & ~3), 0x00affb000000ffffL);
        long tssLimit = 0x67;
        ram.set(JAVA_LONG, GDT + TSS_SELECTOR, tssLimit | (TSS & 0xffffff) << 16 | 0x8bL << 40
                | ((TSS >>> 24) & 0xff) << 56);
        ram.set(JAVA_LONG, GDT + TSS_SELECTOR + 8, TSS >>> 32);
        // The TSS's I/O map base points past its limit: no I/O bitmap, port access is governed by IOPL alone.
        ram.set(java.lang.foreign.ValueLayout.JAVA_SHORT, TSS + 0x66, (short) 0x68);
    }

    /** Fills in segment, table and control registers for long mode at the given privilege. */
    public static void configure(Sregs s, Privilege privilege) {
        boolean user = privilege == Privilege.USER;
        int dpl = user ? 3 : 0;
        Segment cs = Segment.flat(user ? USER_CS : KERNEL_CS, SEG_CODE_EXEC_READ_ACCESSED, dpl, true);
        copy(cs, s.cs);
        for (Segment data : new Segment[] {s.ds, s.es, s.fs, s.gs, s.ss}) {
            copy(Segment.flat(user ? USER_DS : KERNEL_DS, SEG_DATA_RW_ACCESSED, dpl, false), data);
        }
        Segment tr = new Segment();
        tr.base = TSS;
        tr.limit = 0x67;
        tr.selector = TSS_SELECTOR;
        tr.type = SEG_TSS64_BUSY;
        tr.present = true;
        copy(tr, s.tr);
        Segment ldt = new Segment();
        ldt.type = SEG_LDT;
        ldt.unusable = true;
        copy(ldt, s.ldt);
        s.gdtBase = GDT;
        s.gdtLimit = GDT_ENTRIES * 8 - 1;
        s.idtBase = 0;
        s.idtLimit = 0;
        s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
        s.cr3 = PML4;
        s.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
        s.efer = EFER_LME | EFER_LMA;
    }

    /** RFLAGS at entry: interrupts off; IOPL 3 so that CPL3 port I/O exits instead of faulting (where it can). */
    static long initialRflags(Privilege privilege) {
        return RFLAGS_FIXED | (privilege == Privilege.USER ? RFLAGS_IOPL3 : 0);
    }

    private static void copy(Segment from, Segment to) {
        to.base = from.base;
        to.limit = from.limit;
        to.selector = from.selector;
        to.type = from.type;
        to.present = from.present;
        to.dpl = from.dpl;
        to.db = from.db;
        to.s = from.s;
        to.l = from.l;
        to.g = from.g;
        to.avl = from.avl;
        to.unusable = from.unusable;
    }
}
