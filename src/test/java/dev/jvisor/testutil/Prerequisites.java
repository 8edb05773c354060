package dev.jvisor.testutil;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a test needs from the machine (a cross compiler, qemu, fetched Debian packages). Under CI every prerequisite
 * is installed by .ci/run, so a missing one is a broken CI setup and fails the test; on a developer machine it only
 * skips the test, with the same message telling how to get it.
 */
public final class Prerequisites {
    private Prerequisites() {}

    /** True when running under CI (the CI environment sets CI=true). */
    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Fails (CI) or skips (developer machine) the current test with {@code message} unless {@code present}. */
    public static void require(boolean present, String message) {
        if (present) return;
        if (isCi()) throw new AssertionError("missing prerequisite under CI: " + message);
        Assumptions.abort("skipped, " + message);
    }

    /** The path of {@code tool} on PATH, requiring it to exist; {@code hint} says how to install it. */
    public static Path tool(String tool, String hint) {
        Optional<Path> found = findOnPath(tool);
        require(found.isPresent(), tool + " is not on PATH (" + hint + ")");
        return found.orElseThrow();
    }

    static Optional<Path> findOnPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }
}
