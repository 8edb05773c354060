package dev.jvisor.machine.virtio;

import java.util.List;

/**
 * One virtio device type (block, console, entropy) as its transport sees it. The transport owns feature
 * negotiation, the status state machine, the queues and interrupts; the device says what it offers and consumes the
 * buffers the driver makes available. All queue work runs inside {@link Virtqueue#service}, which serializes it per
 * queue, so a device may do its work synchronously on whichever thread notified the queue.
 */
public interface VirtioDevice {
    /** The virtio device ID (2 block, 3 console, 4 entropy). */
    int deviceId();

    /** A short name for diagnostics ("blk"). */
    String name();

    /** The device-type feature bits it offers (bits 0 to 23); the transport adds the ring and version bits. */
    long features();

    int queueCount();

    /** The largest size each of its queues may have: a power of two up to 32768. */
    int maxQueueSize();

    /** The device configuration space, little-endian; the caller must not modify it. */
    byte[] config();

    /**
     * The driver set DRIVER_OK with {@code features} negotiated; {@code queues} are the device's queues by index,
     * live until {@link #reset}. Devices that produce data on their own (console input) keep them to call
     * {@link Virtqueue#service} later.
     */
    default void activate(List<Virtqueue> queues, long features) {
    }

    /** Consumes what the driver made available on {@code queue}; called inside {@link Virtqueue#service}. */
    void process(Virtqueue queue) throws VirtioException;

    /** The driver reset the device: forget the queues (they are already disabled). */
    default void reset() {
    }
}
