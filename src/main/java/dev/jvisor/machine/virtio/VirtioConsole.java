package dev.jvisor.machine.virtio;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A virtio console (device ID 3) with a single port and no optional features: what the driver queues on transmitq
 * goes to the host byte by byte, and host input fills the buffers the driver queues on receiveq. Input that arrives
 * while the driver has no receive buffer waits in a small buffer here; the feeding thread blocks while that is full,
 * so nothing typed ahead is lost.
 */
public final class VirtioConsole implements VirtioDevice {
    public static final int DEVICE_ID = 3;
    static final int RECEIVE_QUEUE = 0;
    static final int TRANSMIT_QUEUE = 1;
    private static final int QUEUE_SIZE = 128;
    private static final int INPUT_CAPACITY = 4096;
    private static final int TRANSMIT_CHUNK = 4096;
    private static final byte[] NO_CONFIG = {};

    private final IntConsumer output;
    /** Host input not yet delivered, a ring guarded by this object. */
    private final byte[] input = new byte[INPUT_CAPACITY];
    private int inputHead;
    private int inputCount;
    private volatile Virtqueue receiveQueue;

    /** {@code output} receives each byte the guest sends. */
    public VirtioConsole(IntConsumer output) {
        this.output = output;
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public String name() {
        return "console";
    }

    @Override
    public long features() {
        return 0;
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public int maxQueueSize() {
        return QUEUE_SIZE;
    }

    @Override
    public byte[] config() {
        return NO_CONFIG;
    }

    @Override
    public void activate(List<Virtqueue> queues, long features) {
        receiveQueue = queues.get(RECEIVE_QUEUE);
    }

    @Override
    public void reset() {
        receiveQueue = null;
    }

    /**
     * Feeds {@code in} to the guest from a daemon thread until end of input.
     */
    public Thread startInput(InputStream in) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[INPUT_CAPACITY];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) receive(buffer, 0, n);
            } catch (IOException | InterruptedException e) {
                // The console closed or the machine is shutting down: input just ends.
            }
        }, "virtio-console-input");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Queues host input for the guest, waiting while the buffer is full, and delivers what the driver can take. */
    public void receive(byte[] data, int offset, int length) throws InterruptedException {
        int done = 0;
        while (done < length) {
            synchronized (this) {
                while (inputCount == INPUT_CAPACITY) wait();
                int n = Math.min(length - done, INPUT_CAPACITY - inputCount);
                for (int i = 0; i < n; i++) {
                    input[(inputHead + inputCount + i) % INPUT_CAPACITY] = data[offset + done + i];
                }
                inputCount += n;
                done += n;
            }
            deliver();
        }
    }

    private void deliver() {
        Virtqueue queue = receiveQueue;
        if (queue != null) queue.service(this::fillReceiveBuffers);
    }

    @Override
    public void process(Virtqueue queue) throws VirtioException {
        if (queue.index() == RECEIVE_QUEUE) fillReceiveBuffers(queue);
        else transmit(queue);
    }

    /** Runs under the receive queue's lock, which it takes before this object's. */
    private void fillReceiveBuffers(Virtqueue queue) throws VirtioException {
        while (true) {
            synchronized (this) {
                if (inputCount == 0) return;
            }
            DescriptorChain chain = queue.pop();
            if (chain == null) return;
            if (chain.writableLength() == 0) throw new VirtioException("receive buffer is not writable");
            byte[] bytes;
            synchronized (this) {
                bytes = new byte[(int) Math.min(inputCount, chain.writableLength())];
                for (int i = 0; i < bytes.length; i++) bytes[i] = input[(inputHead + i) % INPUT_CAPACITY];
                inputHead = (inputHead + bytes.length) % INPUT_CAPACITY;
                inputCount -= bytes.length;
                notifyAll();
            }
            chain.write(0, bytes, 0, bytes.length);
            queue.push(chain, bytes.length);
        }
    }

    private void transmit(Virtqueue queue) throws VirtioException {
        byte[] chunk = new byte[TRANSMIT_CHUNK];
        for (DescriptorChain chain; (chain = queue.pop()) != null; ) {
            for (long at = 0; at < chain.readableLength(); at += chunk.length) {
                int n = (int) Math.min(chunk.length, chain.readableLength() - at);
                chain.read(at, chunk, 0, n);
                for (int i = 0; i < n; i++) output.accept(chunk[i] & 0xFF);
            }
            queue.push(chain, 0);
        }
    }
}
