package dev.jvisor.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a child process with everything captured: stdin from given bytes (or empty), stdout and stderr into files (so
 * a chatty child can never block on a full pipe), an exact environment and working directory, and a timeout after
 * which the child and its descendants are killed and the test fails with what they had written.
 */
public final class HostCommand {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    /**
     * The environment end-to-end tests give both the system under test and its reference, so neither output depends
     * on the developer's locale, time zone or shell setup.
     */
    public static final Map<String, String> FIXED_ENVIRONMENT = Map.of("LC_ALL", "C", "TZ", "UTC", "PATH", "/usr/bin:/bin");

    private final List<String> command;
    private Path cwd;
    private Map<String, String> environment;
    private byte[] stdin = new byte[0];
    private Duration timeout = DEFAULT_TIMEOUT;

    public HostCommand(List<String> command) {
        this.command = List.copyOf(command);
    }

    public static HostCommand of(String... command) {
        return new HostCommand(List.of(command));
    }

    public List<String> command() {
        return command;
    }

    public HostCommand cwd(Path dir) {
        this.cwd = dir;
        return this;
    }

    /** Replaces the whole environment (the default is this JVM's environment). */
    public HostCommand environment(Map<String, String> env) {
        this.environment = new LinkedHashMap<>(env);
        return this;
    }

    public HostCommand stdin(byte[] bytes) {
        this.stdin = bytes.clone();
        return this;
    }

    public HostCommand timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    /** Runs the command to completion; throws AssertionError on timeout. */
    public ProcessResult run() {
        Path in = null, out = null, err = null;
        try {
            in = Files.createTempFile("jvisor-stdin", "");
            out = Files.createTempFile("jvisor-stdout", "");
            err = Files.createTempFile("jvisor-stderr", "");
            Files.write(in, stdin);
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command))
                    .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (cwd != null) pb.directory(cwd.toFile());
            if (environment != null) {
                pb.environment().clear();
                pb.environment().putAll(environment);
            }
            long start = System.nanoTime();
            Process p = pb.start();
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            ProcessResult result = new ProcessResult(command, finished ? p.exitValue() : -1,
                    Files.readAllBytes(out), Files.readAllBytes(err), elapsed);
            if (!finished) throw new AssertionError("timed out after " + timeout.toSeconds() + " s: " + result.describe());
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        } finally {
            for (Path p : new Path[] {in, out, err}) {
                if (p != null) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // A temp file we cannot delete is left for the OS to clean; the result is already read.
                    }
                }
            }
        }
    }
}
