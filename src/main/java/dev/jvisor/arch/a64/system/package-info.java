/**
 * The system level of an AArch64 vCPU: what turns the CPU core of {@code arch.a64} into one that runs an operating
 * system at EL1 and, optionally, a hypervisor at EL2 (the virtualization extensions: HCR_EL2's traps and routing,
 * stage-2 translation, FEAT_VHE's host regime; see {@link dev.jvisor.arch.a64.system.El2}).
 *
 * <p>Wiring one vCPU (the board does this; {@code PhysicalMemory} is its RAM plus MMIO bus):
 * <pre>{@code
 * Mmu[] mmus = ...;                                           // one new Mmu(physicalMemory) per vCPU, made first
 * Mmu mmu = mmus[cpuIndex];                                  // new Mmu(physicalMemory, true) for EL2
 * SysRegFile regs = new SysRegFile(model, affinity);          // (model, affinity, true) for EL2;
 *                                                             // then regs.register(ICC_..., handler) etc.
 * SystemMode system = new SystemMode(regs, mmu, psciFirmware, mmus); // mmus: targets of TLBI ...IS
 * Cpu cpu = new Cpu(mmu, model, system);
 * mmu.attach(cpu, regs);
 * cpu.el = 1; cpu.spSel = true; cpu.daif = 0x3C0; cpu.pc = kernelEntry; cpu.x[0] = dtbAddress; // el = 2 for EL2
 * VcpuRunner runner = new VcpuRunner(cpu, system, new Interpreter(cpu, null)::run);
 * runner.run();                                               // on the vCPU's thread
 * }</pre>
 * Devices raise interrupts with {@link dev.jvisor.arch.a64.system.VcpuRunner#setInterruptLine} from any thread;
 * PSCI CPU_OFF/SYSTEM_OFF end a vCPU with {@link dev.jvisor.arch.a64.system.VcpuRunner#stop}.
 */
package dev.jvisor.arch.a64.system;
