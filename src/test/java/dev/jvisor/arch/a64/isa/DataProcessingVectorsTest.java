package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.A64Harness.Engine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random words from every data-processing row (ADR/ADRP aside, whose result depends on where the code sits), with
 * random and boundary register values and flags, compared with what qemu-aarch64 7.2 computed for the same inputs.
 * Words GNU objdump calls undefined were not run there; for those jvisor must raise an undefined instruction too.
 * The vectors were made by a generator that assembles one program per batch and records X0..X7, SP and NZCV after
 * each word (make-dataprocessing-vectors.py beside the resource). Set -Djvisor.vectors=FILE to run a larger set.
 */
class DataProcessingVectorsTest {
    private static final String RESOURCE = "dataprocessing-vectors.txt";

    private static List<String> vectors() throws IOException {
        String external = System.getProperty("jvisor.vectors");
        if (external != null) return Files.readAllLines(Path.of(external));
        try (InputStream in = DataProcessingVectorsTest.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IOException("missing test resource " + RESOURCE);
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void matchesQemu(Engine e) throws IOException {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        // One machine for all vectors: each sets every register its word can read, and the words touch no memory.
        A64Harness h = new A64Harness();
        for (String line : vectors()) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] t = line.trim().split("\\s+");
            String name = t[0];
            int insn = Integer.parseUnsignedInt(t[1], 16);
            h.events.clear();
            if (t[2].equals("U")) {
                h.run(e, insn);
                if (!h.events.equals(List.of(String.format("undefined %08x", insn)))) {
                    failures.add(name + " " + t[1] + ": objdump says undefined, jvisor: " + h.events);
                }
                checked++;
                continue;
            }
            h.cpu.nzcv = Integer.parseInt(t[2], 16) << 28;
            for (int r = 0; r < 8; r++) h.cpu.x[r] = Long.parseUnsignedLong(t[3 + r], 16);
            h.cpu.x[31] = Long.parseUnsignedLong(t[11], 16);
            h.run(e, insn);
            StringBuilder got = new StringBuilder(Integer.toHexString(h.nzcv()));
            for (int r = 0; r < 8; r++) got.append(' ').append(Long.toHexString(h.cpu.x[r]));
            got.append(' ').append(Long.toHexString(h.cpu.x[31]));
            String expected = String.join(" ", List.of(t).subList(13, 23));
            if (!h.events.isEmpty() || !got.toString().equals(expected)) {
                failures.add(name + " " + t[1] + " (" + DisassemblyOf.text(insn, A64Harness.CODE) + ") in "
                    + String.join(" ", List.of(t).subList(2, 12)) + "\n   qemu:   " + expected + "\n   jvisor: " + got
                    + " " + h.events);
            }
            checked++;
        }
        assertTrue(checked > 500, "too few vectors: " + checked);
        assertEquals("", String.join("\n", failures.subList(0, Math.min(failures.size(), 30))),
            failures.size() + " of " + checked + " vectors differ");
    }
}
