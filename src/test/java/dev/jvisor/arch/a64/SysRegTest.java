package dev.jvisor.arch.a64;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SysRegTest {
    /** Each constant is what the assembler puts in bits 20..5 of MRS for that register, and prints by that name. */
    private static void assertEncoding(int constant, String name, int mrs) {
        assertEquals(mrs >>> 5 & 0xFFFF, constant, name);
        assertEquals(name, SysReg.name(constant));
    }

    @Test
    void constantsMatchTheAssembler() {
        assertEncoding(SysReg.NZCV, "nzcv", 0xd53b4200 /* mrs x0, nzcv */);
        assertEncoding(SysReg.DAIF, "daif", 0xd53b4220 /* mrs x0, daif */);
        assertEncoding(SysReg.FPCR, "fpcr", 0xd53b4400 /* mrs x0, fpcr */);
        assertEncoding(SysReg.FPSR, "fpsr", 0xd53b4420 /* mrs x0, fpsr */);
        assertEncoding(SysReg.TPIDR_EL0, "tpidr_el0", 0xd53bd040 /* mrs x0, tpidr_el0 */);
        assertEncoding(SysReg.TPIDRRO_EL0, "tpidrro_el0", 0xd53bd060 /* mrs x0, tpidrro_el0 */);
        assertEncoding(SysReg.CTR_EL0, "ctr_el0", 0xd53b0020 /* mrs x0, ctr_el0 */);
        assertEncoding(SysReg.DCZID_EL0, "dczid_el0", 0xd53b00e0 /* mrs x0, dczid_el0 */);
        assertEncoding(SysReg.CNTFRQ_EL0, "cntfrq_el0", 0xd53be000 /* mrs x0, cntfrq_el0 */);
        assertEncoding(SysReg.CNTPCT_EL0, "cntpct_el0", 0xd53be020 /* mrs x0, cntpct_el0 */);
        assertEncoding(SysReg.CNTVCT_EL0, "cntvct_el0", 0xd53be040 /* mrs x0, cntvct_el0 */);
        assertEncoding(SysReg.CNTPCTSS_EL0, "cntpctss_el0", 0xd53be0a0 /* mrs x0, s3_3_c14_c0_5 */);
        assertEncoding(SysReg.CNTVCTSS_EL0, "cntvctss_el0", 0xd53be0c0 /* mrs x0, s3_3_c14_c0_6 */);
        assertEncoding(SysReg.CNTP_TVAL_EL0, "cntp_tval_el0", 0xd53be200 /* mrs x0, cntp_tval_el0 */);
        assertEncoding(SysReg.CNTP_CTL_EL0, "cntp_ctl_el0", 0xd53be220 /* mrs x0, cntp_ctl_el0 */);
        assertEncoding(SysReg.CNTP_CVAL_EL0, "cntp_cval_el0", 0xd53be240 /* mrs x0, cntp_cval_el0 */);
        assertEncoding(SysReg.CNTV_TVAL_EL0, "cntv_tval_el0", 0xd53be300 /* mrs x0, cntv_tval_el0 */);
        assertEncoding(SysReg.CNTV_CTL_EL0, "cntv_ctl_el0", 0xd53be320 /* mrs x0, cntv_ctl_el0 */);
        assertEncoding(SysReg.CNTV_CVAL_EL0, "cntv_cval_el0", 0xd53be340 /* mrs x0, cntv_cval_el0 */);
        assertEncoding(SysReg.MIDR_EL1, "midr_el1", 0xd5380000 /* mrs x0, midr_el1 */);
        assertEncoding(SysReg.MPIDR_EL1, "mpidr_el1", 0xd53800a0 /* mrs x0, mpidr_el1 */);
        assertEncoding(SysReg.REVIDR_EL1, "revidr_el1", 0xd53800c0 /* mrs x0, revidr_el1 */);
        assertEncoding(SysReg.ID_AA64PFR0_EL1, "id_aa64pfr0_el1", 0xd5380400 /* mrs x0, id_aa64pfr0_el1 */);
        assertEncoding(SysReg.ID_AA64PFR1_EL1, "id_aa64pfr1_el1", 0xd5380420 /* mrs x0, id_aa64pfr1_el1 */);
        assertEncoding(SysReg.ID_AA64ZFR0_EL1, "id_aa64zfr0_el1", 0xd5380480 /* mrs x0, id_aa64zfr0_el1 */);
        assertEncoding(SysReg.ID_AA64DFR0_EL1, "id_aa64dfr0_el1", 0xd5380500 /* mrs x0, id_aa64dfr0_el1 */);
        assertEncoding(SysReg.ID_AA64DFR1_EL1, "id_aa64dfr1_el1", 0xd5380520 /* mrs x0, id_aa64dfr1_el1 */);
        assertEncoding(SysReg.ID_AA64AFR0_EL1, "id_aa64afr0_el1", 0xd5380580 /* mrs x0, id_aa64afr0_el1 */);
        assertEncoding(SysReg.ID_AA64AFR1_EL1, "id_aa64afr1_el1", 0xd53805a0 /* mrs x0, id_aa64afr1_el1 */);
        assertEncoding(SysReg.ID_AA64ISAR0_EL1, "id_aa64isar0_el1", 0xd5380600 /* mrs x0, id_aa64isar0_el1 */);
        assertEncoding(SysReg.ID_AA64ISAR1_EL1, "id_aa64isar1_el1", 0xd5380620 /* mrs x0, id_aa64isar1_el1 */);
        assertEncoding(SysReg.ID_AA64ISAR2_EL1, "id_aa64isar2_el1", 0xd5380640 /* mrs x0, id_aa64isar2_el1 */);
        assertEncoding(SysReg.ID_AA64MMFR0_EL1, "id_aa64mmfr0_el1", 0xd5380700 /* mrs x0, id_aa64mmfr0_el1 */);
        assertEncoding(SysReg.ID_AA64MMFR1_EL1, "id_aa64mmfr1_el1", 0xd5380720 /* mrs x0, id_aa64mmfr1_el1 */);
        assertEncoding(SysReg.ID_AA64MMFR2_EL1, "id_aa64mmfr2_el1", 0xd5380740 /* mrs x0, id_aa64mmfr2_el1 */);
        assertEncoding(SysReg.SCTLR_EL1, "sctlr_el1", 0xd5381000 /* mrs x0, sctlr_el1 */);
        assertEncoding(SysReg.CPACR_EL1, "cpacr_el1", 0xd5381040 /* mrs x0, cpacr_el1 */);
        assertEncoding(SysReg.TTBR0_EL1, "ttbr0_el1", 0xd5382000 /* mrs x0, ttbr0_el1 */);
        assertEncoding(SysReg.TTBR1_EL1, "ttbr1_el1", 0xd5382020 /* mrs x0, ttbr1_el1 */);
        assertEncoding(SysReg.TCR_EL1, "tcr_el1", 0xd5382040 /* mrs x0, tcr_el1 */);
        assertEncoding(SysReg.SPSR_EL1, "spsr_el1", 0xd5384000 /* mrs x0, spsr_el1 */);
        assertEncoding(SysReg.ELR_EL1, "elr_el1", 0xd5384020 /* mrs x0, elr_el1 */);
        assertEncoding(SysReg.SP_EL0, "sp_el0", 0xd5384100 /* mrs x0, sp_el0 */);
        assertEncoding(SysReg.SPSEL, "spsel", 0xd5384200 /* mrs x0, spsel */);
        assertEncoding(SysReg.CURRENTEL, "currentel", 0xd5384240 /* mrs x0, currentel */);
        assertEncoding(SysReg.ESR_EL1, "esr_el1", 0xd5385200 /* mrs x0, esr_el1 */);
        assertEncoding(SysReg.FAR_EL1, "far_el1", 0xd5386000 /* mrs x0, far_el1 */);
        assertEncoding(SysReg.PAR_EL1, "par_el1", 0xd5387400 /* mrs x0, par_el1 */);
        assertEncoding(SysReg.MAIR_EL1, "mair_el1", 0xd538a200 /* mrs x0, mair_el1 */);
        assertEncoding(SysReg.AMAIR_EL1, "amair_el1", 0xd538a300 /* mrs x0, amair_el1 */);
        assertEncoding(SysReg.VBAR_EL1, "vbar_el1", 0xd538c000 /* mrs x0, vbar_el1 */);
        assertEncoding(SysReg.CONTEXTIDR_EL1, "contextidr_el1", 0xd538d020 /* mrs x0, contextidr_el1 */);
        assertEncoding(SysReg.TPIDR_EL1, "tpidr_el1", 0xd538d080 /* mrs x0, tpidr_el1 */);
        assertEncoding(SysReg.CNTKCTL_EL1, "cntkctl_el1", 0xd538e100 /* mrs x0, cntkctl_el1 */);
        assertEncoding(SysReg.MDSCR_EL1, "mdscr_el1", 0xd5300240 /* mrs x0, mdscr_el1 */);
    }

    @Test
    void encodeAndGenericNames() {
        assertEquals(SysReg.TPIDR_EL1, SysReg.encode(3, 0, 13, 0, 4));
        assertEquals(SysReg.MDSCR_EL1, SysReg.encode(2, 0, 0, 2, 2));
        assertEquals("s3_3_c15_c2_1", SysReg.name(SysReg.encode(3, 3, 15, 2, 1)));
    }
}
