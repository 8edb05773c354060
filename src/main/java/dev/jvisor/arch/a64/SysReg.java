package dev.jvisor.arch.a64;

import java.util.Map;
import java.util.HashMap;

/**
 * System register encodings as MRS and MSR (register) carry them in bits 20..5: op0:op1:CRn:CRm:op2, 16 bits
 * (op0 2 bits, op1 3, CRn 4, CRm 4, op2 3). These are the numbers {@link SystemHooks#readSysReg} and
 * {@link SystemHooks#writeSysReg} receive. Each constant's comment gives the generic S op0_op1_Cn_Cm_op2 name.
 */
public final class SysReg {
    private SysReg() {}

    // ---- PSTATE, floating-point control, thread ID and cache description ----
    /** Condition flags, bits 31..28. S3_3_C4_C2_0. */
    public static final int NZCV = 0xDA10;
    /** Interrupt masks; EL0 access only with SCTLR_EL1.UMA, which Linux leaves clear. S3_3_C4_C2_1. */
    public static final int DAIF = 0xDA11;
    /** S3_3_C4_C4_0. */
    public static final int FPCR = 0xDA20;
    /** S3_3_C4_C4_1. */
    public static final int FPSR = 0xDA21;
    /** Thread pointer, read-write at EL0. S3_3_C13_C0_2. */
    public static final int TPIDR_EL0 = 0xDE82;
    /** Thread ID readable at EL0, writable from EL1. S3_3_C13_C0_3. */
    public static final int TPIDRRO_EL0 = 0xDE83;
    /** Cache type: line sizes. S3_3_C0_C0_1. */
    public static final int CTR_EL0 = 0xD801;
    /** DC ZVA block size. S3_3_C0_C0_7. */
    public static final int DCZID_EL0 = 0xD807;
    /** Counter frequency in Hz. S3_3_C14_C0_0. */
    public static final int CNTFRQ_EL0 = 0xDF00;

    // ---- Generic timer registers at EL0 ----
    /** Physical counter. S3_3_C14_C0_1. */
    public static final int CNTPCT_EL0 = 0xDF01;
    /** Virtual counter. S3_3_C14_C0_2. */
    public static final int CNTVCT_EL0 = 0xDF02;
    /** S3_3_C14_C0_5. */
    public static final int CNTPCTSS_EL0 = 0xDF05;
    /** Self-synchronized virtual counter (FEAT_ECV). S3_3_C14_C0_6. */
    public static final int CNTVCTSS_EL0 = 0xDF06;
    /** S3_3_C14_C2_0. */
    public static final int CNTP_TVAL_EL0 = 0xDF10;
    /** S3_3_C14_C2_1. */
    public static final int CNTP_CTL_EL0 = 0xDF11;
    /** S3_3_C14_C2_2. */
    public static final int CNTP_CVAL_EL0 = 0xDF12;
    /** S3_3_C14_C3_0. */
    public static final int CNTV_TVAL_EL0 = 0xDF18;
    /** S3_3_C14_C3_1. */
    public static final int CNTV_CTL_EL0 = 0xDF19;
    /** S3_3_C14_C3_2. */
    public static final int CNTV_CVAL_EL0 = 0xDF1A;

    // ---- Identification registers (Linux emulates MRS of these for user space) ----
    /** S3_0_C0_C0_0. */
    public static final int MIDR_EL1 = 0xC000;
    /** S3_0_C0_C0_5. */
    public static final int MPIDR_EL1 = 0xC005;
    /** S3_0_C0_C0_6. */
    public static final int REVIDR_EL1 = 0xC006;
    /** S3_0_C0_C4_0. */
    public static final int ID_AA64PFR0_EL1 = 0xC020;
    /** S3_0_C0_C4_1. */
    public static final int ID_AA64PFR1_EL1 = 0xC021;
    /** S3_0_C0_C4_4. */
    public static final int ID_AA64ZFR0_EL1 = 0xC024;
    /** S3_0_C0_C5_0. */
    public static final int ID_AA64DFR0_EL1 = 0xC028;
    /** S3_0_C0_C5_1. */
    public static final int ID_AA64DFR1_EL1 = 0xC029;
    /** S3_0_C0_C5_4. */
    public static final int ID_AA64AFR0_EL1 = 0xC02C;
    /** S3_0_C0_C5_5. */
    public static final int ID_AA64AFR1_EL1 = 0xC02D;
    /** S3_0_C0_C6_0. */
    public static final int ID_AA64ISAR0_EL1 = 0xC030;
    /** S3_0_C0_C6_1. */
    public static final int ID_AA64ISAR1_EL1 = 0xC031;
    /** S3_0_C0_C6_2. */
    public static final int ID_AA64ISAR2_EL1 = 0xC032;
    /** S3_0_C0_C7_0. */
    public static final int ID_AA64MMFR0_EL1 = 0xC038;
    /** S3_0_C0_C7_1. */
    public static final int ID_AA64MMFR1_EL1 = 0xC039;
    /** S3_0_C0_C7_2. */
    public static final int ID_AA64MMFR2_EL1 = 0xC03A;

    // ---- EL1 registers system mode keeps ----
    /** S3_0_C1_C0_0. */
    public static final int SCTLR_EL1 = 0xC080;
    /** S3_0_C1_C0_2. */
    public static final int CPACR_EL1 = 0xC082;
    /** S3_0_C2_C0_0. */
    public static final int TTBR0_EL1 = 0xC100;
    /** S3_0_C2_C0_1. */
    public static final int TTBR1_EL1 = 0xC101;
    /** S3_0_C2_C0_2. */
    public static final int TCR_EL1 = 0xC102;
    /** S3_0_C4_C0_0. */
    public static final int SPSR_EL1 = 0xC200;
    /** S3_0_C4_C0_1. */
    public static final int ELR_EL1 = 0xC201;
    /** S3_0_C4_C1_0. */
    public static final int SP_EL0 = 0xC208;
    /** S3_0_C4_C2_0. */
    public static final int SPSEL = 0xC210;
    /** S3_0_C4_C2_2. */
    public static final int CURRENTEL = 0xC212;
    /** S3_0_C5_C2_0. */
    public static final int ESR_EL1 = 0xC290;
    /** S3_0_C6_C0_0. */
    public static final int FAR_EL1 = 0xC300;
    /** S3_0_C7_C4_0. */
    public static final int PAR_EL1 = 0xC3A0;
    /** S3_0_C10_C2_0. */
    public static final int MAIR_EL1 = 0xC510;
    /** S3_0_C10_C3_0. */
    public static final int AMAIR_EL1 = 0xC518;
    /** S3_0_C12_C0_0. */
    public static final int VBAR_EL1 = 0xC600;
    /** S3_0_C13_C0_1. */
    public static final int CONTEXTIDR_EL1 = 0xC681;
    /** S3_0_C13_C0_4. */
    public static final int TPIDR_EL1 = 0xC684;
    /** S3_0_C14_C1_0. */
    public static final int CNTKCTL_EL1 = 0xC708;
    /** S2_0_C0_C2_2. */
    public static final int MDSCR_EL1 = 0x8012;

    /** The encoding of op0, op1, CRn, CRm, op2. */
    public static int encode(int op0, int op1, int crn, int crm, int op2) {
        return op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2;
    }

    private static final Map<Integer, String> NAMES = new HashMap<>();

    static {
        NAMES.put(NZCV, "nzcv");
        NAMES.put(DAIF, "daif");
        NAMES.put(FPCR, "fpcr");
        NAMES.put(FPSR, "fpsr");
        NAMES.put(TPIDR_EL0, "tpidr_el0");
        NAMES.put(TPIDRRO_EL0, "tpidrro_el0");
        NAMES.put(CTR_EL0, "ctr_el0");
        NAMES.put(DCZID_EL0, "dczid_el0");
        NAMES.put(CNTFRQ_EL0, "cntfrq_el0");
        NAMES.put(CNTPCT_EL0, "cntpct_el0");
        NAMES.put(CNTVCT_EL0, "cntvct_el0");
        NAMES.put(CNTPCTSS_EL0, "cntpctss_el0");
        NAMES.put(CNTVCTSS_EL0, "cntvctss_el0");
        NAMES.put(CNTP_TVAL_EL0, "cntp_tval_el0");
        NAMES.put(CNTP_CTL_EL0, "cntp_ctl_el0");
        NAMES.put(CNTP_CVAL_EL0, "cntp_cval_el0");
        NAMES.put(CNTV_TVAL_EL0, "cntv_tval_el0");
        NAMES.put(CNTV_CTL_EL0, "cntv_ctl_el0");
        NAMES.put(CNTV_CVAL_EL0, "cntv_cval_el0");
        NAMES.put(MIDR_EL1, "midr_el1");
        NAMES.put(MPIDR_EL1, "mpidr_el1");
        NAMES.put(REVIDR_EL1, "revidr_el1");
        NAMES.put(ID_AA64PFR0_EL1, "id_aa64pfr0_el1");
        NAMES.put(ID_AA64PFR1_EL1, "id_aa64pfr1_el1");
        NAMES.put(ID_AA64ZFR0_EL1, "id_aa64zfr0_el1");
        NAMES.put(ID_AA64DFR0_EL1, "id_aa64dfr0_el1");
        NAMES.put(ID_AA64DFR1_EL1, "id_aa64dfr1_el1");
        NAMES.put(ID_AA64AFR0_EL1, "id_aa64afr0_el1");
        NAMES.put(ID_AA64AFR1_EL1, "id_aa64afr1_el1");
        NAMES.put(ID_AA64ISAR0_EL1, "id_aa64isar0_el1");
        NAMES.put(ID_AA64ISAR1_EL1, "id_aa64isar1_el1");
        NAMES.put(ID_AA64ISAR2_EL1, "id_aa64isar2_el1");
        NAMES.put(ID_AA64MMFR0_EL1, "id_aa64mmfr0_el1");
        NAMES.put(ID_AA64MMFR1_EL1, "id_aa64mmfr1_el1");
        NAMES.put(ID_AA64MMFR2_EL1, "id_aa64mmfr2_el1");
        NAMES.put(SCTLR_EL1, "sctlr_el1");
        NAMES.put(CPACR_EL1, "cpacr_el1");
        NAMES.put(TTBR0_EL1, "ttbr0_el1");
        NAMES.put(TTBR1_EL1, "ttbr1_el1");
        NAMES.put(TCR_EL1, "tcr_el1");
        NAMES.put(SPSR_EL1, "spsr_el1");
        NAMES.put(ELR_EL1, "elr_el1");
        NAMES.put(SP_EL0, "sp_el0");
        NAMES.put(SPSEL, "spsel");
        NAMES.put(CURRENTEL, "currentel");
        NAMES.put(ESR_EL1, "esr_el1");
        NAMES.put(FAR_EL1, "far_el1");
        NAMES.put(PAR_EL1, "par_el1");
        NAMES.put(MAIR_EL1, "mair_el1");
        NAMES.put(AMAIR_EL1, "amair_el1");
        NAMES.put(VBAR_EL1, "vbar_el1");
        NAMES.put(CONTEXTIDR_EL1, "contextidr_el1");
        NAMES.put(TPIDR_EL1, "tpidr_el1");
        NAMES.put(CNTKCTL_EL1, "cntkctl_el1");
        NAMES.put(MDSCR_EL1, "mdscr_el1");
        // EL2 and the VHE aliases
        NAMES.put(encode(3, 4, 0, 0, 0), "vpidr_el2");
        NAMES.put(encode(3, 4, 0, 0, 5), "vmpidr_el2");
        NAMES.put(encode(3, 4, 1, 0, 0), "sctlr_el2");
        NAMES.put(encode(3, 4, 1, 0, 1), "actlr_el2");
        NAMES.put(encode(3, 4, 1, 1, 0), "hcr_el2");
        NAMES.put(encode(3, 4, 1, 1, 1), "mdcr_el2");
        NAMES.put(encode(3, 4, 1, 1, 2), "cptr_el2");
        NAMES.put(encode(3, 4, 1, 1, 3), "hstr_el2");
        NAMES.put(encode(3, 4, 1, 1, 7), "hacr_el2");
        NAMES.put(encode(3, 4, 2, 0, 0), "ttbr0_el2");
        NAMES.put(encode(3, 4, 2, 0, 1), "ttbr1_el2");
        NAMES.put(encode(3, 4, 2, 0, 2), "tcr_el2");
        NAMES.put(encode(3, 4, 2, 1, 0), "vttbr_el2");
        NAMES.put(encode(3, 4, 2, 1, 2), "vtcr_el2");
        NAMES.put(encode(3, 4, 4, 0, 0), "spsr_el2");
        NAMES.put(encode(3, 4, 4, 0, 1), "elr_el2");
        NAMES.put(encode(3, 4, 4, 1, 0), "sp_el1");
        NAMES.put(encode(3, 4, 5, 1, 0), "afsr0_el2");
        NAMES.put(encode(3, 4, 5, 1, 1), "afsr1_el2");
        NAMES.put(encode(3, 4, 5, 2, 0), "esr_el2");
        NAMES.put(encode(3, 4, 6, 0, 0), "far_el2");
        NAMES.put(encode(3, 4, 6, 0, 4), "hpfar_el2");
        NAMES.put(encode(3, 4, 10, 2, 0), "mair_el2");
        NAMES.put(encode(3, 4, 10, 3, 0), "amair_el2");
        NAMES.put(encode(3, 4, 12, 0, 0), "vbar_el2");
        NAMES.put(encode(3, 4, 13, 0, 1), "contextidr_el2");
        NAMES.put(encode(3, 4, 13, 0, 2), "tpidr_el2");
        NAMES.put(encode(3, 4, 14, 0, 3), "cntvoff_el2");
        NAMES.put(encode(3, 4, 14, 1, 0), "cnthctl_el2");
        NAMES.put(encode(3, 4, 14, 2, 0), "cnthp_tval_el2");
        NAMES.put(encode(3, 4, 14, 2, 1), "cnthp_ctl_el2");
        NAMES.put(encode(3, 4, 14, 2, 2), "cnthp_cval_el2");
        NAMES.put(encode(3, 4, 14, 3, 0), "cnthv_tval_el2");
        NAMES.put(encode(3, 4, 14, 3, 1), "cnthv_ctl_el2");
        NAMES.put(encode(3, 4, 14, 3, 2), "cnthv_cval_el2");
        NAMES.put(encode(3, 5, 1, 0, 0), "sctlr_el12");
        NAMES.put(encode(3, 5, 1, 0, 2), "cpacr_el12");
        NAMES.put(encode(3, 5, 2, 0, 0), "ttbr0_el12");
        NAMES.put(encode(3, 5, 2, 0, 1), "ttbr1_el12");
        NAMES.put(encode(3, 5, 2, 0, 2), "tcr_el12");
        NAMES.put(encode(3, 5, 4, 0, 0), "spsr_el12");
        NAMES.put(encode(3, 5, 4, 0, 1), "elr_el12");
        NAMES.put(encode(3, 5, 5, 2, 0), "esr_el12");
        NAMES.put(encode(3, 5, 6, 0, 0), "far_el12");
        NAMES.put(encode(3, 5, 10, 2, 0), "mair_el12");
        NAMES.put(encode(3, 5, 12, 0, 0), "vbar_el12");
        NAMES.put(encode(3, 5, 13, 0, 1), "contextidr_el12");
        NAMES.put(encode(3, 5, 14, 1, 0), "cntkctl_el12");
        NAMES.put(encode(3, 5, 14, 3, 1), "cntv_ctl_el02");
        NAMES.put(encode(3, 5, 14, 3, 2), "cntv_cval_el02");
        NAMES.put(encode(3, 5, 14, 2, 1), "cntp_ctl_el02");
        NAMES.put(encode(3, 5, 14, 2, 2), "cntp_cval_el02");
    }

    /** The assembler name of {@code encoding}: the name if listed here, else s{op0}_{op1}_c{n}_c{m}_{op2}. */
    public static String name(int encoding) {
        String known = NAMES.get(encoding);
        if (known != null) return known;
        return "s" + (encoding >>> 14 & 3) + "_" + (encoding >>> 11 & 7) + "_c" + (encoding >>> 7 & 15) + "_c"
            + (encoding >>> 3 & 15) + "_" + (encoding & 7);
    }
}
