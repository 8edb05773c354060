package dev.jvisor.machine.boot;

import dev.jvisor.UserError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The guest that `jvisor guests fetch` prepares: Debian's arm64 kernel (the package the linux-image-arm64
 * metapackage currently names) and an initramfs around Debian's static arm64 busybox. Packages are fetched by name
 * with tools/fetch-debs, whose private apt state leaves the host's apt and dpkg configuration untouched.
 */
public final class DebianGuest {
    public static final String KERNEL_METAPACKAGE = "linux-image-arm64";
    public static final String BUSYBOX_PACKAGE = "busybox-static";
    private static final Pattern KERNEL_DEPENDENCY =
            Pattern.compile("(linux-image-[0-9][^\\s,(]*-arm64)(?:\\s*\\(=\\s*([^)\\s]+)\\))?");

    /**
     * Mounts the kernel's file systems, installs busybox's applets as symlinks (the applet list is the binary's
     * own, so it cannot disagree with it), says it got here, and gives the console a shell; with jvisor.poweroff on
     * the kernel command line it powers off instead, which ends an unattended boot test or benchmark.
     */
    static final String INIT = """
            #!/bin/busybox sh
            /bin/busybox mkdir -p /proc /sys /dev /sbin /usr/bin /usr/sbin /tmp
            /bin/busybox --install -s
            mount -t proc proc /proc
            mount -t sysfs sysfs /sys
            mount -t devtmpfs devtmpfs /dev
            for m in $(cat /lib/modules/load-order); do insmod /lib/modules/$m.ko; done
            echo "jvisor-init: $(uname -sr) up"
            case " $(cat /proc/cmdline) " in *" jvisor.poweroff "*) poweroff -f ;; esac
            exec setsid cttyhack sh
            """;

    /**
     * The kernel modules the initramfs carries and /init loads: the virtio-mmio transport and devices, and the ext4
     * stack (which also mounts ext2) with the checksum module it asks for by name at mount time.
     */
    public static final List<String> MODULES = List.of("virtio_mmio", "virtio_blk", "virtio_console", "virtio_rng",
            "ext4", "crc32c_generic");

    /** The files a prepared guest consists of. */
    public record GuestFiles(Path kernel, Path initramfs) {}

    private final Path cache;
    private final Path fetchDebs;

    public DebianGuest(Path cache, Path fetchDebs) {
        this.cache = cache;
        this.fetchDebs = fetchDebs;
    }

    /** Fetches (or finds up to date) both packages and writes the initramfs; returns the guest's files. */
    public GuestFiles fetch() {
        fetchPackages(KERNEL_METAPACKAGE + ":arm64", BUSYBOX_PACKAGE + ":arm64");
        String[] kernelPackage = kernelDependency(controlField(debOf(KERNEL_METAPACKAGE, "arm64"), "Depends"));
        fetchPackages(kernelPackage[0] + ":arm64" + (kernelPackage[1] == null ? "" : "=" + kernelPackage[1]));
        Path kernelDir = unpacked(kernelPackage[0], "arm64");
        Path kernel = kernelIn(kernelDir);
        Path busybox = unpacked(BUSYBOX_PACKAGE, "arm64").resolve("bin/busybox");
        Path initramfs = cache.resolve("guests").resolve("initramfs-busybox-" + version(BUSYBOX_PACKAGE, "arm64")
                .replace(':', '_') + "-" + kernelPackage[0] + ".cpio");
        try {
            Files.createDirectories(initramfs.getParent());
            Path partial = initramfs.resolveSibling(initramfs.getFileName() + ".partial");
            Files.write(partial, initramfs(Files.readAllBytes(busybox), INIT, modules(kernelDir)));
            Files.move(partial, initramfs, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserError("cannot write " + initramfs + ": " + e.getMessage());
        }
        return new GuestFiles(kernel, initramfs);
    }

    /**
     * The guest an earlier {@link #fetch} prepared, without going to the network: the newest unpacked arm64 kernel
     * package and the newest busybox initramfs in the cache, if both are there.
     */
    public Optional<GuestFiles> cached() {
        try (Stream<Path> packages = Files.list(cache.resolve("pkg"));
             Stream<Path> guests = Files.list(cache.resolve("guests"))) {
            Optional<Path> kernelPackage = packages
                    .filter(p -> p.getFileName().toString().matches("linux-image-[0-9].*-arm64_arm64"))
                    .filter(p -> Files.exists(p.resolve(".done")))
                    .max(Comparator.comparing(p -> p.getFileName().toString()));
            Optional<Path> initramfs = guests
                    .filter(p -> p.getFileName().toString().matches("initramfs-busybox-.*\\.cpio"))
                    .max(Comparator.comparing(DebianGuest::modified));
            if (kernelPackage.isEmpty() || initramfs.isEmpty()) return Optional.empty();
            return Optional.of(new GuestFiles(kernelIn(kernelPackage.get()), initramfs.get()));
        } catch (IOException | UserError e) {
            return Optional.empty();
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The initramfs: busybox, /bin/sh, the /init script and the console device the kernel opens for init. */
    public static byte[] initramfs(byte[] busybox) {
        return initramfs(busybox, INIT, List.of());
    }

    /** {@link #MODULES} from an unpacked kernel package, with their dependencies, in loading order. */
    public static List<KernelModules.Module> modules(Path kernelPackageDir) {
        return new KernelModules(kernelPackageDir).withDependencies(MODULES, KernelModules.builtIn(kernelPackageDir));
    }

    /**
     * The initramfs with {@code init} as its /init script, and {@code modules} under /lib/modules with the order to
     * load them in /lib/modules/load-order.
     */
    public static byte[] initramfs(byte[] busybox, String init, List<KernelModules.Module> modules) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CpioWriter cpio = new CpioWriter(out)) {
            cpio.directory("bin", 0755)
                    .file("bin/busybox", 0755, busybox)
                    .symlink("bin/sh", "busybox")
                    .directory("dev", 0755)
                    .charDevice("dev/console", 0600, 5, 1)
                    .directory("proc", 0755)
                    .directory("sys", 0755)
                    .directory("tmp", 01777)
                    .directory("lib", 0755)
                    .directory("lib/modules", 0755);
            StringBuilder order = new StringBuilder();
            for (KernelModules.Module m : modules) {
                cpio.file("lib/modules/" + m.name() + ".ko", 0644, m.image());
                order.append(m.name()).append('\n');
            }
            cpio.file("lib/modules/load-order", 0644, order.toString().getBytes(StandardCharsets.UTF_8))
                    .file("init", 0755, init.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** The kernel package and (possibly null) exact version a metapackage's Depends field names. */
    public static String[] kernelDependency(String depends) {
        Matcher m = KERNEL_DEPENDENCY.matcher(depends);
        if (!m.find()) throw new UserError(KERNEL_METAPACKAGE + " depends on no arm64 kernel image: " + depends);
        return new String[] {m.group(1), m.group(2)};
    }

    private void fetchPackages(String... specs) {
        List<String> command = new ArrayList<>(List.of(fetchDebs.toString(), cache.toString()));
        command.addAll(List.of(specs));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        String output = run(pb, "tools/fetch-debs");
        if (!output.isEmpty()) System.err.print(output);
    }

    private static String run(ProcessBuilder pb, String what) {
        try {
            Process p = pb.start();
            byte[] output;
            try (InputStream in = p.getInputStream()) {
                output = in.readAllBytes();
            }
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new UserError(what + " did not finish in 10 minutes");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                String last = text.strip().lines().reduce((a, b) -> b).orElse("exit status " + p.exitValue());
                throw new UserError(what + " failed: " + last);
            }
            return text;
        } catch (IOException e) {
            throw new UserError("cannot run " + what + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError(what + " was interrupted");
        }
    }

    private Path unpacked(String name, String arch) {
        return cache.resolve("pkg").resolve(name + "_" + arch);
    }

    private String version(String name, String arch) {
        try {
            return Files.readString(unpacked(name, arch).resolve(".done")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The .deb fetch-debs kept, named the way apt names downloads (the epoch's colon escaped). */
    private Path debOf(String name, String arch) {
        String version = version(name, arch).replace(":", "%3a");
        return cache.resolve("debs").resolve(name + "_" + version + "_" + arch + ".deb");
    }

    private static String controlField(Path deb, String field) {
        return run(new ProcessBuilder("dpkg-deb", "-f", deb.toString(), field), "dpkg-deb").strip();
    }

    private static Path kernelIn(Path packageDir) {
        try (Stream<Path> files = Files.list(packageDir.resolve("boot"))) {
            List<Path> images = files.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).toList();
            if (images.size() != 1) {
                throw new UserError(packageDir + "/boot holds " + images.size() + " kernels, not one");
            }
            return images.get(0);
        } catch (IOException e) {
            throw new UserError("cannot list " + packageDir + "/boot: " + e.getMessage());
        }
    }
}
