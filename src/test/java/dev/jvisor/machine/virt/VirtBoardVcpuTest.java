package dev.jvisor.machine.virt;

import dev.jvisor.arch.a64.SystemCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.emulator.VirtMachine;
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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One vCPU of the system level wired to the virt board the way a machine will be: RAM plus the board's MMIO bus as
 * physical memory, the GIC's and timer's registers in the vCPU's system-register table, the GIC's output on the
 * vCPU's IRQ line, PSCI behind HVC. tests/baremetal/virt-interrupts.S then takes a timer interrupt and an SGI.
 */
class VirtBoardVcpuTest {
    static final long RAM_BASE = VirtBoard.RAM;
    static final long RAM_SIZE = 8L << 20;

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void timerPpiAndSgiReachTheProgram(A64Harness.Engine engine) throws Exception {
        assertEquals("K3", run("virt-interrupts.S", engine), "INTID 27 ('0' + 27), then SGI 3");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void priorityMaskAndPreemptionOrderInterrupts(A64Harness.Engine engine) throws Exception {
        assertEquals("2|1|56e7", run("gic-priority.S", engine),
                "SGI 1 held off by the priority mask until it is raised; SGI 6 preempts SGI 5's handler, SGI 7 waits");
    }

    /** Runs a bare-metal program on one vCPU of the board until PSCI SYSTEM_OFF; returns its console output. */
    private static String run(String source, A64Harness.Engine engine) throws Exception {
        Path elf = CrossCompiler.compile(Path.of("tests/baremetal/" + source), List.of("-ffreestanding",
                "-nostdlib", "-static", "-Wl,-N", "-Wl,-Ttext=0x40000000", "-Wl,--build-id=none"));
        GuestRam ram = GuestRam.reserve(RAM_SIZE);
        long entry = loadElf(ram, Files.readAllBytes(elf));
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
        };
        try (VirtBoard board = new VirtBoard(new VirtBoard.Config(1, RAM_SIZE, "", "arm,armv8", "hvc"),
                SystemCounter::ticks, lines, console::write, power)) {
            PhysicalMemory phys = VirtMachine.physicalMemory(ram, board.bus());
            Mmu mmu = new Mmu(phys);
            SysRegFile regs = new SysRegFile(CpuModel.max(), 0);
            for (CpuRegister r : board.systemRegisters()) regs.register(r.encoding(), VirtMachine.systemRegister(r, 0));
            SystemMode system = new SystemMode(regs, mmu,
                    (c, smc, imm) -> board.psci().call(0, c.x[0], c.x[1], c.x[2], c.x[3]));
            Cpu cpu = new Cpu(mmu, CpuModel.max(), system);
            cpu.el = 1;
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
                throw new AssertionError("no SYSTEM_OFF; console " + console + ", pc 0x" + Long.toHexString(cpu.pc));
            }
            return console.toString();
        }
    }

    static long loadElf(GuestRam ram, byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xFFFF;
        int phnum = b.getShort(56) & 0xFFFF;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) phoff + i * phentsize;
            if (b.getInt(ph) != 1) continue;
            long offset = b.getLong(ph + 8);
            long paddr = b.getLong(ph + 24);
            long fileSize = b.getLong(ph + 32);
            ram.copyIn(paddr - RAM_BASE, elf, (int) offset, (int) fileSize);
        }
        return b.getLong(24);
    }
}
