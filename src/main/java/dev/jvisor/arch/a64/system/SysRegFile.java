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

    // ---- EL2, when the machine has it ----
    /** HCR_EL2; RW is RES1 because EL1 is AArch64 only. */
    public long hcr = El2.HCR_RW;
    public long sctlrEl2 = El2.SCTLR_EL2_RES1, actlrEl2, mdcrEl2, cptrEl2 = El2.CPTR_RES1, hstr, hacr;
    public long tcrEl2, ttbr0El2, ttbr1El2, vttbr, vtcr = 1L << 31, mairEl2, amairEl2, vbarEl2;
    public long spsrEl2, elrEl2, esrEl2, farEl2, hpfar, afsr0El2, afsr1El2, contextidrEl2, tpidrEl2;
    public long cnthctl, vpidr, vmpidr;
    /** CNTVOFF_EL2 when no device (the generic timer) registered it. */
    long cntvoff;
    /** SP_EL2 while x[31] does not hold it. */
    public long spEl2;
    /**
     * Set just before an access throws UndefinedInstruction because HCR_EL2 or CNTHCTL_EL2 traps it: the system
     * level then takes the exception to EL2 with the trapped instruction's syndrome instead of an UNDEFINED one.
     */
    boolean trapToEl2;

    private final CpuModel model;
    private final long mpidr;
    private final boolean el2;
    private final Map<Integer, SysRegHandler> handlers = new HashMap<>();
    /** Told about writes that change translation; null until an MMU is attached. */
    Mmu mmu;

    /**
     * {@code affinity} is Aff2:Aff1:Aff0 (bits 23..0) of MPIDR_EL1, which the machine's interrupt controller, PSCI
     * and device tree must agree on.
     */
    public SysRegFile(CpuModel model, int affinity) {
        this(model, affinity, false);
    }

    /** With {@code el2}, the CPU implements EL2 (and FEAT_VHE if the model has it). */
    public SysRegFile(CpuModel model, int affinity, boolean el2) {
        if ((affinity & ~0xFF_FFFF) != 0) throw new IllegalArgumentException("affinity " + affinity);
        this.model = model;
        this.mpidr = 1L << 31 | affinity;
        this.el2 = el2;
        vpidr = model.midr;
        vmpidr = mpidr;
    }

    /** Whether EL2 is implemented. */
    public boolean hasEl2() {
        return el2;
    }

    /** Whether HCR_EL2.E2H can be set: EL2 with FEAT_VHE. */
    public boolean hasVhe() {
        return el2 && model.has(CpuModel.Feature.VHE);
    }

    /** HCR_EL2.E2H, which makes EL2 a host-kernel level. */
    public boolean e2h() {
        return (hcr & El2.HCR_E2H) != 0;
    }

    /** HCR_EL2.{E2H, TGE} both set: EL0 belongs to the EL2&0 regime of a host kernel at EL2. */
    public boolean inHost() {
        return (hcr & (El2.HCR_E2H | El2.HCR_TGE)) == (El2.HCR_E2H | El2.HCR_TGE);
    }

    /** The SCTLR whose EL0 controls (UMA, nTWI, nTWE, UCT) apply to EL0 now. */
    long el0Sctlr() {
        return el2 && inHost() ? sctlrEl2 : sctlr;
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
        return 1 | 1 << 4 | (el2 ? 1 << 8 : 0) | (handlers.containsKey(ICC_SRE_EL1) ? 1L << 24 : 0)
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

    /** FEAT_PAN (no AT S1E1RP: PAN 1), FEAT_VHE with EL2, and FEAT_ECBHB, as the model says; 8-bit VMIDs. */
    public long idAa64Mmfr1() {
        return (model.has(CpuModel.Feature.PAN) ? 1L << 20 : 0) | (hasVhe() ? 1L << 8 : 0)
            | (model.has(CpuModel.Feature.CSV) ? 1L << 60 : 0);
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
        encoding = route(c, encoding, false);
        SysRegHandler h = handlers.get(encoding);
        if (h != null) return h.read(c);
        return switch (encoding) {
            // EL1 sees the identity EL2 gives it.
            case SysReg.MIDR_EL1 -> el2 && c.el == 1 ? vpidr : model.midr;
            case SysReg.MPIDR_EL1 -> el2 && c.el == 1 ? vmpidr : mpidr;
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
            case ISR_EL1 -> interruptStatus(c);
            case SysReg.TPIDR_EL1 -> tpidrEl1;
            case SysReg.CNTKCTL_EL1 -> cntkctl;
            case SysReg.MDSCR_EL1 -> mdscr;
            case MDCCINT_EL1 -> mdccint;
            case MDRAR_EL1 -> 0;
            case OSLSR_EL1 -> osLock ? 0b1010 : 0b1000;
            case OSDLR_EL1 -> osdlr;
            case El2.HCR_EL2 -> hcr;
            case El2.VPIDR_EL2 -> vpidr;
            case El2.VMPIDR_EL2 -> vmpidr;
            case El2.SCTLR_EL2 -> sctlrEl2;
            case El2.ACTLR_EL2 -> actlrEl2;
            case El2.MDCR_EL2 -> mdcrEl2;
            case El2.CPTR_EL2 -> cptrEl2;
            case El2.HSTR_EL2 -> hstr;
            case El2.HACR_EL2 -> hacr;
            case El2.TTBR0_EL2 -> ttbr0El2;
            case El2.TTBR1_EL2 -> vheRegister(ttbr1El2, encoding);
            case El2.TCR_EL2 -> tcrEl2;
            case El2.VTTBR_EL2 -> vttbr;
            case El2.VTCR_EL2 -> vtcr;
            case El2.SPSR_EL2 -> spsrEl2;
            case El2.ELR_EL2 -> elrEl2;
            case El2.SP_EL1 -> spEl1;
            case El2.AFSR0_EL2 -> afsr0El2;
            case El2.AFSR1_EL2 -> afsr1El2;
            case El2.ESR_EL2 -> esrEl2;
            case El2.FAR_EL2 -> farEl2;
            case El2.HPFAR_EL2 -> hpfar;
            case El2.MAIR_EL2 -> mairEl2;
            case El2.AMAIR_EL2 -> amairEl2;
            case El2.VBAR_EL2 -> vbarEl2;
            case El2.CONTEXTIDR_EL2 -> vheRegister(contextidrEl2, encoding);
            case El2.TPIDR_EL2 -> tpidrEl2;
            case El2.CNTHCTL_EL2 -> cnthctl;
            case El2.CNTVOFF_EL2 -> cntvoff;
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
        encoding = route(c, encoding, true);
        SysRegHandler h = handlers.get(encoding);
        if (h != null) {
            h.write(c, value);
            return;
        }
        switch (encoding) {
            case SysReg.SCTLR_EL1 -> {
                long old = sctlr;
                sctlr = value & SCTLR_WRITABLE | SCTLR_RES1;
                if (sctlr != old) translationChanged();
            }
            case ACTLR_EL1 -> actlr = value;
            // FPEN (bits 21:20) is the only field without SVE/SME/trace. Its traps are not modelled yet: FP and SIMD
            // instructions execute whatever it says, which is exact only for 0b11, the value Linux keeps.
            case SysReg.CPACR_EL1 -> cpacr = value & 3L << 20;
            // Rewriting a translation register with the value it holds changes nothing the TLB caches (a hypervisor
            // restoring a guest's registers does that on every entry), so only a change flushes.
            case SysReg.TTBR0_EL1 -> { if (ttbr0 != value) { ttbr0 = value; translationChanged(); } }
            case SysReg.TTBR1_EL1 -> { if (ttbr1 != value) { ttbr1 = value; translationChanged(); } }
            case SysReg.TCR_EL1 -> { if (tcr != value) { tcr = value; translationChanged(); } }
            // The TLB remembers which pages are Device memory; the architecture lets it, but a flush costs little here.
            case SysReg.MAIR_EL1 -> { if (mair != value) { mair = value; translationChanged(); } }
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
                Exceptions.setDaif(c, this, (int) value);
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
            case El2.HCR_EL2 -> {
                long old = hcr;
                hcr = value & (El2.HCR_V80 | (hasVhe() ? El2.HCR_E2H : 0)) | El2.HCR_RW;
                if (mmu != null) mmu.hcrChanged(old, hcr);
                if (((old ^ hcr) & (El2.HCR_VI | El2.HCR_VF | El2.HCR_VSE | El2.HCR_IMO | El2.HCR_FMO
                        | El2.HCR_AMO | El2.HCR_TGE)) != 0) {
                    c.exitRequest = true; // a virtual interrupt or a routing change the run loop must look at
                }
            }
            case El2.VPIDR_EL2 -> vpidr = value & 0xFFFF_FFFFL;
            case El2.VMPIDR_EL2 -> vmpidr = value & 0xFF_C1FF_FFFFL | 1L << 31;
            case El2.SCTLR_EL2 -> {
                long old = sctlrEl2;
                sctlrEl2 = e2h() ? value & SCTLR_WRITABLE | SCTLR_RES1
                    : value & El2.SCTLR_EL2_WRITABLE | El2.SCTLR_EL2_RES1;
                if (sctlrEl2 != old) el2TranslationChanged();
            }
            case El2.ACTLR_EL2 -> actlrEl2 = value;
            // HPMN and the debug trap controls are held; with no PMU and no debug exceptions they trap nothing.
            case El2.MDCR_EL2 -> mdcrEl2 = value & 0xFFFF_FFFFL;
            // TFP/FPEN are held but, as with CPACR_EL1, FP and SIMD instructions are not trapped by them.
            case El2.CPTR_EL2 -> cptrEl2 = e2h() ? value & (3L << 20 | 1L << 28 | 1L << 31)
                : value & (1L << 10 | 1L << 20 | 1L << 31) | El2.CPTR_RES1;
            case El2.HSTR_EL2 -> hstr = value & 0xBFFF;
            case El2.HACR_EL2 -> hacr = value;
            case El2.TTBR0_EL2 -> { if (ttbr0El2 != value) { ttbr0El2 = value; el2TranslationChanged(); } }
            case El2.TTBR1_EL2 -> {
                vheRegister(0, encoding);
                if (ttbr1El2 != value) { ttbr1El2 = value; el2TranslationChanged(); }
            }
            case El2.TCR_EL2 -> { if (tcrEl2 != value) { tcrEl2 = value; el2TranslationChanged(); } }
            case El2.VTTBR_EL2 -> {
                // 8-bit VMID in bits 55..48; no FEAT_TTCNP, so CnP is RES0.
                vttbr = value & 0x00FF_FFFF_FFFF_FFFEL;
                if (mmu != null) mmu.vttbrChanged();
            }
            case El2.VTCR_EL2 -> {
                long old = vtcr;
                vtcr = value & 0x7_FFFFL & ~(1L << 19) | 1L << 31;
                if (mmu != null && vtcr != old) mmu.vtcrChanged();
            }
            case El2.SPSR_EL2 -> spsrEl2 = value & SPSR_DEFINED;
            case El2.ELR_EL2 -> elrEl2 = value;
            case El2.SP_EL1 -> spEl1 = value;
            case El2.AFSR0_EL2 -> afsr0El2 = value;
            case El2.AFSR1_EL2 -> afsr1El2 = value;
            case El2.ESR_EL2 -> esrEl2 = value & 0x1FF_FFFF_FFFFL;
            case El2.FAR_EL2 -> farEl2 = value;
            case El2.HPFAR_EL2 -> hpfar = value & 0x0FFF_FFFF_FFF0L;
            case El2.MAIR_EL2 -> { if (mairEl2 != value) { mairEl2 = value; el2TranslationChanged(); } }
            case El2.AMAIR_EL2 -> amairEl2 = value;
            case El2.VBAR_EL2 -> vbarEl2 = value & ~0x7FFL;
            case El2.CONTEXTIDR_EL2 -> contextidrEl2 = vheRegister(value, encoding) & 0xFFFF_FFFFL;
            case El2.TPIDR_EL2 -> tpidrEl2 = value;
            case El2.CNTHCTL_EL2 -> cnthctl = value & 0x3_FFFF;
            case El2.CNTVOFF_EL2 -> cntvoff = value;
            default -> {
                long[] debug = debugRegister(encoding);
                if (debug == null) throw new UndefinedInstruction("MSR " + SysReg.name(encoding));
                debug[encoding >>> 3 & 15] = value;
            }
        }
    }

    /**
     * ISR_EL1: the physical IRQ and FIQ lines, except that at EL1 with HCR_EL2.IMO/FMO/AMO set the guest sees its
     * virtual interrupts instead.
     */
    private long interruptStatus(Cpu c) {
        int lines = c.interruptLines;
        boolean guest = el2 && c.el == 1;
        boolean irq = guest && (hcr & El2.HCR_IMO) != 0
            ? (hcr & El2.HCR_VI) != 0 || (lines & Cpu.VIRQ_LINE) != 0 : (lines & Cpu.IRQ_LINE) != 0;
        boolean fiq = guest && (hcr & El2.HCR_FMO) != 0
            ? (hcr & El2.HCR_VF) != 0 || (lines & Cpu.VFIQ_LINE) != 0 : (lines & Cpu.FIQ_LINE) != 0;
        boolean serror = guest && (hcr & El2.HCR_AMO) != 0 && (hcr & El2.HCR_VSE) != 0;
        return (irq ? 1 << 7 : 0) | (fiq ? 1 << 6 : 0) | (serror ? 1 << 8 : 0);
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

    private void el2TranslationChanged() {
        if (mmu != null) mmu.el2RegistersChanged();
    }

    /** TTBR1_EL2 and CONTEXTIDR_EL2 come with FEAT_VHE. */
    private long vheRegister(long value, int encoding) {
        if (!hasVhe()) throw new UndefinedInstruction(SysReg.name(encoding) + " needs FEAT_VHE");
        return value;
    }

    /** The virtual counter's offset as the access at the current EL sees it (CNTVOFF_EL2 or zero). */
    long virtualOffset(Cpu c) {
        if (!el2) return 0;
        if (e2h() && (c.el == 2 || c.el == 0 && inHost())) return 0;
        SysRegHandler h = handlers.get(El2.CNTVOFF_EL2);
        return h != null ? h.read(c) : cntvoff;
    }

    /**
     * Where an MRS or MSR of {@code encoding} at the current EL goes: the encoding of the register it reaches (after
     * E2H redirection and the *_EL12/*_EL02 aliases). Throws UndefinedInstruction for encodings the EL may not use,
     * with {@link #trapToEl2} set when EL2's controls trap the access.
     */
    private int route(Cpu c, int encoding, boolean write) {
        if (c.el == 0) {
            requireEl1(c, encoding);
            return encoding;
        }
        int op1 = encoding >>> 11 & 7;
        boolean el2Register = (encoding >>> 14) == 3 && op1 >= 4;
        if (!el2) {
            if (el2Register) throw new UndefinedInstruction("MRS/MSR " + SysReg.name(encoding) + " without EL2");
            return encoding;
        }
        if (c.el == 1) {
            if (el2Register) throw new UndefinedInstruction("EL2 register at EL1");
            checkEl1Traps(c, encoding, write);
            int icv = El2.icv(encoding, hcr);
            if (icv == El2.TRAP) {
                trapToEl2 = true;
                throw new UndefinedInstruction("trapped to EL2");
            }
            return icv >= 0 && handlers.containsKey(icv) ? icv : encoding;
        }
        if (!el2Register || op1 == 4) {
            if (e2h()) {
                if (encoding == El2.CPACR_EL1) return El2.CPTR_EL2;
                if (El2.redirectedByE2h(encoding)) return encoding & ~(7 << 11) | 4 << 11;
            }
            return encoding;
        }
        int target = op1 == 5 && e2h() ? El2.el12Target(encoding) : -1;
        if (target < 0) throw new UndefinedInstruction("MRS/MSR " + SysReg.name(encoding));
        return target;
    }

    /** HCR_EL2 and CNTHCTL_EL2 traps of EL1 register accesses. */
    private void checkEl1Traps(Cpu c, int encoding, boolean write) {
        boolean trap;
        if (El2.virtualMemoryControl(encoding)) {
            trap = (hcr & (write ? El2.HCR_TVM : El2.HCR_TRVM)) != 0;
        } else {
            trap = switch (encoding) {
                case SysReg.REVIDR_EL1, AIDR_EL1 -> (hcr & El2.HCR_TID1) != 0;
                case CCSIDR_EL1, CLIDR_EL1, CSSELR_EL1 -> (hcr & El2.HCR_TID2) != 0;
                case ACTLR_EL1 -> (hcr & El2.HCR_TACR) != 0;
                case SysReg.CNTP_CTL_EL0, SysReg.CNTP_CVAL_EL0, SysReg.CNTP_TVAL_EL0 ->
                    (cnthctl & (e2h() ? 1 << 11 : 1 << 1)) == 0;
                default -> (hcr & El2.HCR_TID3) != 0 && !write && (encoding & ~0x3F) == SysReg.encode(3, 0, 0, 0, 0)
                    && (encoding >>> 3 & 7) != 0
                    // TIDCP: the IMPLEMENTATION DEFINED space (op0 3, CRn 11 and 15), of which this CPU has nothing.
                    || (hcr & El2.HCR_TIDCP) != 0 && encoding >>> 14 == 3
                        && ((encoding >>> 7 & 15) == 11 || (encoding >>> 7 & 15) == 15);
            };
        }
        if (trap) {
            trapToEl2 = true;
            throw new UndefinedInstruction("trapped to EL2");
        }
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
