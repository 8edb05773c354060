package dev.jvisor.kvm.microvm;

import dev.jvisor.machine.bus.Device;

/**
 * A minimal memory-mapped console: writing a byte to DATA prints it; STATUS bit 0 says the transmitter is ready
 * (always: output is synchronous); ID reads "JVCO". Reads of other offsets return 0 and writes to read-only
 * registers are ignored, as on most simple UARTs.
 */
public final class MmioConsole implements Device {
    public static final long DATA = 0x0, STATUS = 0x4, ID = 0x8;
    public static final long ID_VALUE = 0x4f43564aL;
    public static final long SIZE = 0x1000;
    private static final long STATUS_TX_READY = 1;

    private final Console console;

    MmioConsole(Console console) {
        this.console = console;
    }

    @Override
    public String name() {
        return "mmio-console";
    }

    @Override
    public long read(long offset, int size) {
        if (offset == STATUS) return STATUS_TX_READY;
        if (offset == ID) return ID_VALUE;
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset == DATA) console.write((int) (value & 0xff));
    }
}
