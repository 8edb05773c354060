package dev.jvisor.machine.virt;

import dev.jvisor.arch.a64.SystemCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.emulator.VirtMachine;
import dev.jvisor.arch.a64.system.Exceptions;
import dev.jvisor.arch.a64.system.Mmu;
import dev.jvisor.arch.a64.system.SysRegFile;
import dev.jvisor.arch.a64.system.SystemMode;
import dev.jvisor.arch.a64.system.VcpuRunner;
import dev.jvisor.engine.dbt.CodeCache;
import dev.jvisor.engine.dbt.DbtEngine;
import dev.jvisor.engine.interp.Interpreter;
import dev.jvisor.machine.gic.CpuRegister;
import dev.jvisor.machine.gic.InterruptOutputs;
import dev.jvisor.machine.psci.Psci;
import dev.jvisor.memory.GuestRam;
import dev.jvisor.memory.PhysicalMemory;
import dev.jvisor.testutil.CrossCompiler;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * tests/baremetal/hypervisor.c, the project's own hypervisor, at EL2 of a vCPU with the virtualization extensions
 * wired to the virt board: it runs a guest at EL1 under stage 2 whose WFI, TVM-trapped register writes, accesses to
 * an emulated device and virtual timer interrupt (injected through a list register) all reach it, and it prints the
 * VM exits it saw by exception class. jvisor's own count of exceptions taken to EL2 must agree.
 */
class BareMetalHypervisorTest {
    static final long RAM_SIZE = 8L << 20;

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void theGuestsExitsReachTheHypervisor(A64Harness.Engine engine) throws Exception {
        Path elf = CrossCompiler.compile(Path.of("tests/baremetal/hypervisor.c"), List.of("-O2", "-ffreestanding",
                "-nostdlib", "-static", "-mgeneral-regs-only", "-Wl,-N", "-Wl,-Ttext=0x40000000",
                "-Wl,--section-start=.guest=0x40200000", "-Wl,--build-id=none"));
        GuestRam ram = GuestRam.reserve(RAM_SIZE);
        long entry = VirtBoardVcpuTest.loadElf(ram, Files.readAllBytes(elf));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        VcpuRunner[] runner = new VcpuRunner[1];
        Psci.Platform power = new Psci.Platform() {
            @Override
            public void cpuOn(int cpu, long entryPoint, long contextId) {
                throw new AssertionError("one vCPU");
            }

            @Override
            public void cpuOff(int cpu) {
                runner[0].stop();
            }

            @Override
            public void waitForInterrupt(int cpu) {}

            @Override
            public void systemOff() {
                runner[0].stop();
            }

            @Override
            public void systemReset() {
                runner[0].stop();
            }
        };
        InterruptOutputs lines = new InterruptOutputs() {
            @Override
            public void setIrq(int cpu, boolean asserted) {
                runner[0].setInterruptLine(Cpu.IRQ_LINE, asserted);
            }

            @Override
            public void setFiq(int cpu, boolean asserted) {
                runner[0].setInterruptLine(Cpu.FIQ_LINE, asserted);
            }

            @Override
            public void setVirtualIrq(int cpu, boolean asserted) {
                runner[0].setInterruptLine(Cpu.VIRQ_LINE, asserted);
            }

            @Override
            public void setVirtualFiq(int cpu, boolean asserted) {
                runner[0].setInterruptLine(Cpu.VFIQ_LINE, asserted);
            }
        };
        try (VirtBoard board = new VirtBoard(new VirtBoard.Config(1, RAM_SIZE, "", "arm,armv8", "smc", true),
                SystemCounter::ticks, lines, console::write, power)) {
            PhysicalMemory phys = VirtMachine.physicalMemory(ram, board.bus());
            Mmu mmu = new Mmu(phys, true);
            SysRegFile regs = new SysRegFile(CpuModel.cortexA57(), 0, true);
            for (CpuRegister r : board.systemRegisters()) {
                regs.register(r.encoding(), VirtMachine.systemRegister(r, 0));
            }
            SystemMode system = new SystemMode(regs, mmu,
                    (c, smc, imm) -> board.psci().call(0, c.x[0], c.x[1], c.x[2], c.x[3]));
            Cpu cpu = new Cpu(mmu, CpuModel.cortexA57(), system);
            cpu.el = 2;
            cpu.spSel = true;
            cpu.daif = 0x3C0;
            mmu.attach(cpu, regs);
            cpu.pc = entry;
            VcpuRunner.Engine run = switch (engine) {
                case INTERP -> new Interpreter(cpu, null)::run;
                case DBT -> new DbtEngine(cpu, new CodeCache(), null, 1)::run;
            };
            runner[0] = new VcpuRunner(cpu, system, run);
            Thread vcpu = Thread.ofPlatform().start(() -> {
                try {
                    runner[0].run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            vcpu.join(TimeUnit.SECONDS.toMillis(20));
            if (vcpu.isAlive()) {
                runner[0].stop();
                vcpu.join();
                throw new AssertionError("no SYSTEM_OFF; console " + console + ", pc 0x" + Long.toHexString(cpu.pc)
                        + " at EL" + cpu.el);
            }
            assertEquals("""
                    guest: ttbr0=12345000 sctlr=30d00800 device=cafe0002 virq=1b count=1
                    VM exits by class:
                      0x01 1
                      0x16 1
                      0x18 2
                      0x24 2
                      irq 1
                    """, console.toString());
            for (int ec : new int[] {Exceptions.EC_WFX, Exceptions.EC_HVC}) assertEquals(1, regs.exceptions.toEl2(ec));
            assertEquals(2, regs.exceptions.toEl2(Exceptions.EC_SYSREG));
            assertEquals(2, regs.exceptions.toEl2(Exceptions.EC_DATA_ABORT_LOWER));
            assertEquals(1, regs.exceptions.toEl2(64), "one IRQ taken to EL2");
        }
    }
}
