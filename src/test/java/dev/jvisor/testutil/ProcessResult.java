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

    /** The command as a shell would show it, with a child JVM's long classpath abbreviated. */
    public String commandLine() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < command.size(); i++) {
            if (i > 0) sb.append(' ');
            sb.append(i > 0 && command.get(i - 1).equals("-cp") ? "<test classpath>" : command.get(i));
        }
        return sb.toString();
    }

    /** A summary for assertion messages: the command, its status, and the start of stderr. */
    public String describe() {
        String err = stderrText();
        if (err.length() > 2000) err = err.substring(0, 2000) + "...[" + (err.length() - 2000) + " more chars]";
        return commandLine() + "\n  exit status " + exitStatus + " after " + elapsed.toMillis() + " ms, "
                + stdout.length + " bytes on stdout; stderr:\n" + err.indent(4);
    }
}
