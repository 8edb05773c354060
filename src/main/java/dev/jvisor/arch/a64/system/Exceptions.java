package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;

/**
 * Exception entry to EL1 or EL2 and exception return, over PSTATE kept in {@link Cpu} and the registers in
 * {@link SysRegFile}. Every level is AArch64; EL2 exists when the register file says so.
 */
public final class Exceptions {
    private Exceptions() {}

    /** Exception classes (ESR_ELx.EC) this CPU generates. */
    public static final int EC_UNKNOWN = 0x00, EC_WFX = 0x01, EC_ILLEGAL_STATE = 0x0E, EC_SVC = 0x15, EC_HVC = 0x16,
        EC_SMC = 0x17, EC_SYSREG = 0x18, EC_INSN_ABORT_LOWER = 0x20, EC_INSN_ABORT_SAME = 0x21,
        EC_PC_ALIGNMENT = 0x22, EC_DATA_ABORT_LOWER = 0x24, EC_DATA_ABORT_SAME = 0x25, EC_SERROR = 0x2F, EC_BRK = 0x3C;

    /** Vector offsets within a group of four. */
    public static final int SYNC = 0, IRQ = 0x80, FIQ = 0x100, SERROR = 0x180;

    /** ESR_ELx.IL: every A64 instruction is 32 bits. */
    static final long IL = 1L << 25;

    public static final int PSTATE_UAO = 1 << 23, PSTATE_PAN = 1 << 22, PSTATE_IL = 1 << 20;

    /** PSTATE as SPSR_ELx saves it. */
    public static long pstate(Cpu c) {
        long mode = c.el == 0 ? 0 : (long) c.el << 2 | (c.spSel ? 1 : 0);
        return (c.nzcv & 0xF000_0000L) | (c.uao ? PSTATE_UAO : 0) | (c.pan ? PSTATE_PAN : 0)
            | (c.illegalState ? PSTATE_IL : 0) | (c.daif & 0x3C0) | mode;
    }

    /** The level a synchronous exception from the current EL is taken to (HCR_EL2.TGE routes EL0's to EL2). */
    static int syncTarget(Cpu c, SysRegFile regs) {
        if (c.el == 2 || c.el == 0 && regs.hasEl2() && (regs.hcr & El2.HCR_TGE) != 0) return 2;
        return 1;
    }

    /**
     * Takes an exception to the level synchronous exceptions from the current EL go to: saves PSTATE and
     * {@code returnAddress}, records the syndrome ({@code esr} without IL, which is added for synchronous exceptions)
     * and returns the vector address the PC must go to.
     */
    public static long take(Cpu c, SysRegFile regs, int vector, long esr, long returnAddress) {
        return take(c, regs, syncTarget(c, regs), vector, esr, returnAddress);
    }

    /** Takes an exception to {@code target} (1 or 2, not below the current EL). */
    public static long take(Cpu c, SysRegFile regs, int target, int vector, long esr, long returnAddress) {
        regs.exceptions.taken(c, vector, esr, returnAddress, target);
        long saved = pstate(c);
        long base = (target == 2 ? regs.vbarEl2 : regs.vbar) + (c.el < target ? 0x400 : c.spSel ? 0x200 : 0);
        boolean pan;
        if (target == 2) {
            regs.spsrEl2 = saved;
            regs.elrEl2 = returnAddress;
            if (vector == SYNC) regs.esrEl2 = esr | IL;
            // PSTATE.PAN is set on entry only where EL2 is a host kernel's level; otherwise it is left alone.
            pan = c.pan || regs.inHost() && (regs.sctlrEl2 & SysRegFile.SCTLR_SPAN) == 0
                && regs.has(CpuModel.Feature.PAN);
        } else {
            regs.spsr = saved;
            regs.elr = returnAddress;
            if (vector == SYNC || vector == SERROR) regs.esr = esr | IL;
            pan = c.pan || (regs.sctlr & SysRegFile.SCTLR_SPAN) == 0 && regs.has(CpuModel.Feature.PAN);
        }
        c.daif = 0x3C0;
        c.illegalState = false;
        c.exclusiveSize = 0;
        c.uao = false;
        switchContext(c, regs, target, true, pan);
        return base + vector;
    }

    /** Synchronous exception with syndrome {@code ec}:{@code iss}, taken where the current EL's go. */
    public static long sync(Cpu c, SysRegFile regs, int ec, long iss, long returnAddress) {
        return take(c, regs, SYNC, (long) ec << 26 | iss, returnAddress);
    }

    /** Synchronous exception taken to EL2: a trap or a stage-2 fault. */
    public static long syncToEl2(Cpu c, SysRegFile regs, int ec, long iss, long returnAddress) {
        return take(c, regs, 2, SYNC, (long) ec << 26 | iss, returnAddress);
    }

    /**
     * ERET: PSTATE from SPSR_ELx, PC from ELR_ELx of the current EL. A return to a mode that does not exist here
     * (AArch32, EL3, a level above the current one, EL2 on a CPU without it, EL1 while HCR_EL2.TGE sends EL1's work
     * to EL2, EL0 with SP_ELx) is an illegal exception return: EL and SP stay, PSTATE.IL is set, and the next
     * instruction takes an Illegal Execution state exception.
     */
    public static long eret(Cpu c, SysRegFile regs) {
        boolean fromEl2 = c.el == 2;
        long spsr = fromEl2 ? regs.spsrEl2 : regs.spsr;
        int mode = (int) spsr & 0x1F;
        int el = mode >>> 2;
        c.nzcv = (int) spsr & 0xF000_0000;
        c.daif = (int) spsr & 0x3C0;
        c.uao = (spsr & PSTATE_UAO) != 0 && regs.has(CpuModel.Feature.UAO);
        c.exclusiveSize = 0;
        boolean pan = (spsr & PSTATE_PAN) != 0 && regs.has(CpuModel.Feature.PAN);
        boolean legal = (mode & 0b10010) == 0 && (el != 0 || (mode & 1) == 0) && el <= c.el
            && !(el == 1 && regs.hasEl2() && (regs.hcr & El2.HCR_TGE) != 0);
        if (legal) {
            c.illegalState = (spsr & PSTATE_IL) != 0;
            switchContext(c, regs, el, (mode & 1) != 0, pan);
        } else {
            c.illegalState = true;
            switchContext(c, regs, c.el, c.spSel, pan);
        }
        if (c.illegalState || mayTakeInterrupt(c, regs)) c.exitRequest = true;
        return fromEl2 ? regs.elrEl2 : regs.elr;
    }

    /** MSR SPSel: selects SP_EL0 or SP_ELx as x[31] at EL1 or EL2. */
    static void setSpSel(Cpu c, SysRegFile regs, boolean spSel) {
        switchContext(c, regs, c.el, spSel, c.pan);
    }

    /** Writes PSTATE.DAIF; an unmasking sends the engine back to the run loop to take what may be pending. */
    static void setDaif(Cpu c, SysRegFile regs, int daif) {
        c.daif = daif & 0x3C0;
        if (mayTakeInterrupt(c, regs)) c.exitRequest = true;
    }

    /**
     * Whether the run loop may now have an interrupt to take. Without EL2 that is an asserted line PSTATE does not
     * mask; with EL2, where routing decides what masks what, any interrupt {@link #mayInterrupt} sees.
     */
    static boolean mayTakeInterrupt(Cpu c, SysRegFile regs) {
        if (regs.hasEl2()) return mayInterrupt(c, regs);
        int masked = ((c.daif & 0x80) != 0 ? Cpu.IRQ_LINE : 0) | ((c.daif & 0x40) != 0 ? Cpu.FIQ_LINE : 0);
        return (c.interruptLines & ~masked & (Cpu.IRQ_LINE | Cpu.FIQ_LINE)) != 0;
    }

    /**
     * Whether an interrupt is asserted that the run loop must look at (and that ends a WFI): any physical one, and
     * at EL0 and EL1 the virtual ones, which do not exist at EL2.
     */
    static boolean mayInterrupt(Cpu c, SysRegFile regs) {
        int lines = c.interruptLines;
        if (!regs.hasEl2()) return lines != 0;
        if ((lines & (Cpu.IRQ_LINE | Cpu.FIQ_LINE)) != 0) return true;
        return c.el < 2 && ((lines & (Cpu.VIRQ_LINE | Cpu.VFIQ_LINE)) != 0
            || (regs.hcr & (El2.HCR_VI | El2.HCR_VF | El2.HCR_VSE)) != 0);
    }

    /**
     * Moves to exception level {@code el} with stack selection {@code spSel} and PSTATE.PAN {@code pan}: swaps the
     * banked stack pointer into x[31], and switches to the TLB checked for the new privilege.
     */
    private static void switchContext(Cpu c, SysRegFile regs, int el, boolean spSel, boolean pan) {
        int from = c.el > 0 && c.spSel ? c.el : 0;
        int to = el > 0 && spSel ? el : 0;
        if (from != to) {
            long sp = c.x[31];
            switch (from) {
                case 0 -> regs.spEl0 = sp;
                case 1 -> regs.spEl1 = sp;
                default -> regs.spEl2 = sp;
            }
            c.x[31] = switch (to) {
                case 0 -> regs.spEl0;
                case 1 -> regs.spEl1;
                default -> regs.spEl2;
            };
        }
        boolean privilegeChanged = c.el != el || c.pan != pan;
        c.el = el;
        c.spSel = spSel;
        c.pan = pan;
        if (privilegeChanged && regs.mmu != null) regs.mmu.privilegeChanged();
    }
}
