package dev.jvisor.machine.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.machine.bus.BusAccessException;
import org.junit.jupiter.api.Test;

class Pl031Test {
    long seconds = 1_700_000_000L;
    boolean irq;
    final Pl031 rtc = new Pl031(() -> seconds, level -> irq = level);

    @Test
    void countsHostSecondsAndCanBeLoaded() {
        assertEquals(1_700_000_000L, rtc.read(0, 4));
        seconds += 5;
        assertEquals(1_700_000_005L, rtc.read(0, 4));
        assertEquals(0, rtc.read(8, 4));
        rtc.write(8, 4, 100);
        assertEquals(100, rtc.read(0, 4));
        seconds += 2;
        assertEquals(102, rtc.read(0, 4));
        assertEquals(100, rtc.read(8, 4), "the load register keeps the loaded value");
        assertEquals(1, rtc.read(0xC, 4), "always started");
        assertEquals(0x31, rtc.read(0xFE0, 4));
        assertEquals(0xB1, rtc.read(0xFFC, 4));
    }

    @Test
    void matchRaisesTheInterruptWhenTheCounterStepsOntoIt() {
        rtc.write(8, 4, 0xFFFF_FFFEL);
        rtc.write(4, 4, 1);
        rtc.write(0x10, 4, 1);
        seconds += 2;
        rtc.poll();
        assertFalse(irq, "counter at 0 after wrapping");
        seconds += 5;
        rtc.poll();
        assertTrue(irq, "passed 1 between two checks");
        assertEquals(1, rtc.read(0x18, 4));
        rtc.write(0x1C, 4, 1);
        assertFalse(irq);
        assertEquals(0, rtc.read(0x14, 4));
    }

    @Test
    void maskedMatchIsRawOnly() {
        rtc.write(4, 4, seconds + 1);
        seconds++;
        rtc.poll();
        assertFalse(irq);
        assertEquals(1, rtc.read(0x14, 4));
        assertEquals(0, rtc.read(0x18, 4));
        rtc.write(0x10, 4, 1);
        assertTrue(irq);
    }

    @Test
    void onlyWordAccess() {
        assertThrows(BusAccessException.class, () -> rtc.read(0, 1));
    }
}
