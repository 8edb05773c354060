package dev.jvisor.linux;

import dev.jvisor.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Broken or unsupported programs: one line naming the problem and exit status 2, never a stack trace. */
class LoaderErrorsTest {
    @TempDir
    Path dir;

    private record Result(int status, String err) {}

    private static Result jvisor(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Result(Main.run(args), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    private void assertOneLine(Result r, String expectedFragment) {
        assertEquals(2, r.status, r.err);
        assertEquals(1, r.err.lines().count(), r.err);
        assertTrue(r.err.startsWith("jvisor: "), r.err);
        assertTrue(r.err.contains(expectedFragment), r.err);
    }

    /** A minimal valid-looking AArch64 ELF64 header with one PT_LOAD of {@code code} at 0x400000. */
    static byte[] elf(int machine, int type, int extraPhdrType, byte[] code) {
        int phnum = extraPhdrType >= 0 ? 2 : 1;
        int codeOffset = 64 + 56 * phnum;
        ByteBuffer b = ByteBuffer.allocate(codeOffset + code.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x464C457F).put((byte) 2).put((byte) 1).put((byte) 1);
        b.position(16);
        b.putShort((short) type).putShort((short) machine).putInt(1).putLong(0x400000 + codeOffset).putLong(64)
                .putLong(0).putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) phnum)
                .putShort((short) 64).putShort((short) 0).putShort((short) 0);
        b.putInt(1).putInt(5).putLong(0).putLong(0x400000).putLong(0x400000).putLong(codeOffset + code.length)
                .putLong(codeOffset + code.length).putLong(0x1000);
        if (extraPhdrType >= 0) {
            b.putInt(extraPhdrType).putInt(4).putLong(codeOffset).putLong(0x400000 + codeOffset).putLong(0)
                    .putLong(code.length).putLong(code.length).putLong(1);
        }
        b.put(code);
        return b.array();
    }

    private Path file(String name, byte[] content) throws Exception {
        return Files.write(dir.resolve(name), content);
    }

    @Test
    void missingFile() {
        assertOneLine(jvisor("user", dir.resolve("nothing-here").toString()), "no such file");
    }

    @Test
    void notElf() throws Exception {
        assertOneLine(jvisor("user", file("text", "#!/bin/sh\necho hi\n".getBytes()).toString()), "not an ELF file");
    }

    @Test
    void emptyFile() throws Exception {
        assertOneLine(jvisor("user", file("empty", new byte[0]).toString()), "not an ELF file");
    }

    @Test
    void x86Executable() throws Exception {
        assertOneLine(jvisor("user", file("x86", elf(ElfLoader.EM_X86_64, 2, -1, new byte[8])).toString()),
                "ELF for x86-64, not AArch64");
    }

    @Test
    void truncatedHeader() throws Exception {
        byte[] whole = elf(ElfLoader.EM_AARCH64, 2, -1, new byte[8]);
        assertOneLine(jvisor("user", file("trunc1", java.util.Arrays.copyOf(whole, 40)).toString()),
                "truncated ELF header");
    }

    @Test
    void truncatedSegment() throws Exception {
        byte[] whole = elf(ElfLoader.EM_AARCH64, 2, -1, new byte[64]);
        assertOneLine(jvisor("user", file("trunc2", java.util.Arrays.copyOf(whole, whole.length - 10)).toString()),
                "truncated ELF");
    }

    @Test
    void dynamicallyLinked() throws Exception {
        byte[] interp = "/lib/ld-linux-aarch64.so.1\0".getBytes();
        assertOneLine(jvisor("user", file("dyn", elf(ElfLoader.EM_AARCH64, 3, ElfLoader.PT_INTERP, interp)).toString()),
                "dynamically linked");
    }

    @Test
    void entryOutsideCode() throws Exception {
        byte[] bad = elf(ElfLoader.EM_AARCH64, 2, -1, new byte[8]);
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putLong(24, 0x900000);
        assertOneLine(jvisor("user", file("entry", bad).toString()), "entry point 0x900000");
    }

    @Test
    void dbtEngineIsNotThereYet() throws Exception {
        Path ok = file("ok", elf(ElfLoader.EM_AARCH64, 2, -1, new byte[8]));
        assertOneLine(jvisor("user", "--engine", "dbt", ok.toString()), "engine 'dbt' is not available");
    }

    @Test
    void unknownEngineIsAUsageError() {
        Result r = jvisor("user", "--engine", "jit", "x");
        assertEquals(2, r.status, r.err);
    }
}
