package dev.jvisor.machine.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MmioBusTest {
    /** Records accesses and answers reads with offset + size so tests can see what the device got. */
    static final class Probe implements Device {
        final String name;
        final List<String> log = new ArrayList<>();

        Probe(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long read(long offset, int size) {
            log.add("r " + offset + " " + size);
            return offset * 100 + size;
        }

        @Override
        public void write(long offset, int size, long value) {
            log.add("w " + offset + " " + size + " " + Long.toHexString(value));
        }
    }

    @Test
    void accessesReachTheDeviceWithOffsetsRelativeToItsBase() {
        MmioBus bus = new MmioBus();
        Probe a = new Probe("a"), b = new Probe("b");
        bus.map(0x1000, 0x100, a);
        bus.map(0x2000, 0x10, b);
        assertEquals(0x10 * 100 + 4, bus.read(0x1010, 4));
        bus.write(0x200f, 1, 0xab);
        bus.write(0x1000, 8, -1L);
        assertEquals(List.of("r 16 4", "w 0 8 ffffffffffffffff"), a.log);
        assertEquals(List.of("w 15 1 ab"), b.log);
        assertSame(a, bus.find(0x10ff).device());
        assertNull(bus.find(0x1100));
        assertNull(bus.find(0xfff));
    }

    @Test
    void overlappingRangesAreRejectedAndAdjacentOnesAccepted() {
        MmioBus bus = new MmioBus();
        bus.map(0x1000, 0x1000, new Probe("a"));
        assertThrows(IllegalArgumentException.class, () -> bus.map(0x1fff, 0x10, new Probe("tail")));
        assertThrows(IllegalArgumentException.class, () -> bus.map(0x800, 0x801, new Probe("head")));
        assertThrows(IllegalArgumentException.class, () -> bus.map(0x0, 0x10000, new Probe("around")));
        assertThrows(IllegalArgumentException.class, () -> bus.map(0x1800, 0x10, new Probe("inside")));
        bus.map(0x2000, 0x10, new Probe("after"));
        bus.map(0x0, 0x1000, new Probe("before"));
        assertEquals(3, bus.mappings().size());
        assertThrows(IllegalArgumentException.class, () -> bus.map(0x3000, 0, new Probe("empty")));
        assertThrows(IllegalArgumentException.class, () -> bus.map(-16, 32, new Probe("wraps")));
    }

    @Test
    void highAddressesCompareUnsigned() {
        MmioBus bus = new MmioBus();
        Probe high = new Probe("high");
        bus.map(0xffff_ffff_0000_0000L, 0x1000, high);
        bus.map(0x1000, 0x1000, new Probe("low"));
        assertSame(high, bus.find(0xffff_ffff_0000_0010L).device());
        assertEquals("low", bus.find(0x1001).device().name());
    }

    @Test
    void unclaimedAndOverhangingAccessesAreBusErrors() {
        MmioBus bus = new MmioBus();
        bus.map(0x1000, 0x10, new Probe("dev"));
        BusAccessException none = assertThrows(BusAccessException.class, () -> bus.read(0x3000, 4));
        assertEquals(0x3000, none.address());
        assertEquals("no device at 0x3000", none.getMessage());
        assertThrows(BusAccessException.class, () -> bus.write(0x100e, 4, 0));
        assertThrows(BusAccessException.class, () -> bus.read(0x1000, 3));
    }
}
