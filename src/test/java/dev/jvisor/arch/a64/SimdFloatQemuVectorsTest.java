package dev.jvisor.arch.a64;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays Advanced SIMD floating-point results recorded from qemu-aarch64 (tools/fpq/vops.py): each vector gives
 * FPCR, the 128-bit contents of v0 (destination and accumulator), v1, v2 and v3, then v0 and FPSR afterwards.
 */
class SimdFloatQemuVectorsTest {
    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void vectorResultsMatchQemu(A64Harness.Engine engine) throws IOException {
        Map<String, Integer> ops = new HashMap<>();
        for (String l : FpQemuVectorsTest.lines("simd-fp-qemu-ops.txt")) {
            String[] p = l.split(" ");
            ops.put(p[0], Integer.parseUnsignedInt(p[1], 16));
        }
        A64Harness h = new A64Harness();
        Cpu c = h.cpu;
        List<String> failures = new ArrayList<>();
        int count = 0;
        for (String l : FpQemuVectorsTest.lines("simd-fp-qemu-vectors.txt")) {
            String[] p = l.split(" ");
            int insn = ops.get(p[0]);
            c.fpcr = Integer.parseUnsignedInt(p[1], 16);
            c.fpsr = 0;
            for (int i = 0; i < 8; i++) c.v[i] = Long.parseUnsignedLong(p[2 + i], 16);
            long lo = Long.parseUnsignedLong(p[10], 16), hi = Long.parseUnsignedLong(p[11], 16);
            int fpsr = Integer.parseUnsignedInt(p[12], 16);
            h.events.clear();
            h.run(engine, insn);
            count++;
            if (!h.events.isEmpty() || c.v[0] != lo || c.v[1] != hi || c.fpsr != fpsr) {
                failures.add(String.format("%s %s: want %x:%x fpsr %x, got %x:%x fpsr %x %s", p[0],
                    String.join(" ", List.of(p).subList(1, 10)), hi, lo, fpsr, c.v[1], c.v[0], c.fpsr, h.events));
            }
        }
        assertTrue(count > 4000, "vectors read: " + count);
        assertEquals("", String.join("\n", failures.subList(0, Math.min(failures.size(), 40))),
            failures.size() + " of " + count + " vectors differ");
    }
}
