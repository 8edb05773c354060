package dev.jvisor.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jvisor.UserError;
import dev.jvisor.kvm.microvm.ElfImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guest loader refuses what it cannot run, with one readable line. */
class ElfImageTest {
    @TempDir
    Path dir;

    /** A minimal ELF64 header plus one program header, editable by the tests. */
    private static ByteBuffer elf(int machine, int type, long paddr, long entry) {
        ByteBuffer b = ByteBuffer.allocate(0x200).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x464c457f).put(4, (byte) 2).put(5, (byte) 1).put(6, (byte) 1);
        b.putShort(16, (short) type).putShort(18, (short) machine).putLong(24, entry).putLong(32, 64);
        b.putShort(54, (short) 56).putShort(56, (short) 1);
        b.putInt(64, 1).putLong(64 + 8, 0x100).putLong(64 + 24, paddr).putLong(64 + 32, 0x10)
                .putLong(64 + 40, 0x20);
        return b;
    }

    private String load(ByteBuffer b) throws IOException {
        Path f = Files.write(dir.resolve("g"), b.array());
        return assertThrows(UserError.class, () -> ElfImage.read(f)).getMessage().substring(f.toString().length());
    }

    @Test
    void acceptsAWellFormedProgram() throws IOException {
        Path f = Files.write(dir.resolve("ok"), elf(62, 2, 0x400000, 0x400004).array());
        ElfImage image = ElfImage.read(f);
        assertEquals(0x400004, image.entry());
        assertEquals(0x400020, image.end());
    }

    @Test
    void rejectsWhatItCannotRun() throws IOException {
        assertEquals(": not an x86-64 program", load(elf(183, 2, 0x400000, 0x400000)));
        assertEquals(": not a statically linked executable (ET_EXEC)", load(elf(62, 3, 0x400000, 0x400000)));
        assertEquals(": segment 0 at 0x1000 is outside the guest load area (0x200000 and up)",
                load(elf(62, 2, 0x1000, 0x1000)));
        assertEquals(": entry point 0x500000 is not in a loaded segment", load(elf(62, 2, 0x400000, 0x500000)));
        ByteBuffer truncated = elf(62, 2, 0x400000, 0x400000);
        truncated.putLong(64 + 32, 0x1000).putLong(64 + 40, 0x1000);
        assertEquals(": segment 0 lies outside the file", load(truncated));
        ByteBuffer notElf = elf(62, 2, 0x400000, 0x400000);
        notElf.putInt(0, 0);
        assertEquals(": not an ELF file", load(notElf));
    }
}
