package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.decode.Disassembler;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Disassembly of integer Advanced SIMD words (up to three per row, aliases included) against the text GNU objdump
 * 2.40 prints for them, stored in {@code SimdDisassembly.txt} as word, tab, text.
 */
class SimdDisassemblyTest {
    @Test
    void matchesObjdump() throws IOException {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        try (var in = SimdDisassemblyTest.class.getResourceAsStream("SimdDisassembly.txt")) {
            assertTrue(in != null, "SimdDisassembly.txt missing");
            for (String line : new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)).lines().toList()) {
                String[] parts = line.split("\t");
                int word = Integer.parseUnsignedInt(parts[0], 16);
                String actual = Disassembler.disassemble(word, 0);
                if (!actual.equals(parts[1])) failures.add(parts[0] + ": expected '" + parts[1] + "', got '" + actual + "'");
                checked++;
            }
        }
        assertTrue(checked > 700, "too few cases: " + checked);
        assertEquals(List.of(), failures);
    }
}
