package dev.jvisor.machine.gic;

/**
 * The GICv3 virtual CPU interface of one vCPU: the hypervisor's ICH_*_EL2 view (list registers, ICH_HCR_EL2,
 * ICH_VMCR_EL2, the active-priority registers and the status registers derived from them) and the guest's ICV_*_EL1
 * view of the same state, which an EL1 access of an ICC_* register reaches when HCR_EL2.IMO/FMO is set. The
 * interface implements {@link #LIST_REGISTERS} list registers, 5 bits of virtual priority and preemption, and 16-bit
 * virtual INTIDs. Not thread-safe: {@link GicV3} calls it with its lock held.
 */
final class VirtualInterface {
    static final int LIST_REGISTERS = 4;
    private static final int PRIORITY_BITS = 5;
    static final int SPURIOUS = 1023;
    /** ICH_VTR_EL2: PRIbits and PREbits 5 (encoded minus one), IDbits 16, no direct injection (nV4), list count. */
    static final long VTR = (long) (PRIORITY_BITS - 1) << 29 | (long) (PRIORITY_BITS - 1) << 26 | 1L << 20
        | (LIST_REGISTERS - 1);

    private static final long STATE_PENDING = 1L << 62, STATE_ACTIVE = 2L << 62, STATE = 3L << 62;
    private static final long HW = 1L << 61, GROUP1 = 1L << 60, EOI = 1L << 41;
    /** ICH_LR bits that exist: State, HW, Group, Priority (top 5 bits), pINTID, vINTID (16 bits). */
    private static final long LR_WRITABLE = STATE | HW | GROUP1 | 0xF8L << 48 | 0x3FFL << 32 | 0xFFFF;

    /** ICH_HCR_EL2: En, UIE, LRENPIE, NPIE, VGrp0EIE, VGrp0DIE, VGrp1EIE, VGrp1DIE, TC, TALL0, TALL1, TSEI, TDIR. */
    private static final long HCR_WRITABLE = 0xFF | 0x7C00;
    /** ICH_VMCR_EL2: VENG0, VENG1, VAckCtl, VFIQEn, VCBPR, VEOIM, VBPR1, VBPR0, VPMR. */
    private static final long VMCR_WRITABLE = 0x1F | 1 << 9 | 7 << 18 | 7 << 21 | 0xFFL << 24;

    long hcr;
    long vmcr;
    final long[] lr = new long[LIST_REGISTERS];
    int ap0;
    int ap1;

    // ---- the hypervisor's registers ----

    void writeHcr(long value) {
        hcr = value & (HCR_WRITABLE | 0x1FL << 27);
    }

    void writeVmcr(long value) {
        long v = value & VMCR_WRITABLE;
        // The binary points have minimums set by the preemption bits, as ICC_BPR0/1 do.
        int minBpr0 = 7 - PRIORITY_BITS;
        int bpr0 = Math.max(minBpr0, (int) (v >>> 21 & 7));
        int bpr1 = Math.max(minBpr0 + 1, (int) (v >>> 18 & 7));
        int pmr = (int) (v >>> 24) & 0xF8;
        // GICv3 system-register interfaces have VFIQEn RES1: group 0 is always signalled as a virtual FIQ.
        vmcr = v & ~(0xFFL << 18) | (long) bpr1 << 18 | (long) bpr0 << 21 | (long) pmr << 24 | 1 << 3;
    }

    void writeLr(int n, long value) {
        lr[n] = value & LR_WRITABLE;
    }

    boolean enabled() {
        return (hcr & 1) != 0;
    }

    /** ICH_EISR_EL2: list registers holding an EOI maintenance request that has happened. */
    long eisr() {
        long bits = 0;
        for (int n = 0; n < LIST_REGISTERS; n++) {
            if ((lr[n] & STATE) == 0 && (lr[n] & HW) == 0 && (lr[n] & EOI) != 0) bits |= 1L << n;
        }
        return bits;
    }

    /** ICH_ELRSR_EL2: list registers free for a new interrupt. */
    long elrsr() {
        long bits = 0;
        for (int n = 0; n < LIST_REGISTERS; n++) {
            if ((lr[n] & STATE) == 0 && ((lr[n] & HW) != 0 || (lr[n] & EOI) == 0)) bits |= 1L << n;
        }
        return bits;
    }

    /** ICH_MISR_EL2: the maintenance conditions that hold and that ICH_HCR_EL2 asks to be told about. */
    long misr() {
        int valid = 0;
        boolean anyPending = false;
        for (long l : lr) {
            if ((l & STATE) != 0) valid++;
            if ((l & STATE_PENDING) != 0) anyPending = true;
        }
        boolean eng0 = (vmcr & 1) != 0, eng1 = (vmcr & 2) != 0;
        long misr = eisr() != 0 ? 1 : 0;
        if ((hcr & 2) != 0 && valid <= 1) misr |= 2;
        if ((hcr & 4) != 0 && (hcr >>> 27) != 0) misr |= 4;
        if ((hcr & 8) != 0 && !anyPending) misr |= 8;
        if ((hcr & 0x10) != 0 && eng0) misr |= 0x10;
        if ((hcr & 0x20) != 0 && !eng0) misr |= 0x20;
        if ((hcr & 0x40) != 0 && eng1) misr |= 0x40;
        if ((hcr & 0x80) != 0 && !eng1) misr |= 0x80;
        return misr;
    }

    /** The maintenance interrupt's level. */
    boolean maintenance() {
        return enabled() && misr() != 0;
    }

    // ---- the guest's view ----

    private int runningPriority() {
        int active = ap0 | ap1;
        return active == 0 ? 0xFF : Integer.numberOfTrailingZeros(active) << 3;
    }

    private int groupPriority(int priority, boolean group1) {
        boolean cbpr = (vmcr & 0x10) != 0;
        int bpr = group1 && !cbpr ? (int) (vmcr >>> 18 & 7) : (int) (vmcr >>> 21 & 7) + 1;
        return priority & (0xFF << bpr) & 0xFF;
    }

    private static int priority(long l) {
        return (int) (l >>> 48) & 0xFF;
    }

    private boolean groupEnabled(long l) {
        return (l & GROUP1) != 0 ? (vmcr & 2) != 0 : (vmcr & 1) != 0;
    }

    /** The list register of the highest-priority pending interrupt of an enabled group, or -1. */
    private int highestPending() {
        int best = -1;
        for (int n = 0; n < LIST_REGISTERS; n++) {
            long l = lr[n];
            if ((l & STATE) != STATE_PENDING || !groupEnabled(l)) continue;
            if (best < 0 || priority(l) < priority(lr[best])) best = n;
        }
        return best;
    }

    /** The list register of the interrupt that would be signalled now (unmasked by VPMR and preempting), or -1. */
    private int signalled() {
        if (!enabled()) return -1;
        int n = highestPending();
        if (n < 0) return -1;
        long l = lr[n];
        int pmr = (int) (vmcr >>> 24) & 0xFF;
        boolean takes = priority(l) < pmr && groupPriority(priority(l), (l & GROUP1) != 0) < runningPriority();
        return takes ? n : -1;
    }

    /** The virtual IRQ (group 1) and virtual FIQ (group 0) levels: bit 0 IRQ, bit 1 FIQ. */
    int lines() {
        int n = signalled();
        if (n < 0) return 0;
        return (lr[n] & GROUP1) != 0 ? 1 : 2;
    }

    /** ICV_IAR0/1_EL1: acknowledges the signalled interrupt of {@code group1}'s group. */
    long acknowledge(boolean group1) {
        int n = signalled();
        if (n < 0 || ((lr[n] & GROUP1) != 0) != group1) return SPURIOUS;
        long l = lr[n];
        int bit = 1 << (groupPriority(priority(l), group1) >>> 3);
        if (group1) ap1 |= bit;
        else ap0 |= bit;
        lr[n] = l & ~STATE | STATE_ACTIVE;
        return l & 0xFFFF;
    }

    /** ICV_HPPIR0/1_EL1. */
    long highestPendingOfGroup(boolean group1) {
        int n = highestPending();
        return n >= 0 && ((lr[n] & GROUP1) != 0) == group1 ? lr[n] & 0xFFFF : SPURIOUS;
    }

    /**
     * ICV_EOIR0/1_EL1: drops the running priority and, unless VEOIM splits the two, deactivates the interrupt.
     * Returns the physical INTID to deactivate for a hardware interrupt, else -1.
     */
    int endOfInterrupt(long value) {
        int intid = (int) value & 0xFF_FFFF;
        if (intid >= 1020 && intid <= 1023) return -1;
        int active = ap0 | ap1;
        if (active != 0) {
            int lowest = Integer.lowestOneBit(active);
            if ((ap0 & lowest) != 0) ap0 &= ~lowest;
            else ap1 &= ~lowest;
        }
        return (vmcr & 1 << 9) != 0 ? -1 : deactivate(intid);
    }

    /** ICV_DIR_EL1 (meaningful with VEOIM): returns the physical INTID to deactivate, else -1. */
    int deactivateInterrupt(long value) {
        if ((vmcr & 1 << 9) == 0) return -1;
        return deactivate((int) value & 0xFF_FFFF);
    }

    /** Deactivates the list register holding {@code intid}; with none, counts the EOI in ICH_HCR_EL2.EOIcount. */
    private int deactivate(int intid) {
        for (int n = 0; n < LIST_REGISTERS; n++) {
            long l = lr[n];
            if ((l & STATE_ACTIVE) != 0 && (l & 0xFFFF) == intid) {
                lr[n] = l & ~STATE_ACTIVE;
                return (l & HW) != 0 ? (int) (l >>> 32 & 0x3FF) : -1;
            }
        }
        long count = (hcr >>> 27) + 1 & 0x1F;
        hcr = hcr & ~(0x1FL << 27) | count << 27;
        return -1;
    }

    long runningPriorityRegister() {
        return runningPriority();
    }

    /** ICV_CTLR_EL1: PRIbits and IDbits read-only, EOImode and CBPR from ICH_VMCR_EL2. */
    long control() {
        return (long) (PRIORITY_BITS - 1) << 8 | ((vmcr & 1 << 9) != 0 ? 2 : 0) | ((vmcr & 0x10) != 0 ? 1 : 0);
    }

    void writeControl(long value) {
        vmcr = vmcr & ~(1L << 9 | 0x10) | ((value & 2) != 0 ? 1L << 9 : 0) | ((value & 1) != 0 ? 0x10 : 0);
    }
}
