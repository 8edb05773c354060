package dev.jvisor.machine.bus;

/**
 * A memory-mapped device as the bus sees it: accesses arrive as an offset into the device's range, a size of 1, 2,
 * 4 or 8 bytes, and for writes the value in the low {@code size} bytes. Devices never know which engine (an
 * emulated CPU or KVM) made the access. Calls may come from several vCPU threads at once.
 */
public interface Device {
    /** A short name for diagnostics ("console", "pl011"). */
    String name();

    long read(long offset, int size);

    void write(long offset, int size, long value);
}
