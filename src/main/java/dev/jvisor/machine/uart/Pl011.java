package dev.jvisor.machine.uart;

import dev.jvisor.machine.IrqLine;
import dev.jvisor.machine.bus.BusAccessException;
import dev.jvisor.machine.bus.Device;
import dev.jvisor.machine.fdt.DeviceTreeIrq;
import dev.jvisor.machine.fdt.FdtNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.IntConsumer;

/**
 * An Arm PL011 UART (r1p5) as the console: bytes written to UARTDR go straight to the host, so the transmitter is
 * always idle and its FIFO empty; received bytes queue in the 32-entry receive FIFO (one entry with FIFOs off). The
 * receive interrupt follows the FIFO level against UARTIFLS; the receive timeout interrupt stands for "data waiting
 * below the trigger level", which real hardware raises after 32 idle bit times and which here is due at once, since
 * the host hands over what it has in one go. Line status and modem lines read as a connected, idle line.
 */
public final class Pl011 implements Device {
    public static final long SIZE = 0x1000;
    private static final int FIFO_DEPTH = 32;
    private static final int[] ID = {0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1};

    private static final int INT_RX = 1 << 4;
    private static final int INT_TX = 1 << 5;
    private static final int INT_RT = 1 << 6;
    private static final int INT_ALL = 0x7FF;

    private static final int FR_RXFE = 1 << 4;
    private static final int FR_RXFF = 1 << 6;
    private static final int FR_TXFE = 1 << 7;
    private static final int LCR_FEN = 1 << 4;
    private static final int CR_LBE = 1 << 7;

    private final IntConsumer transmit;
    private final IrqLine irq;
    private final int[] fifo = new int[FIFO_DEPTH];
    private int fifoHead;
    private int fifoCount;
    /** TXRIS starts clear: it is raised when the transmit FIFO drains through its trigger level, not by reset. */
    private int rawInterrupts;
    private int interruptMask;
    private int lineControl;
    private int control = 0x300;
    private int fifoLevels = 0x12;
    private int integerBaud;
    private int fractionalBaud;
    private int dmaControl;
    private int irdaLowPower;
    private boolean irqLevel;

    /** {@code transmit} receives each byte the guest sends; {@code irq} is the UART's interrupt output. */
    public Pl011(IntConsumer transmit, IrqLine irq) {
        this.transmit = transmit;
        this.irq = irq;
    }

    @Override
    public String name() {
        return "pl011";
    }

    /** Waits until the receive FIFO has room for {@code b} and queues it: the host console's input thread. */
    public synchronized void receiveWaiting(int b) throws InterruptedException {
        while (!receive(b)) wait();
    }

    /**
     * Feeds {@code in} to the receiver from a daemon thread until end of input, holding bytes back while the FIFO
     * is full so that nothing typed ahead is lost.
     */
    public Thread startInput(InputStream in) {
        Thread t = new Thread(() -> {
            try {
                for (int b; (b = in.read()) >= 0; ) receiveWaiting(b);
            } catch (IOException | InterruptedException e) {
                // The console closed or the machine is shutting down: input just ends.
            }
        }, "pl011-input");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Offers one byte from the host; false when the receive FIFO is full (the caller retries later). */
    public synchronized boolean receive(int b) {
        if (fifoCount == capacity()) return false;
        fifo[(fifoHead + fifoCount) % FIFO_DEPTH] = b & 0xFF;
        fifoCount++;
        updateReceiveInterrupts();
        return true;
    }

    /** Free entries in the receive FIFO. */
    public synchronized int receiveSpace() {
        return capacity() - fifoCount;
    }

    private int capacity() {
        return (lineControl & LCR_FEN) != 0 ? FIFO_DEPTH : 1;
    }

    private int receiveTrigger() {
        if ((lineControl & LCR_FEN) == 0) return 1;
        return switch (fifoLevels >>> 3 & 7) {
            case 0 -> 4;
            case 1 -> 8;
            case 2 -> 16;
            case 3 -> 24;
            default -> 28;
        };
    }

    private void updateReceiveInterrupts() {
        rawInterrupts &= ~(INT_RX | INT_RT);
        if (fifoCount >= receiveTrigger()) rawInterrupts |= INT_RX;
        else if (fifoCount > 0) rawInterrupts |= INT_RT;
        updateLine();
    }

    private void updateLine() {
        boolean level = (rawInterrupts & interruptMask) != 0;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    @Override
    public synchronized long read(long offset, int size) {
        checkSize(offset, size);
        return switch ((int) offset) {
            case 0x000 -> readData();
            case 0x004 -> 0;
            case 0x018 -> flags();
            case 0x020 -> irdaLowPower;
            case 0x024 -> integerBaud;
            case 0x028 -> fractionalBaud;
            case 0x02C -> lineControl;
            case 0x030 -> control;
            case 0x034 -> fifoLevels;
            case 0x038 -> interruptMask;
            case 0x03C -> rawInterrupts;
            case 0x040 -> rawInterrupts & interruptMask;
            case 0x048 -> dmaControl;
            default -> offset >= 0xFE0 ? ID[(int) (offset - 0xFE0) / 4] : 0;
        };
    }

    private int readData() {
        if (fifoCount == 0) return 0;
        int b = fifo[fifoHead];
        fifoHead = (fifoHead + 1) % FIFO_DEPTH;
        fifoCount--;
        updateReceiveInterrupts();
        notifyAll();
        return b;
    }

    private int flags() {
        int flags = FR_TXFE;
        if (fifoCount == 0) flags |= FR_RXFE;
        if (fifoCount == capacity()) flags |= FR_RXFF;
        return flags;
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        checkSize(offset, size);
        int v = (int) value;
        switch ((int) offset) {
            case 0x000 -> {
                // Like QEMU, send whether or not UARTEN/TXE are set: early consoles write before anything enables
                // the UART. In loopback mode the byte goes to our own receiver instead of the line.
                if ((control & CR_LBE) != 0) receive(v & 0xFF);
                else transmit.accept(v & 0xFF);
                // The byte left at once: the transmit FIFO is empty again, at or below any trigger level.
                rawInterrupts |= INT_TX;
                updateLine();
            }
            case 0x004 -> { } // Writing the error clear register clears errors, which never occur here.
            case 0x020 -> irdaLowPower = v & 0xFF;
            case 0x024 -> integerBaud = v & 0xFFFF;
            case 0x028 -> fractionalBaud = v & 0x3F;
            case 0x02C -> {
                boolean fifoWasOn = (lineControl & LCR_FEN) != 0;
                lineControl = v & 0xFF;
                // Switching the FIFOs on or off flushes them, as the TRM's programming notes require.
                if (fifoWasOn != ((lineControl & LCR_FEN) != 0)) fifoCount = 0;
                updateReceiveInterrupts();
                notifyAll();
            }
            case 0x030 -> control = v & 0xFF87;
            case 0x034 -> {
                fifoLevels = v & 0x3F;
                updateReceiveInterrupts();
            }
            case 0x038 -> {
                interruptMask = v & INT_ALL;
                updateLine();
            }
            case 0x044 -> {
                rawInterrupts &= ~(v & INT_ALL);
                updateLine();
            }
            case 0x048 -> dmaControl = v & 7;
            default -> { }
        }
    }

    private static void checkSize(long offset, int size) {
        if (size > 4 || (offset & (size - 1)) != 0) {
            throw new BusAccessException(size + "-byte PL011 access at offset 0x" + Long.toHexString(offset), offset);
        }
    }

    /** This UART's device tree node at {@code base}, interrupting on SPI {@code spi}, clocked by {@code clock}. */
    public static FdtNode deviceTreeNode(long base, int spi, int clockPhandle) {
        FdtNode node = new FdtNode(String.format("pl011@%x", base));
        node.string("compatible", "arm,pl011", "arm,primecell");
        node.cells64("reg", base, SIZE);
        node.cells("interrupts", DeviceTreeIrq.SPI, spi, DeviceTreeIrq.LEVEL_HIGH);
        node.cells("clocks", clockPhandle, clockPhandle);
        node.string("clock-names", "uartclk", "apb_pclk");
        return node;
    }
}
