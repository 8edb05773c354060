package dev.jvisor.memory;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The TLB fast paths at page boundaries: an access that ends in the next page must take the slow path even when the
 * first page is in the TLB, and fault there when the next page is not mapped (or not writable).
 */
class CpuMemoryTest {
    private static final long SIZE = 4 * CpuMemory.PAGE_SIZE;

    private static FlatMemory memory() {
        MemorySegment ram = Arena.ofAuto().allocate(SIZE);
        for (long i = 0; i < SIZE; i++) ram.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
        return new FlatMemory(ram);
    }

    @Test
    void everySizeAtEveryOffsetNearAPageEndReadsItsOwnBytes() {
        FlatMemory m = memory();
        long page = CpuMemory.PAGE_SIZE;
        m.read8(page);  // the first page in the TLB: crossing reads must not use its entry for the second
        m.read8(2 * page);
        for (long va = 2 * page - 9; va <= 2 * page; va++) {
            long expected = 0;
            for (int b = 7; b >= 0; b--) expected = expected << 8 | ((va + b) & 0xFF);
            assertEquals(expected, m.read64(va), "read64 at " + va);
            assertEquals(expected & 0xFFFF_FFFFL, m.read32(va) & 0xFFFF_FFFFL, "read32 at " + va);
            assertEquals(expected & 0xFFFF, m.read16(va), "read16 at " + va);
        }
    }

    @Test
    void writesThatEndInTheNextPageStoreEveryByte() {
        FlatMemory m = memory();
        long page = CpuMemory.PAGE_SIZE;
        m.write8(page, 0);
        m.write64(2 * page - 3, 0x1122_3344_5566_7788L);
        assertEquals(0x1122_3344_5566_7788L, m.read64(2 * page - 3));
        m.write32(2 * page - 1, 0xAABB_CCDD);
        assertEquals(0xAABB_CCDD, m.read32(2 * page - 1));
        m.write16(2 * page - 1, 0xEEFF);
        assertEquals(0xEEFF, m.read16(2 * page - 1));
    }

    @Test
    void anAccessThatEndsPastTheLastPageFaultsEvenWhenItsFirstPageIsInTheTlb() {
        FlatMemory m = memory();
        m.read8(SIZE - 8);
        m.write8(SIZE - 8, 0);
        assertEquals(m.read64(SIZE - 8), m.read64(SIZE - 8));
        MemoryFault read = assertThrows(MemoryFault.class, () -> m.read64(SIZE - 7));
        assertEquals(SIZE, read.address);
        assertThrows(MemoryFault.class, () -> m.read32(SIZE - 2));
        assertThrows(MemoryFault.class, () -> m.read16(SIZE - 1));
        assertThrows(MemoryFault.class, () -> m.write64(SIZE - 1, 0));
        assertThrows(MemoryFault.class, () -> m.write32(SIZE - 3, 0));
        assertThrows(MemoryFault.class, () -> m.write16(SIZE - 1, 0));
    }

    @Test
    void aWriteEndingInAReadOnlyPageFaultsAndWritesNothing() {
        FlatMemory m = memory();
        long page = CpuMemory.PAGE_SIZE;
        m.protectFromWrites(2 * page, 3 * page);
        m.write8(2 * page - 8, 0x5A);
        assertThrows(MemoryFault.class, () -> m.write64(2 * page - 4, -1L));
        assertEquals(0x5A, m.read8(2 * page - 8));
        assertEquals((2 * page - 4) & 0xFF, m.read8(2 * page - 4));
    }
}
