package dev.jvisor.machine.virtio;

import dev.jvisor.memory.Dma;
import dev.jvisor.memory.DmaFault;
import java.lang.invoke.VarHandle;

/**
 * A split virtqueue (virtio 1.2 section 2.7) seen from the device: the descriptor table and available ring the
 * driver writes, the used ring the device writes. Everything a driver can get wrong (indices past the queue, loops,
 * buffers outside RAM, misplaced flags) becomes a {@link VirtioException}; the queue then stops and its transport
 * asks the driver for a reset. All access to the rings happens inside {@link #service}, under this queue's lock, so
 * vCPU threads notifying the queue and device threads producing data take turns.
 */
public final class Virtqueue {
    /** What the queue needs from its transport. */
    interface Owner {
        /** Used buffers were added and the driver wants to hear of them. */
        void usedBuffers();

        /** The driver broke the protocol; {@code reason} says how. */
        void deviceError(String reason);
    }

    /** Work on the rings, run by {@link #service} with the queue locked. */
    @FunctionalInterface
    public interface Work {
        void run(Virtqueue queue) throws VirtioException;
    }

    static final int DESC_F_NEXT = 1;
    static final int DESC_F_WRITE = 2;
    static final int DESC_F_INDIRECT = 4;
    static final int AVAIL_F_NO_INTERRUPT = 1;
    private static final int DESCRIPTOR_SIZE = 16;

    private final int index;
    private final Dma dma;
    private final Owner owner;

    /** Volatile so that register reads need not wait for work in progress on the queue. */
    private volatile boolean ready;
    private boolean broken;
    private int size;
    private long descriptors;
    private long available;
    private long used;
    private boolean indirect;
    private boolean eventIndex;
    /** Free-running 16-bit ring indices, as the rings hold them. */
    private int nextAvailable;
    private int nextUsed;
    /** The used index when we last decided whether to interrupt: the event-index test measures from it. */
    private int signalledUsed;
    private boolean pushed;

    Virtqueue(int index, Dma dma, Owner owner) {
        this.index = index;
        this.dma = dma;
        this.owner = owner;
    }

    public int index() {
        return index;
    }

    boolean ready() {
        return ready;
    }

    /**
     * The driver set QueueReady: checks the layout it gave (a power-of-two size, aligned rings inside RAM, as
     * section 2.7 requires) and starts the queue at index zero.
     */
    synchronized void enable(int size, int maxSize, long descriptors, long available, long used, long features)
            throws VirtioException {
        if (size <= 0 || size > maxSize || (size & (size - 1)) != 0) {
            throw new VirtioException("queue " + index + ": size " + size + " is not a power of two up to " + maxSize);
        }
        if ((descriptors & 15) != 0 || (available & 1) != 0 || (used & 3) != 0) {
            throw new VirtioException("queue " + index + ": misaligned rings");
        }
        if (!dma.contains(descriptors, (long) DESCRIPTOR_SIZE * size) || !dma.contains(available, 6 + 2L * size)
                || !dma.contains(used, 6 + 8L * size)) {
            throw new VirtioException("queue " + index + ": rings outside RAM");
        }
        this.size = size;
        this.descriptors = descriptors;
        this.available = available;
        this.used = used;
        indirect = (features & 1L << VirtioMmio.F_INDIRECT_DESC) != 0;
        eventIndex = (features & 1L << VirtioMmio.F_EVENT_IDX) != 0;
        nextAvailable = 0;
        nextUsed = 0;
        signalledUsed = 0;
        broken = false;
        ready = true;
    }

    /** Stops the queue; waits for work in progress, after which the device touches none of its memory. */
    synchronized void disable() {
        ready = false;
        broken = false;
    }

    /**
     * Runs {@code work} on the rings if the queue is live, then interrupts the driver if the work used buffers and the
     * driver asked to hear of it. A protocol violation stops the queue and reports a device error; nothing escapes.
     */
    public synchronized void service(Work work) {
        if (!ready || broken) return;
        pushed = false;
        try {
            work.run(this);
            if (pushed) interruptIfWanted();
        } catch (VirtioException e) {
            broken = true;
            owner.deviceError("queue " + index + ": " + e.getMessage());
        }
    }

    /** The next available buffer, or null when the driver has made none available. Only inside {@link #service}. */
    public DescriptorChain pop() throws VirtioException {
        assert Thread.holdsLock(this);
        int availableIndex = read16(available + 2);
        if (availableIndex == nextAvailable) {
            if (!eventIndex) return null;
            // Ask for a notification when the next buffer arrives, then look again: the driver may have added one
            // before it could see the request, and would not notify for it.
            write16(used + 4 + 8L * size, nextAvailable);
            VarHandle.fullFence();
            availableIndex = read16(available + 2);
            if (availableIndex == nextAvailable) return null;
        }
        if (((availableIndex - nextAvailable) & 0xFFFF) > size) {
            throw new VirtioException("available index " + availableIndex + " is more than a queue ahead of "
                    + nextAvailable);
        }
        // The ring entry must not be read before the index that publishes it.
        VarHandle.acquireFence();
        int head = read16(available + 4 + 2L * (nextAvailable & (size - 1)));
        if (head >= size) throw new VirtioException("available ring names descriptor " + head + " of " + size);
        DescriptorChain chain = walk(head);
        nextAvailable = (nextAvailable + 1) & 0xFFFF;
        return chain;
    }

    private DescriptorChain walk(int head) throws VirtioException {
        DescriptorChain chain = new DescriptorChain(dma, head);
        long table = descriptors;
        int tableSize = size;
        long at = table + (long) DESCRIPTOR_SIZE * head;
        int flags = read16(at + 12);
        if ((flags & DESC_F_INDIRECT) != 0) {
            if (!indirect) throw new VirtioException("indirect descriptor without VIRTIO_F_INDIRECT_DESC");
            if ((flags & DESC_F_NEXT) != 0) throw new VirtioException("indirect descriptor with NEXT set");
            long tableAddress = read64(at);
            long tableLength = read32(at + 8) & 0xFFFF_FFFFL;
            // Like a direct chain, an indirect one may not be longer than the queue (section 2.7.5.3.1).
            if (tableLength == 0 || tableLength % DESCRIPTOR_SIZE != 0 || tableLength / DESCRIPTOR_SIZE > size) {
                throw new VirtioException("indirect table of " + tableLength + " bytes");
            }
            if (!dma.contains(tableAddress, tableLength)) throw new VirtioException("indirect table outside RAM");
            table = tableAddress;
            tableSize = (int) (tableLength / DESCRIPTOR_SIZE);
            at = table;
            flags = read16(at + 12);
        }
        for (int count = 1; ; count++) {
            if ((flags & DESC_F_INDIRECT) != 0) {
                throw new VirtioException("indirect descriptor inside a chain or an indirect table");
            }
            long address = read64(at);
            long length = read32(at + 8) & 0xFFFF_FFFFL;
            boolean writable = (flags & DESC_F_WRITE) != 0;
            if (!dma.contains(address, length)) {
                throw new VirtioException("buffer [0x" + Long.toHexString(address) + ", +0x" + Long.toHexString(length)
                        + ") outside RAM");
            }
            if (!writable && chain.hasWritable()) throw new VirtioException("readable descriptor after a writable one");
            chain.add(address, length, writable);
            if ((flags & DESC_F_NEXT) == 0) return chain;
            // A chain can visit each descriptor of its table once; any longer and it loops.
            if (count == tableSize) throw new VirtioException("descriptor chain loops or outgrows its table");
            int next = read16(at + 14);
            if (next >= tableSize) throw new VirtioException("next descriptor " + next + " of " + tableSize);
            at = table + (long) DESCRIPTOR_SIZE * next;
            flags = read16(at + 12);
        }
    }

    /** Returns {@code chain} to the driver, {@code written} bytes filled in; only inside {@link #service}. */
    public void push(DescriptorChain chain, long written) throws VirtioException {
        assert Thread.holdsLock(this);
        long element = used + 4 + 8L * (nextUsed & (size - 1));
        write32(element, chain.head());
        write32(element + 4, (int) written);
        // The element must be visible before the index that publishes it.
        VarHandle.releaseFence();
        nextUsed = (nextUsed + 1) & 0xFFFF;
        write16(used + 2, nextUsed);
        pushed = true;
    }

    private void interruptIfWanted() throws VirtioException {
        // Our used index store must be visible before we read the driver's suppression state, or a driver that
        // re-enabled interrupts in between would miss this one.
        VarHandle.fullFence();
        boolean wanted;
        if (eventIndex) {
            int usedEvent = read16(available + 4 + 2L * size);
            wanted = ((nextUsed - usedEvent - 1) & 0xFFFF) < ((nextUsed - signalledUsed) & 0xFFFF);
        } else {
            wanted = (read16(available) & AVAIL_F_NO_INTERRUPT) == 0;
        }
        signalledUsed = nextUsed;
        if (wanted) owner.usedBuffers();
    }

    private int read16(long address) throws VirtioException {
        try {
            return dma.read16(address);
        } catch (DmaFault e) {
            throw new VirtioException(e.getMessage());
        }
    }

    private int read32(long address) throws VirtioException {
        try {
            return dma.read32(address);
        } catch (DmaFault e) {
            throw new VirtioException(e.getMessage());
        }
    }

    private long read64(long address) throws VirtioException {
        try {
            return dma.read64(address);
        } catch (DmaFault e) {
            throw new VirtioException(e.getMessage());
        }
    }

    private void write16(long address, int value) throws VirtioException {
        try {
            dma.write16(address, value);
        } catch (DmaFault e) {
            throw new VirtioException(e.getMessage());
        }
    }

    private void write32(long address, int value) throws VirtioException {
        try {
            dma.write32(address, value);
        } catch (DmaFault e) {
            throw new VirtioException(e.getMessage());
        }
    }
}
