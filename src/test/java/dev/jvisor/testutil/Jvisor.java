package dev.jvisor.testutil;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs jvisor as a child JVM, exactly as a user would (its own process, so the guest owns stdin/stdout/stderr and the
 * exit status), from the test classpath so no packaging step is needed.
 *
 * <p>System properties: {@code jvisor.engine} picks the engine for tests that run one (default interp);
 * {@code jvisor.test.emulator=qemu} makes {@link #user} run the program under qemu-aarch64 instead, which checks the
 * end-to-end tests themselves against the oracle (every such test must pass that way).
 */
public final class Jvisor {
    public static final String MAIN_CLASS = "dev.jvisor.cli.Main";

    private Jvisor() {}

    /** {@code jvisor ARGV...}. */
    public static HostCommand cli(String... argv) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xss16m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), MAIN_CLASS));
        cmd.addAll(List.of(argv));
        return new HostCommand(cmd);
    }

    /** {@code jvisor user --engine ENGINE PROGRAM ARGS...} with {@link #engine()}, or under qemu (see class comment). */
    public static HostCommand user(Path program, String... args) {
        return user(engine(), program, args);
    }

    /** {@code jvisor user --engine ENGINE PROGRAM ARGS...}, or the same program under qemu (see class comment). */
    public static HostCommand user(String engine, Path program, String... args) {
        if ("qemu".equals(System.getProperty("jvisor.test.emulator"))) return Qemu.user(program, args);
        List<String> argv = new ArrayList<>(List.of("user", "--engine", engine, program.toString()));
        argv.addAll(List.of(args));
        return cli(argv.toArray(String[]::new));
    }

    public static String engine() {
        return System.getProperty("jvisor.engine", "interp");
    }
}
