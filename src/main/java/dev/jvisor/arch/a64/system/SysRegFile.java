package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.arch.a64.SysReg;
import dev.jvisor.arch.a64.UndefinedInstruction;

import java.util.HashMap;
import java.util.Map;

/**
 * The EL1 system registers of one vCPU, the ID registers derived from its {@link CpuModel}, and the registers that
 * devices provide through {@link SysRegHandler}s. Registers that shape translation (SCTLR, TCR, TTBR0/1) tell the
 * {@link Mmu} when they change.
 *
 * <p>Debug: the breakpoint and watchpoint registers the architecture requires (two of each, as ID_AA64DFR0 says) are
 * held so that Linux can reset them, but no debug exception is ever generated from them.
 */
public final class SysRegFile {
    // ---- encodings SysReg does not name ----
    static final int ACTLR_EL1 = 0xC081; // S3_0_C1_C0_1
    static final int AFSR0_EL1 = 0xC288; // S3_0_C5_C1_0
    static final int AFSR1_EL1 = 0xC289; // S3_0_C5_C1_1
    static final int ISR_EL1 = 0xC608; // S3_0_C12_C1_0
    static final int PAN = 0xC213; // S3_0_C4_C2_3
    static final int UAO = 0xC214; // S3_0_C4_C2_4
    static final int CCSIDR_EL1 = 0xC800; // S3_1_C0_C0_0
    static final int CLIDR_EL1 = 0xC801; // S3_1_C0_C0_1
    static final int AIDR_EL1 = 0xC807; // S3_1_C0_C0_7
    static final int CSSELR_EL1 = 0xD000; // S3_2_C0_C0_0
    static final int MDCCINT_EL1 = 0x8010; // S2_0_C0_C2_0
    static final int MDRAR_EL1 = 0x8080; // S2_0_C1_C0_0
    static final int OSLAR_EL1 = 0x8084; // S2_0_C1_C0_4
    static final int OSLSR_EL1 = 0x808C; // S2_0_C1_C1_4
    static final int OSDLR_EL1 = 0x809C; // S2_0_C1_C3_4
    /** The GICv3 system-register interface's enable register; its presence sets ID_AA64PFR0_EL1.GIC. */
    public static final int ICC_SRE_EL1 = 0xC665; // S3_0_C12_C12_5

    /** SCTLR_EL1 bits this CPU implements (M A C SA SA0 UMA I DZE UCT nTWI nTWE WXN SPAN UCI); the rest are RES0/RES1. */
    static final long SCTLR_WRITABLE = 1L << 0 | 1L << 1 | 1L << 2 | 1L << 3 | 1L << 4 | 1L << 9 | 1L << 12
        | 1L << 14 | 1L << 15 | 1L << 16 | 1L << 18 | 1L << 19 | 1L << 23 | 1L << 26;
    /** RES1 in SCTLR_EL1 without FEAT_ExS, FEAT_CSV2 and FEAT_LSMAOC: EOS, TSCXT, EIS, nTLSMD, LSMAOE. */
    static final long SCTLR_RES1 = 1L << 11 | 1L << 20 | 1L << 22 | 1L << 28 | 1L << 29;
    public static final long SCTLR_M = 1, SCTLR_A = 2, SCTLR_UMA = 1 << 9, SCTLR_NTWI = 1 << 16,
        SCTLR_NTWE = 1 << 18, SCTLR_WXN = 1 << 19, SCTLR_SPAN = 1 << 23;

    /** SPSR_EL1 fields: NZCV, UAO, PAN, SS, IL, DAIF, M[4:0]. */
    static final long SPSR_DEFINED = 0xF0F0_03DFL;

    public long sctlr = SCTLR_RES1, actlr, cpacr, tcr, ttbr0, ttbr1, mair, amair, vbar, contextidr;
    public long esr, far, par, afsr0, afsr1, elr, spsr, tpidrEl1, mdscr, cntkctl, csselr, mdccint, osdlr;
    /** The stack pointer of the bank x[31] does not currently hold. */
    public long spEl0, spEl1;
    /** Exceptions taken to EL1, for statistics. */
    public final ExceptionCounts exceptions = new ExceptionCounts();
    /** OS lock: set at reset, cleared by Linux writing OSLAR_EL1. */
    public boolean osLock = true;
    final long[] dbgbvr = new long[2], dbgbcr = new long[2], dbgwvr = new long[2], dbgwcr = new long[2];

    private final CpuModel model;
    private final long mpidr;
    private final Map<Integer, SysRegHandler> handlers = new HashMap<>();
    /** Told about writes that change translation; null until an MMU is attached. */
    Mmu mmu;

    /**
     * {@code affinity} is Aff2:Aff1:Aff0 (bits 23..0) of MPIDR_EL1, which the machine's interrupt controller, PSCI
     * and device tree must agree on.
     */
    public SysRegFile(CpuModel model, int affinity) {
        if ((affinity & ~0xFF_FFFF) != 0) throw new IllegalArgumentException("affinity " + affinity);
        this.model = model;
        this.mpidr = 1L << 31 | affinity;
    }

    /** Makes {@code encoding} (op0:op1:CRn:CRm:op2 as {@link SysReg} encodes it) a device register. */
    public void register(int encoding, SysRegHandler handler) {
        if (handlers.putIfAbsent(encoding, handler) != null) {
            throw new IllegalStateException(SysReg.name(encoding) + " is already registered");
        }
    }

    public long mpidr() {
        return mpidr;
    }

    // ---- ID registers ----

    /**
     * EL0 and EL1 in AArch64 only, no EL2/EL3, FP and AdvSIMD, GIC system registers when a GIC registered them,
     * CSV2 and CSV3 as the model says.
     */
    public long idAa64Pfr0() {
        return 1 | 1 << 4 | (handlers.containsKey(ICC_SRE_EL1) ? 1L << 24 : 0)
            | (model.has(CpuModel.Feature.CSV) ? 1L << 56 | 1L << 60 : 0);
    }

    /** Debug v8 with two breakpoints and two watchpoints (the minimum), no PMU, no trace. */
    public long idAa64Dfr0() {
        return 6 | 1 << 12 | 1 << 20;
    }

    /** 48-bit PA, 16-bit ASIDs, 4 KB, 16 KB and 64 KB granules. */
    public long idAa64Mmfr0() {
        return 5 | 2 << 4 | 1 << 20;
    }

    /** FEAT_PAN (no AT S1E1RP: PAN 1) and FEAT_ECBHB, as the model says. */
    public long idAa64Mmfr1() {
        return (model.has(CpuModel.Feature.PAN) ? 1L << 20 : 0) | (model.has(CpuModel.Feature.CSV) ? 1L << 60 : 0);
    }

    /** FEAT_UAO, as the model says. */
    public long idAa64Mmfr2() {
        return model.has(CpuModel.Feature.UAO) ? 1L << 4 : 0;
    }

    /** Separate L1 instruction and data caches; LoC and LoUU at level 1. */
    static final long CLIDR_VALUE = 3 | 1L << 24 | 1L << 27;
    /** 32 KB, 4-way, 64-byte lines: LineSize 2, Associativity 3, NumSets 127. */
    static final long CCSIDR_L1 = 2 | 3 << 3 | 127 << 13;

    // ---- access ----

    /** MRS of a register SystemInsns did not answer itself. Throws UndefinedInstruction for what does not exist. */
    public long read(Cpu c, int encoding) {
        requireEl1(c, encoding);
        SysRegHandler h = handlers.get(encoding);
        if (h != null) return h.read(c);
        return switch (encoding) {
            case SysReg.MIDR_EL1 -> model.midr;
            case SysReg.MPIDR_EL1 -> mpidr;
            case SysReg.REVIDR_EL1, AIDR_EL1 -> 0;
            case SysReg.ID_AA64PFR0_EL1 -> idAa64Pfr0();
            case SysReg.ID_AA64DFR0_EL1 -> idAa64Dfr0();
            case SysReg.ID_AA64ISAR0_EL1 -> model.idAa64Isar0();
            case SysReg.ID_AA64ISAR1_EL1 -> model.idAa64Isar1();
            case SysReg.ID_AA64MMFR0_EL1 -> idAa64Mmfr0();
            case SysReg.ID_AA64MMFR1_EL1 -> idAa64Mmfr1();
            case SysReg.ID_AA64MMFR2_EL1 -> idAa64Mmfr2();
            case CLIDR_EL1 -> CLIDR_VALUE;
            case CCSIDR_EL1 -> csselr <= 1 ? CCSIDR_L1 : 0;
            case CSSELR_EL1 -> csselr;
            case SysReg.SCTLR_EL1 -> sctlr;
            case ACTLR_EL1 -> actlr;
            case SysReg.CPACR_EL1 -> cpacr;
            case SysReg.TTBR0_EL1 -> ttbr0;
            case SysReg.TTBR1_EL1 -> ttbr1;
            case SysReg.TCR_EL1 -> tcr;
            case SysReg.MAIR_EL1 -> mair;
            case SysReg.AMAIR_EL1 -> amair;
            case SysReg.VBAR_EL1 -> vbar;
            case SysReg.CONTEXTIDR_EL1 -> contextidr;
            case SysReg.ESR_EL1 -> esr;
            case SysReg.FAR_EL1 -> far;
            case SysReg.PAR_EL1 -> par;
            case AFSR0_EL1 -> afsr0;
            case AFSR1_EL1 -> afsr1;
            case SysReg.ELR_EL1 -> elr;
            case SysReg.SPSR_EL1 -> spsr;
            case SysReg.SP_EL0 -> {
                if (!c.spSel) throw new UndefinedInstruction("SP_EL0 while it is the current SP");
                yield spEl0;
            }
            case SysReg.SPSEL -> c.spSel ? 1 : 0;
            case SysReg.CURRENTEL -> (long) c.el << 2;
            case SysReg.DAIF -> {
                requireUma(c);
                yield c.daif;
            }
            case PAN -> {
                requireFeature(CpuModel.Feature.PAN, encoding);
                yield c.pan ? 1L << 22 : 0;
            }
            case UAO -> {
                requireFeature(CpuModel.Feature.UAO, encoding);
                yield c.uao ? 1L << 23 : 0;
            }
            case ISR_EL1 -> ((c.interruptLines & Cpu.IRQ_LINE) != 0 ? 1 << 7 : 0)
                | ((c.interruptLines & Cpu.FIQ_LINE) != 0 ? 1 << 6 : 0);
            case SysReg.TPIDR_EL1 -> tpidrEl1;
            case SysReg.CNTKCTL_EL1 -> cntkctl;
            case SysReg.MDSCR_EL1 -> mdscr;
            case MDCCINT_EL1 -> mdccint;
            case MDRAR_EL1 -> 0;
            case OSLSR_EL1 -> osLock ? 0b1010 : 0b1000;
            case OSDLR_EL1 -> osdlr;
            default -> {
                long[] debug = debugRegister(encoding);
                if (debug != null) yield debug[encoding >>> 3 & 15];
                // The rest of the ID space (op0 3, op1 0, CRn 0, CRm 1..7) is reserved and reads as zero.
                if ((encoding & ~0x3F) == SysReg.encode(3, 0, 0, 0, 0) && (encoding >>> 3 & 7) != 0) yield 0;
                throw new UndefinedInstruction("MRS " + SysReg.name(encoding));
            }
        };
    }

    /** MSR (register) of a register SystemInsns did not take itself. */
    public void write(Cpu c, int encoding, long value) {
        requireEl1(c, encoding);
        SysRegHandler h = handlers.get(encoding);
        if (h != null) {
            h.write(c, value);
            return;
        }
        switch (encoding) {
            case SysReg.SCTLR_EL1 -> {
                sctlr = value & SCTLR_WRITABLE | SCTLR_RES1;
                translationChanged();
            }
            case ACTLR_EL1 -> actlr = value;
            // FPEN (bits 21:20) is the only field without SVE/SME/trace. Its traps are not modelled yet: FP and SIMD
            // instructions execute whatever it says, which is exact only for 0b11, the value Linux keeps.
            case SysReg.CPACR_EL1 -> cpacr = value & 3L << 20;
            case SysReg.TTBR0_EL1 -> { ttbr0 = value; translationChanged(); }
            case SysReg.TTBR1_EL1 -> { ttbr1 = value; translationChanged(); }
            case SysReg.TCR_EL1 -> { tcr = value; translationChanged(); }
            // The TLB remembers which pages are Device memory; the architecture lets it, but a flush costs little here.
            case SysReg.MAIR_EL1 -> { mair = value; translationChanged(); }
            case SysReg.AMAIR_EL1 -> amair = value;
            case SysReg.VBAR_EL1 -> vbar = value & ~0x7FFL;
            case SysReg.CONTEXTIDR_EL1 -> contextidr = value & 0xFFFF_FFFFL;
            case SysReg.ESR_EL1 -> esr = value & 0x1FF_FFFF_FFFFL;
            case SysReg.FAR_EL1 -> far = value;
            case SysReg.PAR_EL1 -> par = value;
            case AFSR0_EL1 -> afsr0 = value;
            case AFSR1_EL1 -> afsr1 = value;
            case SysReg.ELR_EL1 -> elr = value;
            case SysReg.SPSR_EL1 -> spsr = value & SPSR_DEFINED;
            case SysReg.SP_EL0 -> {
                if (!c.spSel) throw new UndefinedInstruction("SP_EL0 while it is the current SP");
                spEl0 = value;
            }
            case SysReg.SPSEL -> Exceptions.setSpSel(c, this, (value & 1) != 0);
            case SysReg.DAIF -> {
                requireUma(c);
                Exceptions.setDaif(c, (int) value);
            }
            case PAN -> {
                requireFeature(CpuModel.Feature.PAN, encoding);
                setPan(c, (value >>> 22 & 1) != 0);
            }
            case UAO -> {
                requireFeature(CpuModel.Feature.UAO, encoding);
                c.uao = (value >>> 23 & 1) != 0;
            }
            case SysReg.TPIDR_EL1 -> tpidrEl1 = value;
            case SysReg.CNTKCTL_EL1 -> cntkctl = value & 0x3FF;
            case SysReg.MDSCR_EL1 -> mdscr = value;
            case CSSELR_EL1 -> csselr = value & 0xF;
            case MDCCINT_EL1 -> mdccint = value;
            case OSLAR_EL1 -> osLock = (value & 1) != 0;
            case OSDLR_EL1 -> osdlr = value & 1;
            default -> {
                long[] debug = debugRegister(encoding);
                if (debug == null) throw new UndefinedInstruction("MSR " + SysReg.name(encoding));
                debug[encoding >>> 3 & 15] = value;
            }
        }
    }

    /** Registers of an optional feature do not exist on a model without it. */
    private void requireFeature(CpuModel.Feature f, int encoding) {
        if (!model.has(f)) throw new UndefinedInstruction(SysReg.name(encoding) + " needs FEAT_" + f);
    }

    boolean has(CpuModel.Feature f) {
        return model.has(f);
    }

    void setPan(Cpu c, boolean pan) {
        if (c.pan != pan) {
            c.pan = pan;
            if (mmu != null) mmu.privilegeChanged();
        }
    }

    private void translationChanged() {
        if (mmu != null) mmu.registersChanged();
    }

    /** DBGBVR/DBGBCR/DBGWVR/DBGWCR<n>_EL1 for the implemented n, else null. */
    private long[] debugRegister(int encoding) {
        if ((encoding & ~(15 << 3 | 7)) != SysReg.encode(2, 0, 0, 0, 0) || (encoding >>> 3 & 15) >= 2) return null;
        return switch (encoding & 7) {
            case 4 -> dbgbvr;
            case 5 -> dbgbcr;
            case 6 -> dbgwvr;
            case 7 -> dbgwcr;
            default -> null;
        };
    }

    /**
     * EL0 may touch DAIF only with SCTLR_EL1.UMA. Hardware traps the access to EL1 (EC 0x18); it is UNDEFINED
     * here, which Linux answers with the same SIGILL.
     */
    private void requireUma(Cpu c) {
        if (c.el == 0 && (sctlr & SCTLR_UMA) == 0) throw new UndefinedInstruction("DAIF at EL0");
    }

    /**
     * Registers with op1 other than 3 belong to EL1 and above; from EL0 they are UNDEFINED. The EL0 timer registers
     * are reachable from EL0 only as CNTKCTL_EL1.EL0PTEN (physical) and EL0VTEN (virtual) allow.
     */
    private void requireEl1(Cpu c, int encoding) {
        if (c.el != 0) return;
        if ((encoding >>> 11 & 7) != 3) throw new UndefinedInstruction("EL1 register at EL0");
        if ((encoding & ~7) == CNTP_EL0_REGISTERS && (encoding & 7) <= 2 && (cntkctl & 1 << 9) == 0
                || (encoding & ~7) == CNTV_EL0_REGISTERS && (encoding & 7) <= 2 && (cntkctl & 1 << 8) == 0) {
            throw new UndefinedInstruction("EL0 timer access CNTKCTL_EL1 does not allow");
        }
    }

    private static final int CNTP_EL0_REGISTERS = SysReg.encode(3, 3, 14, 2, 0);
    private static final int CNTV_EL0_REGISTERS = SysReg.encode(3, 3, 14, 3, 0);
}
