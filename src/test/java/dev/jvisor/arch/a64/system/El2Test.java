package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.engine.dbt.CodeCache;
import dev.jvisor.engine.dbt.DbtEngine;
import dev.jvisor.engine.interp.Interpreter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EL2 on hand-encoded sequences: a hypervisor preamble at EL2 writes HCR_EL2 and ERETs to a guest at EL1 (or EL0),
 * whose instruction must reach the right vector with the right syndrome. Every vector of VBAR_EL1 and VBAR_EL2, and
 * the end of the guest's code, stops the vCPU by a store to the test machine's stop register (x28 holds its
 * address), so the PC afterwards tells which one was reached.
 */
class El2Test {
    static final long VBAR1 = TestMachine.RAM_BASE + 0x1_0000, VBAR2 = TestMachine.RAM_BASE + 0x1_8000,
        HYP = TestMachine.RAM_BASE + 0x2_0000, CODE = TestMachine.RAM_BASE + 0x3_0000;
    static final int B_SELF = 0x14000000, STOP = 0xB900039F /* str wzr, [x28] */, MSR_HCR_X27 = 0xD51C111B,
        ISB = 0xD5033FDF, ERET = 0xD69F03E0,
        HVC_12 = 0xD4000242, SMC_34 = 0xD4000683, WFI = 0xD503207F, WFE = 0xD503205F, MSR_SCTLR_X1 = 0xD5181001,
        MRS_X2_TTBR0 = 0xD5382002, MRS_X3_PFR0 = 0xD5380403, MRS_X4_REVIDR = 0xD53800C4, MRS_X5_CTR = 0xD53B0025,
        MRS_X6_CLIDR = 0xD5390026, MRS_X7_ACTLR = 0xD5381027, TLBI_VMALLE1 = 0xD508871F, DC_CISW_X1 = 0xD5087E41,
        SVC_0 = 0xD4000001, MRS_X1_SCTLR = 0xD5381001, MRS_X2_SCTLR_EL12 = 0xD53D1002, MRS_X3_MIDR = 0xD5380003,
        MRS_X4_MPIDR = 0xD53800A4, LDR_W5_X1 = 0xB9400025, STR_X6_X1_8 = 0xF9000426, LDR_X5_X1 = 0xF9400025,
        MRS_X1_CNTVCT = 0xD53BE041, MRS_X2_CNTPCT = 0xD53BE022, MSR_HCR_X1 = 0xD51C1101, MRS_X2_HCR = 0xD53C1102,
        MRS_X9_ISR = 0xD538C109, LDRSH_X3_X2_2 = 0x79800443;
    static final long IL = 1L << 25;
    /** SPSR values: EL1h with DAIF masked or clear, EL0t. */
    static final long EL1H_MASKED = 0x3C5, EL1H = 0x005, EL0T = 0;

    TestMachine m = new TestMachine(CpuModel.max(), true, 2);

    El2Test() {
        fillVectors();
    }

    private void fillVectors() {
        m.regs.vbar = VBAR1;
        m.regs.vbarEl2 = VBAR2;
        m.cpu.x[28] = TestMachine.UART + 12;
        for (int v = 0; v < 16; v++) {
            for (long vbar : new long[] {VBAR1, VBAR2}) {
                m.ramWrite32(vbar + 0x80L * v, STOP);
                m.ramWrite32(vbar + 0x80L * v + 4, B_SELF);
            }
        }
    }

    /** Where the vCPU stopped: the address of the stop store it executed. */
    long stoppedAt() {
        return m.cpu.pc - 4;
    }

    /** Runs the hypervisor preamble (HCR_EL2 = {@code hcr}, ERET with {@code spsr}) and then the guest's code. */
    void runGuest(A64Harness.Engine engine, long hcr, long spsr, int... guest) {
        int[] hyp = {MSR_HCR_X27, ISB, ERET};
        for (int i = 0; i < hyp.length; i++) m.ramWrite32(HYP + 4L * i, hyp[i]);
        m.cpu.x[27] = hcr;
        m.regs.spsrEl2 = spsr;
        m.regs.elrEl2 = CODE;
        run(engine, HYP, guest);
    }

    void run(A64Harness.Engine engine, long entry, int... code) {
        for (int i = 0; i < code.length; i++) m.ramWrite32(CODE + 4L * i, code[i]);
        m.ramWrite32(CODE + 4L * code.length, STOP);
        m.ramWrite32(CODE + 4L * code.length + 4, B_SELF);
        m.cpu.pc = entry;
        VcpuRunner.Engine e = switch (engine) {
            case INTERP -> new Interpreter(m.cpu, null)::run;
            case DBT -> new DbtEngine(m.cpu, new CodeCache(), null, 1)::run;
        };
        VcpuRunner runner = new VcpuRunner(m.cpu, m.system, e);
        m.runner = runner;
        runner.runFor(5_000);
    }

    /** The EL2 synchronous exception from a lower EL, with ESR_EL2 {@code ec}:IL:{@code iss}. */
    void assertTrapToEl2(int ec, long iss, long elr) {
        assertEquals(2, m.cpu.el, "at EL2");
        assertEquals(VBAR2 + 0x400, stoppedAt(), "lower-EL synchronous vector of VBAR_EL2");
        assertEquals((long) ec << 26 | IL | iss, m.regs.esrEl2, String.format("ESR_EL2 %x", m.regs.esrEl2));
        assertEquals(elr, m.regs.elrEl2, "ELR_EL2");
    }

    // ---- exception entry and return, HVC, SMC ----

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void hvcFromEl1EntersEl2AndBanksTheStackPointers(A64Harness.Engine engine) {
        m.cpu.x[31] = 0x2222;
        m.regs.spEl1 = 0x1111;
        runGuest(engine, El2.HCR_RW, EL1H_MASKED, 0x910003E1 /* mov x1, sp */, HVC_12);
        assertTrapToEl2(Exceptions.EC_HVC, 0x12, CODE + 8);
        assertEquals(0x1111, m.cpu.x[1], "EL1 ran on SP_EL1");
        assertEquals(0x2222, m.cpu.x[31], "EL2 runs on SP_EL2");
        assertEquals(EL1H_MASKED, m.regs.spsrEl2);
        assertEquals(0x3C0, m.cpu.daif);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void hcdMakesHvcUndefinedAtEl1(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_HCD, EL1H_MASKED, HVC_12);
        assertEquals(1, m.cpu.el);
        assertEquals(VBAR1 + 0x200, stoppedAt());
        assertEquals(IL, m.regs.esr, "EC 0: unknown reason");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void tscTrapsSmcBeforeItExecutes(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_TSC, EL1H_MASKED, SMC_34);
        assertTrapToEl2(Exceptions.EC_SMC, 0x34, CODE);
        assertEquals(0, m.firmwareCalls);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void smcWithoutTscReachesTheFirmware(A64Harness.Engine engine) {
        m.cpu.x[0] = 41;
        runGuest(engine, 0, EL1H_MASKED, SMC_34);
        assertEquals(1, m.firmwareCalls);
        assertEquals(1, m.cpu.el);
        assertEquals(42, m.cpu.x[0]);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void eretFromEl2ToEl1WhileTgeIsSetIsIllegal(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_TGE, EL1H_MASKED, 0xD503201F);
        assertEquals(2, m.cpu.el, "stayed at EL2");
        assertEquals(VBAR2 + 0x200, stoppedAt(), "Illegal Execution state, current EL with SP_EL2");
        assertEquals((long) Exceptions.EC_ILLEGAL_STATE << 26 | IL, m.regs.esrEl2);
    }

    // ---- HCR_EL2 traps ----

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void twiAndTweTrapWaitsToEl2(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_TWI, EL1H_MASKED, WFI);
        assertTrapToEl2(Exceptions.EC_WFX, 1 << 24 | 0xE << 20, CODE);
        m = new TestMachine(CpuModel.max(), true, 2);
        fillVectors();
        runGuest(engine, El2.HCR_TWE, EL1H_MASKED, WFE);
        assertTrapToEl2(Exceptions.EC_WFX, 1 << 24 | 0xE << 20 | 1, CODE);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void tvmTrapsWritesOfTheMemoryControlRegistersWithTheirSyndrome(A64Harness.Engine engine) {
        long before = m.regs.sctlr;
        m.cpu.x[1] = 0x30D0_0801L;
        runGuest(engine, El2.HCR_TVM, EL1H_MASKED, MRS_X2_TTBR0, MSR_SCTLR_X1);
        // op0 3, op2 0, op1 0, CRn 1, Rt 1, CRm 0, write
        assertTrapToEl2(Exceptions.EC_SYSREG, 3 << 20 | 1 << 10 | 1 << 5, CODE + 4);
        assertEquals(before, m.regs.sctlr, "the write did not happen");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void trvmTrapsReads(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_TRVM, EL1H_MASKED, MSR_SCTLR_X1, MRS_X2_TTBR0);
        assertTrapToEl2(Exceptions.EC_SYSREG, 3 << 20 | 2 << 10 | 2 << 5 | 1, CODE + 4);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void tid3TrapsIdRegisters(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_TID3, EL1H_MASKED, MRS_X4_REVIDR, MRS_X3_PFR0);
        assertTrapToEl2(Exceptions.EC_SYSREG, 3 << 20 | 3 << 5 | 4 << 1 | 1, CODE + 4);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void tid1TrapsRevidr(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_TID1, EL1H_MASKED, MRS_X3_PFR0, MRS_X4_REVIDR);
        assertTrapToEl2(Exceptions.EC_SYSREG, 3 << 20 | 6 << 17 | 4 << 5 | 1, CODE + 4);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void tid2TrapsTheCacheIdentificationRegistersCtrIncluded(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_TID2, EL1H_MASKED, MRS_X5_CTR);
        assertTrapToEl2(Exceptions.EC_SYSREG, 3 << 20 | 1 << 17 | 3 << 14 | 5 << 5 | 1, CODE);
        m = new TestMachine(CpuModel.max(), true, 2);
        fillVectors();
        runGuest(engine, El2.HCR_TID2, EL1H_MASKED, MRS_X6_CLIDR);
        assertTrapToEl2(Exceptions.EC_SYSREG, 3 << 20 | 1 << 17 | 1 << 14 | 6 << 5 | 1, CODE);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void tacrTrapsActlr(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_TACR, EL1H_MASKED, MRS_X7_ACTLR);
        assertTrapToEl2(Exceptions.EC_SYSREG, 3 << 20 | 1 << 17 | 1 << 10 | 7 << 5 | 1, CODE);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void ttlbAndTswTrapMaintenance(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_TTLB, EL1H_MASKED, DC_CISW_X1, TLBI_VMALLE1);
        assertTrapToEl2(Exceptions.EC_SYSREG, 1 << 20 | 8 << 10 | 31 << 5 | 7 << 1, CODE + 4);
        m = new TestMachine(CpuModel.max(), true, 2);
        fillVectors();
        runGuest(engine, El2.HCR_TSW, EL1H_MASKED, TLBI_VMALLE1, DC_CISW_X1);
        assertTrapToEl2(Exceptions.EC_SYSREG, 1 << 20 | 2 << 17 | 7 << 10 | 1 << 5 | 14 << 1, CODE + 4);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void tdzTrapsDcZvaAndDczidSaysSo(A64Harness.Engine engine) {
        m.cpu.x[1] = CODE + 0x1000;
        runGuest(engine, El2.HCR_TDZ, EL1H_MASKED, 0xD53B00E5 /* mrs x5, dczid_el0 */, 0xD50B7421 /* dc zva, x1 */);
        assertEquals(0x14, m.cpu.x[5], "DZP set, 64-byte blocks");
        // op0 1, op2 1, op1 3, CRn 7, Rt 1, CRm 4, write
        assertTrapToEl2(Exceptions.EC_SYSREG, 1 << 20 | 1 << 17 | 3 << 14 | 7 << 10 | 1 << 5 | 4 << 1, CODE + 4);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void tidcpTrapsTheImplementationDefinedSpace(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_TIDCP, EL1H_MASKED, 0xD538F001 /* mrs x1, s3_0_c15_c0_0 */);
        assertTrapToEl2(Exceptions.EC_SYSREG, 3 << 20 | 15 << 10 | 1 << 5 | 1, CODE);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void el2RegistersAreUndefinedAtEl1AndVpidrIsWhatEl1Sees(A64Harness.Engine engine) {
        m.regs.vpidr = 0x4100_1234L;
        m.regs.vmpidr = 0x8000_0101L;
        runGuest(engine, 0, EL1H_MASKED, MRS_X3_MIDR, MRS_X4_MPIDR, MRS_X2_HCR);
        assertEquals(0x4100_1234L, m.cpu.x[3]);
        assertEquals(0x8000_0101L, m.cpu.x[4]);
        assertEquals(1, m.cpu.el);
        assertEquals(VBAR1 + 0x200, stoppedAt(), "MRS HCR_EL2 at EL1 is UNDEFINED");
        assertEquals(IL, m.regs.esr);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void rwIsRes1(A64Harness.Engine engine) {
        m.cpu.x[1] = 0;
        run(engine, CODE, MSR_HCR_X1, MRS_X2_HCR);
        assertEquals(El2.HCR_RW, m.cpu.x[2]);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void tgeSendsEl0ExceptionsToEl2(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_TGE, EL0T, SVC_0);
        assertTrapToEl2(Exceptions.EC_SVC, 0, CODE + 4);
        assertEquals(EL0T, m.regs.spsrEl2);
    }

    // ---- interrupts ----

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void imoRoutesIrqToEl2WhatEverEl1Masks(A64Harness.Engine engine) {
        m.cpu.interruptLines = Cpu.IRQ_LINE;
        runGuest(engine, El2.HCR_IMO, EL1H_MASKED);
        assertEquals(2, m.cpu.el);
        assertEquals(VBAR2 + 0x480, stoppedAt(), "IRQ from a lower EL");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void withoutImoAMaskedIrqWaitsInTheGuest(A64Harness.Engine engine) {
        m.cpu.interruptLines = Cpu.IRQ_LINE;
        runGuest(engine, 0, EL1H_MASKED, MRS_X9_ISR);
        assertEquals(1, m.cpu.el);
        assertEquals(CODE + 4, stoppedAt());
        assertEquals(0x80, m.cpu.x[9], "ISR_EL1.I shows the physical IRQ");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void fmoRoutesFiqToEl2(A64Harness.Engine engine) {
        m.cpu.interruptLines = Cpu.FIQ_LINE;
        runGuest(engine, El2.HCR_FMO, EL1H_MASKED);
        assertEquals(VBAR2 + 0x500, stoppedAt());
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void viIsAVirtualIrqTheGuestTakesWhenItUnmasks(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_IMO | El2.HCR_VI, EL1H_MASKED, MRS_X9_ISR, 0xD50342FF /* msr daifclr, #2 */);
        assertEquals(0x80, m.cpu.x[9], "ISR_EL1.I shows the virtual IRQ");
        assertEquals(1, m.cpu.el);
        assertEquals(VBAR1 + 0x280, stoppedAt(), "IRQ, current EL with SP_EL1");
        assertEquals(CODE + 8, m.regs.elr);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void vfIsAVirtualFiq(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_FMO | El2.HCR_VF, EL1H);
        assertEquals(VBAR1 + 0x300, stoppedAt());
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void vseIsAVirtualSErrorConsumedWhenTaken(A64Harness.Engine engine) {
        runGuest(engine, El2.HCR_AMO | El2.HCR_VSE, EL1H);
        assertEquals(VBAR1 + 0x380, stoppedAt());
        assertEquals((long) Exceptions.EC_SERROR << 26 | IL, m.regs.esr);
        assertEquals(0, m.regs.hcr & El2.HCR_VSE);
    }

    // ---- VHE ----

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void e2hRedirectsEl1EncodingsAndEl12ReachesEl1(A64Harness.Engine engine) {
        m.cpu.x[1] = El2.HCR_E2H;
        m.regs.sctlr = SysRegFile.SCTLR_RES1 | 4;
        run(engine, CODE, MSR_HCR_X1, MRS_X1_SCTLR, MRS_X2_SCTLR_EL12);
        assertEquals(m.regs.sctlrEl2, m.cpu.x[1], "SCTLR_EL1 at EL2 with E2H is SCTLR_EL2");
        assertEquals(SysRegFile.SCTLR_RES1 | 4, m.cpu.x[2], "SCTLR_EL12 is SCTLR_EL1");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void withoutVheE2hIsRes0AndEl12IsUndefined(A64Harness.Engine engine) {
        m = new TestMachine(CpuModel.cortexA57(), true, 2);
        fillVectors();
        m.cpu.x[1] = El2.HCR_E2H;
        run(engine, CODE, MSR_HCR_X1, MRS_X2_HCR, MRS_X2_SCTLR_EL12);
        assertEquals(El2.HCR_RW, m.cpu.x[2]);
        assertEquals(VBAR2 + 0x200, stoppedAt());
        assertEquals(IL, m.regs.esrEl2);
    }

    // ---- the virtual counter ----

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void cntvctIsCntpctLessCntvoffAndCnthctlTrapsThePhysicalCounter(A64Harness.Engine engine) {
        long offset = 1L << 40;
        m.regs.cntvoff = offset;
        m.regs.cnthctl = 1; // EL1PCTEN
        runGuest(engine, 0, EL1H_MASKED, MRS_X1_CNTVCT, MRS_X2_CNTPCT);
        long difference = m.cpu.x[2] - m.cpu.x[1];
        assertTrue(difference >= offset && difference < offset + 1_000_000_000L, "difference " + difference);
        m = new TestMachine(CpuModel.max(), true, 2);
        fillVectors();
        runGuest(engine, 0, EL1H_MASKED, MRS_X2_CNTPCT);
        assertTrapToEl2(Exceptions.EC_SYSREG, 3 << 20 | 1 << 17 | 3 << 14 | 14 << 10 | 2 << 5 | 1, CODE);
    }

    // ---- stage 2 ----

    static final long VTTBR_TABLE = TestMachine.RAM_BASE + 0x40_0000, LEVEL2 = TestMachine.RAM_BASE + 0x40_1000;
    /** Stage-2 block attributes: AF, inner shareable, S2AP read/write, Normal write-back memory, block. */
    static final long S2_BLOCK = 1L << 10 | 3L << 8 | 3L << 6 | 0xFL << 2 | 1;

    /**
     * IPA 0..1 GB (the devices) and 0x4000_0000 (2 MB) map to themselves, IPA 0x4020_0000 to PA 0x4060_0000; the
     * rest of the IPA space faults.
     */
    void mapStage2() {
        m.regs.vtcr = 1L << 31 | 1 << 6 | 32; // 4 KB granule, start at level 1, 32-bit IPA
        m.regs.vttbr = 5L << 48 | VTTBR_TABLE;
        m.ramWrite64(VTTBR_TABLE, 1L << 10 | 3L << 6 | 1); // the first GB, devices included, as Device memory
        m.ramWrite64(VTTBR_TABLE + 8, LEVEL2 | 3);
        m.ramWrite64(LEVEL2, 0x4000_0000L | S2_BLOCK);
        m.ramWrite64(LEVEL2 + 8, 0x4060_0000L | S2_BLOCK);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void stage2TranslatesTheGuestsAccesses(A64Harness.Engine engine) {
        mapStage2();
        m.ramWrite64(0x4060_0010L, 0x1122_3344_5566_7788L);
        m.cpu.x[1] = 0x4020_0010L;
        runGuest(engine, El2.HCR_VM, EL1H_MASKED, LDR_X5_X1);
        assertEquals(1, m.cpu.el);
        assertEquals(0x1122_3344_5566_7788L, m.cpu.x[5]);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void aLoadFromAnUnmappedIpaIsAStage2FaultWithTheSyndromeOfTheLoad(A64Harness.Engine engine) {
        mapStage2();
        m.cpu.x[1] = 0x4040_0008L;
        runGuest(engine, El2.HCR_VM, EL1H_MASKED, LDR_W5_X1);
        // ISV, SAS 2 (word), SRT 5, 32-bit, translation fault at level 2
        assertTrapToEl2(Exceptions.EC_DATA_ABORT_LOWER, 1L << 24 | 2L << 22 | 5L << 16 | 0b000110, CODE);
        assertEquals(0x4040_0008L, m.regs.farEl2);
        assertEquals(0x4_0400L << 4, m.regs.hpfar, "HPFAR_EL2.FIPA is IPA[47:12]");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void aStoreAndASignedLoadReportTheirWidthsAndDirection(A64Harness.Engine engine) {
        mapStage2();
        m.cpu.x[1] = 0x4080_0000L;
        runGuest(engine, El2.HCR_VM, EL1H_MASKED, STR_X6_X1_8);
        assertTrapToEl2(Exceptions.EC_DATA_ABORT_LOWER, 1L << 24 | 3L << 22 | 6L << 16 | 1L << 15 | 1 << 6 | 0b000110,
            CODE);
        assertEquals(0x4080_0008L, m.regs.farEl2);
        m = new TestMachine(CpuModel.max(), true, 2);
        fillVectors();
        mapStage2();
        m.cpu.x[2] = 0x4080_0000L;
        runGuest(engine, El2.HCR_VM, EL1H_MASKED, LDRSH_X3_X2_2);
        assertTrapToEl2(Exceptions.EC_DATA_ABORT_LOWER, 1L << 24 | 1L << 22 | 1L << 21 | 3L << 16 | 1L << 15 | 0b000110,
            CODE);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void loadAcquireReportsArAndSimdLoadsHaveNoSyndrome(A64Harness.Engine engine) {
        mapStage2();
        m.cpu.x[1] = 0x4080_0000L;
        runGuest(engine, El2.HCR_VM, EL1H_MASKED, 0x88DFFC25 /* ldar w5, [x1] */);
        assertTrapToEl2(Exceptions.EC_DATA_ABORT_LOWER, 1L << 24 | 2L << 22 | 5L << 16 | 1L << 14 | 0b000110, CODE);
        m = new TestMachine(CpuModel.max(), true, 2);
        fillVectors();
        mapStage2();
        m.cpu.x[1] = 0x4080_0000L;
        runGuest(engine, El2.HCR_VM, EL1H_MASKED, 0x3DC00021 /* ldr q1, [x1] */);
        assertTrapToEl2(Exceptions.EC_DATA_ABORT_LOWER, 0b000110, CODE);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void aStage1TableWalkIntoAnUnmappedIpaReportsS1ptw(A64Harness.Engine engine) {
        mapStage2();
        // Stage 1 on at EL1 with its level-0 table in IPA 0x4080_0000, which stage 2 does not map: the first fetch
        // after the ERET faults on the walk.
        m.regs.tcr = 16 | 1L << 23; // T0SZ 16, 4 KB granule, TTBR1 walks disabled
        m.regs.ttbr0 = 0x4080_0000L;
        m.regs.mair = 0xFF;
        m.regs.sctlr = SysRegFile.SCTLR_RES1 | SysRegFile.SCTLR_M;
        runGuest(engine, El2.HCR_VM, EL1H_MASKED, 0xD503201F);
        assertEquals(2, m.cpu.el);
        assertEquals(VBAR2 + 0x400, stoppedAt());
        assertEquals((long) Exceptions.EC_INSN_ABORT_LOWER << 26 | IL | 1 << 7 | 0b000110, m.regs.esrEl2);
        assertEquals(CODE, m.regs.farEl2);
        assertEquals(0x4_0800L << 4, m.regs.hpfar);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void atS12e1rTranslatesBothStagesFromEl2(A64Harness.Engine engine) {
        mapStage2();
        m.cpu.x[1] = 0x4020_0010L;
        m.cpu.x[27] = El2.HCR_RW | El2.HCR_VM;
        run(engine, CODE, MSR_HCR_X27, 0xD50C7881 /* at s12e1r, x1 */, 0xD5387402 /* mrs x2, par_el1 */,
            0xD50C7801 /* at s1e2r, x1 */, 0xD5387403 /* mrs x3, par_el1 */);
        assertEquals(0x4060_0000L | 1 << 11, m.cpu.x[2], "stage 1 off, stage 2 moves the block");
        assertEquals(0x4020_0000L | 1 << 11, m.cpu.x[3], "the EL2 regime, MMU off: flat");
        m.cpu.x[1] = 0x4080_0000L;
        run(engine, CODE, 0xD50C7881, 0xD5387402);
        assertEquals(1L << 11 | 1 << 9 | 0b000110 << 1 | 1, m.cpu.x[2], "a stage-2 translation fault at level 2");
    }

    @org.junit.jupiter.api.Test
    void tlbEntriesAreTaggedByVmid() {
        mapStage2();
        // VMID 5 maps the 2 MB at IPA 0x4020_0000 to PA 0x4060_0000, VMID 6 to PA 0x4040_0000.
        long otherL1 = TestMachine.RAM_BASE + 0x40_2000, otherL2 = TestMachine.RAM_BASE + 0x40_3000;
        m.ramWrite64(otherL1 + 8, otherL2 | 3);
        m.ramWrite64(otherL2, 0x4000_0000L | S2_BLOCK);
        m.ramWrite64(otherL2 + 8, 0x4040_0000L | S2_BLOCK);
        long ipa = 0x4020_0000L + 0x1F_0010;
        m.ramWrite64(0x4060_0000L + 0x1F_0010, 0x5555);
        m.ramWrite64(0x4040_0000L + 0x1F_0010, 0x6666);
        m.cpu.el = 1;
        m.regs.sctlr |= SysRegFile.SCTLR_M; // stage 1 on, identity-mapped, so that data accesses are cached
        m.regs.tcr = 32 | 1L << 23;
        m.regs.mair = 0xFF;
        long stage1 = TestMachine.RAM_BASE + 0x5_0000; // in the 2 MB stage 2 maps to itself
        m.regs.ttbr0 = stage1;
        m.ramWrite64(stage1 + 8, 0x4000_0000L | 1L << 10 | 1); // level 1 block: VA = IPA for the second GB
        m.regs.hcr = El2.HCR_RW | El2.HCR_VM;
        m.mmu.privilegeChanged();
        assertEquals(0x5555, m.mmu.read64(ipa), "VMID 5");
        m.regs.vttbr = 6L << 48 | otherL1;
        m.mmu.vttbrChanged();
        assertEquals(0x6666, m.mmu.read64(ipa), "VMID 6 sees its own mapping of the same IPA");
        // VM 5's stage 2 moves the block without a TLBI yet: the architecture lets VMID 5's entry live on, and
        // switching back to VMID 5 finds it, while a TLBI VMALLS12E1 under VMID 5 makes the new mapping visible.
        m.ramWrite64(LEVEL2 + 8, 0x4040_0000L | S2_BLOCK);
        m.regs.vttbr = 5L << 48 | VTTBR_TABLE;
        m.mmu.vttbrChanged();
        assertEquals(0x5555, m.mmu.read64(ipa), "VMID 5's cached translation survived VMID 6");
        m.mmu.flushEl1Regime();
        assertEquals(0x6666, m.mmu.read64(ipa));
        m.ramWrite64(otherL2 + 8, 0x4060_0000L | S2_BLOCK);
        m.regs.vttbr = 6L << 48 | otherL1;
        m.mmu.vttbrChanged();
        assertEquals(0x6666, m.mmu.read64(ipa), "VMID 5's TLBI left VMID 6's entries alone");
        m.mmu.flushAllEl1Regimes();
        assertEquals(0x5555, m.mmu.read64(ipa), "TLBI ALLE1 flushed every VMID");
    }
}
