package dev.jvisor.linux;

import dev.jvisor.memory.Access;
import dev.jvisor.memory.MemoryFault;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The address space and the per-thread memory view, without running guest code. */
class AddressSpaceTest {
    private static final long P = AddressSpace.PAGE;
    private final AddressSpace space = new AddressSpace(1L << 32);
    private final UserMemory mem = new UserMemory(space);

    @Test
    void permissionsDecideFaultKinds() {
        space.mapZero(0x10000, 2 * P, AddressSpace.PROT_READ);
        assertEquals(0, mem.read64(0x10008));
        MemoryFault w = assertThrows(MemoryFault.class, () -> mem.write8(0x10010, 1));
        assertEquals(MemoryFault.Kind.PERMISSION, w.kind);
        assertEquals(0x10010, w.address);
        MemoryFault x = assertThrows(MemoryFault.class, () -> mem.fetch32(0x10000));
        assertEquals(Access.EXECUTE, x.access);
        MemoryFault u = assertThrows(MemoryFault.class, () -> mem.read8(0x10000 + 2 * P));
        assertEquals(MemoryFault.Kind.TRANSLATION, u.kind);
    }

    @Test
    void writableImpliesReadable() {
        space.mapZero(0x20000, P, AddressSpace.PROT_WRITE);
        mem.write32(0x20004, 0x12345678);
        assertEquals(0x12345678, mem.read32(0x20004));
    }

    @Test
    void tlbIsFlushedWhenTheEpochMoves() {
        space.mapZero(0x30000, P, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE);
        mem.write64(0x30000, 42);
        space.protect(0x30000, P, AddressSpace.PROT_READ);
        // Still cached until the thread looks at the epoch, which the run loop does before every slice.
        mem.sync();
        assertThrows(MemoryFault.class, () -> mem.write64(0x30000, 1));
        assertEquals(42, mem.read64(0x30000));
    }

    @Test
    void unmappedPagesReadAsZeroWhenMappedAgain() {
        space.mapZero(0x40000, P, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE);
        mem.write64(0x40100, -1);
        space.unmap(0x40000, P);
        mem.sync();
        assertThrows(MemoryFault.class, () -> mem.read64(0x40100));
        space.mapZero(0x40000, P, AddressSpace.PROT_READ);
        mem.sync();
        assertEquals(0, mem.read64(0x40100));
    }

    @Test
    void findFreeIsTopDownAndSkipsMappings() {
        long a = space.findFree(4 * P);
        space.mapZero(a, 4 * P, AddressSpace.PROT_READ);
        long b = space.findFree(P);
        assertEquals(a - P, b);
        space.unmap(a + P, P);
        assertEquals(a + P, space.findFree(P));
        assertEquals(a - 2 * P, space.findFree(2 * P));
        assertTrue(space.isFree(a + P, P));
        assertTrue(!space.isFree(a, 2 * P));
    }

    @Test
    void protectNeedsEveryPageMapped() {
        space.mapZero(0x50000, P, AddressSpace.PROT_READ);
        Errno e = assertThrows(Errno.class, () -> space.protect(0x50000, 2 * P, AddressSpace.PROT_READ));
        assertEquals(Errno.ENOMEM, e.errno);
    }

    @Test
    void brkGrowsAndShrinksInPages() {
        space.initBrk(0x100123);
        assertEquals(0x101000, space.brk(0));
        assertEquals(0x103800, space.brk(0x103800));
        mem.sync();
        mem.write8(0x103FFF, 1);
        assertEquals(0x101000, space.brk(0x101000));
        mem.sync();
        assertThrows(MemoryFault.class, () -> mem.read8(0x101000));
    }

    @Test
    void moveCarriesContentAndPermissions() {
        space.mapZero(0x60000, 2 * P, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE);
        mem.write64(0x60008, 99);
        space.move(0x60000, 2 * P, 0x80000, 4 * P);
        mem.sync();
        assertEquals(99, mem.read64(0x80008));
        mem.write64(0x80000 + 3 * P, 5);
        assertThrows(MemoryFault.class, () -> mem.read64(0x60008));
    }

    @Test
    void guestStringsAndEfault() {
        space.mapZero(0x70000, P, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE);
        space.write(0x70000 + P - 3, new byte[] {'a', 'b', 0});
        assertEquals("ab", space.readCString(0x70000 + P - 3, 100));
        space.write(0x70000 + P - 2, new byte[] {'a', 'b'});
        Errno e = assertThrows(Errno.class, () -> space.readCString(0x70000 + P - 2, 100));
        assertEquals(Errno.EFAULT, e.errno);
    }
}
