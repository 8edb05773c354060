package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.memory.Access;
import dev.jvisor.memory.CpuMemory;
import dev.jvisor.memory.MemoryFault;
import dev.jvisor.memory.PhysicalMemory;

import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The translation regimes of one vCPU: EL1&0 (with stage 2 when HCR_EL2.VM is set), and on a CPU with EL2 the EL2
 * regime, or EL2&0 under HCR_EL2.E2H. VMSAv8-64 table walks over guest-physical memory, with the inherited software
 * TLB as their cache. There is one TLB per regime and privilege the permission checks depend on (EL1, EL1 with PAN,
 * EL0 or an LDTR/STTR; the same three for EL2&0, or EL2 alone), selected on every change of EL, PAN or unprivileged
 * access, so exceptions, user copies and a hypervisor's switches between host and guest do not flush anything.
 * Each regime's TLBs hold one ASID's translations: every change to a register that shapes a regime and every TLBI
 * flushes that regime's TLBs. The EL1&0 TLBs are also tagged by VMID: a CPU with EL2 keeps {@link #VMID_SLOTS} groups
 * of them, one per recently used VMID (and whether stage 2 applies), so that a hypervisor switching between its
 * guests, or between a guest and an nVHE host, finds each one's translations still there. An entry is the combined
 * translation of both stages; a change to VTCR_EL2 or HCR_EL2.PTW flushes every group, TLBI ALLE1 too, and the
 * other EL1 invalidations flush the current VMID's group.
 *
 * <p>Implemented: 4, 16 and 64 KB granules, 16..39 bit TxSZ (up to 48-bit VAs, larger sizes clamp to 39),
 * TTBR0/TTBR1 split on VA bit 55, EPD0/EPD1, TBI0/TBI1, IPS-limited output addresses, table descriptors' APTable,
 * UXNTable and PXNTable, AP, UXN, PXN, WXN, PAN, and faults with level-accurate status codes. Not implemented:
 * hardware access-flag and dirty-state updates (not advertised, so the access flag faults). Alignment: with SCTLR.A
 * set or the MMU off every data access is checked against its size; with the MMU on, accesses to pages whose MAIR
 * attribute is Device are checked too.
 *
 * <p>Stage 2: VTCR_EL2's 4, 16 and 64 KB granules, starting level from SL0, concatenated first-level tables, S2AP
 * and XN permissions, the access flag, Device memory types (which also make an access checked for alignment), and
 * HCR_EL2.PTW. Stage-2 faults carry the IPA for HPFAR_EL2 and whether stage 1's walk made them. Not implemented:
 * HCR_EL2.DC (held in the register, but stage 1 off stays Device memory).
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

    /**
     * TLB sets: per VMID slot the EL1&0 regime's three privileges (EL1, EL1 with PAN, EL0), then the EL2&0 regime's
     * three (or the EL2 regime's one). A CPU without EL2 has the first three only.
     */
    private static final int EL1_SETS = 3;
    static final int VMID_SLOTS = 4;
    private static final int EL2_BASE = EL1_SETS * VMID_SLOTS, ALL_SETS = EL2_BASE + 3;

    /** The regime in use and its registers, as {@link #selectRegime} last found them. */
    private boolean el2Regime, singlePrivilege, stage2;
    private long sctlr, tcr, ttbr0, ttbr1, mair;
    private final int sets;
    /** Which VMID (bits 7..0, with bit 8 set when stage 2 applies) each slot's EL1&0 sets hold, or -1. */
    private final int[] slotKeys = new int[VMID_SLOTS];
    /** The slot of the VMID in VTTBR_EL2 (and stage 2 on or off) now; the next slot to reuse. */
    private int slot, nextVictim;

    /** An MMU for a CPU with EL0 and EL1 only. */
    public Mmu(PhysicalMemory phys) {
        this(phys, false);
    }

    /** With {@code el2}, the MMU also has the EL2 regimes and stage 2. */
    public Mmu(PhysicalMemory phys, boolean el2) {
        super(phys.ram(), el2 ? ALL_SETS : EL1_SETS);
        this.sets = el2 ? ALL_SETS : EL1_SETS;
        java.util.Arrays.fill(slotKeys, -1);
        slotKeys[0] = 0;
        this.phys = phys;
        this.ramBase = phys.ramBase();
        this.ramSize = phys.ram().byteSize();
    }

    /** Binds the MMU to its vCPU and register file; until then nothing translates. */
    public void attach(Cpu cpu, SysRegFile regs) {
        if (cpu.mem != this) throw new IllegalArgumentException("the CPU uses another memory view");
        if (regs.hasEl2() && sets != ALL_SETS) throw new IllegalArgumentException("an EL2 CPU needs an EL2 MMU");
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
        selectRegime();
        flushEl1Regime();
    }

    /** SCTLR_EL2, TCR_EL2, TTBR0/1_EL2 or MAIR_EL2 changed. */
    void el2RegistersChanged() {
        flushEl2Regime();
        selectRegime();
    }

    /** VTTBR_EL2 changed: its VMID selects the EL1&0 TLBs. */
    void vttbrChanged() {
        privilegeChanged();
    }

    /** VTCR_EL2 changed: every VMID's stage-2 translations go. */
    void vtcrChanged() {
        flushAllEl1Regimes();
    }

    /**
     * HCR_EL2 changed from {@code old} to {@code hcr}. E2H reshapes the EL2 regime; VM, TGE and PTW change what
     * the EL1&0 regime's translations are; the routing of EL0 between regimes follows TGE.
     */
    void hcrChanged(long old, long hcr) {
        long changed = old ^ hcr;
        if ((changed & El2.HCR_E2H) != 0) flushEl2Regime();
        if ((changed & El2.HCR_PTW) != 0) flushAllEl1Regimes();
        if ((changed & (El2.HCR_TGE | El2.HCR_E2H | El2.HCR_VM)) != 0) privilegeChanged();
    }

    /** TLBI of the EL1&0 regime: the current VMID's translations. */
    void flushEl1Regime() {
        flushTlbSets(slot * EL1_SETS, slot * EL1_SETS + EL1_SETS);
    }

    /** TLBI ALLE1: the EL1&0 regime's translations of every VMID. */
    void flushAllEl1Regimes() {
        flushTlbSets(0, sets == ALL_SETS ? EL2_BASE : EL1_SETS);
    }

    /** TLBI of the EL2 or EL2&0 regime. */
    void flushEl2Regime() {
        if (sets == ALL_SETS) flushTlbSets(EL2_BASE, ALL_SETS);
    }

    /**
     * Makes {@link #slot} the one tagged with the current VMID and stage-2 state, taking over the least recently
     * claimed slot (and flushing it) for one not seen lately.
     */
    private void selectVmidSlot(boolean stage2On) {
        int key = (int) (regs.vttbr >>> 48 & 0xFF) | (stage2On ? 0x100 : 0);
        if (slotKeys[slot] == key) return;
        for (int i = 0; i < VMID_SLOTS; i++) {
            if (slotKeys[i] == key) {
                slot = i;
                return;
            }
        }
        slot = nextVictim;
        nextVictim = (nextVictim + 1) % VMID_SLOTS;
        slotKeys[slot] = key;
        flushEl1Regime();
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
        selectRegime();
        boolean el0 = effectiveEl() == 0;
        if (!el2Regime) selectTlb(slot * EL1_SETS + (el0 ? 2 : cpu.pan ? 1 : 0));
        else if (singlePrivilege) selectTlb(EL2_BASE);
        else selectTlb(EL2_BASE + (el0 ? 2 : cpu.pan ? 1 : 0));
    }

    /**
     * Finds the regime the current EL translates in and loads its registers, with TCR_EL2 of the E2H-less EL2 regime
     * rewritten in TCR_EL1's layout (one range: TTBR1's half is disabled).
     */
    private void selectRegime() {
        boolean hasEl2 = regs.hasEl2();
        el2Regime = hasEl2 && (cpu.el == 2 || cpu.el == 0 && regs.inHost());
        boolean stage2On = hasEl2 && (regs.hcr & (El2.HCR_VM | El2.HCR_TGE)) == El2.HCR_VM;
        if (hasEl2) selectVmidSlot(stage2On);
        if (el2Regime) {
            singlePrivilege = !regs.e2h();
            sctlr = regs.sctlrEl2;
            mair = regs.mairEl2;
            ttbr0 = regs.ttbr0El2;
            if (singlePrivilege) {
                long t = regs.tcrEl2;
                tcr = t & 0xFFFF | (t >>> 16 & 7) << 32 | (t >>> 20 & 1) << 37 | 1L << 23;
                ttbr1 = 0;
            } else {
                tcr = regs.tcrEl2;
                ttbr1 = regs.ttbr1El2;
            }
            stage2 = false;
        } else {
            singlePrivilege = false;
            sctlr = regs.sctlr;
            mair = regs.mair;
            tcr = regs.tcr;
            ttbr0 = regs.ttbr0;
            ttbr1 = regs.ttbr1;
            stage2 = stage2On;
        }
        setStrictAlignment((sctlr & SysRegFile.SCTLR_A) != 0 || (sctlr & SysRegFile.SCTLR_M) == 0);
    }

    /** LDTR/STTR act as EL0 at EL1, and at EL2 only where EL2 is a host kernel's level (E2H and TGE). */
    private int effectiveEl() {
        return unprivileged && (cpu.el == 1 || cpu.el == 2 && regs.inHost()) ? 0 : cpu.el;
    }

    /** Stage 1 and, where it applies, stage 2: the physical address of {@code va}. */
    private long translate(long va, Access access) {
        int el = effectiveEl();
        long ipa = walk(va, access, el, el != 0 && cpu.pan);
        if (!stage2) return ipa;
        boolean s1Device = lastDevice;
        long pa = stage2(ipa, access, va, false);
        lastDevice |= s1Device;
        return pa;
    }

    @Override
    protected long translatePage(long va, Access access) {
        long pa = translate(va, access);
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
        long pa = translate(va, access);
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
        return inRegime(false, () -> parOf(walk(va, write ? Access.WRITE : Access.READ, el, false)));
    }

    /**
     * AT S1E2R/W ({@code el} 2), and AT S1E1/S1E0 executed by a host kernel at EL2 ({@code el} 2 or 0): PAR_EL1 for
     * a walk in the EL2 (or EL2&0) regime that ignores PAN.
     */
    public long addressTranslateEl2(long va, boolean write, int el) {
        return inRegime(true, () -> parOf(walk(va, write ? Access.WRITE : Access.READ, el, false)));
    }

    /** AT S12E1R/W and S12E0R/W: PAR_EL1 for both stages of the EL1&0 regime, from EL2. */
    public long addressTranslateStages12(long va, boolean write, int el) {
        return inRegime(false, () -> {
            Access access = write ? Access.WRITE : Access.READ;
            long ipa = walk(va, access, el, false);
            long par = parOf(ipa);
            return stage2 ? par & ~0xFFFF_FFFF_F000L | stage2(ipa, access, va, false) & 0xFFFF_FFFF_F000L : par;
        });
    }

    private long parOf(long pa) {
        boolean on = (sctlr & SysRegFile.SCTLR_M) != 0;
        long attr = on ? mair >>> 8 * (lastDescriptor >>> 2 & 7) & 0xFF : 0;
        long sh = on ? lastDescriptor >>> 8 & 3 : 0;
        return attr << 56 | pa & 0xFFFF_FFFF_F000L | 1L << 11 | sh << 7;
    }

    /**
     * Runs an AT walk in the EL1&0 regime or ({@code el2}) the EL2 one, whichever the current EL uses: a fault becomes
     * PAR_EL1's fault format (with S for stage 2 and PTW for stage 1's walk), then the current regime is restored.
     */
    private long inRegime(boolean el2, java.util.function.LongSupplier at) {
        boolean current = el2Regime;
        boolean switched = current != el2;
        int el = cpu.el;
        if (switched) {
            cpu.el = el2 ? 2 : 1;
            selectRegime();
        }
        try {
            return at.getAsLong();
        } catch (MemoryFault f) {
            long s2 = f.stage2 ? 1L << 9 | (f.s1ptw ? 1L << 8 : 0) : 0;
            return 1L << 11 | s2 | (long) statusCode(f) << 1 | 1;
        } finally {
            if (switched) {
                cpu.el = el;
                selectRegime();
            }
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
        if ((sctlr & SysRegFile.SCTLR_M) == 0) {
            if (va >>> 48 != 0) throw addressSizeFault(va, access, 0);
            // Data accesses are Device-nGnRnE: registersChanged made every one of them checked for alignment.
            lastDescriptor = 0;
            lastDevice = false;
            return va;
        }
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
        long table = (upper ? ttbr1 : ttbr0) & 0x0000_FFFF_FFFF_FFFEL;
        if (table >>> paBits != 0) throw addressSizeFault(va, access, level);
        boolean noEl0Table = false, readOnlyTable = false, uxnTable = false, pxnTable = false;
        while (true) {
            int shift = granule + stride * (3 - level);
            int bits = level == startLevel ? inputSize - shift : stride;
            long index = va >>> shift & (1L << bits) - 1;
            long entry = table + index * 8;
            if (stage2) entry = stage2(entry, access, va, true);
            long descriptor = readDescriptor(entry, va, access, level);
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
            long attr = mair >>> 8 * (descriptor >>> 2 & 7) & 0xFF;
            lastDevice = (attr & 0xF0) == 0;
            return output | va & (1L << shift) - 1;
        }
    }

    private void checkPermissions(long descriptor, long va, Access access, int el, boolean panActive, int level,
                                  boolean noEl0Table, boolean readOnlyTable, boolean uxnTable, boolean pxnTable) {
        boolean el0 = (descriptor >>> 6 & 1) != 0 && !noEl0Table;
        boolean readOnly = (descriptor >>> 7 & 1) != 0 || readOnlyTable;
        boolean wxn = (sctlr & SysRegFile.SCTLR_WXN) != 0 && !readOnly;
        boolean allowed;
        if (singlePrivilege) {
            // The EL2 regime without E2H: AP[1] is RES1 and bit 54 is the one XN, as UXN is for EL0.
            allowed = switch (access) {
                case READ -> true;
                case WRITE -> !readOnly;
                case EXECUTE -> (descriptor >>> 54 & 1) == 0 && !uxnTable && !wxn;
            };
        } else if (el == 0) {
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

    private static final int[][] STAGE2_START_LEVEL = {{2, 1, 0, -1}, {3, 2, 1, -1}, {3, 2, 1, -1}};

    /**
     * Stage-2 translation of {@code ipa} (VTTBR_EL2, VTCR_EL2) for an access to {@code va}; {@code s1ptw} when
     * stage 1's table walk makes the access. Throws a stage-2 MemoryFault as the walk would fault.
     */
    private long stage2(long ipa, Access access, long va, boolean s1ptw) {
        long vtcr = regs.vtcr;
        int tg = (int) (vtcr >>> 14) & 3;
        int granule = tg == 1 ? 16 : tg == 2 ? 14 : 12;
        int stride = granule - 3;
        int inputSize = 64 - Math.clamp((int) vtcr & 63, 16, 39);
        int level = STAGE2_START_LEVEL[granule == 12 ? 0 : granule == 14 ? 1 : 2][(int) (vtcr >>> 6) & 3];
        int paBits = PA_BITS[(int) (vtcr >>> 16 & 7)];
        int startShift = level < 0 ? 0 : granule + stride * (3 - level);
        int startBits = inputSize - startShift;
        // A starting level that leaves nothing, or more than 16 concatenated tables, to resolve is misprogrammed.
        if (level < 0 || startBits < 1 || startBits > stride + 4 || ipa >>> inputSize != 0) {
            throw stage2Fault(MemoryFault.Kind.TRANSLATION, va, access, 0, 0b000100, s1ptw, ipa);
        }
        long table = regs.vttbr & DESCRIPTOR_ADDRESS & -(8L << startBits);
        if (table >>> paBits != 0) {
            throw stage2Fault(MemoryFault.Kind.TRANSLATION, va, access, level, level, s1ptw, ipa);
        }
        int startLevel = level;
        while (true) {
            int shift = granule + stride * (3 - level);
            int bits = level == startLevel ? startBits : stride;
            long index = ipa >>> shift & (1L << bits) - 1;
            long descriptor = readDescriptor(table + index * 8, va, access, level);
            if ((descriptor & 1) == 0) {
                throw stage2Fault(MemoryFault.Kind.TRANSLATION, va, access, level, 0b000100 | level, s1ptw, ipa);
            }
            if ((descriptor & 2) != 0 && level < 3) {
                table = descriptor & DESCRIPTOR_ADDRESS & -(1L << granule);
                if (table >>> paBits != 0) {
                    throw stage2Fault(MemoryFault.Kind.TRANSLATION, va, access, level, level, s1ptw, ipa);
                }
                level++;
                continue;
            }
            boolean blockAllowed = level == 2 || level == 1 && granule == 12;
            if (level < 3 && !blockAllowed || level == 3 && (descriptor & 2) == 0) {
                throw stage2Fault(MemoryFault.Kind.TRANSLATION, va, access, level, 0b000100 | level, s1ptw, ipa);
            }
            long output = descriptor & DESCRIPTOR_ADDRESS & -(1L << shift);
            if (output >>> paBits != 0) {
                throw stage2Fault(MemoryFault.Kind.TRANSLATION, va, access, level, level, s1ptw, ipa);
            }
            if ((descriptor & 1L << 10) == 0) {
                throw stage2Fault(MemoryFault.Kind.PERMISSION, va, access, level, 0b001000 | level, s1ptw, ipa);
            }
            boolean device = (descriptor >>> 4 & 3) == 0;
            boolean allowed = switch (access) {
                case READ -> (descriptor >>> 6 & 1) != 0;
                case WRITE -> (descriptor >>> 7 & 1) != 0;
                case EXECUTE -> (descriptor >>> 54 & 1) == 0;
            };
            // HCR_EL2.PTW: stage 1's tables may not live in what stage 2 calls Device memory.
            if (s1ptw && device && (regs.hcr & El2.HCR_PTW) != 0) allowed = false;
            if (!allowed) {
                throw stage2Fault(MemoryFault.Kind.PERMISSION, va, access, level, 0b001100 | level, s1ptw, ipa);
            }
            lastDevice = device;
            return output | ipa & (1L << shift) - 1;
        }
    }

    private static MemoryFault stage2Fault(MemoryFault.Kind kind, long va, Access access, int level, int status,
                                           boolean s1ptw, long ipa) {
        return new MemoryFault(kind, va, access, level, status, s1ptw, ipa);
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
