package dev.jvisor.memory;

/**
 * A device tried to reach guest-physical memory that is not RAM. Checked, because every device must decide what the
 * guest sees instead (an error status, a broken-device flag); it must never reach the host as a crash. Carries no
 * stack trace: a guest can provoke it at will.
 */
public final class DmaFault extends Exception {
    private final long address;
    private final long length;

    public DmaFault(long address, long length) {
        super("DMA to [0x" + Long.toHexString(address) + ", +0x" + Long.toHexString(length) + ") is outside RAM",
                null, false, false);
        this.address = address;
        this.length = length;
    }

    public long address() {
        return address;
    }

    public long length() {
        return length;
    }
}
