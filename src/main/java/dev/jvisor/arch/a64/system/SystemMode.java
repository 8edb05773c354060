package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
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

    @Override
    public long hvc(Cpu c, int imm, long pc) {
        return firmwareCall(c, false, imm, pc);
    }

    @Override
    public long smc(Cpu c, int imm, long pc) {
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

    @Override
    public long undefined(Cpu c, int insn, long pc) {
        return Exceptions.sync(c, regs, Exceptions.EC_UNKNOWN, 0, pc);
    }

    @Override
    public long memoryFault(Cpu c, MemoryFault f, long pc) {
        boolean lower = c.el == 0;
        if (f.access == Access.EXECUTE) {
            if (f.kind == MemoryFault.Kind.ALIGNMENT) {
                regs.far = f.address;
                return Exceptions.sync(c, regs, Exceptions.EC_PC_ALIGNMENT, 0, pc);
            }
            regs.far = f.address;
            int ec = lower ? Exceptions.EC_INSN_ABORT_LOWER : Exceptions.EC_INSN_ABORT_SAME;
            return Exceptions.sync(c, regs, ec, Mmu.statusCode(f), pc);
        }
        regs.far = f.address;
        int ec = lower ? Exceptions.EC_DATA_ABORT_LOWER : Exceptions.EC_DATA_ABORT_SAME;
        long wnr = f.access == Access.WRITE ? 1 << 6 : 0;
        return Exceptions.sync(c, regs, ec, wnr | Mmu.statusCode(f), pc);
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

    @Override
    public long waitForInterrupt(Cpu c, long pc) {
        if (c.el == 0 && (regs.sctlr & SysRegFile.SCTLR_NTWI) == 0) {
            return Exceptions.sync(c, regs, Exceptions.EC_WFX, wfxIss(false), pc);
        }
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
        if (c.el == 0 && (regs.sctlr & SysRegFile.SCTLR_NTWE) == 0) {
            return Exceptions.sync(c, regs, Exceptions.EC_WFX, wfxIss(true), pc);
        }
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
                if (el0 && (regs.sctlr & SysRegFile.SCTLR_UMA) == 0) throw new UndefinedInstruction("DAIFSet at EL0");
                Exceptions.setDaif(c, c.daif | crm << 6);
            }
            case 3 << 3 | 7 -> {
                if (el0 && (regs.sctlr & SysRegFile.SCTLR_UMA) == 0) throw new UndefinedInstruction("DAIFClr at EL0");
                Exceptions.setDaif(c, c.daif & ~(crm << 6));
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
        if (op1 != 0) throw new UndefinedInstruction("SYS op1 " + op1);
        if (crn == 7 && crm == 8 && op2 <= 3) {
            // AT S1E1R, S1E1W, S1E0R, S1E0W.
            regs.par = mmu.addressTranslate(value, (op2 & 1) != 0, op2 >= 2 ? 0 : 1);
        } else if (crn == 8 && (crm == 3 || crm == 7) && (op2 <= 3 || op2 == 5 || op2 == 7)) {
            // TLBI VMALLE1, VAE1, ASIDE1, VAAE1, VALE1, VAALE1 and their IS forms. The TLB holds only the current
            // ASID's translations, so dropping all of it is exact for each of them.
            mmu.flushTlb();
            if (crm == 3) broadcastFlush();
        } else if (crn == 7 && crm == 6 && op2 == 1) {
            // DC IVAC needs write permission; with no caches modelled, memory is already what it would hold.
            mmu.probeWrite(value);
        } else if (crn == 7 && (crm == 6 || crm == 10 || crm == 14) && op2 == 2) {
            // DC ISW, CSW, CISW: set/way operations on caches this CPU does not have (CLIDR describes none that
            // could hold data other than memory's).
        } else {
            throw new UndefinedInstruction("SYS " + Integer.toHexString(encoding));
        }
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
     * The check between engine runs: takes an unmasked pending interrupt (FIQ before IRQ) or the Illegal Execution
     * state exception. Returns whether the PC changed.
     */
    boolean takePending(Cpu c) {
        if (c.illegalState) {
            c.pc = Exceptions.sync(c, regs, Exceptions.EC_ILLEGAL_STATE, 0, c.pc);
            return true;
        }
        int pending = c.interruptLines & ~Exceptions.masked(c);
        if (pending == 0) return false;
        int vector = (pending & Cpu.FIQ_LINE) != 0 ? Exceptions.FIQ : Exceptions.IRQ;
        c.pc = Exceptions.take(c, regs, vector, 0, c.pc);
        return true;
    }
}
