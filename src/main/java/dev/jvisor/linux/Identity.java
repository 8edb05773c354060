package dev.jvisor.linux;

import java.nio.file.Files;
import java.nio.file.Path;

/** The user and group the guest runs as: the host's own, read once from the ownership of a file we just created. */
final class Identity {
    static final int UID, GID;

    static {
        int uid = 0, gid = 0;
        try {
            Path probe = Files.createTempFile("jvisor-id", "");
            try {
                uid = (int) Files.getAttribute(probe, "unix:uid");
                gid = (int) Files.getAttribute(probe, "unix:gid");
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (Exception e) {
            // No writable temp directory: fall back to the owner of our own process entry.
            try {
                uid = (int) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
                gid = (int) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
            } catch (Exception ignored) {
                // Stay root-less-known: 0 is what a container usually is anyway.
            }
        }
        UID = uid;
        GID = gid;
    }

    private Identity() {}
}
