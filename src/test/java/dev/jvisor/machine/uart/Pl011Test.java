package dev.jvisor.machine.uart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.machine.bus.BusAccessException;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class Pl011Test {
    final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    boolean irq;
    final Pl011 uart = new Pl011(sent::write, level -> irq = level);

    @Test
    void identifiesAsAPrimeCellPl011() {
        long[] expected = {0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1};
        for (int i = 0; i < 8; i++) assertEquals(expected[i], uart.read(0xFE0 + 4 * i, 4));
    }

    @Test
    void transmitsAtOnceAndRaisesTheTransmitInterruptWhenUnmasked() {
        assertEquals(0x90, uart.read(0x18, 4), "TXFE and RXFE");
        assertEquals(0, uart.read(0x3C, 4), "no interrupt raised by reset");
        uart.write(0x38, 4, 1 << 5);
        assertFalse(irq);
        uart.write(0, 4, 'h');
        uart.write(0, 1, 'i');
        assertEquals("hi", sent.toString());
        assertTrue(irq);
        assertEquals(1 << 5, uart.read(0x40, 4));
        uart.write(0x44, 4, 1 << 5);
        assertFalse(irq);
        assertEquals(0, uart.read(0x3C, 4));
    }

    @Test
    void withoutFifosOneByteFillsTheReceiverAndRaisesRx() {
        uart.write(0x38, 4, 1 << 4);
        assertTrue(uart.receive('a'));
        assertFalse(uart.receive('b'), "a one-entry holding register");
        assertTrue(irq);
        assertEquals(0x40 | 0x80, uart.read(0x18, 4), "RXFF and TXFE");
        assertEquals('a', uart.read(0, 4));
        assertFalse(irq);
        assertEquals(0x90, uart.read(0x18, 4));
        assertEquals(0, uart.read(0, 4), "reading an empty receiver");
    }

    @Test
    void fifoRaisesRxAtTheTriggerLevelAndTimeoutBelowIt() {
        uart.write(0x2C, 4, 0x70);
        uart.write(0x34, 4, 0);
        uart.write(0x38, 4, 1 << 4 | 1 << 6);
        for (int i = 0; i < 3; i++) assertTrue(uart.receive('0' + i));
        assertEquals(1 << 6, uart.read(0x3C, 4) & 0x50, "below 1/8 full: receive timeout only");
        assertTrue(irq);
        assertTrue(uart.receive('3'));
        assertEquals(1 << 4, uart.read(0x3C, 4) & 0x50, "4 of 32 reaches the 1/8 trigger");
        assertEquals(28, uart.receiveSpace());
        assertEquals('0', uart.read(0, 4));
        assertEquals(1 << 6, uart.read(0x3C, 4) & 0x50);
        for (int i = 1; i < 4; i++) assertEquals('0' + i, uart.read(0, 4));
        assertEquals(0, uart.read(0x3C, 4) & 0x50);
        assertFalse(irq);
        for (int i = 0; i < 32; i++) assertTrue(uart.receive(i));
        assertFalse(uart.receive(99));
        assertEquals(0x40, uart.read(0x18, 4) & 0x40, "RXFF");
    }

    @Test
    void registersKeepTheirImplementedBits() {
        uart.write(0x24, 4, 0x1_0027);
        uart.write(0x28, 4, 0xFF);
        uart.write(0x30, 4, 0xFFFF);
        assertEquals(0x27, uart.read(0x24, 4));
        assertEquals(0x3F, uart.read(0x28, 4));
        assertEquals(0xFF87, uart.read(0x30, 4));
        assertEquals(0x12, uart.read(0x34, 4), "reset FIFO levels: half full");
    }

    @Test
    void wideOrMisalignedAccessIsABusError() {
        assertThrows(BusAccessException.class, () -> uart.read(0, 8));
        assertThrows(BusAccessException.class, () -> uart.write(0x2, 4, 0));
    }

    @Test
    void loopbackSendsToTheOwnReceiver() {
        uart.write(0x30, 4, 0x381);
        uart.write(0, 4, 'L');
        assertEquals("", sent.toString());
        assertEquals('L', uart.read(0, 4));
    }

    @Test
    void inputThreadWaitsForRoomInsteadOfDroppingBytes() throws Exception {
        Thread input = uart.startInput(new java.io.ByteArrayInputStream("abc".getBytes()));
        StringBuilder got = new StringBuilder();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (got.length() < 3 && System.nanoTime() < deadline) {
            if ((uart.read(0x18, 4) & 0x10) == 0) got.append((char) uart.read(0, 4));
            else Thread.sleep(1);
        }
        assertEquals("abc", got.toString(), "a one-byte receiver, filled three times");
        input.join(5000);
        assertFalse(input.isAlive());
    }
}
