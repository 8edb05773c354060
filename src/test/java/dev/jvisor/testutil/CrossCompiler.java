package dev.jvisor.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds arm64 Linux test programs from C or assembly with Debian's aarch64-linux-gnu-gcc. Each binary lands in
 * target/guest-programs/ under a name carrying a hash of the source, the flags and the compiler version, so a run
 * compiles each program once and an unchanged program is never rebuilt. Programs must be single files: included
 * headers other than the system's are not part of the hash.
 */
public final class CrossCompiler {
    public static final String GCC = "aarch64-linux-gnu-gcc";
    /** What the test programs are built with unless a test says otherwise. */
    public static final List<String> DEFAULT_FLAGS = List.of("-O2", "-static");

    private static final String HINT = "apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross";
    private static String compilerVersion;

    private CrossCompiler() {}

    /** Compiles {@code source} with {@link #DEFAULT_FLAGS}. */
    public static Path compile(Path source) {
        return compile(source, DEFAULT_FLAGS);
    }

    /** Compiles {@code source} with exactly {@code flags} (plus -o), returning the cached binary. */
    public static synchronized Path compile(Path source, List<String> flags) {
        Path gcc = Prerequisites.tool(GCC, HINT);
        try {
            byte[] text = Files.readAllBytes(source);
            String name = source.getFileName().toString().replaceFirst("\\.[^.]*$", "");
            Path outDir = outputDir();
            Path binary = outDir.resolve(name + "-" + hash(text, flags));
            if (Files.isExecutable(binary)) return binary;
            Files.createDirectories(outDir);
            Path partial = Files.createTempFile(outDir, name, ".partial");
            List<String> cmd = new ArrayList<>(List.of(gcc.toString()));
            cmd.addAll(flags);
            cmd.addAll(List.of("-o", partial.toString(), source.toAbsolutePath().toString()));
            // -lm and -pthread must follow the source for static linking to pick the objects up.
            if (!flags.contains("-nostdlib")) cmd.addAll(List.of("-lm", "-pthread"));
            ProcessResult r = new HostCommand(cmd).run();
            if (r.exitStatus() != 0) {
                Files.deleteIfExists(partial);
                throw new AssertionError("cross compilation failed: " + r.describe());
            }
            Files.move(partial, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return binary;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compile " + source, e);
        }
    }

    /** target/guest-programs of the project (Maven runs tests with the project directory as basedir). */
    public static Path outputDir() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target/guest-programs");
    }

    private static String hash(byte[] source, List<String> flags) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(source);
            sha.update(String.join("\0", flags).getBytes());
            sha.update(version().getBytes());
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }

    private static String version() {
        if (compilerVersion == null) {
            ProcessResult r = HostCommand.of(GCC, "--version").run();
            compilerVersion = r.stdoutText().lines().findFirst().orElse("");
        }
        return compilerVersion;
    }
}
