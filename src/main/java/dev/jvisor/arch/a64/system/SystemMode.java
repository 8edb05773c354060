package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.arch.a64.SysReg;
import dev.jvisor.arch.a64.SystemHooks;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.memory.Access;
import dev.jvisor.memory.MemoryFault;

/**
 * What the instructions that leave the CPU core do on a machine with EL0 and EL1: they become exceptions taken to
 * EL1, system-register accesses reach {@link SysRegFile}, and TLB and address-translation instructions reach the
 * {@link Mmu}. HVC and SMC from EL1 go to the machine's firmware (PSCI) when it has one, as if EL2/EL3 firmware
 * answered them; otherwise they are UNDEFINED, as on a CPU without those levels. One instance per vCPU.
 */
public final class SystemMode implements SystemHooks {
    /** Firmware reached by HVC/SMC from EL1: reads x0..x3 of {@code cpu}, returns the value for x0. */
    public interface Firmware {
        long call(Cpu cpu, boolean smc, int imm);
    }

    public final SysRegFile regs;
    public final Mmu mmu;
    private final Firmware firmware;
    /** Every MMU of the machine, for broadcast TLB maintenance (the ...IS forms); includes {@link #mmu}. */
    private final Mmu[] innerShareable;
    /** Set by WFI: the run loop blocks until an interrupt line is asserted. */
    volatile boolean waiting;

    public SystemMode(SysRegFile regs, Mmu mmu, Firmware firmware, Mmu... innerShareable) {
        this.regs = regs;
        this.mmu = mmu;
        this.firmware = firmware;
        this.innerShareable = innerShareable.length == 0 ? new Mmu[] {mmu} : innerShareable.clone();
    }

    @Override
    public long svc(Cpu c, int imm, long pc) {
        return Exceptions.sync(c, regs, Exceptions.EC_SVC, imm, pc + 4);
    }

    /**
     * With EL2, HVC from EL1 or EL2 is an exception to EL2 (unless HCR_EL2.HCD disables it); without, the machine's
     * firmware answers it as a hypervisor would.
     */
    @Override
    public long hvc(Cpu c, int imm, long pc) {
        if (!regs.hasEl2()) return firmwareCall(c, false, imm, pc);
        if (c.el == 0 || (regs.hcr & El2.HCR_HCD) != 0) return undefined(c, 0, pc);
        return Exceptions.syncToEl2(c, regs, Exceptions.EC_HVC, imm, pc + 4);
    }

    /** SMC reaches the firmware (EL3) unless HCR_EL2.TSC traps it from EL1 to EL2, before it executes. */
    @Override
    public long smc(Cpu c, int imm, long pc) {
        if (c.el == 1 && regs.hasEl2() && (regs.hcr & El2.HCR_TSC) != 0) {
            return Exceptions.syncToEl2(c, regs, Exceptions.EC_SMC, imm, pc);
        }
        return firmwareCall(c, true, imm, pc);
    }

    private long firmwareCall(Cpu c, boolean smc, int imm, long pc) {
        if (c.el == 0 || firmware == null) return undefined(c, 0, pc);
        c.x[0] = firmware.call(c, smc, imm);
        return pc + 4;
    }

    @Override
    public long brk(Cpu c, int imm, long pc) {
        return Exceptions.sync(c, regs, Exceptions.EC_BRK, imm, pc);
    }

    /**
     * An UNDEFINED instruction, or an MRS, MSR or SYS that EL2's controls trap ({@link SysRegFile#trapToEl2}): that
     * one goes to EL2 with the instruction's op0, op1, CRn, CRm, op2, Rt and direction as its syndrome.
     */
    @Override
    public long undefined(Cpu c, int insn, long pc) {
        if (regs.trapToEl2) {
            regs.trapToEl2 = false;
            long iss = (long) (insn >>> 19 & 3) << 20 | (long) (insn >>> 5 & 7) << 17 | (long) (insn >>> 16 & 7) << 14
                | (long) (insn >>> 12 & 15) << 10 | (long) (insn & 31) << 5 | (long) (insn >>> 8 & 15) << 1
                | (insn >>> 21 & 1);
            return Exceptions.syncToEl2(c, regs, Exceptions.EC_SYSREG, iss, pc);
        }
        return Exceptions.sync(c, regs, Exceptions.EC_UNKNOWN, 0, pc);
    }

    /**
     * A stage-1 fault is taken where the current EL's synchronous exceptions go; a stage-2 fault always goes to EL2,
     * with the faulting IPA in HPFAR_EL2 and, for a single load or store, the syndrome a hypervisor needs to
     * emulate the access (ISV, SAS, SSE, SRT, SF).
     */
    @Override
    public long memoryFault(Cpu c, MemoryFault f, long pc) {
        int target = f.stage2 ? 2 : Exceptions.syncTarget(c, regs);
        if (target == 2) regs.farEl2 = f.address;
        else regs.far = f.address;
        if (f.stage2) regs.hpfar = f.ipa >>> 12 << 4 & 0x0FFF_FFFF_FFF0L;
        boolean lower = c.el < target;
        long s1ptw = f.s1ptw ? 1 << 7 : 0;
        if (f.access == Access.EXECUTE) {
            if (f.kind == MemoryFault.Kind.ALIGNMENT) {
                return Exceptions.take(c, regs, target, Exceptions.SYNC, (long) Exceptions.EC_PC_ALIGNMENT << 26, pc);
            }
            int ec = lower ? Exceptions.EC_INSN_ABORT_LOWER : Exceptions.EC_INSN_ABORT_SAME;
            return Exceptions.take(c, regs, target, Exceptions.SYNC, (long) ec << 26 | s1ptw | Mmu.statusCode(f), pc);
        }
        int ec = lower ? Exceptions.EC_DATA_ABORT_LOWER : Exceptions.EC_DATA_ABORT_SAME;
        long wnr = f.access == Access.WRITE ? 1 << 6 : 0;
        long access = f.stage2 && !f.s1ptw ? loadStoreSyndrome(c, pc) : 0;
        return Exceptions.take(c, regs, target, Exceptions.SYNC,
            (long) ec << 26 | access | s1ptw | wnr | Mmu.statusCode(f), pc);
    }

    /**
     * ISV and the fields it validates for the instruction at {@code pc} if it is a single general-purpose load or
     * store without writeback (LDR/STR in their sign-extending, unscaled and register-offset forms, LDAR/STLR), else
     * 0: accesses to SIMD and FP registers, pairs, writeback forms and atomics carry no syndrome.
     */
    private static long loadStoreSyndrome(Cpu c, long pc) {
        int insn;
        try {
            insn = c.mem.fetch32(pc);
        } catch (MemoryFault e) {
            return 0;
        }
        int size = insn >>> 30;
        if ((insn & 0x3FA0_8000) == 0x0880_8000) {
            // LDAR, STLR: acquire/release, zero-extending.
            return 1L << 24 | (long) size << 22 | (long) (insn & 31) << 16 | (size == 3 ? 1L << 15 : 0) | 1L << 14;
        }
        boolean singleRegister = (insn & 0x3F00_0000) == 0x3900_0000 // unsigned offset
            || (insn & 0x3F20_0C00) == 0x3800_0000 // unscaled immediate
            || (insn & 0x3F20_0C00) == 0x3820_0800; // register offset
        int opc = insn >>> 22 & 3;
        if (!singleRegister || opc >= 2 && size == 3 || opc == 3 && size == 2) return 0; // PRFM, unallocated
        boolean signed = opc >= 2;
        boolean sixtyFour = opc == 2 || opc < 2 && size == 3;
        return 1L << 24 | (long) size << 22 | (signed ? 1L << 21 : 0) | (long) (insn & 31) << 16
            | (sixtyFour ? 1L << 15 : 0);
    }

    /**
     * CTR_EL0 and the counters, which the core answers itself: HCR_EL2.TID2 and CNTHCTL_EL2 may trap them to EL2,
     * and the virtual counter is the physical one less CNTVOFF_EL2 where that applies.
     */
    @Override
    public long readCoreRegister(Cpu c, int encoding, long value) {
        if (!regs.hasEl2()) return value;
        if (c.el == 1 || c.el == 0 && !regs.inHost()) {
            boolean trap = switch (encoding) {
                case SysReg.CTR_EL0 -> (regs.hcr & El2.HCR_TID2) != 0;
                case SysReg.CNTPCT_EL0, SysReg.CNTPCTSS_EL0 -> (regs.cnthctl & (regs.e2h() ? 1 << 10 : 1)) == 0;
                default -> false;
            };
            if (trap) {
                regs.trapToEl2 = true;
                throw new UndefinedInstruction("trapped to EL2");
            }
        }
        if (encoding == SysReg.CNTVCT_EL0 || encoding == SysReg.CNTVCTSS_EL0) return value - regs.virtualOffset(c);
        // DCZID_EL0.DZP tells EL0 and EL1 that DC ZVA is not for them while HCR_EL2.TDZ traps it.
        if (encoding == SysReg.DCZID_EL0 && dataCacheZeroTrapped(c)) return value | 1 << 4;
        return value;
    }

    private boolean dataCacheZeroTrapped(Cpu c) {
        return regs.hasEl2() && (regs.hcr & El2.HCR_TDZ) != 0 && (c.el == 1 || c.el == 0 && !regs.inHost());
    }

    @Override
    public boolean trapsDataCacheZero(Cpu c) {
        if (!dataCacheZeroTrapped(c)) return false;
        regs.trapToEl2 = true;
        return true;
    }

    @Override
    public long readSysReg(Cpu c, int encoding) {
        return regs.read(c, encoding);
    }

    @Override
    public void writeSysReg(Cpu c, int encoding, long value) {
        regs.write(c, encoding, value);
    }

    /** ISS of a trapped WFI/WFE: condition valid, condition "always", TI telling which. */
    private static long wfxIss(boolean wfe) {
        return 1L << 24 | 0xEL << 20 | (wfe ? 1 : 0);
    }

    /** EL0's WFI/WFE trap as SCTLR_EL1 (or SCTLR_EL2 for a host's EL0) says, before EL2's traps apply. */
    private boolean wfxTrapped(Cpu c, boolean wfe) {
        return c.el == 0 && (regs.el0Sctlr() & (wfe ? SysRegFile.SCTLR_NTWE : SysRegFile.SCTLR_NTWI)) == 0;
    }

    /** HCR_EL2.TWI/TWE trap EL0's and EL1's WFI/WFE to EL2. */
    private boolean wfxTrappedToEl2(Cpu c, boolean wfe) {
        return c.el < 2 && regs.hasEl2() && (regs.hcr & (wfe ? El2.HCR_TWE : El2.HCR_TWI)) != 0;
    }

    @Override
    public long waitForInterrupt(Cpu c, long pc) {
        if (wfxTrapped(c, false)) return Exceptions.sync(c, regs, Exceptions.EC_WFX, wfxIss(false), pc);
        if (wfxTrappedToEl2(c, false)) return Exceptions.syncToEl2(c, regs, Exceptions.EC_WFX, wfxIss(false), pc);
        waiting = true;
        c.exitRequest = true;
        return pc + 4;
    }

    /**
     * Makes the vCPU wait for an interrupt once the current instruction completes, as WFI would: a PSCI
     * CPU_SUSPEND to a standby state.
     */
    public void enterStandby(Cpu c) {
        waiting = true;
        c.exitRequest = true;
    }

    @Override
    public long waitForEvent(Cpu c, long pc) {
        if (wfxTrapped(c, true)) return Exceptions.sync(c, regs, Exceptions.EC_WFX, wfxIss(true), pc);
        if (wfxTrappedToEl2(c, true)) return Exceptions.syncToEl2(c, regs, Exceptions.EC_WFX, wfxIss(true), pc);
        Thread.onSpinWait();
        return pc + 4;
    }

    @Override
    public long exceptionReturn(Cpu c, long pc) {
        if (c.el == 0) throw new UndefinedInstruction("ERET at EL0");
        return Exceptions.eret(c, regs);
    }

    @Override
    public void writePstateField(Cpu c, int op1, int op2, int crm) {
        boolean el0 = c.el == 0;
        switch (op1 << 3 | op2) {
            case 3 << 3 | 6 -> {
                if (el0 && (regs.el0Sctlr() & SysRegFile.SCTLR_UMA) == 0) {
                    throw new UndefinedInstruction("DAIFSet at EL0");
                }
                Exceptions.setDaif(c, regs, c.daif | crm << 6);
            }
            case 3 << 3 | 7 -> {
                if (el0 && (regs.el0Sctlr() & SysRegFile.SCTLR_UMA) == 0) {
                    throw new UndefinedInstruction("DAIFClr at EL0");
                }
                Exceptions.setDaif(c, regs, c.daif & ~(crm << 6));
            }
            case 0 << 3 | 5 -> {
                if (el0) throw new UndefinedInstruction("SPSel at EL0");
                Exceptions.setSpSel(c, regs, (crm & 1) != 0);
            }
            case 0 << 3 | 4 -> {
                if (el0 || !regs.has(CpuModel.Feature.PAN)) throw new UndefinedInstruction("MSR PAN");
                regs.setPan(c, (crm & 1) != 0);
            }
            case 0 << 3 | 3 -> {
                if (el0 || !regs.has(CpuModel.Feature.UAO)) throw new UndefinedInstruction("MSR UAO");
                c.uao = (crm & 1) != 0;
            }
            default -> throw new UndefinedInstruction("MSR (immediate) to an unimplemented PSTATE field");
        }
    }

    @Override
    public void systemInstruction(Cpu c, int encoding, long value) {
        if (c.el == 0) throw new UndefinedInstruction("system instruction at EL0");
        int op1 = encoding >>> 11 & 7, crn = encoding >>> 7 & 15, crm = encoding >>> 3 & 15, op2 = encoding & 7;
        if (op1 == 4) {
            if (c.el != 2) throw new UndefinedInstruction("EL2 system instruction at EL1");
            el2SystemInstruction(c, encoding, value);
            return;
        }
        if (op1 != 0) throw new UndefinedInstruction("SYS op1 " + op1);
        boolean guest = c.el == 1 && regs.hasEl2();
        if (crn == 7 && crm == 8 && op2 <= 3) {
            // AT S1E1R, S1E1W, S1E0R, S1E0W; at EL2 with E2H and TGE they walk the host's EL2&0 regime.
            boolean write = (op2 & 1) != 0;
            if (c.el == 2 && regs.inHost()) regs.par = mmu.addressTranslateEl2(value, write, op2 >= 2 ? 0 : 2);
            else regs.par = mmu.addressTranslate(value, write, op2 >= 2 ? 0 : 1);
        } else if (crn == 8 && (crm == 3 || crm == 7) && (op2 <= 3 || op2 == 5 || op2 == 7)) {
            // TLBI VMALLE1, VAE1, ASIDE1, VAAE1, VALE1, VAALE1 and their IS forms. The TLB holds only the current
            // ASID's translations, so dropping all of the regime's is exact for each of them.
            if (guest && (regs.hcr & El2.HCR_TTLB) != 0) trap();
            if (c.el == 2 && regs.inHost()) mmu.flushEl2Regime();
            else mmu.flushEl1Regime();
            if (crm == 3) broadcastFlush();
        } else if (crn == 7 && crm == 6 && op2 == 1) {
            // DC IVAC needs write permission; with no caches modelled, memory is already what it would hold.
            mmu.probeWrite(value);
        } else if (crn == 7 && (crm == 6 || crm == 10 || crm == 14) && op2 == 2) {
            // DC ISW, CSW, CISW: set/way operations on caches this CPU does not have (CLIDR describes none that
            // could hold data other than memory's).
            if (guest && (regs.hcr & El2.HCR_TSW) != 0) trap();
        } else {
            throw new UndefinedInstruction("SYS " + Integer.toHexString(encoding));
        }
    }

    /** An access EL2 traps: UNDEFINED here, an EC 0x18 exception to EL2 in {@link #undefined}. */
    private void trap() {
        regs.trapToEl2 = true;
        throw new UndefinedInstruction("trapped to EL2");
    }

    /** The op1 4 system instructions, at EL2: the EL2 and stage-2 TLB maintenance and address translation. */
    private void el2SystemInstruction(Cpu c, int encoding, long value) {
        int crn = encoding >>> 7 & 15, crm = encoding >>> 3 & 15, op2 = encoding & 7;
        if (crn == 7 && crm == 8 && (op2 <= 1 || op2 >= 4)) {
            // AT S1E2R, S1E2W; AT S12E1R, S12E1W, S12E0R, S12E0W.
            boolean write = (op2 & 1) != 0;
            regs.par = op2 <= 1 ? mmu.addressTranslateEl2(value, write, 2)
                : mmu.addressTranslateStages12(value, write, op2 >= 6 ? 0 : 1);
            return;
        }
        if (crn != 8) throw new UndefinedInstruction("SYS " + Integer.toHexString(encoding));
        boolean broadcast = crm == 3 || crm == 0;
        switch (crm << 3 | op2) {
            // ALLE2, VAE2, VALE2 (and IS): the EL2 regime's translations.
            case 3 << 3 | 0, 3 << 3 | 1, 3 << 3 | 5, 7 << 3 | 0, 7 << 3 | 1, 7 << 3 | 5 -> mmu.flushEl2Regime();
            // ALLE1 (and IS): the EL1&0 regime's translations of every VMID.
            case 3 << 3 | 4, 7 << 3 | 4 -> mmu.flushAllEl1Regimes();
            // VMALLS12E1, IPAS2E1, IPAS2LE1 (and IS): the current VMID's, stage 2 included.
            case 3 << 3 | 6, 7 << 3 | 6, 0 << 3 | 1, 0 << 3 | 5, 4 << 3 | 1, 4 << 3 | 5 -> mmu.flushEl1Regime();
            default -> throw new UndefinedInstruction("TLBI " + Integer.toHexString(encoding));
        }
        if (broadcast) broadcastFlush();
    }

    /**
     * A TLBI ...IS completes only when no vCPU can use what it invalidated any more (the DSB after it in the guest
     * cannot wait for more than that), so this waits for every running vCPU to flush.
     */
    private void broadcastFlush() {
        long[] tickets = new long[innerShareable.length];
        for (int i = 0; i < innerShareable.length; i++) {
            if (innerShareable[i] != mmu) tickets[i] = innerShareable[i].requestRemoteFlush();
        }
        for (int i = 0; i < innerShareable.length; i++) {
            if (innerShareable[i] != mmu) innerShareable[i].awaitRemoteFlush(tickets[i], mmu);
        }
    }

    /**
     * The check between engine runs: takes the Illegal Execution state exception, or the highest-priority interrupt
     * that is pending and not masked. A physical interrupt goes to EL2 when HCR_EL2.FMO/IMO or TGE route it there,
     * where EL0 and EL1 cannot mask it, and is not taken at EL2 when routed to EL1. Virtual interrupts (HCR_EL2.VF,
     * VI, VSE, or the GIC's virtual CPU interface) exist at EL0 and EL1 only, when the matching FMO/IMO/AMO is set
     * and TGE is not. Returns whether the PC changed.
     */
    boolean takePending(Cpu c) {
        if (c.illegalState) {
            c.pc = Exceptions.sync(c, regs, Exceptions.EC_ILLEGAL_STATE, 0, c.pc);
            return true;
        }
        int lines = c.interruptLines;
        if (!regs.hasEl2()) {
            int masked = ((c.daif & 0x80) != 0 ? Cpu.IRQ_LINE : 0) | ((c.daif & 0x40) != 0 ? Cpu.FIQ_LINE : 0);
            int pending = lines & ~masked & (Cpu.IRQ_LINE | Cpu.FIQ_LINE);
            if (pending == 0) return false;
            int vector = (pending & Cpu.FIQ_LINE) != 0 ? Exceptions.FIQ : Exceptions.IRQ;
            c.pc = Exceptions.take(c, regs, 1, vector, 0, c.pc);
            return true;
        }
        long hcr = regs.hcr;
        if ((lines & Cpu.FIQ_LINE) != 0 && takePhysical(c, hcr & (El2.HCR_FMO | El2.HCR_TGE), 0x40, Exceptions.FIQ)) {
            return true;
        }
        if ((lines & Cpu.IRQ_LINE) != 0 && takePhysical(c, hcr & (El2.HCR_IMO | El2.HCR_TGE), 0x80, Exceptions.IRQ)) {
            return true;
        }
        if (c.el == 2 || (hcr & El2.HCR_TGE) != 0) return false;
        if ((hcr & El2.HCR_FMO) != 0 && ((hcr & El2.HCR_VF) != 0 || (lines & Cpu.VFIQ_LINE) != 0)
                && (c.daif & 0x40) == 0) {
            c.pc = Exceptions.take(c, regs, 1, Exceptions.FIQ, 0, c.pc);
            return true;
        }
        if ((hcr & El2.HCR_IMO) != 0 && ((hcr & El2.HCR_VI) != 0 || (lines & Cpu.VIRQ_LINE) != 0)
                && (c.daif & 0x80) == 0) {
            c.pc = Exceptions.take(c, regs, 1, Exceptions.IRQ, 0, c.pc);
            return true;
        }
        if ((hcr & (El2.HCR_AMO | El2.HCR_VSE)) == (El2.HCR_AMO | El2.HCR_VSE) && (c.daif & 0x100) == 0) {
            // Taking the virtual SError consumes it. Without FEAT_RAS its syndrome is EC 0x2F with ISS zero.
            regs.hcr &= ~El2.HCR_VSE;
            c.pc = Exceptions.take(c, regs, 1, Exceptions.SERROR, (long) Exceptions.EC_SERROR << 26, c.pc);
            return true;
        }
        return false;
    }

    private boolean takePhysical(Cpu c, long routedToEl2, int daifBit, int vector) {
        int target = routedToEl2 != 0 ? 2 : 1;
        if (target < c.el) return false;
        if ((target == c.el || target == 1) && (c.daif & daifBit) != 0) return false;
        c.pc = Exceptions.take(c, regs, target, vector, 0, c.pc);
        return true;
    }

    /** Whether a WFI at the current EL would complete: an interrupt is asserted, physical or virtual. */
    boolean wakeup(Cpu c) {
        return Exceptions.mayInterrupt(c, regs);
    }
}
