package dev.jvisor.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RamDmaTest {
    private static final long BASE = 0x4000_0000L;
    private static final long SIZE = 0x10000;
    private GuestRam ram;
    private final List<long[]> writes = new ArrayList<>();
    private RamDma dma;

    @BeforeEach
    void setUp() {
        ram = GuestRam.reserve(SIZE);
        dma = new RamDma(ram.segment(), BASE, (address, length) -> writes.add(new long[] {address, length}));
    }

    @AfterEach
    void tearDown() {
        ram.release();
    }

    @Test
    void containsOnlyRangesInsideRam() {
        assertTrue(dma.contains(BASE, SIZE));
        assertTrue(dma.contains(BASE + SIZE, 0));
        assertTrue(dma.contains(BASE + SIZE - 2, 2));
        assertFalse(dma.contains(BASE + SIZE - 1, 2));
        assertFalse(dma.contains(BASE - 1, 1));
        assertFalse(dma.contains(BASE - 1, 0));
        assertFalse(dma.contains(BASE + 8, -1));
        assertFalse(dma.contains(-8, 16), "wraps past 2^64");
        assertFalse(dma.contains(BASE + 8, Long.MIN_VALUE));
    }

    @Test
    void valuesAreLittleEndian() throws DmaFault {
        dma.write32(BASE + 4, 0x11223344);
        dma.write16(BASE + 10, 0xBEEF);
        byte[] b = new byte[8];
        ram.copyOut(4, b, 0, 8);
        assertArrayEquals(new byte[] {0x44, 0x33, 0x22, 0x11, 0, 0, (byte) 0xEF, (byte) 0xBE}, b);
        assertEquals(0xBEEF, dma.read16(BASE + 10));
        assertEquals(0xBEEF0000_11223344L, dma.read64(BASE + 4));
        assertEquals(0x11223344, dma.read32(BASE + 4));
    }

    @Test
    void outsideRamFaultsAndTouchesNothing() {
        assertThrows(DmaFault.class, () -> dma.write32(BASE + SIZE - 2, -1));
        assertThrows(DmaFault.class, () -> dma.read16(BASE - 2));
        assertThrows(DmaFault.class, () -> dma.write(BASE + SIZE - 4, new byte[8], 0, 8));
        DmaFault f = assertThrows(DmaFault.class, () -> dma.read64(-4));
        assertEquals(-4, f.address());
        assertEquals(8, f.length());
        assertThrows(DmaFault.class, () -> dma.writeVia(BASE + SIZE, 1, b -> b.put((byte) 1)));
        assertTrue(writes.isEmpty());
        byte[] tail = new byte[4];
        ram.copyOut(SIZE - 4, tail, 0, 4);
        assertArrayEquals(new byte[4], tail);
    }

    @Test
    void listenerHearsOfEveryWriteAfterIt() throws DmaFault, IOException {
        dma.write(BASE + 0x100, new byte[] {1, 2, 3}, 0, 3);
        dma.write16(BASE + 0x200, 7);
        dma.readVia(BASE + 0x100, 3, b -> assertEquals(2, b.get(1)));
        assertThrows(IOException.class, () -> dma.writeVia(BASE + 0x300, 16, b -> {
            b.put((byte) 9);
            throw new IOException("disk gone");
        }));
        assertEquals(3, writes.size());
        assertArrayEquals(new long[] {BASE + 0x100, 3}, writes.get(0));
        assertArrayEquals(new long[] {BASE + 0x200, 2}, writes.get(1));
        assertArrayEquals(new long[] {BASE + 0x300, 16}, writes.get(2), "a failed transfer may have written");
        assertEquals(9, dma.read16(BASE + 0x300));
    }

    @Test
    void readViaBufferIsReadOnly() {
        assertThrows(java.nio.ReadOnlyBufferException.class, () -> dma.readVia(BASE, 4, b -> b.put((byte) 1)));
    }
}
