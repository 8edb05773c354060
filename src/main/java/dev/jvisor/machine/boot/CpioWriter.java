package dev.jvisor.machine.boot;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes a cpio archive in the "new ASCII" (newc) format, the one the Linux kernel unpacks as an initramfs: each
 * entry is a 110-byte header of hex fields, the NUL-terminated name padded to 4 bytes, then the data padded to 4
 * bytes, and a TRAILER!!! entry ends the archive. Times are zero and owners root, so the same inputs always give the
 * same bytes. Directories must be added before what they contain, as the kernel creates entries in order.
 */
public final class CpioWriter implements AutoCloseable {
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFCHR = 0020000;
    private static final String TRAILER = "TRAILER!!!";

    private final OutputStream out;
    private final Set<String> names = new HashSet<>();
    private long written;
    private int nextInode = 1;
    private boolean finished;

    public CpioWriter(OutputStream out) {
        this.out = out;
    }

    public CpioWriter directory(String path, int permissions) {
        entry(path, S_IFDIR | permissions & 07777, 2, 0, 0, new byte[0]);
        return this;
    }

    public CpioWriter file(String path, int permissions, byte[] data) {
        entry(path, S_IFREG | permissions & 07777, 1, 0, 0, data);
        return this;
    }

    public CpioWriter symlink(String path, String target) {
        entry(path, S_IFLNK | 0777, 1, 0, 0, target.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** A character device node, e.g. /dev/console (5, 1), which the kernel opens for init before /dev is mounted. */
    public CpioWriter charDevice(String path, int permissions, int major, int minor) {
        entry(path, S_IFCHR | permissions & 07777, 1, major, minor, new byte[0]);
        return this;
    }

    private void entry(String path, int mode, int links, int deviceMajor, int deviceMinor, byte[] data) {
        if (finished) throw new IllegalStateException("archive already finished");
        if (path.isEmpty() || path.startsWith("/") || path.contains("//") || path.equals(TRAILER)) {
            throw new IllegalArgumentException("bad archive path: " + path);
        }
        if (!names.add(path)) throw new IllegalArgumentException("duplicate archive path: " + path);
        writeEntry(path, mode, nextInode++, links, deviceMajor, deviceMinor, data);
    }

    private void writeEntry(String path, int mode, int inode, int links, int deviceMajor, int deviceMinor,
                            byte[] data) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        StringBuilder header = new StringBuilder("070701");
        int[] fields = {inode, mode, 0, 0, links, 0, data.length, 0, 0, deviceMajor, deviceMinor, name.length + 1, 0};
        for (int f : fields) header.append(String.format("%08X", f));
        write(header.toString().getBytes(StandardCharsets.US_ASCII));
        write(name);
        write(new byte[] {0});
        pad();
        write(data);
        pad();
    }

    private void write(byte[] bytes) {
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        written += bytes.length;
    }

    private void pad() {
        write(new byte[(int) (-written & 3)]);
    }

    /** Writes the trailer; the stream stays open. */
    public void finish() {
        if (finished) return;
        writeEntry(TRAILER, 0, 0, 1, 0, 0, new byte[0]);
        finished = true;
    }

    @Override
    public void close() {
        finish();
    }
}
