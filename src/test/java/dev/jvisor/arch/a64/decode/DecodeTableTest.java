package dev.jvisor.arch.a64.decode;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecodeTableTest {
    @Test
    void noTwoRowsOverlapUnlessOneRefinesTheOther() {
        assertEquals("", String.join("\n", A64.TABLE.overlaps()));
    }

    @Test
    void rowNamesAreUnique() {
        Set<String> seen = new HashSet<>();
        for (InsnRow r : A64.TABLE.rows()) assertTrue(seen.add(r.name), "duplicate row " + r.name);
    }

    @Test
    void decodesTheMostSpecificRow() {
        // ret = d65f03c0; b . = 14000000
        assertEquals("RET", A64.TABLE.decode(0xd65f03c0).name);
        assertEquals("B", A64.TABLE.decode(0x14000000).name);
        assertNull(A64.TABLE.decode(0x00000000), "udf #0 is permanently undefined");
    }

    @Test
    void disassemblesBranches() {
        assertEquals("b 0x1010", Disassembler.disassemble(0x14000004, 0x1000));
        assertEquals("ret x30", Disassembler.disassemble(0xd65f03c0, 0));
        assertEquals("b.ne 0xff8", Disassembler.disassemble(0x54ffffc1, 0x1000));
        assertEquals("tbnz w3, #5, 0x1008", Disassembler.disassemble(0x37280043, 0x1000));
    }
}
