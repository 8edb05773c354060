package dev.jvisor.linux;

import dev.jvisor.UserError;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Corrupted executables: the loader either loads them or says what is wrong; nothing else ever escapes. */
class LoaderFuzzTest {
    @Test
    void mutatedHeadersNeverEscapeAsHostExceptions() {
        byte[] good = LoaderErrorsTest.elf(ElfLoader.EM_AARCH64, 2, ElfLoader.PT_LOAD, new byte[64]);
        // Make the second PT_LOAD a writable bss segment so both kinds of segment get mutated.
        ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).putInt(64 + 56 + 4, 6).putLong(64 + 56 + 16, 0x600000)
                .putLong(64 + 56 + 40, 0x3000);
        Random random = new Random(1234);
        int loaded = 0, rejected = 0;
        for (int round = 0; round < 400; round++) {
            byte[] bad = good.clone();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(64 + 2 * 56);
                bad[at] = switch (random.nextInt(4)) {
                    case 0 -> (byte) random.nextInt(256);
                    case 1 -> (byte) 0xFF;
                    case 2 -> 0;
                    default -> (byte) (bad[at] ^ (1 << random.nextInt(8)));
                };
            }
            if (random.nextInt(8) == 0) bad = java.util.Arrays.copyOf(bad, random.nextInt(bad.length));
            AddressSpace space = new AddressSpace(1L << 32);
            try {
                ElfLoader.load("fuzz", bad, space);
                loaded++;
            } catch (UserError e) {
                assertTrue(e.getMessage().startsWith("fuzz: "), e.getMessage());
                rejected++;
            } finally {
                space.release();
            }
        }
        assertTrue(loaded > 0 && rejected > 0, loaded + " loaded, " + rejected + " rejected");
    }
}
