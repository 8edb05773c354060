package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.memory.Access;
import dev.jvisor.memory.CpuMemory;
import dev.jvisor.memory.MemoryFault;
import dev.jvisor.memory.PhysicalMemory;

import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The EL1&0 stage-1 translation regime of one vCPU: the VMSAv8-64 table walk over guest-physical memory, with the
 * inherited software TLB as its cache. There is one TLB per privilege the permission checks depend on (EL1, EL1 with
 * PAN, EL0 or an LDTR/STTR), selected on every change of EL, PAN or unprivileged access, so exceptions and user
 * copies do not flush anything. The TLBs hold one ASID's translations: every write to SCTLR, TCR or a TTBR and every
 * TLBI flushes them all.
 *
 * <p>Implemented: 4, 16 and 64 KB granules, 16..39 bit TxSZ (up to 48-bit VAs, larger sizes clamp to 39),
 * TTBR0/TTBR1 split on VA bit 55, EPD0/EPD1, TBI0/TBI1, IPS-limited output addresses, table descriptors' APTable,
 * UXNTable and PXNTable, AP, UXN, PXN, WXN, PAN, and faults with level-accurate status codes. Not implemented:
 * hardware access-flag and dirty-state updates (not advertised, so the access flag faults). Alignment: with SCTLR.A
 * set or the MMU off every data access is checked against its size; with the MMU on, accesses to pages whose MAIR
 * attribute is Device are checked too.
 */
public final class Mmu extends CpuMemory {
    private final PhysicalMemory phys;
    private final long ramBase, ramSize;
    private Cpu cpu;
    private SysRegFile regs;
    /** An LDTR/STTR at EL1 is running: check as EL0 would. */
    private boolean unprivileged;
    /** Broadcast TLB invalidations other vCPUs asked of this one, and how many of them it has carried out. */
    private final AtomicLong remoteRequests = new AtomicLong();
    volatile long remoteServiced;
    /** Whether this vCPU may be using its TLB now: its run loop sets it around engine runs. */
    volatile boolean active;

    /** Descriptor and attribute of the last successful walk, for AT. */
    private long lastDescriptor;
    private boolean lastDevice;
    private int lastLevel;

    public Mmu(PhysicalMemory phys) {
        super(phys.ram(), 3);
        this.phys = phys;
        this.ramBase = phys.ramBase();
        this.ramSize = phys.ram().byteSize();
    }

    /** Binds the MMU to its vCPU and register file; until then nothing translates. */
    public void attach(Cpu cpu, SysRegFile regs) {
        if (cpu.mem != this) throw new IllegalArgumentException("the CPU uses another memory view");
        this.cpu = cpu;
        this.regs = regs;
        regs.mmu = this;
        registersChanged();
        privilegeChanged();
    }

    /**
     * SCTLR, TCR, a TTBR or MAIR changed: cached translations go, and alignment checking follows SCTLR.A and the
     * Device memory type of every data access while the MMU is off.
     */
    void registersChanged() {
        flushTlb();
        long sctlr = regs.sctlr;
        setStrictAlignment((sctlr & SysRegFile.SCTLR_A) != 0 || (sctlr & SysRegFile.SCTLR_M) == 0);
    }

    /** LDTR/STTR at EL1 without PSTATE.UAO check permissions as EL0 would. */
    @Override
    public void setUnprivileged(boolean on) {
        unprivileged = on;
        privilegeChanged();
    }

    /** PSTATE.EL or PSTATE.PAN changed: use the TLB whose entries were checked for the new privilege. */
    @Override
    public boolean remaps() {
        return true;
    }

    void privilegeChanged() {
        selectTlb(unprivileged || cpu.el == 0 ? 2 : cpu.pan ? 1 : 0);
    }

    private int effectiveEl() {
        return unprivileged ? 0 : cpu.el;
    }

    @Override
    protected long translatePage(long va, Access access) {
        int el = effectiveEl();
        long pa = walk(va, access, el, el == 1 && cpu.pan);
        if (access == Access.EXECUTE && lastDevice) {
            // Device memory is execute-never whatever the descriptor says.
            throw fault(MemoryFault.Kind.PERMISSION, va, access, lastLevel, 0b001100 | lastLevel);
        }
        long offset = (pa & ~PAGE_MASK) - ramBase;
        // Device-attribute pages stay out of the TLB so that every access is checked for alignment.
        if (lastDevice || offset < 0 || offset >= ramSize) return IO;
        return offset - (va & ~PAGE_MASK);
    }

    @Override
    protected long ioRead(long va, int size) {
        long pa = ioAddress(va, size, Access.READ);
        if (isRam(pa, size)) return readRam(pa, size);
        try {
            return phys.mmioRead(pa, size);
        } catch (MemoryFault f) {
            throw new MemoryFault(MemoryFault.Kind.EXTERNAL, va, Access.READ);
        }
    }

    @Override
    protected void ioWrite(long va, int size, long value) {
        long pa = ioAddress(va, size, Access.WRITE);
        if (isRam(pa, size)) {
            writeRam(pa, size, value);
            return;
        }
        try {
            phys.mmioWrite(pa, size, value);
        } catch (MemoryFault f) {
            throw new MemoryFault(MemoryFault.Kind.EXTERNAL, va, Access.WRITE);
        }
    }

    /** Translates for a device access, which must be naturally aligned. */
    private long ioAddress(long va, int size, Access access) {
        int el = effectiveEl();
        long pa = walk(va, access, el, el == 1 && cpu.pan);
        if ((va & (size - 1)) != 0) throw new MemoryFault(MemoryFault.Kind.ALIGNMENT, va, access);
        return pa;
    }

    private boolean isRam(long pa, int size) {
        return pa - ramBase >= 0 && pa - ramBase <= ramSize - size;
    }

    private long readRam(long pa, int size) {
        long off = pa - ramBase;
        return switch (size) {
            case 1 -> ram.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
            case 2 -> ram.get(ValueLayout.JAVA_SHORT_UNALIGNED, off) & 0xFFFF;
            case 4 -> ram.get(ValueLayout.JAVA_INT_UNALIGNED, off) & 0xFFFF_FFFFL;
            default -> ram.get(ValueLayout.JAVA_LONG_UNALIGNED, off);
        };
    }

    private void writeRam(long pa, int size, long value) {
        long off = pa - ramBase;
        switch (size) {
            case 1 -> ram.set(ValueLayout.JAVA_BYTE, off, (byte) value);
            case 2 -> ram.set(ValueLayout.JAVA_SHORT_UNALIGNED, off, (short) value);
            case 4 -> ram.set(ValueLayout.JAVA_INT_UNALIGNED, off, (int) value);
            default -> ram.set(ValueLayout.JAVA_LONG_UNALIGNED, off, value);
        }
    }

    /**
     * AT S1E1R/W (el 1) and S1E0R/W (el 0): the PAR_EL1 value for a stage-1 walk of {@code va} that ignores PAN.
     * Bit 11 is RES1 in both formats.
     */
    public long addressTranslate(long va, boolean write, int el) {
        try {
            long pa = walk(va, write ? Access.WRITE : Access.READ, el, false);
            long attr = (regs.sctlr & SysRegFile.SCTLR_M) == 0 ? 0 : regs.mair >>> 8 * (lastDescriptor >>> 2 & 7) & 0xFF;
            long sh = (regs.sctlr & SysRegFile.SCTLR_M) == 0 ? 0 : lastDescriptor >>> 8 & 3;
            return attr << 56 | pa & 0xFFFF_FFFF_F000L | 1L << 11 | sh << 7;
        } catch (MemoryFault f) {
            return 1L << 11 | (long) statusCode(f) << 1 | 1;
        }
    }

    /** The fault status code (DFSC/IFSC) of {@code f}. */
    public static int statusCode(MemoryFault f) {
        if (f.statusCode >= 0) return f.statusCode;
        int level = Math.max(f.level, 0);
        return switch (f.kind) {
            case TRANSLATION -> 0b000100 | level;
            case PERMISSION -> 0b001100 | level;
            case ALIGNMENT -> 0b100001;
            case EXTERNAL -> f.level >= 0 ? 0b010100 | f.level : 0b010000;
        };
    }

    private static MemoryFault fault(MemoryFault.Kind kind, long va, Access access, int level, int status) {
        return new MemoryFault(kind, va, access, level, status);
    }

    private static MemoryFault translationFault(long va, Access access, int level) {
        return fault(MemoryFault.Kind.TRANSLATION, va, access, level, 0b000100 | level);
    }

    private static MemoryFault addressSizeFault(long va, Access access, int level) {
        return fault(MemoryFault.Kind.TRANSLATION, va, access, level, level);
    }

    private static final int[] PA_BITS = {32, 36, 40, 42, 44, 48, 48, 48};
    private static final long DESCRIPTOR_ADDRESS = 0x0000_FFFF_FFFF_F000L;

    /** Stage-1 translation of {@code va} for an access at {@code el}; throws MemoryFault as the walk would fault. */
    long walk(long va, Access access, int el, boolean panActive) {
        long sctlr = regs.sctlr;
        if ((sctlr & SysRegFile.SCTLR_M) == 0) {
            if (va >>> 48 != 0) throw addressSizeFault(va, access, 0);
            // Data accesses are Device-nGnRnE: registersChanged made every one of them checked for alignment.
            lastDescriptor = 0;
            lastDevice = false;
            return va;
        }
        long tcr = regs.tcr;
        boolean upper = (va >>> 55 & 1) != 0;
        int tsz = (int) (upper ? tcr >>> 16 : tcr) & 63;
        tsz = Math.clamp(tsz, 16, 39);
        int inputSize = 64 - tsz;
        boolean tbi = (tcr >>> (upper ? 38 : 37) & 1) != 0;
        long checked = tbi ? va << 8 >> 8 : va;
        if (checked >> inputSize != (upper ? -1L : 0L)) throw translationFault(va, access, 0);
        if ((tcr >>> (upper ? 23 : 7) & 1) != 0) throw translationFault(va, access, 0);
        int tg = (int) (upper ? tcr >>> 30 : tcr >>> 14) & 3;
        int granule = upper ? (tg == 1 ? 14 : tg == 3 ? 16 : 12) : (tg == 1 ? 16 : tg == 2 ? 14 : 12);
        int stride = granule - 3;
        int paBits = PA_BITS[(int) (tcr >>> 32 & 7)];
        int level = 4 - (inputSize - granule + stride - 1) / stride;
        int startLevel = level;
        long table = (upper ? regs.ttbr1 : regs.ttbr0) & 0x0000_FFFF_FFFF_FFFEL;
        if (table >>> paBits != 0) throw addressSizeFault(va, access, level);
        boolean noEl0Table = false, readOnlyTable = false, uxnTable = false, pxnTable = false;
        while (true) {
            int shift = granule + stride * (3 - level);
            int bits = level == startLevel ? inputSize - shift : stride;
            long index = va >>> shift & (1L << bits) - 1;
            long descriptor = readDescriptor(table + index * 8, va, access, level);
            if ((descriptor & 1) == 0) throw translationFault(va, access, level);
            if ((descriptor & 2) != 0 && level < 3) {
                table = descriptor & DESCRIPTOR_ADDRESS & -(1L << granule);
                if (table >>> paBits != 0) throw addressSizeFault(va, access, level);
                uxnTable |= (descriptor >>> 60 & 1) != 0;
                pxnTable |= (descriptor >>> 59 & 1) != 0;
                noEl0Table |= (descriptor >>> 61 & 1) != 0;
                readOnlyTable |= (descriptor >>> 62 & 1) != 0;
                level++;
                continue;
            }
            boolean blockAllowed = level == 2 || level == 1 && granule == 12;
            if (level < 3 && !blockAllowed || level == 3 && (descriptor & 2) == 0) {
                throw translationFault(va, access, level);
            }
            long output = descriptor & DESCRIPTOR_ADDRESS & -(1L << shift);
            if (output >>> paBits != 0) throw addressSizeFault(va, access, level);
            if ((descriptor & 1L << 10) == 0) {
                throw fault(MemoryFault.Kind.PERMISSION, va, access, level, 0b001000 | level);
            }
            checkPermissions(descriptor, va, access, el, panActive, level, noEl0Table, readOnlyTable, uxnTable,
                pxnTable);
            lastDescriptor = descriptor;
            lastLevel = level;
            long attr = regs.mair >>> 8 * (descriptor >>> 2 & 7) & 0xFF;
            lastDevice = (attr & 0xF0) == 0;
            return output | va & (1L << shift) - 1;
        }
    }

    private void checkPermissions(long descriptor, long va, Access access, int el, boolean panActive, int level,
                                  boolean noEl0Table, boolean readOnlyTable, boolean uxnTable, boolean pxnTable) {
        boolean el0 = (descriptor >>> 6 & 1) != 0 && !noEl0Table;
        boolean readOnly = (descriptor >>> 7 & 1) != 0 || readOnlyTable;
        boolean wxn = (regs.sctlr & SysRegFile.SCTLR_WXN) != 0 && !readOnly;
        boolean allowed;
        if (el == 0) {
            allowed = el0 && switch (access) {
                case READ -> true;
                case WRITE -> !readOnly;
                case EXECUTE -> (descriptor >>> 54 & 1) == 0 && !uxnTable && !wxn;
            };
        } else {
            allowed = switch (access) {
                case READ -> !(panActive && el0);
                case WRITE -> !(panActive && el0) && !readOnly;
                // Memory EL0 can write is never executable at EL1.
                case EXECUTE -> (descriptor >>> 53 & 1) == 0 && !pxnTable && !wxn && !(el0 && !readOnly);
            };
        }
        if (!allowed) throw fault(MemoryFault.Kind.PERMISSION, va, access, level, 0b001100 | level);
    }

    private long readDescriptor(long pa, long va, Access access, int level) {
        long offset = pa - ramBase;
        if (offset < 0 || offset > ramSize - 8) {
            throw fault(MemoryFault.Kind.EXTERNAL, va, access, level, 0b010100 | level);
        }
        return ram.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
    }

    /**
     * Another vCPU's TLBI ...IS: asks this vCPU to flush its TLBs at its next run-loop check and returns the ticket
     * {@link #awaitRemoteFlush} waits for.
     */
    long requestRemoteFlush() {
        long ticket = remoteRequests.incrementAndGet();
        if (cpu != null) cpu.exitRequest = true;
        return ticket;
    }

    /**
     * Waits until this vCPU has flushed for {@code ticket} or is not running guest code (it then flushes before it
     * runs again). {@code self}, the waiting vCPU's MMU, keeps answering requests meanwhile, so two vCPUs
     * broadcasting at once do not wait for each other forever.
     */
    void awaitRemoteFlush(long ticket, Mmu self) {
        while (active && remoteServiced < ticket) {
            self.serviceRemoteFlush();
            Thread.onSpinWait();
        }
    }

    /** Called by the vCPU's own run loop between engine runs, after setting {@link #active}. */
    void serviceRemoteFlush() {
        long requested = remoteRequests.get();
        if (requested != remoteServiced) {
            flushTlb();
            remoteServiced = requested;
        }
    }
}
