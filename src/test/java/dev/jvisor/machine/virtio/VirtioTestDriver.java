package dev.jvisor.machine.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.memory.Dma;
import dev.jvisor.memory.DmaFault;
import dev.jvisor.memory.GuestRam;
import dev.jvisor.memory.RamDma;
import java.util.ArrayList;
import java.util.List;

/**
 * A virtio driver written from the specification for the tests: it lays out split rings in guest RAM, performs the
 * initialization handshake through the MMIO registers and submits descriptor chains. It records the interrupt line
 * and every range the device reports writing.
 */
final class VirtioTestDriver {
    static final long RAM_BASE = 0x4000_0000L;

    /** One buffer of a chain: guest-physical address, length, device-writable or not. */
    record Buffer(long address, int length, boolean writable) {
        static Buffer in(long address, int length) {
            return new Buffer(address, length, false);
        }

        static Buffer out(long address, int length) {
            return new Buffer(address, length, true);
        }
    }

    record Used(int id, int length) {}

    static final class Queue {
        final int index;
        final int size;
        final long descriptors;
        final long available;
        final long used;
        int nextDescriptor;
        int availableIndex;
        int usedSeen;

        Queue(int index, int size, long descriptors, long available, long used) {
            this.index = index;
            this.size = size;
            this.descriptors = descriptors;
            this.available = available;
            this.used = used;
        }
    }

    final GuestRam ram;
    /** The driver's own view of RAM: the same memory, but its writes are not the device's. */
    final Dma memory;
    final VirtioMmio transport;
    final List<Queue> queues = new ArrayList<>();
    final List<long[]> deviceWrites = new ArrayList<>();
    volatile boolean line;
    int risingEdges;
    private long nextFree;
    private final long freeEnd;

    /** A driver for {@code device} that takes its rings and buffers from guest-physical {@code [from, to)}. */
    VirtioTestDriver(GuestRam ram, VirtioDevice device, long from, long to) {
        this.ram = ram;
        this.memory = RamDma.of(ram, RAM_BASE);
        Dma deviceDma = new RamDma(ram.segment(), RAM_BASE, (address, length) -> {
            synchronized (deviceWrites) {
                deviceWrites.add(new long[] {address, length});
            }
        });
        this.transport = new VirtioMmio(device, deviceDma, level -> {
            synchronized (this) {
                if (level && !line) risingEdges++;
                line = level;
            }
        });
        nextFree = from;
        freeEnd = to;
    }

    int reg(int offset) {
        return (int) transport.read(offset, 4);
    }

    void setReg(int offset, int value) {
        transport.write(offset, 4, value);
    }

    int status() {
        return reg(VirtioMmio.STATUS);
    }

    long offeredFeatures() {
        setReg(VirtioMmio.DEVICE_FEATURES_SEL, 1);
        long high = Integer.toUnsignedLong(reg(VirtioMmio.DEVICE_FEATURES));
        setReg(VirtioMmio.DEVICE_FEATURES_SEL, 0);
        return high << 32 | Integer.toUnsignedLong(reg(VirtioMmio.DEVICE_FEATURES));
    }

    /** Writes the driver's features and sets FEATURES_OK; returns whether the device kept it. */
    boolean negotiate(long features) {
        setReg(VirtioMmio.STATUS, 0);
        setReg(VirtioMmio.STATUS, VirtioMmio.STATUS_ACKNOWLEDGE);
        setReg(VirtioMmio.STATUS, VirtioMmio.STATUS_ACKNOWLEDGE | VirtioMmio.STATUS_DRIVER);
        setReg(VirtioMmio.DRIVER_FEATURES_SEL, 0);
        setReg(VirtioMmio.DRIVER_FEATURES, (int) features);
        setReg(VirtioMmio.DRIVER_FEATURES_SEL, 1);
        setReg(VirtioMmio.DRIVER_FEATURES, (int) (features >>> 32));
        setReg(VirtioMmio.STATUS, status() | VirtioMmio.STATUS_FEATURES_OK);
        return (status() & VirtioMmio.STATUS_FEATURES_OK) != 0;
    }

    /**
     * The whole handshake of section 3.1.1: accepts {@code wanted} among the offered features (plus VERSION_1),
     * sets up a queue of {@code sizes[i]} entries for each queue and sets DRIVER_OK. Returns the negotiated features.
     */
    long init(long wanted, int... sizes) {
        assertEquals(0x74726976, reg(VirtioMmio.MAGIC_VALUE));
        assertEquals(2, reg(VirtioMmio.VERSION));
        long features = (wanted | 1L << VirtioMmio.F_VERSION_1) & offeredFeatures();
        assertTrue(negotiate(features), "device refused FEATURES_OK");
        queues.clear();
        for (int i = 0; i < sizes.length; i++) queues.add(setUpQueue(i, sizes[i]));
        setReg(VirtioMmio.STATUS, status() | VirtioMmio.STATUS_DRIVER_OK);
        assertEquals(0, status() & VirtioMmio.STATUS_DEVICE_NEEDS_RESET, "device error: " + transport.error());
        return features;
    }

    Queue setUpQueue(int index, int size) {
        return setUpQueueAt(index, size, allocate(16L * size, 16), allocate(6 + 2L * size, 2),
                allocate(6 + 8L * size, 4));
    }

    Queue setUpQueueAt(int index, int size, long descriptors, long available, long used) {
        setReg(VirtioMmio.QUEUE_SEL, index);
        assertEquals(0, reg(VirtioMmio.QUEUE_READY));
        assertTrue(size <= reg(VirtioMmio.QUEUE_NUM_MAX));
        Queue q = new Queue(index, size, descriptors, available, used);
        setReg(VirtioMmio.QUEUE_NUM, size);
        setReg(VirtioMmio.QUEUE_DESC_LOW, (int) q.descriptors);
        setReg(VirtioMmio.QUEUE_DESC_HIGH, (int) (q.descriptors >>> 32));
        setReg(VirtioMmio.QUEUE_DRIVER_LOW, (int) q.available);
        setReg(VirtioMmio.QUEUE_DRIVER_HIGH, (int) (q.available >>> 32));
        setReg(VirtioMmio.QUEUE_DEVICE_LOW, (int) q.used);
        setReg(VirtioMmio.QUEUE_DEVICE_HIGH, (int) (q.used >>> 32));
        setReg(VirtioMmio.QUEUE_READY, 1);
        assertEquals(1, reg(VirtioMmio.QUEUE_READY), "queue not ready: " + transport.error());
        return q;
    }

    /** Zeroed, aligned memory from the driver's region. */
    long allocate(long length, int alignment) {
        long at = (nextFree + alignment - 1) & -(long) alignment;
        if (at + length > freeEnd) throw new IllegalStateException("test driver out of memory");
        nextFree = at + length;
        ram.zero(at - RAM_BASE, length);
        return at;
    }

    long buffer(byte[] content) {
        long at = allocate(content.length, 8);
        ram.copyIn(at - RAM_BASE, content, 0, content.length);
        return at;
    }

    byte[] read(long address, int length) {
        byte[] b = new byte[length];
        ram.copyOut(address - RAM_BASE, b, 0, length);
        return b;
    }

    void write16(long address, int value) {
        try {
            memory.write16(address, value);
        } catch (DmaFault e) {
            throw new AssertionError(e);
        }
    }

    int read16(long address) {
        try {
            return memory.read16(address);
        } catch (DmaFault e) {
            throw new AssertionError(e);
        }
    }

    int read32(long address) {
        try {
            return memory.read32(address);
        } catch (DmaFault e) {
            throw new AssertionError(e);
        }
    }

    void write32(long address, int value) {
        try {
            memory.write32(address, value);
        } catch (DmaFault e) {
            throw new AssertionError(e);
        }
    }

    void writeDescriptor(long table, int index, long address, int length, int flags, int next) {
        long at = table + 16L * index;
        write32(at, (int) address);
        write32(at + 4, (int) (address >>> 32));
        write32(at + 8, length);
        write16(at + 12, flags);
        write16(at + 14, next);
    }

    /** Puts {@code buffers} in the descriptor table as one chain and makes it available; returns its head. */
    int submit(Queue q, Buffer... buffers) {
        int head = q.nextDescriptor;
        for (int i = 0; i < buffers.length; i++) {
            int d = (head + i) % q.size;
            Buffer b = buffers[i];
            int flags = (b.writable() ? Virtqueue.DESC_F_WRITE : 0)
                    | (i + 1 < buffers.length ? Virtqueue.DESC_F_NEXT : 0);
            writeDescriptor(q.descriptors, d, b.address(), b.length(), flags, (d + 1) % q.size);
        }
        q.nextDescriptor = (head + buffers.length) % q.size;
        publish(q, head);
        return head;
    }

    /** Puts {@code buffers} in an indirect table that one descriptor of the queue points to. */
    int submitIndirect(Queue q, Buffer... buffers) {
        long table = allocate(16L * buffers.length, 16);
        for (int i = 0; i < buffers.length; i++) {
            Buffer b = buffers[i];
            int flags = (b.writable() ? Virtqueue.DESC_F_WRITE : 0)
                    | (i + 1 < buffers.length ? Virtqueue.DESC_F_NEXT : 0);
            writeDescriptor(table, i, b.address(), b.length(), flags, i + 1);
        }
        int head = q.nextDescriptor;
        writeDescriptor(q.descriptors, head, table, 16 * buffers.length, Virtqueue.DESC_F_INDIRECT, 0);
        q.nextDescriptor = (head + 1) % q.size;
        publish(q, head);
        return head;
    }

    void publish(Queue q, int head) {
        write16(q.available + 4 + 2L * (q.availableIndex % q.size), head);
        q.availableIndex = (q.availableIndex + 1) & 0xFFFF;
        write16(q.available + 2, q.availableIndex);
    }

    void kick(Queue q) {
        setReg(VirtioMmio.QUEUE_NOTIFY, q.index);
    }

    /** The used elements the device added since the last call. */
    List<Used> used(Queue q) {
        List<Used> out = new ArrayList<>();
        int index = read16(q.used + 2);
        for (; q.usedSeen != index; q.usedSeen = (q.usedSeen + 1) & 0xFFFF) {
            long element = q.used + 4 + 8L * (q.usedSeen % q.size);
            out.add(new Used(read32(element), read32(element + 4)));
        }
        return out;
    }

    /** Submits, kicks and returns the single used element the device must have produced synchronously. */
    Used request(Queue q, Buffer... buffers) {
        int head = submit(q, buffers);
        kick(q);
        List<Used> used = used(q);
        assertEquals(1, used.size(), "used elements; device error: " + transport.error());
        assertEquals(head, used.get(0).id());
        return used.get(0);
    }

    /** Reads and acknowledges InterruptStatus, as the Linux interrupt handler does. */
    int acknowledge() {
        int pending = reg(VirtioMmio.INTERRUPT_STATUS);
        setReg(VirtioMmio.INTERRUPT_ACK, pending);
        return pending;
    }
}
