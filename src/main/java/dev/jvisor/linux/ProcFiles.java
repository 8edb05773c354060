package dev.jvisor.linux;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The parts of /proc that describe the process itself. The host's /proc/self is the JVM, so jvisor answers these
 * for the guest: /proc/self/exe (and /proc/PID/exe) is the guest program, /proc/self/maps lists the guest's
 * mappings, /proc/self/cmdline its arguments, and /proc/self/fd/N names what the guest's descriptor N is.
 * Everything else under /proc comes from the host.
 */
final class ProcFiles {
    private ProcFiles() {}

    /** The process a /proc path is about and the rest of the path, or null if it is not one of ours. */
    private record Target(LinuxProcess process, String rest) {}

    private static Target target(LinuxProcess p, Path path) {
        String s = path.normalize().toString();
        if (!s.startsWith("/proc/")) return null;
        String tail = s.substring(6);
        int slash = tail.indexOf('/');
        String who = slash < 0 ? tail : tail.substring(0, slash);
        String rest = slash < 0 ? "" : tail.substring(slash + 1);
        if (who.equals("self") || who.equals("thread-self")) return new Target(p, rest);
        try {
            LinuxProcess other = p.relative(Integer.parseInt(who));
            return other == null ? null : new Target(other, rest);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The file to open instead of {@code path}, or null to open the host's. */
    static OpenFile open(LinuxProcess p, Path path) {
        Target t = target(p, path);
        if (t == null) return null;
        return switch (t.rest) {
            case "maps" -> new MemoryFile(t.process.space.describeMappings(t.process.executable)
                    .getBytes(StandardCharsets.UTF_8), 0x4000);
            case "cmdline" -> new MemoryFile(cmdline(t.process), 0x4001);
            default -> null;
        };
    }

    /** Where a path under /proc that names one of our processes really points, for open and stat. */
    static Path redirect(LinuxProcess p, Path path) {
        Target t = target(p, path);
        if (t == null) return path;
        if (t.rest.equals("exe")) return t.process.executable;
        return path;
    }

    /** readlink of /proc/self/exe and /proc/self/fd/N; null when the host should answer. */
    static String readlink(LinuxProcess p, Path path) {
        Target t = target(p, path);
        if (t == null) return null;
        if (t.rest.equals("exe")) return t.process.executable.toString();
        if (t.rest.startsWith("fd/")) {
            OpenFile f;
            try {
                f = t.process.fds.get(Integer.parseInt(t.rest.substring(3)));
            } catch (NumberFormatException e) {
                throw new Errno(Errno.ENOENT);
            } catch (Errno e) {
                throw new Errno(Errno.ENOENT);
            }
            return describe(f);
        }
        return null;
    }

    private static String describe(OpenFile f) {
        if (f instanceof Pipe.End end) return "pipe:[" + end.stat().ino() + "]";
        if (f instanceof HostStreamFile h) return h.hostTarget();
        if (f instanceof MemoryFile) return "/proc/self/fd";
        return f.path().toString();
    }

    private static byte[] cmdline(LinuxProcess p) {
        StringBuilder b = new StringBuilder();
        for (String a : p.arguments()) b.append(a).append('\0');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
