package dev.jvisor.machine.rtc;

import dev.jvisor.machine.IrqLine;
import dev.jvisor.machine.bus.BusAccessException;
import dev.jvisor.machine.bus.Device;
import dev.jvisor.machine.fdt.DeviceTreeIrq;
import dev.jvisor.machine.fdt.FdtNode;
import java.util.function.LongSupplier;

/**
 * An Arm PL031 real-time clock: a 32-bit seconds counter the guest can load, and a match register that raises the
 * interrupt when the counter reaches it. The counter runs from the host's wall clock from power-on (the PL031 has
 * no stop bit: RTCCR.RTCStart reads as one). The match is checked on every access and by {@link #poll()}, which the
 * board calls once a second.
 */
public final class Pl031 implements Device {
    public static final long SIZE = 0x1000;
    private static final int[] ID = {0x31, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1};

    private final LongSupplier hostSeconds;
    private final IrqLine irq;
    /** Added to the host's seconds to give the counter; a load sets it so the counter reads the loaded value. */
    private long offset;
    private int match;
    /** RTCLR reads back what was last loaded, not the running count. */
    private int loaded;
    private boolean interruptMask;
    private boolean rawInterrupt;
    private boolean irqLevel;
    private int lastSeen;

    /** {@code hostSeconds} is the wall clock in seconds since the epoch (System.currentTimeMillis() / 1000). */
    public Pl031(LongSupplier hostSeconds, IrqLine irq) {
        this.hostSeconds = hostSeconds;
        this.irq = irq;
        lastSeen = count();
    }

    @Override
    public String name() {
        return "pl031";
    }

    private int count() {
        return (int) (hostSeconds.getAsLong() + offset);
    }

    /** Latches the match interrupt if the counter has stepped onto the match value since the last check. */
    public synchronized void poll() {
        int now = count();
        // The counter passes through every value between two checks, modulo 2^32.
        int stepsTaken = now - lastSeen;
        int stepsToMatch = match - lastSeen;
        if (stepsToMatch != 0 && Integer.compareUnsigned(stepsToMatch, stepsTaken) <= 0) rawInterrupt = true;
        lastSeen = now;
        updateLine();
    }

    private void updateLine() {
        boolean level = rawInterrupt && interruptMask;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    @Override
    public synchronized long read(long offset, int size) {
        checkSize(offset, size);
        poll();
        return switch ((int) offset) {
            case 0x000 -> Integer.toUnsignedLong(count());
            case 0x004 -> Integer.toUnsignedLong(match);
            case 0x008 -> Integer.toUnsignedLong(loaded);
            case 0x00C -> 1;
            case 0x010 -> interruptMask ? 1 : 0;
            case 0x014 -> rawInterrupt ? 1 : 0;
            case 0x018 -> rawInterrupt && interruptMask ? 1 : 0;
            default -> offset >= 0xFE0 ? ID[(int) (offset - 0xFE0) / 4] : 0;
        };
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        checkSize(offset, size);
        poll();
        int v = (int) value;
        switch ((int) offset) {
            case 0x004 -> match = v;
            case 0x008 -> {
                loaded = v;
                this.offset = Integer.toUnsignedLong(v) - hostSeconds.getAsLong();
                lastSeen = count();
            }
            case 0x010 -> interruptMask = (v & 1) != 0;
            case 0x01C -> {
                if ((v & 1) != 0) rawInterrupt = false;
            }
            default -> { }
        }
        poll();
    }

    private static void checkSize(long offset, int size) {
        if (size != 4 || (offset & 3) != 0) {
            throw new BusAccessException(size + "-byte PL031 access at offset 0x" + Long.toHexString(offset), offset);
        }
    }

    /** This RTC's device tree node at {@code base}, interrupting on SPI {@code spi}, clocked by {@code clock}. */
    public static FdtNode deviceTreeNode(long base, int spi, int clockPhandle) {
        FdtNode node = new FdtNode(String.format("pl031@%x", base));
        node.string("compatible", "arm,pl031", "arm,primecell");
        node.cells64("reg", base, SIZE);
        node.cells("interrupts", DeviceTreeIrq.SPI, spi, DeviceTreeIrq.LEVEL_HIGH);
        node.cells("clocks", clockPhandle);
        node.string("clock-names", "apb_pclk");
        return node;
    }
}
