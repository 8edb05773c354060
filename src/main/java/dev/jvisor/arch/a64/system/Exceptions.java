package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;

/**
 * Exception entry to EL1 and exception return, over PSTATE kept in {@link Cpu} and the EL1 registers in
 * {@link SysRegFile}. Only EL0 and EL1 exist, both AArch64, so every exception is taken to EL1.
 */
public final class Exceptions {
    private Exceptions() {}

    /** Exception classes (ESR_ELx.EC) this CPU generates. */
    public static final int EC_UNKNOWN = 0x00, EC_WFX = 0x01, EC_ILLEGAL_STATE = 0x0E, EC_SVC = 0x15, EC_HVC = 0x16,
        EC_SMC = 0x17, EC_INSN_ABORT_LOWER = 0x20, EC_INSN_ABORT_SAME = 0x21, EC_PC_ALIGNMENT = 0x22,
        EC_DATA_ABORT_LOWER = 0x24, EC_DATA_ABORT_SAME = 0x25, EC_BRK = 0x3C;

    /** Vector offsets within a group of four. */
    public static final int SYNC = 0, IRQ = 0x80, FIQ = 0x100, SERROR = 0x180;

    /** ESR_ELx.IL: every A64 instruction is 32 bits. */
    static final long IL = 1L << 25;

    public static final int PSTATE_UAO = 1 << 23, PSTATE_PAN = 1 << 22, PSTATE_IL = 1 << 20;

    /** PSTATE as SPSR_EL1 saves it. */
    public static long pstate(Cpu c) {
        long mode = c.el == 0 ? 0 : (long) c.el << 2 | (c.spSel ? 1 : 0);
        return (c.nzcv & 0xF000_0000L) | (c.uao ? PSTATE_UAO : 0) | (c.pan ? PSTATE_PAN : 0)
            | (c.illegalState ? PSTATE_IL : 0) | (c.daif & 0x3C0) | mode;
    }

    /**
     * Takes an exception to EL1: saves PSTATE and {@code returnAddress}, records the syndrome ({@code esr} without IL,
     * which is added for synchronous exceptions) and returns the vector address the PC must go to.
     */
    public static long take(Cpu c, SysRegFile regs, int vector, long esr, long returnAddress) {
        regs.exceptions.taken(c, vector, esr, returnAddress);
        regs.spsr = pstate(c);
        regs.elr = returnAddress;
        if (vector == SYNC) regs.esr = esr | IL;
        long base = regs.vbar + (c.el == 0 ? 0x400 : c.spSel ? 0x200 : 0);
        c.daif = 0x3C0;
        c.illegalState = false;
        c.exclusiveSize = 0;
        c.uao = false;
        boolean pan = c.pan || (regs.sctlr & SysRegFile.SCTLR_SPAN) == 0 && regs.has(CpuModel.Feature.PAN);
        switchContext(c, regs, 1, true, pan);
        return base + vector;
    }

    /** Synchronous exception with syndrome {@code ec}:{@code iss}. */
    public static long sync(Cpu c, SysRegFile regs, int ec, long iss, long returnAddress) {
        return take(c, regs, SYNC, (long) ec << 26 | iss, returnAddress);
    }

    /**
     * ERET from EL1: PSTATE from SPSR_EL1, PC from ELR_EL1. A return to a mode that does not exist here (AArch32,
     * EL2, EL3, EL0 with SP_EL1) is an illegal exception return: EL and SP stay, PSTATE.IL is set, and the next
     * instruction takes an Illegal Execution state exception.
     */
    public static long eret(Cpu c, SysRegFile regs) {
        long spsr = regs.spsr;
        int mode = (int) spsr & 0x1F;
        c.nzcv = (int) spsr & 0xF000_0000;
        c.daif = (int) spsr & 0x3C0;
        c.uao = (spsr & PSTATE_UAO) != 0 && regs.has(CpuModel.Feature.UAO);
        c.exclusiveSize = 0;
        boolean pan = (spsr & PSTATE_PAN) != 0 && regs.has(CpuModel.Feature.PAN);
        boolean legal = mode == 0b00000 || mode == 0b00100 || mode == 0b00101;
        if (legal) {
            c.illegalState = (spsr & PSTATE_IL) != 0;
            switchContext(c, regs, mode >>> 2, (mode & 1) != 0, pan);
        } else {
            c.illegalState = true;
            switchContext(c, regs, c.el, c.spSel, pan);
        }
        if (c.illegalState || (c.interruptLines & ~masked(c)) != 0) c.exitRequest = true;
        return regs.elr;
    }

    /** MSR SPSel: selects SP_EL0 or SP_EL1 as x[31] at EL1. */
    static void setSpSel(Cpu c, SysRegFile regs, boolean spSel) {
        switchContext(c, regs, c.el, spSel, c.pan);
    }

    /** Interrupt lines (Cpu.IRQ_LINE, FIQ_LINE) PSTATE masks now. */
    static int masked(Cpu c) {
        return ((c.daif & 0x80) != 0 ? Cpu.IRQ_LINE : 0) | ((c.daif & 0x40) != 0 ? Cpu.FIQ_LINE : 0);
    }

    /** Writes PSTATE.DAIF; unmasking a pending interrupt sends the engine back to the run loop to take it. */
    static void setDaif(Cpu c, int daif) {
        c.daif = daif & 0x3C0;
        if ((c.interruptLines & ~masked(c)) != 0) c.exitRequest = true;
    }

    /**
     * Moves to exception level {@code el} with stack selection {@code spSel} and PSTATE.PAN {@code pan}: swaps the
     * banked stack pointer into x[31], and switches to the TLB checked for the new privilege.
     */
    private static void switchContext(Cpu c, SysRegFile regs, int el, boolean spSel, boolean pan) {
        boolean wasSpEl1 = c.el > 0 && c.spSel;
        boolean isSpEl1 = el > 0 && spSel;
        if (wasSpEl1 != isSpEl1) {
            if (wasSpEl1) {
                regs.spEl1 = c.x[31];
                c.x[31] = regs.spEl0;
            } else {
                regs.spEl0 = c.x[31];
                c.x[31] = regs.spEl1;
            }
        }
        boolean privilegeChanged = c.el != el || c.pan != pan;
        c.el = el;
        c.spSel = spSel;
        c.pan = pan;
        if (privilegeChanged && regs.mmu != null) regs.mmu.privilegeChanged();
    }
}
