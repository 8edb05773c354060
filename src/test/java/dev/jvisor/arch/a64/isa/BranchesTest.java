package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.A64Harness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BranchesTest {
    private static final long CODE = A64Harness.CODE;

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void blSetsLinkAndRetReturns(A64Harness.Engine engine) {
        // 0: bl 12 ; 4: b 20 (to end) ; 8: brk 1 (never) ; 12: ret
        A64Harness h = new A64Harness().run(engine, 0x94000003, 0x14000005, 0xd4200020, 0xd65f03c0, 0xd4200040, 0xd4200060);
        assertEquals(CODE + 4, h.x(30));
        assertEquals(CODE + 24, h.cpu.pc);
        assertEquals(java.util.List.of(), h.events);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void compareAndTestBranchesLookAtTheRightWidthAndBit(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        h.x(1, 0x1_0000_0000L).x(2, 1L << 37);
        // cbz w1, +8 (taken: w1 == 0) ; brk 1 ; cbz x1, +8 (not taken) ; b +8 ; brk 2 ; tbnz x2, #37, +8 (taken) ; brk 3 ; tbz w2, #5, +8 (taken) ; brk 4
        h.run(engine, 0x34000041, 0xd4200020, 0xb4000041, 0x14000002, 0xd4200040, 0xb7280042, 0xd4200060, 0x36280042,
                0xd4200080);
        assertEquals(java.util.List.of(), h.events);
        assertEquals(CODE + 36, h.cpu.pc);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void conditionalBranchFollowsFlags(A64Harness.Engine engine) {
        for (int cond = 0; cond < 16; cond++) {
            for (int flags = 0; flags < 16; flags++) {
                A64Harness h = new A64Harness();
                h.cpu.nzcv = flags << 28;
                // b.cond +8 ; movz-free marker: brk 9 (fall-through path) ; (taken lands here)
                h.run(engine, 0x54000040 | cond, 0xd4200120);
                boolean taken = h.events.isEmpty();
                assertEquals(h.cpu.condition(cond), taken, "cond " + cond + " flags " + flags);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void indirectBranchesUseTheRegister(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        h.x(3, CODE + 12);
        // blr x3 ; brk 1 ; brk 2 ; (x3 target) br x30 would loop — use b to end: b +8 ; brk 3
        h.run(engine, 0xd63f0060, 0xd4200020, 0xd4200040, 0x14000002, 0xd4200060);
        assertEquals(CODE + 4, h.x(30));
        assertEquals(java.util.List.of(), h.events);
    }
}
