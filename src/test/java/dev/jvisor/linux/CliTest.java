package dev.jvisor.linux;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** `jvisor user` as a separate host process: real standard streams, exit status, --stats, --trace, host signals. */
class CliTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void requirements() {
        assumeTrue(GuestRun.compilerPresent(), "aarch64-linux-gnu-gcc not installed");
        assumeTrue(GuestRun.isaPresent(), "instruction sections not merged yet");
    }

    private static ProcessBuilder jvisor(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.jvisor.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    @Test
    void exitStatusStatsAndTrace() throws Exception {
        Path exe = GuestRun.compile(dir, "exits");
        Process p = jvisor("user", "--stats", exe.toString(), "exit").start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(42, p.exitValue(), err);
        // The default engine is the translator, which adds its own line and the rows it interpreted most.
        assertTrue(err.matches("(?s)jvisor: \\d+ instructions in \\d+\\.\\d+ s \\(\\d+\\.\\d MIPS\\)\\n"
                + "dbt: \\d+ regions translated .* \\d+ instructions interpreted\\n.*"), err);

        p = jvisor("user", "--engine", "interp", "--trace", exe.toString()).start();
        err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(3, p.exitValue());
        String first = err.lines().findFirst().orElse("");
        assertTrue(first.matches("[0-9a-f]{16}  [0-9a-f]{8}  \\S.*"), first);
        assertTrue(err.lines().anyMatch(l -> l.endsWith("svc #0x0")), "no SVC traced");
    }

    @Test
    void hostSignalsReachTheGuest() throws Exception {
        Path exe = GuestRun.compile(dir, "sigwait");
        Process p = jvisor("user", exe.toString()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        // Not Process.destroy(): it also closes our end of the pipes.
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
        assertEquals("guest got signal 15", out.readLine());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
    }

    /** A fatal signal ends the guest even while its only thread is blocked reading the host's standard input. */
    @Test
    void defaultTerminationDoesNotWaitForABlockedRead() throws Exception {
        Path bb = Path.of("/tmp/jvcache/pkg/busybox-static_arm64/bin/busybox");
        assumeTrue(java.nio.file.Files.isRegularFile(bb), "arm64 busybox not unpacked");
        Process p = jvisor("user", bb.toString(), "sh", "-c", "echo ready; exec cat").start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        Thread.sleep(500);
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running with stdin open");
        assertEquals(128 + 15, p.exitValue());
    }
}
