package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.arch.a64.SysReg;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.engine.dbt.CodeCache;
import dev.jvisor.engine.dbt.DbtEngine;
import dev.jvisor.engine.interp.Interpreter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exception entry and return, PSTATE fields, interrupts and system registers on hand-encoded sequences. Every vector
 * holds an HVC to the test's firmware, which stops the vCPU, so the PC afterwards tells which vector was taken.
 */
class SystemModeTest {
    static final long VBAR = TestMachine.RAM_BASE + 0x1_0000, CODE = TestMachine.RAM_BASE + 0x2_0000;
    static final int ERET = 0xD69F03E0, HVC_1 = 0xD4000022, MSR_SPSEL_0 = 0xD50040BF, MSR_PAN_1 = 0xD500419F,
        LDR_X1_X2 = 0xF9400041, LDTR_X1_X2 = 0xF8400841, WFI = 0xD503207F, BR_X1 = 0xD61F0020,
        DAIFCLR_2 = 0xD50342FF, NOP = 0xD503201F, MOV_X1_SP = 0x910003E1, SVC_0 = 0xD4000001,
        MRS_X3_SCTLR = 0xD5381003, DAIFCLR_3 = 0xD50343FF;

    final TestMachine m = new TestMachine();
    VcpuRunner runner;

    SystemModeTest() {
        m.regs.vbar = VBAR;
        for (int v = 0; v < 16; v++) m.ramWrite32(VBAR + 0x80L * v, 0xD4000002);
    }

    void run(A64Harness.Engine engine, int... insns) {
        for (int i = 0; i < insns.length; i++) m.ramWrite32(CODE + 4L * i, insns[i]);
        m.cpu.pc = CODE;
        VcpuRunner.Engine e = switch (engine) {
            case INTERP -> new Interpreter(m.cpu, null)::run;
            case DBT -> new DbtEngine(m.cpu, new CodeCache(), null, 1)::run;
        };
        runner = new VcpuRunner(m.cpu, m.system, e);
        m.runner = runner;
        runner.runFor(10_000);
    }

    /** Offset of the vector the CPU is stopped in. */
    long vector() {
        return m.cpu.pc - 4 - VBAR;
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void eretToEl0SwapsStacksAndEl0ExceptionsUseTheLowerVector(A64Harness.Engine engine) {
        m.cpu.x[31] = 0x1111;
        m.regs.spEl0 = 0x2222;
        m.regs.spsr = 0x3C0 | 0xF000_0000L; // EL0t, DAIF masked, NZCV set
        m.regs.elr = CODE + 4;
        run(engine, ERET, MOV_X1_SP, HVC_1);
        assertEquals(0x400, vector(), "HVC at EL0 is undefined, taken from a lower EL");
        assertEquals(0x2222, m.cpu.x[1], "EL0 ran on SP_EL0");
        assertEquals(0x1111, m.cpu.x[31], "back on SP_EL1");
        assertEquals(0x0200_0000L, m.regs.esr);
        assertEquals(CODE + 8, m.regs.elr);
        assertEquals(0x3C0 | 0xF000_0000L, m.regs.spsr);
        assertEquals(1, m.cpu.el);
        assertEquals(0x3C0, m.cpu.daif);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void illegalExceptionReturnSetsIlAndTrapsTheNextInstruction(A64Harness.Engine engine) {
        m.regs.spsr = 0b01001; // EL2h: not implemented
        m.regs.elr = CODE + 4;
        run(engine, ERET, NOP);
        assertEquals(0x200, vector());
        assertEquals((long) Exceptions.EC_ILLEGAL_STATE << 26 | 1 << 25, m.regs.esr);
        assertEquals(CODE + 4, m.regs.elr);
        assertEquals(Exceptions.PSTATE_IL | 0b00101, m.regs.spsr, "IL saved; EL and SP unchanged");
        assertFalse(m.cpu.illegalState);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void spSelZeroUsesSpEl0AndTheSp0Vector(A64Harness.Engine engine) {
        m.cpu.x[31] = 0x1111;
        m.regs.spEl0 = 0x2222;
        run(engine, MSR_SPSEL_0, MOV_X1_SP, SVC_0);
        assertEquals(0x2222, m.cpu.x[1]);
        assertEquals(0x000, vector());
        assertEquals(0b00100 | 0x3C0, m.regs.spsr, "EL1t");
        assertEquals(0x1111, m.cpu.x[31]);
        assertEquals((long) Exceptions.EC_SVC << 26 | 1 << 25, m.regs.esr);
        assertEquals(CODE + 12, m.regs.elr, "SVC returns after itself");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void misalignedBranchTargetIsAPcAlignmentFault(A64Harness.Engine engine) {
        m.cpu.x[1] = CODE + 0x102;
        run(engine, BR_X1);
        assertEquals(0x200, vector());
        assertEquals((long) Exceptions.EC_PC_ALIGNMENT << 26 | 1 << 25, m.regs.esr);
        assertEquals(CODE + 0x102, m.regs.far);
        assertEquals(CODE + 0x102, m.regs.elr);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void wfiAtEl0TrapsUnlessNtwi(A64Harness.Engine engine) {
        m.regs.spsr = 0;
        m.regs.elr = CODE + 4;
        run(engine, ERET, WFI);
        assertEquals(0x400, vector());
        assertEquals((long) Exceptions.EC_WFX << 26 | 1 << 25 | 1 << 24 | 0xE << 20, m.regs.esr);
        assertEquals(CODE + 4, m.regs.elr);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void panBlocksPrivilegedAccessToUserMemoryButNotLdtr(A64Harness.Engine engine) {
        identityMapOfRamReadableByEl0();
        m.cpu.x[2] = TestMachine.RAM_BASE + 0x3_0000;
        m.ramWrite64(TestMachine.RAM_BASE + 0x3_0000, 0x5A5A);
        run(engine, MSR_PAN_1, LDTR_X1_X2, LDR_X1_X2, NOP);
        assertEquals(0x5A5A, m.cpu.x[1], "LDTR reads as EL0 would");
        assertEquals(0x200, vector());
        assertEquals((long) Exceptions.EC_DATA_ABORT_SAME << 26 | 1 << 25 | 0b001101, m.regs.esr);
        assertEquals(CODE + 8, m.regs.elr);
        assertEquals(TestMachine.RAM_BASE + 0x3_0000, m.regs.far);
        assertEquals(Exceptions.PSTATE_PAN | 0x3C0 | 0b00101, m.regs.spsr);
    }

    /** TTBR0 with T0SZ 25: one level-1 1 GB block mapping RAM to itself, EL0 read-only (so EL1 may execute it). */
    private void identityMapOfRamReadableByEl0() {
        long l1 = TestMachine.RAM_BASE + 0x40_0000;
        m.ramWrite64(l1 + 8, TestMachine.RAM_BASE | 1 | 1 << 10 | 1 << 6 | 1 << 7);
        m.regs.mair = 0xFF;
        m.regs.tcr = 25 | 2L << 30 | 5L << 32;
        m.regs.ttbr0 = l1;
        m.regs.sctlr |= SysRegFile.SCTLR_M | SysRegFile.SCTLR_SPAN;
        m.mmu.registersChanged();
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void maskedIrqWaitsForDaifClrAndFiqComesFirst(A64Harness.Engine engine) {
        m.cpu.interruptLines = Cpu.IRQ_LINE;
        run(engine, NOP, NOP, NOP, DAIFCLR_2, NOP, NOP);
        assertEquals(0x280, vector(), "IRQ taken once unmasked");
        assertEquals(CODE + 16, m.regs.elr, "at the instruction after DAIFClr");
        assertEquals(5, m.cpu.instructions, "three NOPs, DAIFClr and the vector's HVC; nothing after DAIFClr ran");
        assertEquals(0x340 | 0b00101, m.regs.spsr);

        TestMachine other = new TestMachine();
        other.regs.vbar = VBAR;
        other.ramWrite32(VBAR + 0x200 + 0x100, 0xD4000002);
        other.ramWrite32(CODE, DAIFCLR_3);
        other.ramWrite32(CODE + 4, NOP);
        other.cpu.interruptLines = Cpu.IRQ_LINE | Cpu.FIQ_LINE;
        other.cpu.pc = CODE;
        VcpuRunner r = new VcpuRunner(other.cpu, other.system, new Interpreter(other.cpu, null)::run);
        other.runner = r;
        r.runFor(100);
        assertEquals(VBAR + 0x300 + 4, other.cpu.pc, "FIQ before IRQ");
    }

    @Test
    void wfiBlocksUntilAnotherThreadAssertsALine() throws Exception {
        m.ramWrite32(CODE, WFI);
        m.ramWrite32(CODE + 4, NOP);
        m.cpu.pc = CODE;
        runner = new VcpuRunner(m.cpu, m.system, new Interpreter(m.cpu, null)::run);
        m.runner = runner;
        AtomicLong wokeAt = new AtomicLong();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                runner.run();
                wokeAt.set(System.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(50);
        assertTrue(t.isAlive(), "blocked in WFI with no interrupt");
        assertEquals(CODE + 4, m.cpu.pc);
        long assertedAt = System.nanoTime();
        runner.setInterruptLine(Cpu.IRQ_LINE, true); // masked: wakes WFI but is not taken
        t.join(5000);
        assertFalse(t.isAlive());
        assertTrue(wokeAt.get() >= assertedAt);
        assertEquals(VBAR + 0x200 + 4, m.cpu.pc, "the HVC at the synchronous vector: the NOP ran into unwritten RAM");
    }

    @Test
    void registerFileIdRegistersAndDeviceHandlers() {
        Cpu c = m.cpu;
        SysRegFile r = m.regs;
        long csv2csv3 = 0x1100_0000_0000_0000L;
        assertEquals(csv2csv3 | 0x11, r.read(c, SysReg.ID_AA64PFR0_EL1),
                "CSV2, CSV3, EL0 and EL1 AArch64, no GIC system registers yet");
        long[] icc = new long[1];
        r.register(SysRegFile.ICC_SRE_EL1, new SysRegHandler() {
            @Override public long read(Cpu cpu) { return icc[0]; }
            @Override public void write(Cpu cpu, long value) { icc[0] = value; }
        });
        assertThrows(IllegalStateException.class, () -> r.register(SysRegFile.ICC_SRE_EL1, null));
        assertEquals(csv2csv3 | 0x0100_0011L, r.read(c, SysReg.ID_AA64PFR0_EL1));
        SysRegFile a57 = new SysRegFile(CpuModel.cortexA57(), 0);
        assertEquals(0x11, a57.read(c, SysReg.ID_AA64PFR0_EL1), "an A57 has no FEAT_CSV2/CSV3");
        assertEquals(0, a57.read(c, SysReg.ID_AA64MMFR1_EL1), "nor PAN");
        assertEquals(0, a57.read(c, SysReg.ID_AA64MMFR2_EL1), "nor UAO");
        assertThrows(UndefinedInstruction.class, () -> a57.read(c, SysRegFile.PAN));
        r.write(c, SysRegFile.ICC_SRE_EL1, 7);
        assertEquals(7, r.read(c, SysRegFile.ICC_SRE_EL1));
        assertEquals(1L << 31, r.read(c, SysReg.MPIDR_EL1));
        assertEquals(CpuModel.max().midr, r.read(c, SysReg.MIDR_EL1));
        assertEquals(0x0010_0025L, r.read(c, SysReg.ID_AA64MMFR0_EL1), "48-bit PA, 16-bit ASID, 4/16/64 KB");
        assertEquals(0, r.read(c, SysReg.encode(3, 0, 0, 3, 0)), "reserved ID space reads as zero");
        assertEquals(0b1010, r.read(c, SysRegFile.OSLSR_EL1));
        r.write(c, SysRegFile.OSLAR_EL1, 0);
        assertEquals(0b1000, r.read(c, SysRegFile.OSLSR_EL1));
        r.write(c, SysReg.SCTLR_EL1, -1L);
        assertEquals(SysRegFile.SCTLR_WRITABLE | SysRegFile.SCTLR_RES1, r.read(c, SysReg.SCTLR_EL1));
        assertThrows(UndefinedInstruction.class, () -> r.read(c, SysReg.encode(3, 0, 9, 14, 0)), "no PMU");
        c.spSel = false;
        assertThrows(UndefinedInstruction.class, () -> r.read(c, SysReg.SP_EL0), "SP_EL0 while it is SP");
        c.spSel = true;
        r.write(c, SysReg.SCTLR_EL1, 0);
        assertEquals(SysRegFile.SCTLR_RES1, r.read(c, SysReg.SCTLR_EL1));
        r.write(c, SysReg.DAIF, 0x140);
        assertEquals(0x140, r.read(c, SysReg.DAIF));
        c.el = 0;
        assertThrows(UndefinedInstruction.class, () -> r.read(c, SysReg.DAIF), "UMA clear");
        assertThrows(UndefinedInstruction.class, () -> r.read(c, SysReg.SCTLR_EL1));
        assertThrows(UndefinedInstruction.class, () -> r.read(c, SysReg.MIDR_EL1));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void mrsOfAnEl1RegisterAtEl0IsUndefined(A64Harness.Engine engine) {
        m.regs.spsr = 0;
        m.regs.elr = CODE + 4;
        run(engine, ERET, MRS_X3_SCTLR);
        assertEquals(0x400, vector());
        assertEquals(0x0200_0000L, m.regs.esr);
        assertEquals(CODE + 4, m.regs.elr);
    }
}
