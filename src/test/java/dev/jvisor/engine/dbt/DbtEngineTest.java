package dev.jvisor.engine.dbt;

import dev.jvisor.arch.a64.A64Harness;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DbtEngineTest {
    @Test
    void aTightTranslatedLoopIsStoppedByAnExitRequest() throws Exception {
        A64Harness h = new A64Harness();
        h.ram.set(ValueLayout.JAVA_INT_UNALIGNED, A64Harness.CODE, 0x14000000); // b .
        h.cpu.pc = A64Harness.CODE;
        DbtEngine engine = new DbtEngine(h.cpu, new CodeCache(), null, 1);
        Thread t = Thread.ofPlatform().start(engine::run);
        Thread.sleep(300);
        assertTrue(t.isAlive(), "the loop should still be running");
        long stopAt = System.nanoTime();
        h.cpu.exitRequest = true;
        t.join(TimeUnit.SECONDS.toMillis(5));
        assertFalse(t.isAlive(), "the translated loop must notice the stop request");
        long latencyMicros = (System.nanoTime() - stopAt) / 1000;
        assertTrue(latencyMicros < 1_000_000, "stop took " + latencyMicros + " us");
        assertEquals(A64Harness.CODE, h.cpu.pc, "stopped at the loop head");
        assertTrue(h.cpu.instructions > 1000, "the loop ran translated: " + h.cpu.instructions);
        assertEquals(1, engine.stats.regionsTranslated);
    }

    @Test
    void aStoreIntoTranslatedCodeDropsTheTranslation() {
        A64Harness h = new A64Harness();
        CodeCache cache = new CodeCache();
        h.ram.set(ValueLayout.JAVA_INT_UNALIGNED, A64Harness.CODE, 0xd4200020); // brk #1
        h.cpu.pc = A64Harness.CODE;
        h.cpu.exitRequest = false;
        DbtEngine engine = new DbtEngine(h.cpu, cache, null, 1);
        engine.run();
        assertEquals(1, cache.size());
        h.cpu.mem.write32(A64Harness.CODE, 0xd4200040); // brk #2, stored by the guest's memory path
        assertEquals(0, cache.size(), "the page's translations are gone");
        h.cpu.pc = A64Harness.CODE;
        h.cpu.exitRequest = false;
        engine.run();
        assertEquals(java.util.List.of("brk 1", "brk 2"), h.events);
    }

    @Test
    void aRegionAcrossAPageBoundaryIsDroppedByAStoreIntoItsSecondPage() {
        A64Harness h = new A64Harness();
        CodeCache cache = new CodeCache();
        long at = 0x2FF8;
        int[] code = {0x91000421, 0x91000421, 0x91000421, 0xd4200020}; // add x1, x1, #1 three times; brk #1
        for (int i = 0; i < code.length; i++) h.ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 4L * i, code[i]);
        h.cpu.pc = at;
        DbtEngine engine = new DbtEngine(h.cpu, cache, null, 1);
        engine.run();
        assertEquals(3, h.x(1));
        assertEquals(2, cache.lookup(at, h.cpu.mem).hostPages.length, "the region spans both pages");
        h.cpu.mem.write32(0x3004, 0xd4200040); // brk #2, on the second page
        assertEquals(0, cache.size(), "the translation is gone");
        h.cpu.pc = at;
        h.cpu.exitRequest = false;
        engine.run();
        assertEquals(6, h.x(1));
        assertEquals(java.util.List.of("brk 1", "brk 2"), h.events);
    }

    @Test
    void aFaultOnTheSecondPageOfARegionReportsItsOwnAddress() {
        A64Harness h = new A64Harness();
        long at = 0x2FFC;
        h.ram.set(ValueLayout.JAVA_INT_UNALIGNED, at, 0x91000421);      // add x1, x1, #1
        h.ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 4, 0xf9400083);  // ldr x3, [x4]
        h.ram.set(ValueLayout.JAVA_INT_UNALIGNED, at + 8, 0x91000421);  // add x1, x1, #1
        h.x(4, 0x10_0000_0000L);
        h.cpu.pc = at;
        new DbtEngine(h.cpu, new CodeCache(), null, 1).run();
        assertEquals(java.util.List.of("fault TRANSLATION 0x1000000000 READ"), h.events);
        assertEquals(0x3000, h.cpu.pc);
        assertEquals(1, h.x(1));
        assertEquals(2, h.cpu.instructions);
    }
}
