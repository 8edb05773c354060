package dev.jvisor.machine.boot;

import dev.jvisor.UserError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Kernel modules taken from an unpacked kernel package, with what they depend on, in an order insmod can load them.
 * An unpacked package has no modules.dep (depmod runs at install time), so the dependencies come from each module's
 * own {@code .modinfo} section ("depends=a,b").
 */
public final class KernelModules {
    /** One module: its name as the kernel knows it (dashes as underscores) and its file's bytes. */
    public record Module(String name, byte[] image) {}

    private final Map<String, Path> files = new HashMap<>();

    /** Indexes the .ko files under {@code packageDir}/lib/modules. */
    public KernelModules(Path packageDir) {
        Path root = packageDir.resolve("lib/modules");
        try (Stream<Path> all = Files.walk(root)) {
            all.filter(p -> p.getFileName().toString().endsWith(".ko"))
                    .forEach(p -> files.put(canonical(p.getFileName().toString().replaceFirst("\\.ko$", "")), p));
        } catch (IOException e) {
            throw new UserError("cannot list the kernel modules in " + root + ": " + e.getMessage());
        }
    }

    /**
     * {@code wanted} and everything they depend on, each after its dependencies. Modules built into the kernel have
     * no file and need no loading; a wanted module that is neither is an error.
     */
    public List<Module> withDependencies(List<String> wanted, Set<String> builtIn) {
        LinkedHashMap<String, Module> ordered = new LinkedHashMap<>();
        for (String name : wanted) add(canonical(name), builtIn, ordered, new ArrayList<>());
        return List.copyOf(ordered.values());
    }

    private void add(String name, Set<String> builtIn, LinkedHashMap<String, Module> ordered, List<String> path) {
        if (ordered.containsKey(name) || builtIn.contains(name)) return;
        if (path.contains(name)) throw new UserError("kernel modules depend on each other in a cycle: " + path);
        Path file = files.get(name);
        if (file == null) throw new UserError("the kernel package has no module " + name);
        byte[] image;
        try {
            image = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage());
        }
        path.add(name);
        for (String dependency : dependencies(image, file)) {
            if (!dependency.isEmpty()) add(canonical(dependency), builtIn, ordered, path);
        }
        path.removeLast();
        ordered.put(name, new Module(name, image));
    }

    /** The module names listed by modules.builtin ("kernel/drivers/virtio/virtio.ko" lines). */
    public static Set<String> builtIn(Path packageDir) {
        try (Stream<Path> dirs = Files.list(packageDir.resolve("lib/modules"))) {
            Path list = dirs.map(d -> d.resolve("modules.builtin")).filter(Files::isRegularFile).findFirst()
                    .orElse(null);
            if (list == null) return Set.of();
            return Set.copyOf(Files.readAllLines(list).stream()
                    .map(l -> canonical(l.substring(l.lastIndexOf('/') + 1).replaceFirst("\\.ko$", ""))).toList());
        } catch (IOException e) {
            throw new UserError("cannot read modules.builtin in " + packageDir + ": " + e.getMessage());
        }
    }

    static String canonical(String name) {
        return name.replace('-', '_');
    }

    /** The "depends=" entry of a module's .modinfo section, split at commas. */
    static List<String> dependencies(byte[] elf, Path file) {
        String modinfo = section(elf, ".modinfo", file);
        for (String entry : modinfo.split("\0")) {
            if (entry.startsWith("depends=")) return List.of(entry.substring("depends=".length()).split(","));
        }
        return List.of();
    }

    private static String section(byte[] elf, String wanted, Path file) {
        try {
            ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt(0) != 0x464C457F || b.get(4) != 2) throw new UserError(file + " is not a 64-bit ELF module");
            long shoff = b.getLong(0x28);
            int shentsize = b.getShort(0x3A) & 0xFFFF, shnum = b.getShort(0x3C) & 0xFFFF;
            int shstrndx = b.getShort(0x3E) & 0xFFFF;
            int names = Math.toIntExact(b.getLong(Math.toIntExact(shoff + (long) shstrndx * shentsize) + 0x18));
            for (int i = 0; i < shnum; i++) {
                int sh = Math.toIntExact(shoff + (long) i * shentsize);
                String name = cString(elf, names + b.getInt(sh));
                if (name.equals(wanted)) {
                    int offset = Math.toIntExact(b.getLong(sh + 0x18));
                    int size = Math.toIntExact(b.getLong(sh + 0x20));
                    return new String(elf, offset, size, StandardCharsets.UTF_8);
                }
            }
            return "";
        } catch (IndexOutOfBoundsException | ArithmeticException e) {
            throw new UserError(file + " is a malformed ELF module");
        }
    }

    private static String cString(byte[] bytes, int at) {
        int end = at;
        while (bytes[end] != 0) end++;
        return new String(bytes, at, end - at, StandardCharsets.UTF_8);
    }
}
