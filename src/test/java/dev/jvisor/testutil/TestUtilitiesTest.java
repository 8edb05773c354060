package dev.jvisor.testutil;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The helpers the end-to-end suites stand on: if these were wrong, those suites could pass for the wrong reason. */
class TestUtilitiesTest {
    @Test
    void hostCommandCapturesStdinStdoutStderrStatusAndEnvironment(@TempDir Path dir) {
        ProcessResult r = HostCommand.of("/bin/sh", "-c", "read x; echo \"got $x in $(pwd) tz=$TZ home=${HOME-unset}\"; "
                        + "echo oops >&2; exit 7")
                .cwd(dir).stdin("hello\n".getBytes(StandardCharsets.US_ASCII))
                .environment(Map.of("TZ", "UTC", "PATH", "/usr/bin:/bin")).run();
        assertEquals(7, r.exitStatus());
        assertEquals("got hello in " + dir + " tz=UTC home=unset\n", r.stdoutText());
        assertEquals("oops\n", r.stderrText());
    }

    @Test
    void hostCommandKillsAChildThatOverstaysItsTimeout() {
        long start = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class,
                () -> HostCommand.of("/bin/sh", "-c", "echo started; sleep 30").timeout(Duration.ofMillis(500)).run());
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "the child was not killed");
    }

    @Test
    void sameOutcomeAcceptsIdenticalRunsAndPinpointsTheFirstDifference() {
        ProcessResult a = result(0, "one\ntwo\nthree\n"), b = result(0, "one\ntwo\nthree\n");
        Transcripts.assertSameOutcome("same", a, b);

        AssertionError text = assertThrows(AssertionError.class,
                () -> Transcripts.assertSameOutcome("text", a, result(0, "one\ntwo\nthr3e\n")));
        assertTrue(text.getMessage().contains("line 3"), text.getMessage());
        assertTrue(text.getMessage().contains("expected: three") && text.getMessage().contains("actual:   thr3e"),
                text.getMessage());

        AssertionError status = assertThrows(AssertionError.class,
                () -> Transcripts.assertSameOutcome("status", a, result(1, "one\ntwo\nthree\n")));
        assertTrue(status.getMessage().contains("exit status 1, expected 0"), status.getMessage());

        AssertionError shorter = assertThrows(AssertionError.class,
                () -> Transcripts.assertSameOutcome("short", a, result(0, "one\ntwo\n")));
        assertTrue(shorter.getMessage().contains("actual:   <end of output>"), shorter.getMessage());
    }

    @Test
    void describeAbbreviatesTheChildJvmClasspath() {
        ProcessResult r = new ProcessResult(List.of("java", "-cp", "/a.jar:/b.jar", "Main"), 0, new byte[0], new byte[0],
                Duration.ZERO);
        assertEquals("java -cp <test classpath> Main", r.commandLine());
    }

    private static ProcessResult result(int status, String stdout) {
        return new ProcessResult(List.of("prog"), status, stdout.getBytes(StandardCharsets.US_ASCII), new byte[0],
                Duration.ofMillis(1));
    }
}
