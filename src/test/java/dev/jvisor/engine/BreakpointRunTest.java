package dev.jvisor.engine;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.engine.dbt.CodeCache;
import dev.jvisor.engine.dbt.DbtEngine;
import dev.jvisor.engine.interp.Interpreter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.function.LongBinaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engines' debugging run methods stop exactly before a breakpoint, with exact state (flags included), even in
 * code the translator has already translated; away from breakpoints they run to completion.
 */
class BreakpointRunTest {
    private static final long CODE = A64Harness.CODE;
    /** x0 = 0; loop: x0 += 1; cmp x0, #100; b.ne loop; then the harness's BRK. */
    private static final int[] LOOP = {0xd2800000, 0x91000400, 0xf101901f, 0x54ffffc1};

    /** The harness has run the loop once (translated on the translator); returns a run-with-breakpoints method. */
    private static LongBinaryOperator prepared(A64Harness h, A64Harness.Engine engine, Breakpoints stops) {
        h.run(engine, LOOP);
        assertEquals(100, h.x(0));
        h.cpu.pc = CODE;
        h.cpu.exitRequest = false;
        if (engine == A64Harness.Engine.INTERP) {
            Interpreter interp = new Interpreter(h.cpu, null);
            return (budget, unused) -> interp.runBreaking(budget, stops);
        }
        // A fresh engine over a cache that already holds the loop's translation.
        CodeCache cache = new CodeCache();
        DbtEngine warm = new DbtEngine(h.cpu, cache, null, 1);
        warm.run();
        assertEquals(100, h.x(0));
        assertTrue(cache.size() > 0, "the loop was translated");
        h.cpu.pc = CODE;
        h.cpu.exitRequest = false;
        return (budget, unused) -> warm.runBreaking(budget, stops);
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void stopsBeforeTheBreakpointEveryTimeAround(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        Breakpoints stops = new Breakpoints();
        LongBinaryOperator run = prepared(h, engine, stops);
        stops.replaceWith(new long[] {CODE + 8});

        assertEquals(2, run.applyAsLong(1_000_000, 0));
        assertEquals(CODE + 8, h.cpu.pc);
        assertEquals(1, h.x(0));

        // The instruction at the breakpoint itself runs (it is the first), then the loop comes round to it again.
        assertEquals(3, run.applyAsLong(1_000_000, 0));
        assertEquals(CODE + 8, h.cpu.pc);
        assertEquals(2, h.x(0));
        // The flags are those of the last cmp (1 - 100): N only, and exact in Cpu.nzcv.
        assertEquals(0b1000, h.nzcv());

        stops.replaceWith(new long[0]);
        run.applyAsLong(1_000_000, 0);
        assertEquals(100, h.x(0));
        assertEquals(CODE + 16, h.cpu.pc, "stopped by the harness's BRK");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void aBreakpointElsewhereChangesNothing(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        Breakpoints stops = new Breakpoints();
        LongBinaryOperator run = prepared(h, engine, stops);
        stops.replaceWith(new long[] {CODE + 0x10_000});
        long before = h.cpu.instructions;
        run.applyAsLong(1_000_000, 0);
        assertEquals(100, h.x(0));
        assertEquals(CODE + 16, h.cpu.pc);
        assertEquals(1 + 3 * 100 + 1, h.cpu.instructions - before, "every instruction, the BRK included");
    }

    @Test
    void translatedCodeRunsOnlyWhereNoBreakpointIs() {
        A64Harness h = new A64Harness();
        h.run(A64Harness.Engine.DBT, LOOP);
        DbtEngine engine = new DbtEngine(h.cpu, new CodeCache(), null, 1);
        Breakpoints stops = new Breakpoints();
        stops.replaceWith(new long[] {CODE + 0x1000}); // the next page: not part of the loop's region
        h.cpu.pc = CODE;
        h.cpu.x[0] = 7;
        h.cpu.exitRequest = false;
        engine.runBreaking(1_000_000, stops);
        assertEquals(100, h.x(0));
        assertTrue(engine.stats.regionRuns > 0, "the loop ran translated");

        long runs = engine.stats.regionRuns;
        stops.replaceWith(new long[] {CODE + 4});
        h.cpu.pc = CODE;
        h.cpu.exitRequest = false;
        engine.runBreaking(1_000_000, stops);
        assertEquals(CODE + 4, h.cpu.pc);
        assertEquals(runs, engine.stats.regionRuns, "a region holding a breakpoint never runs");
    }

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void aBudgetAndAnExitRequestEndTheRunToo(A64Harness.Engine engine) {
        A64Harness h = new A64Harness();
        Breakpoints stops = new Breakpoints();
        LongBinaryOperator run = prepared(h, engine, stops);
        stops.replaceWith(new long[] {CODE + 0x10_000});
        h.cpu.exitRequest = true;
        assertEquals(0, run.applyAsLong(1_000_000, 0));
        assertEquals(CODE, h.cpu.pc);
        h.cpu.exitRequest = false;
        if (engine == A64Harness.Engine.INTERP) {
            assertEquals(5, run.applyAsLong(5, 0));
            assertEquals(CODE + 8, h.cpu.pc); // mov, add, cmp, b.ne, add
        }
    }

    @Test
    void theSetAnswersMembershipAndRanges() {
        Breakpoints b = new Breakpoints();
        assertTrue(b.isEmpty());
        assertFalse(b.anyIn(0, Long.MAX_VALUE));
        b.replaceWith(new long[] {0x5000, 0x1000, 0x5000, 0xffff_0000_0000_1000L});
        assertFalse(b.isEmpty());
        assertTrue(b.contains(0x1000) && b.contains(0x5000) && b.contains(0xffff_0000_0000_1000L));
        assertFalse(b.contains(0x1004));
        assertTrue(b.anyIn(0x1000, 4));
        assertTrue(b.anyIn(0x0, 0x1001));
        assertFalse(b.anyIn(0x0, 0x1000));
        assertFalse(b.anyIn(0x1001, 0x3fff));
        assertTrue(b.anyIn(0x1001, 0x4000));
        assertTrue(b.anyIn(0xffff_0000_0000_0000L, 0x2000));
        assertFalse(b.anyIn(0xffff_0000_0000_2000L, 0x2000));
    }
}
