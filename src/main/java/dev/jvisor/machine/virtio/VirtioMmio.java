package dev.jvisor.machine.virtio;

import dev.jvisor.machine.IrqLine;
import dev.jvisor.machine.bus.BusAccessException;
import dev.jvisor.machine.bus.Device;
import dev.jvisor.machine.fdt.DeviceTreeIrq;
import dev.jvisor.machine.fdt.FdtNode;
import dev.jvisor.memory.Dma;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The virtio-mmio transport, version 2 (virtio 1.2 section 4.2.2): the register window through which a driver
 * negotiates features, lays out the queues and drives the status state machine of one {@link VirtioDevice}, and the
 * interrupt line through which the device reports used buffers and configuration changes. The line is a level: high
 * while InterruptStatus is non-zero.
 *
 * <p>Register accesses may come from several vCPUs at once. Register state is guarded by this object; queue work runs
 * under each queue's own lock and never takes this one, so a long block request on one vCPU does not stall another
 * vCPU reading InterruptStatus.
 */
public final class VirtioMmio implements Device {
    public static final long SIZE = 0x200;

    public static final int F_INDIRECT_DESC = 28;
    public static final int F_EVENT_IDX = 29;
    public static final int F_VERSION_1 = 32;

    public static final int STATUS_ACKNOWLEDGE = 1;
    public static final int STATUS_DRIVER = 2;
    public static final int STATUS_DRIVER_OK = 4;
    public static final int STATUS_FEATURES_OK = 8;
    public static final int STATUS_DEVICE_NEEDS_RESET = 0x40;
    public static final int STATUS_FAILED = 0x80;

    public static final int INTERRUPT_USED_BUFFER = 1;
    public static final int INTERRUPT_CONFIG_CHANGE = 2;

    static final int MAGIC_VALUE = 0x000;
    static final int VERSION = 0x004;
    static final int DEVICE_ID = 0x008;
    static final int VENDOR_ID = 0x00C;
    static final int DEVICE_FEATURES = 0x010;
    static final int DEVICE_FEATURES_SEL = 0x014;
    static final int DRIVER_FEATURES = 0x020;
    static final int DRIVER_FEATURES_SEL = 0x024;
    static final int QUEUE_SEL = 0x030;
    static final int QUEUE_NUM_MAX = 0x034;
    static final int QUEUE_NUM = 0x038;
    static final int QUEUE_READY = 0x044;
    static final int QUEUE_NOTIFY = 0x050;
    static final int INTERRUPT_STATUS = 0x060;
    static final int INTERRUPT_ACK = 0x064;
    static final int STATUS = 0x070;
    static final int QUEUE_DESC_LOW = 0x080;
    static final int QUEUE_DESC_HIGH = 0x084;
    static final int QUEUE_DRIVER_LOW = 0x090;
    static final int QUEUE_DRIVER_HIGH = 0x094;
    static final int QUEUE_DEVICE_LOW = 0x0A0;
    static final int QUEUE_DEVICE_HIGH = 0x0A4;
    static final int SHM_LEN_LOW = 0x0B0;
    static final int SHM_LEN_HIGH = 0x0B4;
    static final int SHM_BASE_LOW = 0x0B8;
    static final int SHM_BASE_HIGH = 0x0BC;
    static final int CONFIG_GENERATION = 0x0FC;
    static final int CONFIG = 0x100;

    private static final int MAGIC = 0x74726976;
    /** "JVSR": the vendor field is free-form, drivers only show it. */
    private static final int VENDOR = 0x5253564A;
    private static final long TRANSPORT_FEATURES = 1L << F_VERSION_1 | 1L << F_INDIRECT_DESC | 1L << F_EVENT_IDX;

    private final VirtioDevice device;
    private final IrqLine irq;
    private final long offeredFeatures;
    private final List<Virtqueue> queues;
    /** What the driver wrote to each queue's layout registers, applied when it sets QueueReady. */
    private final int[] queueSizes;
    private final long[] descriptorAreas;
    private final long[] driverAreas;
    private final long[] deviceAreas;

    private int deviceFeaturesSel;
    private int driverFeaturesSel;
    private long driverFeatures;
    private int queueSel;
    /** Written by the driver under this object's lock, and by queue workers that flag DEVICE_NEEDS_RESET. */
    private final AtomicInteger status = new AtomicInteger();
    private final AtomicInteger interruptStatus = new AtomicInteger();
    private final Object lineLock = new Object();
    private boolean lineLevel;
    private volatile String error;

    /**
     * @param dma the device's access to guest RAM
     * @param irq the transport's interrupt output
     */
    public VirtioMmio(VirtioDevice device, Dma dma, IrqLine irq) {
        this.device = device;
        this.irq = irq;
        offeredFeatures = device.features() & 0xFF_FFFFL | TRANSPORT_FEATURES;
        int count = device.queueCount();
        List<Virtqueue> qs = new ArrayList<>(count);
        Virtqueue.Owner owner = new Virtqueue.Owner() {
            @Override
            public void usedBuffers() {
                raise(INTERRUPT_USED_BUFFER);
            }

            @Override
            public void deviceError(String reason) {
                fail(reason);
            }
        };
        for (int i = 0; i < count; i++) qs.add(new Virtqueue(i, dma, owner));
        queues = Collections.unmodifiableList(qs);
        queueSizes = new int[count];
        descriptorAreas = new long[count];
        driverAreas = new long[count];
        deviceAreas = new long[count];
    }

    @Override
    public String name() {
        return "virtio-" + device.name();
    }

    public VirtioDevice device() {
        return device;
    }

    /** Why the device last asked for a reset, or null: for diagnostics, the guest only sees DEVICE_NEEDS_RESET. */
    public String error() {
        return error;
    }

    @Override
    public long read(long offset, int size) {
        if (offset >= CONFIG) return readConfig((int) (offset - CONFIG), size);
        checkRegisterAccess(offset, size);
        return Integer.toUnsignedLong(readRegister((int) offset));
    }

    private synchronized int readRegister(int offset) {
        return switch (offset) {
            case MAGIC_VALUE -> MAGIC;
            case VERSION -> 2;
            case DEVICE_ID -> device.deviceId();
            case VENDOR_ID -> VENDOR;
            case DEVICE_FEATURES -> deviceFeaturesSel < 2 ? (int) (offeredFeatures >>> 32 * deviceFeaturesSel) : 0;
            case QUEUE_NUM_MAX -> selectedQueue() != null ? device.maxQueueSize() : 0;
            case QUEUE_READY -> selectedQueue() != null && selectedQueue().ready() ? 1 : 0;
            case INTERRUPT_STATUS -> interruptStatus.get();
            case STATUS -> status.get();
            // No shared memory regions: a length of all ones says so (section 4.2.2).
            case SHM_LEN_LOW, SHM_LEN_HIGH, SHM_BASE_LOW, SHM_BASE_HIGH -> -1;
            // The configuration never changes under the driver, so one generation covers it all.
            case CONFIG_GENERATION -> 0;
            default -> 0;
        };
    }

    private long readConfig(int offset, int size) {
        checkConfigAccess(offset, size);
        byte[] config = device.config();
        long value = 0;
        for (int i = size - 1; i >= 0; i--) {
            int at = offset + i;
            value = value << 8 | (at < config.length ? config[at] & 0xFF : 0);
        }
        return value;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset >= CONFIG) {
            // None of the fields the offered features expose is writable: the driver may not write them.
            checkConfigAccess((int) (offset - CONFIG), size);
            return;
        }
        checkRegisterAccess(offset, size);
        if (offset == QUEUE_NOTIFY) {
            notifyQueue((int) value);
            return;
        }
        writeRegister((int) offset, (int) value);
    }

    private synchronized void writeRegister(int offset, int value) {
        int q = queueSel;
        switch (offset) {
            case DEVICE_FEATURES_SEL -> deviceFeaturesSel = value;
            case DRIVER_FEATURES -> {
                // Features are fixed once FEATURES_OK is set (section 3.1.1).
                if ((status.get() & STATUS_FEATURES_OK) == 0 && Integer.compareUnsigned(driverFeaturesSel, 2) < 0) {
                    int shift = 32 * driverFeaturesSel;
                    driverFeatures = driverFeatures & ~(0xFFFF_FFFFL << shift)
                            | Integer.toUnsignedLong(value) << shift;
                }
            }
            case DRIVER_FEATURES_SEL -> driverFeaturesSel = value;
            case QUEUE_SEL -> queueSel = value;
            case QUEUE_NUM -> { if (layoutWritable()) queueSizes[q] = value; }
            case QUEUE_DESC_LOW -> { if (layoutWritable()) descriptorAreas[q] = low(descriptorAreas[q], value); }
            case QUEUE_DESC_HIGH -> { if (layoutWritable()) descriptorAreas[q] = high(descriptorAreas[q], value); }
            case QUEUE_DRIVER_LOW -> { if (layoutWritable()) driverAreas[q] = low(driverAreas[q], value); }
            case QUEUE_DRIVER_HIGH -> { if (layoutWritable()) driverAreas[q] = high(driverAreas[q], value); }
            case QUEUE_DEVICE_LOW -> { if (layoutWritable()) deviceAreas[q] = low(deviceAreas[q], value); }
            case QUEUE_DEVICE_HIGH -> { if (layoutWritable()) deviceAreas[q] = high(deviceAreas[q], value); }
            case QUEUE_READY -> writeQueueReady(value);
            case INTERRUPT_ACK -> {
                interruptStatus.getAndUpdate(s -> s & ~value);
                updateLine();
            }
            case STATUS -> writeStatus(value);
            default -> { } // Read-only registers and the shared-memory selector (there are no regions) ignore writes.
        }
    }

    private Virtqueue selectedQueue() {
        return Integer.compareUnsigned(queueSel, queues.size()) < 0 ? queues.get(queueSel) : null;
    }

    /** The driver may lay out a queue that exists and is not running. */
    private boolean layoutWritable() {
        Virtqueue q = selectedQueue();
        return q != null && !q.ready();
    }

    private static long low(long old, int value) {
        return old & ~0xFFFF_FFFFL | Integer.toUnsignedLong(value);
    }

    private static long high(long old, int value) {
        return old & 0xFFFF_FFFFL | (long) value << 32;
    }

    private void writeQueueReady(int value) {
        Virtqueue q = selectedQueue();
        if (q == null) return;
        if ((value & 1) == 0) {
            q.disable();
            return;
        }
        if (q.ready()) return;
        if ((status.get() & STATUS_FEATURES_OK) == 0) {
            fail("queue " + queueSel + " enabled before FEATURES_OK");
            return;
        }
        try {
            q.enable(queueSizes[queueSel], device.maxQueueSize(), descriptorAreas[queueSel], driverAreas[queueSel],
                    deviceAreas[queueSel], driverFeatures);
        } catch (VirtioException e) {
            fail(e.getMessage());
        }
    }

    private void writeStatus(int value) {
        if (value == 0) {
            reset();
            return;
        }
        int old = status.get();
        // Drivers only ever add bits (section 2.1.2); DEVICE_NEEDS_RESET is the device's to set and stays until reset.
        int added = value & ~old & ~STATUS_DEVICE_NEEDS_RESET;
        // Refusing FEATURES_OK is how a device rejects a feature set: the driver reads the status back.
        if ((added & STATUS_FEATURES_OK) != 0 && !featuresAcceptable()) added &= ~STATUS_FEATURES_OK;
        if ((added & STATUS_DRIVER_OK) != 0 && ((old | added) & STATUS_FEATURES_OK) == 0) {
            added &= ~STATUS_DRIVER_OK;
            fail("DRIVER_OK without FEATURES_OK");
        }
        boolean starting = (added & STATUS_DRIVER_OK) != 0 && (old & STATUS_DEVICE_NEEDS_RESET) == 0;
        // The device is ready before notifications, which DRIVER_OK lets through, can reach it.
        if (starting) device.activate(queues, driverFeatures);
        int bits = added;
        int now = status.updateAndGet(s -> s | bits);
        if ((added & STATUS_DRIVER_OK) == 0) return;
        if ((now & STATUS_DEVICE_NEEDS_RESET) != 0) {
            // Queue setup failed before the driver was listening, or a queue broke just now: tell it.
            raise(INTERRUPT_CONFIG_CHANGE);
            return;
        }
        // Drivers may fill queues before DRIVER_OK (console receive buffers); the device may use them only now.
        for (Virtqueue q : queues) q.service(device::process);
    }

    /** A virtio 1.x device needs VERSION_1, and a driver may accept only what was offered. */
    private boolean featuresAcceptable() {
        return (driverFeatures & ~offeredFeatures) == 0 && (driverFeatures & 1L << F_VERSION_1) != 0;
    }

    private void reset() {
        // Stopping the queues waits for work in flight, which may still report errors; clear the state after it.
        for (Virtqueue q : queues) q.disable();
        device.reset();
        deviceFeaturesSel = 0;
        driverFeaturesSel = 0;
        driverFeatures = 0;
        queueSel = 0;
        for (int i = 0; i < queues.size(); i++) {
            queueSizes[i] = 0;
            descriptorAreas[i] = 0;
            driverAreas[i] = 0;
            deviceAreas[i] = 0;
        }
        error = null;
        status.set(0);
        interruptStatus.set(0);
        updateLine();
    }

    private void notifyQueue(int index) {
        int s = status.get();
        if ((s & STATUS_DRIVER_OK) == 0 || (s & STATUS_DEVICE_NEEDS_RESET) != 0) return;
        // Without VIRTIO_F_NOTIFICATION_DATA the value written is just the queue index.
        if (Integer.compareUnsigned(index, queues.size()) >= 0) return;
        queues.get(index).service(device::process);
    }

    /** Sets DEVICE_NEEDS_RESET and, if the driver is running the device, tells it through a configuration change. */
    private void fail(String reason) {
        error = reason;
        int s = status.getAndUpdate(v -> v | STATUS_DEVICE_NEEDS_RESET);
        if ((s & STATUS_DRIVER_OK) != 0) raise(INTERRUPT_CONFIG_CHANGE);
    }

    private void raise(int bits) {
        interruptStatus.getAndUpdate(s -> s | bits);
        updateLine();
    }

    /** Every change of InterruptStatus is followed by this, so the last call sees the final value. */
    private void updateLine() {
        synchronized (lineLock) {
            boolean level = interruptStatus.get() != 0;
            if (level != lineLevel) {
                lineLevel = level;
                irq.set(level);
            }
        }
    }

    private static void checkRegisterAccess(long offset, int size) {
        // Section 4.2.2.2: the driver uses only aligned 32-bit accesses for the control registers.
        if (size != 4 || (offset & 3) != 0) {
            throw new BusAccessException(size + "-byte virtio-mmio register access at offset 0x"
                    + Long.toHexString(offset), offset);
        }
    }

    private static void checkConfigAccess(int offset, int size) {
        // Configuration fields are read 8, 16 or 32 bits at a time, naturally aligned (64-bit ones as two halves).
        if (size > 4 || (offset & (size - 1)) != 0 || offset + size > SIZE - CONFIG) {
            throw new BusAccessException(size + "-byte virtio-mmio configuration access at offset 0x"
                    + Integer.toHexString(CONFIG + offset), CONFIG + offset);
        }
    }

    /**
     * The device tree node of a transport at {@code base} interrupting on SPI {@code spi}. Edge-triggered as on QEMU's
     * virt: the driver acknowledges every event it reads, so a new event is always a new rising edge.
     */
    public static FdtNode deviceTreeNode(long base, int spi) {
        FdtNode node = new FdtNode(String.format("virtio_mmio@%x", base));
        node.string("compatible", "virtio,mmio");
        node.cells64("reg", base, SIZE);
        node.cells("interrupts", DeviceTreeIrq.SPI, spi, DeviceTreeIrq.EDGE_RISING);
        node.empty("dma-coherent");
        return node;
    }
}
