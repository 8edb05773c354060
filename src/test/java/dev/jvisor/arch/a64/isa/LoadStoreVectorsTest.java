package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.A64Harness.Engine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random words from every load/store row (literal loads aside, whose address depends on where the code sits), each
 * run once on qemu-aarch64 -cpu max, from a state where every register holds a splitmix64 value except the base and
 * index registers, which point into an 8 KiB buffer at DATA holding splitmix64 bytes. A vector lists what the word
 * changed: registers and buffer bytes. make-loadstore-vectors.py beside the resource made them; set
 * -Djvisor.loadstore.vectors=FILE to run a larger set.
 */
class LoadStoreVectorsTest {
    private static final String RESOURCE = "loadstore-vectors.txt";
    private static final int BUFSIZE = 8192;
    private static final long TEMPLATE_SEED = 0x5EED;

    private static List<String> vectors() throws IOException {
        String external = System.getProperty("jvisor.loadstore.vectors");
        if (external != null) return Files.readAllLines(Path.of(external));
        try (InputStream in = LoadStoreVectorsTest.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IOException("missing test resource " + RESOURCE);
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
        }
    }

    /** splitmix64: the generator's and this test's common source of initial register and memory values. */
    private static final class SplitMix {
        private long state;

        SplitMix(long seed) {
            state = seed;
        }

        long next() {
            long z = state += 0x9E37_79B9_7F4A_7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
            return z ^ (z >>> 31);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void matchesQemu(Engine e) throws IOException {
        byte[] template = new byte[BUFSIZE];
        SplitMix t = new SplitMix(TEMPLATE_SEED);
        MemorySegment templateSegment = MemorySegment.ofArray(template);
        for (int i = 0; i < BUFSIZE; i += 8) templateSegment.set(ValueLayout.JAVA_LONG_UNALIGNED, i, t.next());

        A64Harness h = new A64Harness();
        long[] x = new long[32], v = new long[64];
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (String line : vectors()) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] halves = line.split(" : ");
            String[] in = halves[0].split(" ");
            int insn = Integer.parseUnsignedInt(in[1], 16);
            SplitMix s = new SplitMix(Long.parseUnsignedLong(in[2], 16));
            for (int r = 0; r < 32; r++) x[r] = s.next();
            for (int r = 0; r < 64; r++) v[r] = s.next();
            if (!in[3].equals("-")) {
                for (String o : in[3].split(",")) {
                    String[] kv = o.split("=");
                    x[Integer.parseInt(kv[0])] = Long.parseUnsignedLong(kv[1], 16);
                }
            }
            System.arraycopy(x, 0, h.cpu.x, 0, 32);
            System.arraycopy(v, 0, h.cpu.v, 0, 64);
            h.cpu.exclusiveSize = 0;
            MemorySegment.copy(templateSegment, 0, h.ram, A64Harness.DATA, BUFSIZE);
            h.events.clear();
            h.run(e, insn);

            List<String> changes = new ArrayList<>();
            for (int r = 0; r < 32; r++) {
                if (h.cpu.x[r] != x[r]) changes.add("x" + r + "=" + Long.toHexString(h.cpu.x[r]));
            }
            for (int r = 0; r < 32; r++) {
                long lo = h.cpu.v[2 * r], hi = h.cpu.v[2 * r + 1];
                if (lo != v[2 * r] || hi != v[2 * r + 1]) {
                    changes.add("v" + r + "=" + Long.toHexString(lo) + ":" + Long.toHexString(hi));
                }
            }
            for (int b = 0; b < BUFSIZE; ) {
                if (h.ram.get(ValueLayout.JAVA_BYTE, A64Harness.DATA + b) == template[b]) {
                    b++;
                    continue;
                }
                int end = b;
                while (end < BUFSIZE && h.ram.get(ValueLayout.JAVA_BYTE, A64Harness.DATA + end) != template[end]) end++;
                byte[] run = h.ram.asSlice(A64Harness.DATA + b, end - b).toArray(ValueLayout.JAVA_BYTE);
                changes.add("m" + Integer.toHexString(b) + "=" + HexFormat.of().formatHex(run));
                b = end;
            }
            String got = changes.isEmpty() ? "-" : String.join(" ", changes);
            if (!h.events.isEmpty() || !got.equals(halves[1])) {
                failures.add(in[0] + " " + in[1] + " (" + DisassemblyOf.text(insn, A64Harness.CODE) + ") seed " + in[2]
                        + " with " + in[3] + "\n   qemu:   " + halves[1] + "\n   jvisor: " + got + " " + h.events);
            }
            checked++;
        }
        assertTrue(checked > 500, "too few vectors: " + checked);
        assertEquals("", String.join("\n", failures.subList(0, Math.min(failures.size(), 20))),
                failures.size() + " of " + checked + " vectors differ");
    }
}
