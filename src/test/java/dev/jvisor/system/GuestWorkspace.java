package dev.jvisor.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory of input files whose every byte, mode and modification time is a pure function of nothing: rebuilt
 * from scratch at the same path before each run, so the reference program and the one under test see identical
 * files even when the previous run wrote into the directory.
 */
final class GuestWorkspace {
    /** 2021-03-04 05:06:07 UTC: the modification time of everything in the workspace. */
    static final Instant MTIME = Instant.parse("2021-03-04T05:06:07Z");
    private static final String[] WORDS = {
        "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "alpha", "beta", "gamma", "delta", "theta",
        "quartz", "zephyr", "kernel", "trap", "vector", "page", "table", "zero", "one", "thread", "queue", "echo",
    };

    final Path root;
    private long seed;

    GuestWorkspace(Path root) {
        this.root = root;
    }

    /** Deletes and recreates the workspace. */
    Path rebuild() {
        try {
            delete(root);
            seed = 20210304;
            Files.createDirectories(root);
            write("text.txt", text(240));
            write("numbers.txt", numbers(150));
            write("csv.txt", csv(60));
            write("data.bin", bytes(3000));
            Path tree = Files.createDirectories(root.resolve("tree"));
            Files.createDirectories(tree.resolve("src/main"));
            Files.createDirectories(tree.resolve("src/empty"));
            Files.createDirectories(tree.resolve("docs"));
            write("tree/README.txt", text(12));
            write("tree/src/main/app.c", "int main(void) { return 0; }\n");
            write("tree/src/main/big.bin", bytes(20000));
            write("tree/src/notes.txt", text(30));
            write("tree/docs/manual.txt", text(80));
            write("tree/docs/empty.txt", "");
            Files.setPosixFilePermissions(tree.resolve("src/main/app.c"), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(tree.resolve("docs/manual.txt"), PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(tree.resolve("docs"), PosixFilePermissions.fromString("rwxr-x---"));
            Files.createSymbolicLink(tree.resolve("docs/link-to-readme"), Path.of("../README.txt"));
            fixTimes();
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the workspace " + root, e);
        }
    }

    private void fixTimes() throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = new ArrayList<>(walk.sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList());
        }
        FileTime t = FileTime.from(MTIME);
        for (Path p : all) {  // deepest first, so creating nothing more disturbs a directory already fixed
            Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(t, t, null);
        }
    }

    private void write(String name, String content) throws IOException {
        write(name, content.getBytes(StandardCharsets.US_ASCII));
    }

    private void write(String name, byte[] content) throws IOException {
        Files.write(root.resolve(name), content);
    }

    /** A linear congruential generator: the same sequence on every JVM. */
    private int next(int bound) {
        seed = (seed * 6364136223846793005L + 1442695040888963407L);
        return (int) ((seed >>> 33) % bound);
    }

    /** Text of the same kind as the workspace's, for standard input. */
    static String sampleText(int lines) {
        GuestWorkspace generator = new GuestWorkspace(null);
        generator.seed = 1;
        return generator.text(lines);
    }

    private String text(int lines) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            int n = 1 + next(9);
            for (int w = 0; w < n; w++) {
                if (w > 0) sb.append(next(7) == 0 ? "  " : " ");
                sb.append(WORDS[next(WORDS.length)]);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private String numbers(int lines) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines; i++) sb.append(next(2000) - 1000).append(next(3) == 0 ? ".5" : "").append('\n');
        return sb.toString();
    }

    private String csv(int lines) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            sb.append(WORDS[next(6)]).append(',').append(next(500)).append(',').append(WORDS[next(WORDS.length)])
              .append(',').append(next(100) / 7.0 > 7 ? "x" : "").append('\n');
        }
        return sb.toString();
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) next(256);
        return b;
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
