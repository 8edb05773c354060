/**
 * The machine layer: devices on the MMIO bus, the interrupt controller, the timer, firmware and boards. Devices
 * never know which engine runs the CPU; they see bus accesses, and the CPU side sees them only through the
 * interfaces below.
 *
 * <p>Wiring a {@link dev.jvisor.machine.virt.VirtBoard} to vCPUs:
 * <ul>
 * <li>{@link dev.jvisor.machine.gic.InterruptOutputs}: the GIC drives each vCPU's IRQ and FIQ input with it (set the
 *     vCPU's pending-interrupt state, request an engine exit, wake it from WFI), and on CPUs with EL2 the virtual
 *     IRQ and FIQ its virtual CPU interface signals to a guest.</li>
 * <li>CPUs with EL2: {@link dev.jvisor.machine.virt.VirtBoard.Config#el2()} adds the GIC's ICH_* and ICV_*
 *     registers (the ICV_* ones under op1 7, where the CPU side redirects EL1's ICC_* accesses when HCR_EL2.IMO/FMO
 *     say so) and names the maintenance interrupt and the EL2 timers' PPIs in the device tree.</li>
 * <li>{@link dev.jvisor.machine.virt.VirtBoard#systemRegisters()}: register each
 *     {@link dev.jvisor.machine.gic.CpuRegister} with every vCPU's system-register handler table under its
 *     encoding, closing over the vCPU index; a null reader or writer means that direction is UNDEFINED.</li>
 * <li>The counter passed to the board must be the one the vCPUs read CNTPCT/CNTVCT from.</li>
 * <li>MPIDR_EL1 of vCPU {@code i} must carry {@link dev.jvisor.machine.CpuTopology#affinityOf(int)}: the GIC's SGI
 *     targeting, PSCI's CPU_ON and the device tree's cpu nodes all use it.</li>
 * <li>HVC (kernel at EL1) or SMC (at EL2) with a function ID that {@link dev.jvisor.machine.psci.Psci#handles} goes
 *     to {@link dev.jvisor.machine.psci.Psci#call}, whose result is x0; its
 *     {@link dev.jvisor.machine.psci.Psci.Platform} starts and stops vCPUs and ends the machine.</li>
 * <li>Guest-physical accesses outside RAM go to {@link dev.jvisor.machine.virt.VirtBoard#bus()}; a
 *     {@link dev.jvisor.machine.bus.BusAccessException} becomes a synchronous external abort.</li>
 * <li>Virtio devices ({@link dev.jvisor.machine.virtio}) reach RAM through a {@link dev.jvisor.memory.Dma} whose
 *     write listener must invalidate translated code for the ranges it reports.</li>
 * <li>{@link dev.jvisor.machine.boot.LinuxLoader} fills RAM; the boot vCPU starts at its entry with x0 = the
 *     device tree's address, x1..x3 = 0, MMU off, DAIF masked.</li>
 * </ul>
 */
package dev.jvisor.machine;
