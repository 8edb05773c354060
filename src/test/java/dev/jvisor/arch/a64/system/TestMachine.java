package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.memory.Access;
import dev.jvisor.memory.HostMemory;
import dev.jvisor.memory.MemoryFault;
import dev.jvisor.memory.PhysicalMemory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One vCPU in system mode over 8 MiB of RAM at 0x4000_0000 and one device: a byte-wide output register at
 * {@link #UART} (what a bare-metal program prints), a read-only 32-bit register at UART + 4 holding
 * {@link #DEVICE_ID}, and 32-bit write-only registers at UART + 8 (deasserts the IRQ) and UART + 12 (stops the
 * vCPU). Every other physical address is unmapped.
 */
final class TestMachine implements PhysicalMemory {
    static final long RAM_BASE = 0x4000_0000L;
    static final int RAM_SIZE = 8 << 20;
    static final long UART = 0x0900_0000L;
    static final int DEVICE_ID = 0x1234_5678;

    final MemorySegment ram = HostMemory.reserve(RAM_SIZE, false);
    final StringBuilder output = new StringBuilder();
    final Mmu mmu;
    final SysRegFile regs;
    final SystemMode system;
    final Cpu cpu;
    int firmwareCalls;
    long lastFirmwareX0;
    /** Set by a test that runs the vCPU: the firmware's HVC stops it, UART + 8 acknowledges the IRQ. */
    volatile VcpuRunner runner;
    /** Called when the program prints {@code 'w'}: it is about to wait for an interrupt. */
    volatile Runnable onWait;

    TestMachine() {
        this(CpuModel.max(), false, 1);
    }

    /** A vCPU of {@code model}, with EL2 if {@code el2}, starting at {@code el} with SP_ELx selected. */
    TestMachine(CpuModel model, boolean el2, int el) {
        mmu = new Mmu(this, el2);
        regs = new SysRegFile(model, 0, el2);
        system = new SystemMode(regs, mmu, (c, smc, imm) -> {
            firmwareCalls++;
            lastFirmwareX0 = c.x[0];
            if (runner != null) runner.stop();
            return c.x[0] + 1;
        });
        cpu = new Cpu(mmu, model, system);
        cpu.el = el;
        cpu.spSel = true;
        cpu.daif = 0x3C0;
        mmu.attach(cpu, regs);
    }

    @Override public MemorySegment ram() { return ram; }

    @Override public long ramBase() { return RAM_BASE; }

    @Override
    public long mmioRead(long pa, int size) {
        if (pa == UART + 4 && size == 4) return DEVICE_ID;
        throw new MemoryFault(MemoryFault.Kind.EXTERNAL, pa, Access.READ);
    }

    @Override
    public void mmioWrite(long pa, int size, long value) {
        if (pa == UART + 12 && size == 4) {
            runner.stop();
            return;
        }
        if (pa == UART + 8 && size == 4) {
            runner.setInterruptLine(Cpu.IRQ_LINE, false);
            return;
        }
        if (pa != UART) throw new MemoryFault(MemoryFault.Kind.EXTERNAL, pa, Access.WRITE);
        output.append((char) (value & 0xFF));
        if (value == 'w' && onWait != null) onWait.run();
    }

    long ramRead64(long pa) {
        return ram.get(ValueLayout.JAVA_LONG_UNALIGNED, pa - RAM_BASE);
    }

    void ramWrite64(long pa, long value) {
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED, pa - RAM_BASE, value);
    }

    void ramWrite32(long pa, int value) {
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, pa - RAM_BASE, value);
    }
}
