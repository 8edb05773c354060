package dev.jvisor.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about the host the guest may ask for, read from /proc as a process on the host would see them. */
final class HostInfo {
    private HostInfo() {}

    private static String read(String file, String fallback) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    static String hostname() {
        return read("/proc/sys/kernel/hostname", "localhost");
    }

    static String kernelRelease() {
        return read("/proc/sys/kernel/osrelease", "6.1.0");
    }

    static String kernelVersion() {
        return read("/proc/sys/kernel/version", "#1 SMP");
    }

    /** Field {@code number} of /proc/self/stat, numbered as proc(5) does: 4 = ppid, 5 = pgrp, 6 = session. */
    static long procStatField(int number) {
        String stat = read("/proc/self/stat", "");
        int close = stat.lastIndexOf(')');
        if (close < 0) throw new Errno(Errno.ENOSYS);
        String[] f = stat.substring(close + 2).split(" ");
        return Long.parseLong(f[number - 3]);
    }

    /** Seconds since the host booted, from /proc/uptime. */
    static double uptimeSeconds() {
        String s = read("/proc/uptime", "0 0");
        return Double.parseDouble(s.split(" ")[0]);
    }
}
