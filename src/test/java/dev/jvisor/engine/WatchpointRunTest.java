package dev.jvisor.engine;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.memory.Access;
import dev.jvisor.memory.Watchpoints;
import dev.jvisor.memory.Watchpoints.WatchpointHit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Watchpoints stop both engines before the access, with the state as it was before the instruction (flags included),
 * whether the page was already in the TLB or not; accesses elsewhere, and kinds not watched, run on.
 */
class WatchpointRunTest {
    private static final long CODE = A64Harness.CODE, DATA = A64Harness.DATA;

    private static Watchpoints watch(long start, long length, int kinds) {
        return new Watchpoints(new long[] {start}, new long[] {length}, new int[] {kinds});
    }

    /** x1 = DATA; ldr x2, [x1]; subs x3, x2, #1; str x3, [x1, #8]; add x4, x4, #1; then the harness's BRK. */
    private static final int[] STORE_AFTER_LOAD = {0xf9400022, 0xf1000443, 0xf9000423, 0x91000484};

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void aWatchedStoreStopsBeforeItsInstruction(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        h.x(1, DATA).write64(DATA, 1).write64(DATA + 8, 0x77);
        h.mem.read64(DATA + 8); // the page is in the TLB before the watchpoint arrives
        h.mem.setWatchpoints(watch(DATA + 12, 2, Watchpoints.WRITE));
        WatchpointHit hit = assertThrows(WatchpointHit.class, () -> h.run(engine, STORE_AFTER_LOAD));
        assertEquals(DATA + 12, hit.address);
        assertEquals(Watchpoints.WRITE, hit.kinds);
        assertEquals(CODE + 8, h.cpu.pc, "stopped at the store");
        assertEquals(1, h.x(2));
        assertEquals(0, h.x(3));
        assertEquals(0x77, h.read64(DATA + 8), "nothing stored");
        assertEquals(0, h.x(4));
        assertEquals(0b0110, h.nzcv(), "the flags of subs (1 - 1): Z and C, exact in the Cpu");

        // With the watchpoint gone the same instruction completes.
        h.mem.setWatchpoints(null);
        h.cpu.exitRequest = false;
        new dev.jvisor.engine.interp.Interpreter(h.cpu, null).run(1);
        assertEquals(0, h.read64(DATA + 8));
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void aWatchedLoadStopsAReadWatchpointButNotAWriteOne(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        h.x(1, DATA).write64(DATA, 5);
        h.mem.setWatchpoints(watch(DATA, 1, Watchpoints.WRITE));
        h.run(engine, 0xf9400022); // ldr x2, [x1]
        assertEquals(5, h.x(2));

        A64Harness r = new A64Harness();
        r.x(1, DATA).write64(DATA, 5);
        r.mem.setWatchpoints(watch(DATA + 7, 1, Watchpoints.READ));
        WatchpointHit hit = assertThrows(WatchpointHit.class, () -> r.run(engine, 0xf9400022));
        assertEquals(DATA + 7, hit.address);
        assertEquals(0, r.x(2));
        assertEquals(CODE, r.cpu.pc);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void atomicsAndPairsAreWatchedToo(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        h.x(1, DATA).x(2, 9);
        h.mem.setWatchpoints(watch(DATA, 8, Watchpoints.WRITE));
        assertThrows(WatchpointHit.class, () -> h.run(engine, 0xf8220023)); // ldadd x2, x3, [x1]
        assertEquals(0, h.read64(DATA));
        assertEquals(CODE, h.cpu.pc);

        A64Harness p = new A64Harness();
        p.x(1, DATA - 8).x(2, 1).x(3, 2);
        p.mem.setWatchpoints(watch(DATA, 8, Watchpoints.WRITE));
        assertThrows(WatchpointHit.class, () -> p.run(engine, 0xa9000c22)); // stp x2, x3, [x1]
        assertEquals(CODE, p.cpu.pc);
        assertEquals(0, p.read64(DATA), "the watched half is not written");
        assertEquals(0, p.read64(DATA - 8), "nor the other half");
    }

    @Test
    void watchpointsCoverTheirRangeAndPagesExactly() {
        Watchpoints w = new Watchpoints(new long[] {0x1ffe, 0x5000}, new long[] {4, 1},
                new int[] {Watchpoints.WRITE, Watchpoints.READ | Watchpoints.WRITE});
        assertFalse(w.isEmpty());
        assertThrows(WatchpointHit.class, () -> w.check(0x1ff8, 8, Access.WRITE)); // its last byte is 0x1fff
        w.check(0x1ff8, 6, Access.WRITE);
        w.check(0x2002, 4, Access.WRITE);
        assertThrows(WatchpointHit.class, () -> w.check(0x2001, 1, Access.WRITE));
        w.check(0x1ffe, 4, Access.READ);
        assertThrows(WatchpointHit.class, () -> w.check(0x4ff8, 16, Access.READ));
        WatchpointHit hit = assertThrows(WatchpointHit.class, () -> w.check(0x1ff0, 16, Access.WRITE));
        assertEquals(0x1ffe, hit.address, "the first watched byte touched");
        assertTrue(new Watchpoints(new long[0], new long[0], new int[0]).isEmpty());

        A64Harness h = new A64Harness();
        h.mem.setWatchpoints(new Watchpoints(new long[0], new long[0], new int[0]));
        assertNull(h.mem.watchpoints(), "an empty set is no set");
    }
}
