package dev.jvisor.machine.virtio;

import java.security.SecureRandom;

/**
 * A virtio entropy device (device ID 4): fills each buffer on its one request queue with bytes from the host's
 * {@link SecureRandom} (on Linux, seeded from and mixed with /dev/urandom).
 */
public final class VirtioRng implements VirtioDevice {
    public static final int DEVICE_ID = 4;
    private static final int QUEUE_SIZE = 64;
    /** The device may return fewer bytes than a buffer holds; this bounds the time one request takes. */
    private static final int MAX_BYTES_PER_REQUEST = 4096;

    private static final byte[] NO_CONFIG = {};

    private final SecureRandom random = new SecureRandom();

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public String name() {
        return "rng";
    }

    @Override
    public long features() {
        return 0;
    }

    @Override
    public int queueCount() {
        return 1;
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
    public void process(Virtqueue queue) throws VirtioException {
        for (DescriptorChain chain; (chain = queue.pop()) != null; ) {
            if (chain.writableLength() == 0) throw new VirtioException("entropy request without a writable buffer");
            byte[] bytes = new byte[(int) Math.min(chain.writableLength(), MAX_BYTES_PER_REQUEST)];
            random.nextBytes(bytes);
            chain.write(0, bytes, 0, bytes.length);
            queue.push(chain, bytes.length);
        }
    }

}
