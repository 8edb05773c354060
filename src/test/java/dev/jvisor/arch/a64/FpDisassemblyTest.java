package dev.jvisor.arch.a64;

import dev.jvisor.arch.a64.decode.Disassembler;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every FP and SIMD FP encoding recorded with its objdump text disassembles to that same text. */
class FpDisassemblyTest {
    @Test
    void matchesObjdump() throws IOException {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (String resource : List.of("fp-qemu-ops.txt", "simd-fp-qemu-ops.txt")) {
            boolean scalarFile = resource.startsWith("fp-");
            for (String l : FpQemuVectorsTest.lines(resource)) {
                String[] p = l.split(" ", scalarFile ? 5 : 4);
                int insn = Integer.parseUnsignedInt(p[1], 16);
                String expected = p[scalarFile ? 4 : 3].replaceAll("\\s+", " ");
                String got = Disassembler.disassemble(insn, 0);
                checked++;
                if (!got.equals(expected)) wrong.add(String.format("%08x: objdump '%s', jvisor '%s'", insn, expected,
                    got));
            }
        }
        assertEquals(431, checked, "encodings recorded");
        assertEquals("", String.join("\n", wrong), wrong.size() + " of " + checked + " differ");
    }
}
