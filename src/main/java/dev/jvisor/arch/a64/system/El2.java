package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.SysReg;

/**
 * The virtualization extensions' vocabulary: HCR_EL2 controls, and the encodings of the EL2 registers and of the
 * *_EL12/*_EL02 aliases (FEAT_VHE) through which a host kernel at EL2 reaches its guests' EL1 and EL0 registers.
 */
public final class El2 {
    private El2() {}

    // ---- HCR_EL2 ----
    public static final long HCR_VM = 1L << 0, HCR_SWIO = 1L << 1, HCR_PTW = 1L << 2, HCR_FMO = 1L << 3,
        HCR_IMO = 1L << 4, HCR_AMO = 1L << 5, HCR_VF = 1L << 6, HCR_VI = 1L << 7, HCR_VSE = 1L << 8,
        HCR_TWI = 1L << 13, HCR_TWE = 1L << 14, HCR_TID1 = 1L << 16, HCR_TID2 = 1L << 17, HCR_TID3 = 1L << 18,
        HCR_TSC = 1L << 19, HCR_TIDCP = 1L << 20, HCR_TACR = 1L << 21, HCR_TSW = 1L << 22, HCR_TTLB = 1L << 25,
        HCR_TVM = 1L << 26,
        HCR_TGE = 1L << 27, HCR_TDZ = 1L << 28, HCR_HCD = 1L << 29, HCR_TRVM = 1L << 30, HCR_RW = 1L << 31,
        HCR_E2H = 1L << 34;
    /**
     * The HCR_EL2 bits of an ARMv8.0 EL2 with AArch64-only EL1 (RW is RES1 there): VM..ID. E2H joins them with
     * FEAT_VHE. PAuth, RAS, LOR, nested virtualization and the rest of the later fields are RES0.
     */
    static final long HCR_V80 = (1L << 34) - 1;

    // ---- SCTLR_EL2 without E2H: RES1 bits 4, 5, 11, 16, 18, 22, 23, 28, 29 (as SCTLR_EL1's EOS, EIS ... are) ----
    static final long SCTLR_EL2_RES1 = 1L << 4 | 1L << 5 | 1L << 11 | 1L << 16 | 1L << 18 | 1L << 22 | 1L << 23
        | 1L << 28 | 1L << 29;
    /** SCTLR_EL2 bits with a meaning here without E2H: M A C SA I WXN EE. */
    static final long SCTLR_EL2_WRITABLE = 1L << 0 | 1L << 1 | 1L << 2 | 1L << 3 | 1L << 12 | 1L << 19;

    /** CPTR_EL2 without E2H: RES1 bits 13, 12, 9 and 7..0. */
    static final long CPTR_RES1 = 0x32FF;

    // ---- EL2 registers (op1 4) ----
    public static final int VPIDR_EL2 = 0xE000; // S3_4_C0_C0_0
    public static final int VMPIDR_EL2 = 0xE005; // S3_4_C0_C0_5
    public static final int SCTLR_EL2 = 0xE080; // S3_4_C1_C0_0
    public static final int ACTLR_EL2 = 0xE081; // S3_4_C1_C0_1
    public static final int HCR_EL2 = 0xE088; // S3_4_C1_C1_0
    public static final int MDCR_EL2 = 0xE089; // S3_4_C1_C1_1
    public static final int CPTR_EL2 = 0xE08A; // S3_4_C1_C1_2
    public static final int HSTR_EL2 = 0xE08B; // S3_4_C1_C1_3
    public static final int HACR_EL2 = 0xE08F; // S3_4_C1_C1_7
    public static final int TTBR0_EL2 = 0xE100; // S3_4_C2_C0_0
    public static final int TTBR1_EL2 = 0xE101; // S3_4_C2_C0_1
    public static final int TCR_EL2 = 0xE102; // S3_4_C2_C0_2
    public static final int VTTBR_EL2 = 0xE108; // S3_4_C2_C1_0
    public static final int VTCR_EL2 = 0xE10A; // S3_4_C2_C1_2
    public static final int SPSR_EL2 = 0xE200; // S3_4_C4_C0_0
    public static final int ELR_EL2 = 0xE201; // S3_4_C4_C0_1
    public static final int SP_EL1 = 0xE208; // S3_4_C4_C1_0
    public static final int AFSR0_EL2 = 0xE288; // S3_4_C5_C1_0
    public static final int AFSR1_EL2 = 0xE289; // S3_4_C5_C1_1
    public static final int ESR_EL2 = 0xE290; // S3_4_C5_C2_0
    public static final int FAR_EL2 = 0xE300; // S3_4_C6_C0_0
    public static final int HPFAR_EL2 = 0xE304; // S3_4_C6_C0_4
    public static final int MAIR_EL2 = 0xE510; // S3_4_C10_C2_0
    public static final int AMAIR_EL2 = 0xE518; // S3_4_C10_C3_0
    public static final int VBAR_EL2 = 0xE600; // S3_4_C12_C0_0
    public static final int CONTEXTIDR_EL2 = 0xE681; // S3_4_C13_C0_1
    public static final int TPIDR_EL2 = 0xE682; // S3_4_C13_C0_2
    public static final int CNTVOFF_EL2 = 0xE703; // S3_4_C14_C0_3
    public static final int CNTHCTL_EL2 = 0xE708; // S3_4_C14_C1_0

    /** CPACR_EL1, which E2H turns into CPTR_EL2 at EL2 (the only alias whose CRm and op2 change). */
    static final int CPACR_EL1 = SysReg.CPACR_EL1;

    /**
     * Whether {@code encoding} (op1 0, or op1 3 for the EL0 timers) is one of the EL1 registers that HCR_EL2.E2H
     * redirects to the EL2 register with the same CRn, CRm and op2 (op1 4) when accessed at EL2; CPACR_EL1 is
     * redirected too, but to CPTR_EL2.
     */
    static boolean redirectedByE2h(int encoding) {
        int op0 = encoding >>> 14, op1 = encoding >>> 11 & 7, crn = encoding >>> 7 & 15, crm = encoding >>> 3 & 15;
        int op2 = encoding & 7;
        if (op0 != 3) return false;
        if (op1 == 3) return crn == 14 && (crm == 2 || crm == 3) && op2 <= 2; // CNTP_*, CNTV_* -> CNTHP_*, CNTHV_*
        if (op1 != 0) return false;
        return switch (crn << 8 | crm << 4 | op2) {
            case 1 << 8 | 0 << 4 | 0, // SCTLR
                 2 << 8 | 0 << 4 | 0, 2 << 8 | 0 << 4 | 1, 2 << 8 | 0 << 4 | 2, // TTBR0, TTBR1, TCR
                 4 << 8 | 0 << 4 | 0, 4 << 8 | 0 << 4 | 1, // SPSR, ELR
                 5 << 8 | 1 << 4 | 0, 5 << 8 | 1 << 4 | 1, 5 << 8 | 2 << 4 | 0, // AFSR0, AFSR1, ESR
                 6 << 8 | 0 << 4 | 0, // FAR
                 10 << 8 | 2 << 4 | 0, 10 << 8 | 3 << 4 | 0, // MAIR, AMAIR
                 12 << 8 | 0 << 4 | 0, // VBAR
                 13 << 8 | 0 << 4 | 1, // CONTEXTIDR
                 14 << 8 | 1 << 4 | 0 -> true; // CNTKCTL -> CNTHCTL
            default -> false;
        };
    }

    /**
     * The EL1 or EL0 register an *_EL12 or *_EL02 encoding (op1 5) names, or -1 if it names none: the same CRn, CRm
     * and op2 with op1 0, or op1 3 for the EL0 timers.
     */
    static int el12Target(int encoding) {
        int crn = encoding >>> 7 & 15, crm = encoding >>> 3 & 15, op2 = encoding & 7;
        if (crn == 14 && (crm == 2 || crm == 3) && op2 <= 2) return SysReg.encode(3, 3, 14, crm, op2);
        int el1 = SysReg.encode(3, 0, crn, crm, op2);
        return el1 == CPACR_EL1 || redirectedByE2h(el1) ? el1 : -1;
    }

    /** {@link #icv}'s answer for an access HCR_EL2 traps to EL2 (the SGI generation registers). */
    static final int TRAP = -2;
    /** The op1 under which a GIC registers the ICV_* registers (GicV3.VIRTUAL_OP1). */
    static final int ICV_OP1 = 7;

    /**
     * Where an EL1 access to GIC CPU-interface register {@code encoding} goes under HCR_EL2 {@code hcr}: with IMO
     * (group 1 registers), FMO (group 0 ones) or either (the common ones) set, to the virtual interface's ICV_*
     * register (returned as its op1-7 encoding); the SGI registers then trap ({@link #TRAP}); otherwise -1, the
     * physical interface.
     */
    static int icv(int encoding, long hcr) {
        if ((encoding & ~0x7F) != 0xC600 && encoding != 0xC230) return -1; // op0 3, op1 0, CRn 12; or ICC_PMR
        int crn = encoding >>> 7 & 15, crm = encoding >>> 3 & 15, op2 = encoding & 7;
        boolean imo = (hcr & HCR_IMO) != 0, fmo = (hcr & HCR_FMO) != 0;
        boolean virtual;
        if (crn == 4) {
            virtual = imo || fmo; // PMR
        } else if (crn != 12) {
            return -1;
        } else {
            switch (crm << 3 | op2) {
                case 8 << 3 | 0, 8 << 3 | 1, 8 << 3 | 2, 8 << 3 | 3, 8 << 3 | 4, 12 << 3 | 6 -> virtual = fmo;
                case 9 << 3 | 0, 12 << 3 | 0, 12 << 3 | 1, 12 << 3 | 2, 12 << 3 | 3, 12 << 3 | 7 -> virtual = imo;
                case 11 << 3 | 1, 11 << 3 | 3, 12 << 3 | 4 -> virtual = imo || fmo;
                case 11 << 3 | 5, 11 << 3 | 6 -> { return imo ? TRAP : -1; }
                case 11 << 3 | 7 -> { return fmo ? TRAP : -1; }
                default -> { return -1; }
            }
        }
        return virtual ? encoding & ~(7 << 11) | ICV_OP1 << 11 : -1;
    }

    /** The EL1 memory-control registers HCR_EL2.TVM (writes) and TRVM (reads) trap. */
    static boolean virtualMemoryControl(int encoding) {
        return switch (encoding) {
            case SysReg.SCTLR_EL1, SysReg.TTBR0_EL1, SysReg.TTBR1_EL1, SysReg.TCR_EL1, SysReg.ESR_EL1,
                 SysReg.FAR_EL1, SysReg.MAIR_EL1, SysReg.AMAIR_EL1, SysReg.CONTEXTIDR_EL1,
                 SysRegFile.AFSR0_EL1, SysRegFile.AFSR1_EL1 -> true;
            default -> false;
        };
    }
}
