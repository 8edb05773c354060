package dev.jvisor.machine.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.testutil.HostCommand;
import dev.jvisor.testutil.Prerequisites;
import dev.jvisor.testutil.ProcessResult;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpioWriterTest {
    static byte[] sample() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CpioWriter cpio = new CpioWriter(out)) {
            cpio.directory("bin", 0755)
                    .file("bin/busybox", 0755, "odd-sized!".getBytes(StandardCharsets.UTF_8))
                    .symlink("bin/sh", "busybox")
                    .directory("dev", 0755)
                    .charDevice("dev/console", 0600, 5, 1)
                    .file("init", 0755, "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void headerAndPaddingFollowNewc() {
        byte[] a = sample();
        String text = new String(a, StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("070701" + "00000001" + "000041ED"), text.substring(0, 30));
        assertEquals(0, a.length % 4);
        assertTrue(text.contains("TRAILER!!!"));
        int busybox = text.indexOf("bin/busybox");
        int data = text.indexOf("odd-sized!");
        assertEquals(0, data % 4, "data starts 4-byte aligned");
        assertEquals(0, (busybox - 110) % 4, "names follow the 110-byte header of an aligned entry");
        assertTrue(java.util.Arrays.equals(a, sample()), "reproducible");
    }

    @Test
    void hostCpioListsAndExtractsIt(@TempDir Path dir) throws Exception {
        Path cpio = Prerequisites.tool("cpio", "apt-get install cpio");
        Path archive = dir.resolve("initramfs.cpio");
        Files.write(archive, sample());
        ProcessResult list = HostCommand.of(cpio.toString(), "-t", "-F", archive.toString()).run();
        assertEquals(0, list.exitStatus(), list.describe());
        assertEquals(List.of("bin", "bin/busybox", "bin/sh", "dev", "dev/console", "init"),
                list.stdoutText().lines().toList());
        ProcessResult verbose = HostCommand.of(cpio.toString(), "-tv", "-F", archive.toString()).run();
        List<String> lines = verbose.stdoutText().lines().toList();
        assertTrue(lines.get(1).startsWith("-rwxr-xr-x"), lines.get(1));
        assertTrue(lines.get(2).startsWith("lrwxrwxrwx") && lines.get(2).endsWith("bin/sh -> busybox"), lines.get(2));
        assertTrue(lines.get(4).startsWith("crw-------") && lines.get(4).contains("5,"), lines.get(4));

        Path out = Files.createDirectory(dir.resolve("out"));
        ProcessResult extract = HostCommand.of(cpio.toString(), "-id", "-F", archive.toString(), "bin/*", "init")
                .cwd(out).run();
        assertEquals(0, extract.exitStatus(), extract.describe());
        assertEquals("odd-sized!", Files.readString(out.resolve("bin/busybox")));
        assertEquals("busybox", Files.readSymbolicLink(out.resolve("bin/sh")).toString());
        assertEquals("#!/bin/sh\n", Files.readString(out.resolve("init")));
    }

    @Test
    void rejectsBadPaths() {
        CpioWriter cpio = new CpioWriter(new ByteArrayOutputStream());
        assertThrows(IllegalArgumentException.class, () -> cpio.file("/abs", 0644, new byte[0]));
        cpio.file("a", 0644, new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> cpio.file("a", 0644, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> cpio.directory("TRAILER!!!", 0755));
    }
}
