package dev.jvisor.linux;

import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.arch.a64.decode.A64;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs guest programs in-process with captured streams, and builds them from the test resources. */
final class GuestRun {
    final int status;
    final String stdout, stderr, messages;

    private GuestRun(int status, String stdout, String stderr, String messages) {
        this.status = status;
        this.stdout = stdout;
        this.stderr = stderr;
        this.messages = messages;
    }

    static GuestRun run(Path program, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream(),
                msg = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>();
        argv.add(program.toString());
        argv.addAll(List.of(args));
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        var options = new LinuxProcess.Options(Engine.INTERPRETER, CpuModel.max(), false, false, in, out, err, false,
                new PrintStream(msg, true, StandardCharsets.UTF_8), Map.of("PATH", "/bin:/usr/bin", "LC_ALL", "C"));
        int status = LinuxProcess.run(program, argv, options);
        return new GuestRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                msg.toString(StandardCharsets.UTF_8));
    }

    /** Whether the instruction sections a real program needs are in this build (they arrive by merge). */
    static boolean isaPresent() {
        return A64.TABLE.decode(0xD4000001) != null /* svc #0 */ && A64.TABLE.decode(0x91000400) != null /* add */
                && A64.TABLE.decode(0xF9400000) != null /* ldr */ && A64.TABLE.decode(0x1E604000) != null /* fmov */;
    }

    static boolean compilerPresent() {
        try {
            Process p = new ProcessBuilder("aarch64-linux-gnu-gcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Compiles resource {@code name}.c with the cross compiler into {@code dir}; returns the executable. */
    static Path compile(Path dir, String name, String... extra) throws IOException, InterruptedException {
        Path src = dir.resolve(name + ".c"), exe = dir.resolve(name);
        try (InputStream in = GuestRun.class.getResourceAsStream(name + ".c")) {
            Files.write(src, in.readAllBytes());
        }
        List<String> cmd = new ArrayList<>(List.of("aarch64-linux-gnu-gcc", "-O2", "-static", "-o", exe.toString(),
                src.toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("gcc failed: " + log);
        return exe;
    }
}
