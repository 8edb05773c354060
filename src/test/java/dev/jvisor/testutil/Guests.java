package dev.jvisor.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Locates the Debian guest packages that tools/fetch-debs unpacked into the cache directory: the system property
 * {@code jvisor.cache}, else the environment variable {@code JVISOR_CACHE}, else ~/.cache/jvisor (what ./test and
 * .ci/run use). A test asking for a missing package fails under CI and is skipped elsewhere.
 */
public final class Guests {
    private static final String FETCH_HINT = "run: tools/fetch-debs \"${JVISOR_CACHE:-$HOME/.cache/jvisor}\" "
            + "busybox-static:arm64 busybox-static:amd64";

    private Guests() {}

    public static Path cacheDir() {
        String dir = System.getProperty("jvisor.cache");
        if (dir == null || dir.isBlank()) dir = System.getenv("JVISOR_CACHE");
        if (dir == null || dir.isBlank()) dir = System.getProperty("user.home") + "/.cache/jvisor";
        return Path.of(dir);
    }

    /** Debian's static arm64 busybox, the guest the user-mode tests run. */
    public static Path busyboxArm64() {
        return packageFile("busybox-static", "arm64", "bin/busybox");
    }

    /**
     * Debian's static amd64 busybox of the same version as {@link #busyboxArm64()}: the host-side reference whose
     * output the arm64 one must reproduce byte for byte.
     */
    public static Path busyboxAmd64() {
        Path amd64 = packageFile("busybox-static", "amd64", "bin/busybox");
        String a = version("busybox-static", "amd64"), b = version("busybox-static", "arm64");
        if (!a.equals(b)) {
            throw new AssertionError("busybox-static amd64 is version '" + a + "' but arm64 is '" + b
                    + "': their outputs are not comparable; " + FETCH_HINT);
        }
        return amd64;
    }

    /** The version fetch-debs recorded for an unpacked package. */
    public static String version(String name, String arch) {
        Path done = cacheDir().resolve("pkg").resolve(name + "_" + arch).resolve(".done");
        try {
            String v = Files.readString(done).strip();
            Prerequisites.require(!v.isEmpty(), done + " records no version (fetched by an older fetch-debs); "
                    + FETCH_HINT);
            return v;
        } catch (IOException e) {
            Prerequisites.require(false, name + ":" + arch + " is not fetched into " + cacheDir() + "; " + FETCH_HINT);
            throw new UncheckedIOException(e);
        }
    }

    private static Path packageFile(String name, String arch, String file) {
        Path root = cacheDir().resolve("pkg").resolve(name + "_" + arch);
        Path path = root.resolve(file);
        Prerequisites.require(Files.isRegularFile(root.resolve(".done")) && Files.isExecutable(path),
                name + ":" + arch + " is not fetched (no " + path + "); " + FETCH_HINT);
        return path;
    }

    /** The newest Debian arm64 kernel Image that ./jvisor guests fetch unpacked into the cache. */
    public static Path debianKernel() throws IOException {
        Path pkg = Guests.cacheDir().resolve("pkg");
        List<Path> kernels = List.of();
        if (Files.isDirectory(pkg)) {
            try (Stream<Path> dirs = Files.list(pkg)) {
                kernels = dirs.filter(d -> d.getFileName().toString().matches("linux-image-[0-9].*-arm64_arm64"))
                        .flatMap(d -> {
                            try (Stream<Path> boot = Files.list(d.resolve("boot"))) {
                                return boot.filter(f -> f.getFileName().toString().startsWith("vmlinuz-")).toList()
                                        .stream();
                            } catch (java.io.IOException e) {
                                return Stream.empty();
                            }
                        }).sorted().toList();
            }
        }
        Prerequisites.require(!kernels.isEmpty(), "no Debian arm64 kernel in " + pkg + " (run: ./jvisor guests fetch)");
        return kernels.get(kernels.size() - 1);
    }
}
