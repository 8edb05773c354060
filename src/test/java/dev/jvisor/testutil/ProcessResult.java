package dev.jvisor.testutil;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** What a finished child process left behind: its exit status and everything it wrote. */
public record ProcessResult(List<String> command, int exitStatus, byte[] stdout, byte[] stderr, Duration elapsed) {

    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    /** A summary for assertion messages: the command, its status, and the start of stderr. */
    public String describe() {
        String err = stderrText();
        if (err.length() > 2000) err = err.substring(0, 2000) + "...[" + (err.length() - 2000) + " more chars]";
        return String.join(" ", command) + "\n  exit status " + exitStatus + " after " + elapsed.toMillis() + " ms, "
                + stdout.length + " bytes on stdout; stderr:\n" + err.indent(4);
    }
}
