package dev.jvisor.linux;

import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.cli.DemoCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The embedded demo: built from the committed source, and running to its expected output. */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void committedBinaryIsWhatTheSourceBuilds() throws Exception {
        assumeTrue(GuestRun.compilerPresent(), "aarch64-linux-gnu-gcc not installed");
        Path out = dir.resolve("demo");
        Process p = new ProcessBuilder("sh", "guests/demo/build.sh", out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, log);
        assertArrayEquals(Files.readAllBytes(out), DemoCommand.image(),
                "src/main/resources/dev/jvisor/demo/demo is stale: run guests/demo/build.sh");
    }

    @Test
    void embeddedDemoRuns() {
        assumeTrue(GuestRun.isaPresent(), "instruction sections not merged yet");
        ByteArrayOutputStream out = new ByteArrayOutputStream(), msg = new ByteArrayOutputStream();
        var options = new LinuxProcess.Options(Engine.INTERPRETER, CpuModel.max(), false, false,
                new ByteArrayInputStream(new byte[0]), out, msg, false, new PrintStream(msg, true), Map.of());
        int status = LinuxProcess.run("demo", DemoCommand.image(), List.of("demo"), options);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, msg.toString());
        assertTrue(text.startsWith("Hello from an arm64 Linux program running on jvisor!\nargc = 1, argv[0] = demo,"),
                text);
        assertTrue(text.contains("\nuname: Linux aarch64\n"), text);
        // pi(2^20) = 82025.
        assertTrue(text.contains("\nprimes below 2^20: 82025\n"), text);
        String[] lines = text.split("\n");
        assertEquals(4 + 1 + 22, lines.length, text);
        // The row through the real axis reaches the main cardioid: a long run of points inside the set.
        assertTrue(lines[4 + 1 + 11].contains("@@@@@@@@@@@@@@@@@@@@"), text);
    }
}
