package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.UndefinedInstruction;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AluTest {
    /**
     * Every N:immr:imms either is unallocated or names a distinct 64-bit pattern, and the architecture has exactly
     * 5334 of them; 32-bit forms (N = 0) give 1302 distinct low words, each replicated into the high word.
     */
    @Test
    void bitmaskImmediatesAreTheArchitecturalSet() {
        Set<Long> all = new HashSet<>();
        Set<Long> narrow = new HashSet<>();
        for (int enc = 0; enc < 1 << 13; enc++) {
            int n = enc >>> 12, immr = enc >>> 6 & 63, imms = enc & 63;
            long v;
            try {
                v = Alu.bitmaskImmediate(n, immr, imms);
            } catch (UndefinedInstruction e) {
                continue;
            }
            assertFalse(v == 0 || v == -1, "all-zero and all-one patterns are not encodable");
            all.add(v);
            if (n == 0) {
                narrow.add(v);
                assertEquals(v >>> 32, v & 0xFFFF_FFFFL, "32-bit patterns repeat in the high word");
            }
        }
        assertEquals(5334, all.size());
        assertEquals(1302, narrow.size());
    }

    @Test
    void bitmaskImmediateExamples() {
        assertEquals(0xFFL, Alu.bitmaskImmediate(1, 0, 7));
        assertEquals(0x8000_0000_0000_0000L, Alu.bitmaskImmediate(1, 1, 0));
        assertEquals(0x5555_5555_5555_5555L, Alu.bitmaskImmediate(0, 0, 0b111100));
        assertEquals(0xF000_0000_0000_000FL, Alu.bitmaskImmediate(1, 4, 7));
        assertEquals(0x7FFF_FFFF_FFFF_FFFFL, Alu.bitmaskImmediate(1, 0, 62));
        assertThrows(UndefinedInstruction.class, () -> Alu.bitmaskImmediate(1, 0, 63));
        assertThrows(UndefinedInstruction.class, () -> Alu.bitmaskImmediate(0, 0, 0b111111));
        assertThrows(UndefinedInstruction.class, () -> Alu.bitmaskImmediate(0, 0, 0b111101));
    }

    @Test
    void addFlagsAtTheBoundaries() {
        // 0x8000... + 0x8000... = 0: carry and overflow and zero.
        assertEquals(0b0111 << 28, Alu.addFlags64(Long.MIN_VALUE, Long.MIN_VALUE, 0));
        // 0 - 1 as 0 + ~1 + 1: borrow, so C clear; negative.
        assertEquals(0b1000 << 28, Alu.addFlags64(0, ~1L, -1));
        assertEquals(0b0011 << 28, Alu.addFlags32(Integer.MIN_VALUE, ~1, Integer.MAX_VALUE));
    }
}
