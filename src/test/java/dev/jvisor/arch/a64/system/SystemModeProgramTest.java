package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.engine.dbt.CodeCache;
import dev.jvisor.engine.dbt.DbtEngine;
import dev.jvisor.engine.interp.Interpreter;
import dev.jvisor.testutil.CrossCompiler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs tests/baremetal/exceptions.S at EL1 on each engine: exception entry and return for SVC, undefined
 * instructions and aborts (ESR, FAR, ELR, vector), the MMU's faults on a program-enabled translation, a drop to EL0
 * and back, TLBI after a page-table change, AT, and an IRQ asserted by a Java thread while the vCPU sleeps in WFI.
 */
class SystemModeProgramTest {
    static final long TABLE = 3, PAGE = 3, BLOCK = 1, AF = 1L << 10, EL0 = 1L << 6, RO = 1L << 7,
        UXN = 1L << 54, PXN = 1L << 53, DEVICE = 1L << 2;
    static final long L1 = 0x4070_0000L, L2_DEVICES = 0x4070_1000L, L2_RAM = 0x4070_2000L, L3 = 0x4060_4000L;
    static final long LOG = 0x4030_0000L, RESULTS = 0x4031_0000L;

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void exceptionsMmuAndInterrupts(A64Harness.Engine engine) throws Exception {
        TestMachine m = new TestMachine();
        long entry = load(m, CrossCompiler.compile(Path.of("tests/baremetal/exceptions.S"), List.of(
            "-ffreestanding", "-nostdlib", "-static", "-Wl,-N", "-Wl,-Ttext=0x40000000", "-Wl,--build-id=none")));
        buildTables(m);
        m.cpu.pc = entry;
        VcpuRunner.Engine run = switch (engine) {
            case INTERP -> new Interpreter(m.cpu, null)::run;
            case DBT -> new DbtEngine(m.cpu, new CodeCache(), null, 1)::run;
        };
        VcpuRunner runner = new VcpuRunner(m.cpu, m.system, run);
        m.runner = runner;
        m.onWait = () -> Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
            runner.setInterruptLine(Cpu.IRQ_LINE, true);
        });
        Thread vcpu = Thread.ofPlatform().start(() -> {
            try {
                runner.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        vcpu.join(TimeUnit.SECONDS.toMillis(20));
        if (vcpu.isAlive()) {
            runner.stop();
            vcpu.join();
            throw new AssertionError("the program did not finish; output " + m.output + ", pc 0x"
                + Long.toHexString(m.cpu.pc) + ", log " + log(m, 12));
        }
        assertEquals("wd", m.output.toString(), "UART output");
        assertEquals(0x600D, m.lastFirmwareX0);

        // ESR, FAR (checked for aborts only), the instruction word at ELR (or before it for SVC), vector offset.
        expect(m, 0, 0x5600_0042L, -1, 0xD400_0841, -4, 0x200);
        expect(m, 1, 0x0200_0000L, -1, 0x0000_0000, 0, 0x200);
        expect(m, 2, 0x9600_0010L, 0x1000, 0xF940_0022, 0, 0x200);         // external abort, EL1
        expect(m, 3, 0x9600_000BL, 0x4060_0008L, 0xF940_0422, 0, 0x200);   // access flag, level 3
        expect(m, 4, 0x9600_004FL, 0x4060_1010L, 0xF900_0822, 0, 0x200);   // permission on write, level 3
        expect(m, 5, 0x5600_0001L, -1, 0xD400_0021, -4, 0x400);            // SVC from EL0
        expect(m, 6, 0x9200_000EL, 0x4020_0000L, 0xF940_0022, 0, 0x400);   // EL0 permission, level 2 block
        expect(m, 7, 0x0200_0000L, -1, 0xD538_1003, 0, 0x400);             // MRS SCTLR_EL1 at EL0
        expect(m, 8, 0x5600_0002L, -1, 0xD400_0041, -4, 0x400);
        // The IRQ: taken after WFI completed, so ELR is the CBZ that tests the flag.
        assertEquals(0x1000, m.ramRead64(LOG + 9 * 32));
        assertEquals(0x280, m.ramRead64(LOG + 9 * 32 + 24));
        assertEquals(0x34FF_FFFAL, word(m, m.ramRead64(LOG + 9 * 32 + 16)));
        assertEquals(0, m.ramRead64(LOG + 10 * 32), "no further exceptions");

        assertEquals(4, m.ramRead64(RESULTS), "CurrentEL");
        assertEquals(0x4030_0000L, m.ramRead64(RESULTS + 8), "SP_EL1 kept across EL0");
        assertEquals(0x4060_0000L, m.ramRead64(RESULTS + 16), "SP_EL0");
        assertEquals(0xAAAA, m.ramRead64(RESULTS + 24));
        assertEquals(0xBBBB, m.ramRead64(RESULTS + 32), "TLBI made the new mapping visible");
        assertEquals(0xFF00_0000_4060_3800L, m.ramRead64(RESULTS + 40), "PAR of AT S1E1R");
        assertEquals(1 | 0b001110 << 1 | 1 << 11, m.ramRead64(RESULTS + 48), "PAR of AT S1E0R");
        assertEquals(0x3C0, m.ramRead64(RESULTS + 56), "DAIF");
        assertEquals(1, m.cpu.el);
        assertTrue(runner.stopped());
    }

    /** tests/baremetal/mmu.c builds its own page tables and checks translations and faults itself. */
    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void compiledProgramChecksItsOwnPageTables(A64Harness.Engine engine) throws Exception {
        TestMachine m = new TestMachine();
        m.cpu.pc = load(m, CrossCompiler.compile(Path.of("tests/baremetal/mmu.c"), List.of("-O2", "-ffreestanding",
            "-nostdlib", "-static", "-mgeneral-regs-only", "-fno-tree-loop-distribute-patterns", "-Wl,-N",
            "-Wl,-Ttext=0x40000000", "-Wl,--build-id=none")));
        VcpuRunner.Engine run = switch (engine) {
            case INTERP -> new Interpreter(m.cpu, null)::run;
            case DBT -> new DbtEngine(m.cpu, new CodeCache(), null, 1)::run;
        };
        VcpuRunner runner = new VcpuRunner(m.cpu, m.system, run);
        m.runner = runner;
        runner.runFor(50_000_000);
        assertTrue(runner.stopped(), "the program did not reach its final HVC; output: " + m.output);
        assertEquals("mmu: all checks passed\n", m.output.toString());
        assertEquals(0, m.lastFirmwareX0);
    }

    private static void expect(TestMachine m, int n, long esr, long far, int word, int wordOffset, long vector) {
        long base = LOG + n * 32L;
        assertEquals(esr, m.ramRead64(base), "ESR of exception " + n);
        if (far >= 0) assertEquals(far, m.ramRead64(base + 8), "FAR of exception " + n);
        long elr = m.ramRead64(base + 16);
        assertEquals(word & 0xFFFF_FFFFL, word(m, elr + wordOffset), "instruction at ELR of exception " + n);
        assertEquals(vector, m.ramRead64(base + 24), "vector of exception " + n);
    }

    private static long word(TestMachine m, long pa) {
        return m.ramRead64(pa) & 0xFFFF_FFFFL;
    }

    private static String log(TestMachine m, int entries) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < entries * 4; i++) sb.append(Long.toHexString(m.ramRead64(LOG + 8L * i))).append(' ');
        return sb.toString();
    }

    /** Identity map: code (EL0 read-only), kernel data, user data, a page-granular block, and the UART. */
    private static void buildTables(TestMachine m) {
        m.ramWrite64(L1, L2_DEVICES | TABLE);
        m.ramWrite64(L1 + 8, L2_RAM | TABLE);
        m.ramWrite64(L2_DEVICES + 8 * (TestMachine.UART >>> 21), TestMachine.UART | BLOCK | AF | DEVICE | PXN | UXN);
        m.ramWrite64(L2_RAM, 0x4000_0000L | BLOCK | AF | EL0 | RO);
        m.ramWrite64(L2_RAM + 8, 0x4020_0000L | BLOCK | AF | UXN);
        m.ramWrite64(L2_RAM + 16, 0x4040_0000L | BLOCK | AF | EL0 | PXN | UXN);
        m.ramWrite64(L2_RAM + 24, L3 | TABLE);
        m.ramWrite64(L3, 0x4060_0000L | PAGE);
        m.ramWrite64(L3 + 8, 0x4060_1000L | PAGE | AF | RO);
        m.ramWrite64(L3 + 16, 0x4060_2000L | PAGE | AF);
        m.ramWrite64(L3 + 24, 0x4060_3000L | PAGE | AF);
        m.ramWrite64(L3 + 32, L3 | PAGE | AF);
        m.ramWrite64(0x4060_2000L, 0xAAAA);
        m.ramWrite64(0x4060_3000L, 0xBBBB);
    }

    /** Copies the PT_LOAD segments of a 64-bit little-endian ELF into RAM; returns the entry point. */
    static long load(TestMachine m, Path elf) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(elf)).order(ByteOrder.LITTLE_ENDIAN);
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xFFFF, phnum = b.getShort(56) & 0xFFFF;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) phoff + i * phentsize;
            if (b.getInt(ph) != 1) continue;
            long offset = b.getLong(ph + 8), paddr = b.getLong(ph + 24), filesz = b.getLong(ph + 32);
            for (long j = 0; j < filesz; j++) {
                m.ram.set(java.lang.foreign.ValueLayout.JAVA_BYTE, paddr - TestMachine.RAM_BASE + j,
                    b.get((int) (offset + j)));
            }
        }
        return entry;
    }
}
