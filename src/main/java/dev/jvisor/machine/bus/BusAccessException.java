package dev.jvisor.machine.bus;

/** An access no device claims, or one a device rejects; the engine turns it into a guest-visible fault. */
public final class BusAccessException extends RuntimeException {
    private final long address;

    public BusAccessException(String message, long address) {
        super(message, null, false, false);
        this.address = address;
    }

    public long address() {
        return address;
    }
}
