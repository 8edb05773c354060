package dev.jvisor.engine.dbt;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.arch.a64.decode.A64;
import dev.jvisor.arch.a64.decode.Field;
import dev.jvisor.arch.a64.decode.InsnRow;
import dev.jvisor.arch.a64.decode.Section;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random short instruction sequences, valid encodings drawn from the decode table with random operands, run on the
 * interpreter and on the translator from the same state; the whole architectural state and memory must agree.
 * The seed and count are fixed for CI; run longer by hand with -Djvisor.fuzz.count=N -Djvisor.fuzz.seed=S.
 */
class DifferentialFuzzTest {
    private static final int MEMORY = 16 * 1024;
    private static final long SCRATCH = 0x2000;
    private static final int MAX_LENGTH = 8;

    /** Rows whose results depend on the moment they run (counters) cannot be compared between two runs. */
    private static boolean comparable(InsnRow r) {
        return !r.name.equals("MRS");
    }

    /** Draws one test sequence; the last word is followed by the harness's stopping BRK. */
    private interface Generator {
        int[] sequence(SplittableRandom rnd);
    }

    @Test
    void interpreterAndTranslatorAgreeOnRandomSequences() {
        List<InsnRow> rows = new ArrayList<>();
        for (InsnRow r : A64.TABLE.rows()) if (comparable(r)) rows.add(r);
        compare(0x6A76_6973_6F72L, rnd -> {
            int length = 1 + rnd.nextInt(MAX_LENGTH);
            int[] code = new int[length];
            for (int i = 0; i < length; i++) code[i] = randomInstruction(rnd, rows, i == length - 1);
            return code;
        });
    }

    /**
     * Sequences of the rows the translator turns into direct bytecode, with a few that still call their semantics,
     * operands drawn from a handful of registers (x31 among them) so that results feed each other, flag setters
     * next to flag readers, and now and then a counted loop around the body so that flags and registers in locals
     * cross a back edge.
     */
    @Test
    void interpreterAndTranslatorAgreeOnDirectlyTranslatedRows() {
        List<InsnRow> direct = new ArrayList<>(), other = new ArrayList<>();
        SplittableRandom probe = new SplittableRandom(1);
        for (InsnRow r : A64.TABLE.rows()) {
            if (!comparable(r)) continue;
            boolean translated = r.section == Section.BRANCH;
            for (int i = 0; i < 64 && !translated; i++) {
                translated = RegionEmitter.translatable(r, r.value | (probe.nextInt() & ~r.mask));
            }
            (translated ? direct : other).add(r);
        }
        compare(0x6C61_7A79L, rnd -> {
            int length = 1 + rnd.nextInt(2 * MAX_LENGTH);
            boolean loop = rnd.nextInt(4) == 0;
            int[] body = new int[length];
            for (int i = 0; i < length; i++) {
                // Loop bodies stay with the direct rows, whose every register operand is a field (CASP, for one,
                // writes a pair and could reach the counter).
                List<InsnRow> from = !loop && rnd.nextInt(8) == 0 ? other : direct;
                int w;
                do {
                    w = withSmallRegisters(rnd, randomInstruction(rnd, from, i == length - 1));
                } while (loop && writesLoopCounter(w));
                body[i] = w;
            }
            if (!loop) return body;
            // movz x7, #n; body; subs x7, x7, #1; b.ne body
            int[] code = new int[length + 3];
            code[0] = 0xD2800007 | (1 + rnd.nextInt(5)) << 5;
            System.arraycopy(body, 0, code, 1, length);
            code[length + 1] = 0xF10004E7;
            code[length + 2] = 0x54000001 | (-(length + 1) & 0x7FFFF) << 5;
            return code;
        });
    }

    private static final int[] SMALL_REGISTERS = {0, 1, 2, 3, 4, 31};

    /** Replaces register fields, mostly, by one of a few registers, keeping the word in the same row. */
    private static int withSmallRegisters(SplittableRandom rnd, int w) {
        InsnRow row = A64.TABLE.decode(w);
        for (String name : List.of("Rd", "Rn", "Rm", "Ra", "Rt", "Rt2")) {
            Field f = row.fields.get(name);
            if (f == null || f.width() != 5 || rnd.nextInt(4) == 0) continue;
            int r = SMALL_REGISTERS[rnd.nextInt(SMALL_REGISTERS.length)];
            int candidate = w & ~(31 << f.lsb()) | r << f.lsb();
            if (A64.TABLE.decode(candidate) == row) w = candidate;
        }
        return w;
    }

    /** Whether a loop body word may write x7, the loop counter (any field naming register 7, to be safe). */
    private static boolean writesLoopCounter(int w) {
        InsnRow row = A64.TABLE.decode(w);
        if (row.section == Section.BRANCH || row.section == Section.SYSTEM) return true;
        for (Field f : row.fields.values()) {
            if (f.width() == 5 && f.extract(w) == 7) return true;
        }
        return false;
    }

    private void compare(long defaultSeed, Generator generator) {
        long count = Long.getLong("jvisor.fuzz.count", 100_000);
        long seed = Long.getLong("jvisor.fuzz.seed", defaultSeed);
        SplittableRandom rnd = new SplittableRandom(seed);

        A64Harness a = new A64Harness(CpuModel.max(), MEMORY);
        A64Harness b = new A64Harness(CpuModel.max(), MEMORY);
        // A store into the code being run may or may not be seen by the following instructions until an IC IVAU;
        // both engines are right either way, so the sequences' own code is kept read-only.
        a.mem.protectFromWrites(A64Harness.CODE, A64Harness.CODE + 1);
        b.mem.protectFromWrites(A64Harness.CODE, A64Harness.CODE + 1);
        MemorySegment template = MemorySegment.ofArray(new byte[MEMORY]);
        long mismatches = 0;
        StringBuilder report = new StringBuilder();
        for (long n = 0; n < count; n++) {
            int[] code = generator.sequence(rnd);
            for (int i = 0; i < MEMORY; i += 8) template.set(ValueLayout.JAVA_LONG_UNALIGNED, i, rnd.nextLong());
            long[] x = new long[32];
            for (int i = 0; i < 32; i++) x[i] = randomValue(rnd);
            long[] v = new long[64];
            for (int i = 0; i < 64; i++) v[i] = rnd.nextLong();
            int nzcv = rnd.nextInt(16) << 28;
            int fpcr = (rnd.nextInt(4) << 22) | (rnd.nextBoolean() ? 1 << 24 : 0) | (rnd.nextBoolean() ? 1 << 25 : 0);

            for (A64Harness h : List.of(a, b)) {
                h.ram.copyFrom(template);
                System.arraycopy(x, 0, h.cpu.x, 0, 32);
                System.arraycopy(v, 0, h.cpu.v, 0, 64);
                h.cpu.nzcv = nzcv;
                h.cpu.fpcr = fpcr;
                h.cpu.fpsr = 0;
                h.cpu.exclusiveSize = 0;
                h.cpu.instructions = 0;
                h.events.clear();
            }
            a.run(A64Harness.Engine.INTERP, code);
            b.run(A64Harness.Engine.DBT, code);
            String diff = difference(a, b);
            if (diff != null) {
                if (mismatches++ < 10) {
                    report.append("sequence ").append(n).append(':');
                    for (int w : code) report.append(String.format(" %08x", w));
                    report.append("\n  ").append(diff).append('\n');
                }
            }
        }
        if (mismatches > 0) fail(mismatches + " of " + count + " sequences differ (seed " + seed + "):\n" + report);
    }

    private static int randomInstruction(SplittableRandom rnd, List<InsnRow> rows, boolean last) {
        while (true) {
            InsnRow r = rows.get(rnd.nextInt(rows.size()));
            int w = r.value | (rnd.nextInt() & ~r.mask);
            if (r.section == Section.BRANCH) {
                // Keep control flow inside the sequence: conditional branches skip one instruction, others are
                // only allowed where they cannot leave (they are replaced by a skip of the same kind).
                switch (r.name) {
                    case "B_cond", "CBZ", "CBNZ" -> w = (w & ~(0x7FFFF << 5)) | (2 << 5);
                    case "TBZ", "TBNZ" -> w = (w & ~(0x3FFF << 5)) | (2 << 5);
                    case "B" -> w = 0x14000001;
                    default -> { continue; }
                }
                if (last) continue;
            }
            if (A64.TABLE.decode(w) != r) continue;
            return w;
        }
    }

    private static long randomValue(SplittableRandom rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> rnd.nextLong();
            case 1 -> rnd.nextInt(64) - 32;
            case 2 -> SCRATCH + rnd.nextInt(0x2000);
            case 3 -> SCRATCH + (rnd.nextInt(0x800) & ~15);
            case 4 -> 1L << rnd.nextInt(64);
            default -> rnd.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
        };
    }

    private static String difference(A64Harness a, A64Harness b) {
        if (!a.events.equals(b.events)) return "events " + a.events + " vs " + b.events;
        if (a.cpu.pc != b.cpu.pc) return "pc " + Long.toHexString(a.cpu.pc) + " vs " + Long.toHexString(b.cpu.pc);
        for (int i = 0; i < 32; i++) {
            if (a.cpu.x[i] != b.cpu.x[i]) return "x" + i + " " + Long.toHexString(a.cpu.x[i]) + " vs " + Long.toHexString(b.cpu.x[i]);
        }
        if (!Arrays.equals(a.cpu.v, b.cpu.v)) return "vector registers differ";
        if (a.cpu.nzcv != b.cpu.nzcv) return "nzcv " + Integer.toHexString(a.cpu.nzcv) + " vs " + Integer.toHexString(b.cpu.nzcv);
        if (a.cpu.fpsr != b.cpu.fpsr) return "fpsr " + Integer.toHexString(a.cpu.fpsr) + " vs " + Integer.toHexString(b.cpu.fpsr);
        if (a.cpu.instructions != b.cpu.instructions) return "instructions " + a.cpu.instructions + " vs " + b.cpu.instructions;
        long m = a.ram.mismatch(b.ram);
        if (m >= 0) return "memory at 0x" + Long.toHexString(m);
        assertEquals(a.cpu.exclusiveSize, b.cpu.exclusiveSize);
        return null;
    }
}
