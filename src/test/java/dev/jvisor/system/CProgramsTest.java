package dev.jvisor.system;

import dev.jvisor.testutil.CrossCompiler;
import dev.jvisor.testutil.HostCommand;
import dev.jvisor.testutil.Jvisor;
import dev.jvisor.testutil.ProcessResult;
import dev.jvisor.testutil.Qemu;
import dev.jvisor.testutil.Transcripts;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The project's own C programs (tests/c/*.c), built with aarch64-linux-gnu-gcc -O2 -static: jvisor, on each of its
 * engines, must print exactly what qemu-aarch64 prints and exit with the same status. Each program ends its transcript with a line "done" and
 * exits 0 unless its source says "expected exit status: N"; qemu is held to that first, so a program that is broken
 * (or an oracle that misbehaves) is reported as such rather than compared.
 */
class CProgramsTest {
    private static final Pattern EXPECTED_STATUS = Pattern.compile("expected exit status: (\\d+)");

    private static final List<String> ENGINES = List.of("interp", "dbt");

    static Stream<Arguments> programs() throws IOException {
        Path dir = Path.of(System.getProperty("basedir", "."), "tests", "c");
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> sources = files.filter(p -> p.toString().endsWith(".c")).sorted().toList();
            assertFalse(sources.isEmpty(), "no C programs in " + dir);
            return sources.stream().flatMap(s -> ENGINES.stream().map(e -> Arguments.of(s.getFileName().toString(), e, s)));
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("programs")
    void sameOutputAsQemu(String name, String engine, Path source, @TempDir Path cwd) throws IOException {
        Path binary = CrossCompiler.compile(source);
        int expectedStatus = declaredExitStatus(source);

        ProcessResult reference = Qemu.user(binary).cwd(cwd).environment(HostCommand.FIXED_ENVIRONMENT).run();
        assertEquals(expectedStatus, reference.exitStatus(), "the oracle itself failed: " + reference.describe());
        assertTrue(reference.stdoutText().lines().anyMatch("done"::equals),
                "the oracle's transcript lacks its final 'done' line: " + reference.describe());

        ProcessResult actual = Jvisor.user(engine, binary).cwd(cwd).environment(HostCommand.FIXED_ENVIRONMENT).run();
        Transcripts.assertSameOutcome(name + " on " + engine, reference, actual);
    }

    private static int declaredExitStatus(Path source) throws IOException {
        Matcher m = EXPECTED_STATUS.matcher(Files.readString(source));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
}
