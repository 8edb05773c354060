/**
 * The EL0/EL1 system level of an AArch64 vCPU: what turns the CPU core of {@code arch.a64} into one that runs an
 * operating system.
 *
 * <p>Wiring one vCPU (the board does this; {@code PhysicalMemory} is its RAM plus MMIO bus):
 * <pre>{@code
 * Mmu[] mmus = ...;                                           // one new Mmu(physicalMemory) per vCPU, made first
 * Mmu mmu = mmus[cpuIndex];
 * SysRegFile regs = new SysRegFile(model, cpuIndex);          // then regs.register(ICC_..., handler) etc.
 * SystemMode system = new SystemMode(regs, mmu, psciFirmware, mmus); // mmus: targets of TLBI ...IS
 * Cpu cpu = new Cpu(mmu, model, system);
 * mmu.attach(cpu, regs);
 * cpu.el = 1; cpu.spSel = true; cpu.daif = 0x3C0; cpu.pc = kernelEntry; cpu.x[0] = dtbAddress;
 * VcpuRunner runner = new VcpuRunner(cpu, system, new Interpreter(cpu, null)::run);
 * runner.run();                                               // on the vCPU's thread
 * }</pre>
 * Devices raise interrupts with {@link dev.jvisor.arch.a64.system.VcpuRunner#setInterruptLine} from any thread;
 * PSCI CPU_OFF/SYSTEM_OFF end a vCPU with {@link dev.jvisor.arch.a64.system.VcpuRunner#stop}.
 */
package dev.jvisor.arch.a64.system;
