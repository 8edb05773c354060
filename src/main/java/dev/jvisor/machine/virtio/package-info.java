/**
 * Para-virtual devices for the {@code virt} machine: the virtio-mmio transport (version 2, virtio 1.2), split
 * virtqueues, and block, console and entropy devices. Nothing here knows which engine runs the vCPUs.
 *
 * <p>Wiring one device into a board:
 * <ul>
 * <li>Give it guest RAM through a {@link dev.jvisor.memory.Dma} ({@link dev.jvisor.memory.RamDma#of}); its write
 *     listener hears of every byte a device stores, for dropping translated code.</li>
 * <li>Wrap the device in a {@link dev.jvisor.machine.virtio.VirtioMmio} with an interrupt line to a GIC SPI, map it
 *     on the bus ({@link dev.jvisor.machine.virtio.VirtioMmio#SIZE} bytes) and add
 *     {@link dev.jvisor.machine.virtio.VirtioMmio#deviceTreeNode} to the device tree.</li>
 * <li>Requests run on the vCPU thread that writes QueueNotify; console input runs on the thread
 *     {@link dev.jvisor.machine.virtio.VirtioConsole#startInput} starts.</li>
 * </ul>
 *
 * <p>A driver that breaks the protocol (a malformed ring, a request with no room for its status) never reaches the
 * host as an exception: the device sets DEVICE_NEEDS_RESET, raises a configuration-change interrupt and ignores the
 * driver until it resets the device.
 */
package dev.jvisor.machine.virtio;
