package dev.jvisor.arch.a64;

import dev.jvisor.linux.Engine;
import dev.jvisor.linux.LinuxProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A glibc program heavy on floating point (libm, printf/strtod, fenv modes and flags, loops GCC vectorizes at -O3),
 * built with the cross compiler and run in user mode on both engines; its output must equal what qemu-aarch64
 * printed for the same source (fp-programs.qemu.txt). Skipped without aarch64-linux-gnu-gcc.
 */
class FpGuestProgramTest {
    @TempDir
    Path dir;

    @Test
    void libmPrintfFenvAndVectorLoopsMatchQemu() throws Exception {
        Path exe = compile();
        String expected;
        try (InputStream in = getClass().getResourceAsStream("fp-programs.qemu.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (Engine engine : List.of(Engine.INTERPRETER, Engine.translator())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            ByteArrayOutputStream messages = new ByteArrayOutputStream();
            var options = new LinuxProcess.Options(engine, CpuModel.max(), false, false,
                new ByteArrayInputStream(new byte[0]), out, err, false,
                new PrintStream(messages, true, StandardCharsets.UTF_8), Map.of("LC_ALL", "C"));
            int status = LinuxProcess.run(exe, List.of(exe.toString()), options);
            assertEquals(expected, out.toString(StandardCharsets.UTF_8), messages.toString(StandardCharsets.UTF_8));
            assertEquals(0, status);
        }
    }

    private Path compile() throws IOException, InterruptedException {
        Path src = dir.resolve("fp-programs.c"), exe = dir.resolve("fp-programs");
        try (InputStream in = getClass().getResourceAsStream("fp-programs.c")) {
            Files.write(src, in.readAllBytes());
        }
        Process p;
        try {
            p = new ProcessBuilder("aarch64-linux-gnu-gcc", "-O3", "-static", "-o", exe.toString(), src.toString(),
                "-lm")
                .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "aarch64-linux-gnu-gcc not installed");
            throw e;
        }
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("gcc failed: " + log);
        return exe;
    }
}
