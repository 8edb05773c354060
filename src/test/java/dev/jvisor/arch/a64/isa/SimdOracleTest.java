package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.decode.A64;
import dev.jvisor.arch.a64.decode.Disassembler;
import dev.jvisor.arch.a64.decode.Field;
import dev.jvisor.arch.a64.decode.InsnRow;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential test against a reference: {@code SimdOracle.txt} holds what qemu-aarch64 computed for random words of
 * every integer Advanced SIMD row on random (edge-biased) register contents, or that it rejected the word. The inputs
 * come from a generator this test and {@code SimdOracle.c} share, so only the words and results are stored.
 *
 * <p>To regenerate: run {@link #main} to write the words, then the C runner (see its header) under qemu-aarch64.
 */
class SimdOracleTest {
    /** Per row: words jvisor executes, and (fewer) words it rejects, so reserved encodings get checked too. */
    private static final int DEFINED_PER_ROW = 20, UNDEFINED_PER_ROW = 4;

    @ParameterizedTest
    @EnumSource(A64Harness.Engine.class)
    void matchesReference(A64Harness.Engine engine) throws IOException {
        List<String> lines = new ArrayList<>();
        try (var in = SimdOracleTest.class.getResourceAsStream("SimdOracle.txt")) {
            assertTrue(in != null, "SimdOracle.txt missing");
            new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)).lines().forEach(lines::add);
        }
        assertTrue(lines.size() > 1000, "reference too small: " + lines.size());
        A64Harness h = new A64Harness();
        List<String> failures = new ArrayList<>();
        for (int index = 0; index < lines.size(); index++) {
            String expected = lines.get(index);
            int word = Integer.parseUnsignedInt(expected.substring(0, 8), 16);
            String actual = run(h, engine, index, word);
            if (!actual.equals(expected)) {
                failures.add(A64.TABLE.decode(word) + " " + Disassembler.disassemble(word, 0) + "\n  expected " + expected
                    + "\n  actual   " + actual);
            }
        }
        assertEquals(0, failures.size(), failures.size() + " mismatches:\n"
            + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
    }

    /** Runs {@code word} on the inputs of case {@code index} and describes the outcome as the C runner does. */
    static String run(A64Harness h, A64Harness.Engine engine, int index, int word) {
        long[] inV = new long[16], inX = new long[8];
        Inputs rng = new Inputs(index);
        for (int i = 0; i < 16; i++) inV[i] = rng.interesting();
        for (int i = 0; i < 8; i++) inX[i] = rng.interesting();
        java.util.Arrays.fill(h.cpu.v, 0);
        System.arraycopy(inV, 0, h.cpu.v, 0, 16);
        System.arraycopy(inX, 0, h.cpu.x, 0, 8);
        h.cpu.fpsr = 0;
        h.events.clear();
        h.run(engine, word);
        StringBuilder out = new StringBuilder(String.format("%08x", word));
        if (!h.events.isEmpty()) return out.append(h.events.getFirst().startsWith("undefined") ? " undef" : " "
            + h.events.getFirst()).toString();
        for (int i = 0; i < 8; i++) {
            if (h.cpu.v[2 * i] != inV[2 * i] || h.cpu.v[2 * i + 1] != inV[2 * i + 1]) {
                out.append(String.format(" v%d=%016x:%016x", i, h.cpu.v[2 * i + 1], h.cpu.v[2 * i]));
            }
        }
        for (int i = 0; i < 8; i++) if (h.cpu.x[i] != inX[i]) out.append(String.format(" x%d=%016x", i, h.cpu.x[i]));
        if ((h.cpu.fpsr & SimdOps.QC) != 0) out.append(" qc");
        return out.toString();
    }

    /** splitmix64 with the edge-case bias of SimdOracle.c's interesting() and lane_edges(). */
    static final class Inputs {
        private static final int[] EDGES = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x40, 0x3f};
        private long state;

        Inputs(long seed) {
            state = seed;
        }

        long next() {
            long z = state += 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        long interesting() {
            int mode = (int) (next() & 7);
            long w = 0;
            switch (mode) {
                case 0, 1 -> w = next();
                case 2 -> {
                    long r = next();
                    for (int i = 0; i < 8; i++) w |= (long) EDGES[(int) (r >>> (3 * i) & 7)] << (8 * i);
                }
                case 3 -> {
                    long r = next();
                    for (int i = 0; i < 8; i++) w |= ((long) ((byte) (r >>> (8 * i)) >> 3) & 0xFF) << (8 * i);
                }
                case 4 -> w = next() & 0x0F0F_0F0F_0F0F_0F0FL;
                default -> w = laneEdges(16 << (mode - 5));
            }
            return w;
        }

        private long laneEdges(int esize) {
            long w = 0, mask = SimdOps.mask(esize), min = 1L << (esize - 1);
            for (int s = 0; s < 64; s += esize) {
                long v = switch ((int) (next() & 7)) {
                    case 0 -> 0;
                    case 1 -> 1;
                    case 2 -> -1L;
                    case 3 -> min;
                    case 4 -> min - 1;
                    case 5 -> min + 1;
                    case 6 -> 2;
                    default -> next();
                };
                w |= (v & mask) << s;
            }
            return w;
        }
    }

    /** The words to test: random fillings of every Simd row, registers kept to V0-V7 / X0-X7 (what the runner loads). */
    static List<Integer> words() {
        InsnRow.Builder b = new InsnRow.Builder();
        Simd.rows(b);
        Set<String> ours = new HashSet<>();
        for (InsnRow r : b.rows()) ours.add(r.name);
        List<Integer> words = new ArrayList<>();
        A64Harness h = new A64Harness();
        for (InsnRow row : b.rows()) {
            Random random = new Random(row.name.hashCode());
            int defined = 0, undefined = 0;
            for (int k = 0; k < 200 && defined < DEFINED_PER_ROW; k++) {
                int w = row.value | random.nextInt() & ~row.mask;
                for (String f : List.of("Rd", "Rn", "Rm")) {
                    Field field = row.fields.get(f);
                    if (field == null) continue;
                    int limit = f.equals("Rn") && row.fields.containsKey("len") ? 4 : 7;
                    int reg = field.extract(w) % (limit + 1);
                    w = w & ~(((1 << field.width()) - 1) << field.lsb()) | reg << field.lsb();
                }
                // PMULL of 64-bit elements needs FEAT_PMULL, which the reference has and jvisor does not advertise.
                if (row.name.equals("PMULL_vec") && (w >>> 22 & 3) == 3) continue;
                InsnRow decoded = A64.TABLE.decode(w);
                if (decoded == null || !ours.contains(decoded.name)) continue;
                boolean rejected = run(h, A64Harness.Engine.INTERP, words.size(), w).endsWith(" undef");
                if (rejected ? undefined++ < UNDEFINED_PER_ROW : defined++ < DEFINED_PER_ROW) words.add(w);
            }
        }
        return words;
    }

    public static void main(String[] args) throws IOException {
        try (var out = new DataOutputStream(new FileOutputStream(args[0]))) {
            for (int w : words()) out.writeInt(Integer.reverseBytes(w));
        }
    }
}
