package dev.jvisor.linux;

import java.nio.ByteBuffer;

/**
 * An open file description: what a guest file descriptor points at, shared by dup'ed descriptors (with its offset
 * and status flags). Operations answer like the Linux call they implement, throwing {@link Errno} on failure.
 */
abstract class OpenFile {
    static final int O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_APPEND = 02000, O_NONBLOCK = 04000;

    /** O_* access mode and status flags as F_GETFL reports them. */
    int flags;
    private int references = 1;

    OpenFile(int flags) {
        this.flags = flags;
    }

    boolean readable() {
        return (flags & O_ACCMODE) != O_WRONLY;
    }

    boolean writable() {
        return (flags & O_ACCMODE) != O_RDONLY;
    }

    /** Reads into {@code dst}; returns the count, 0 at end of file. May block the calling guest thread. */
    abstract int read(GuestThread t, ByteBuffer dst);

    abstract int write(GuestThread t, ByteBuffer src);

    int pread(ByteBuffer dst, long position) {
        throw new Errno(Errno.ESPIPE);
    }

    int pwrite(ByteBuffer src, long position) {
        throw new Errno(Errno.ESPIPE);
    }

    long seek(long offset, int whence) {
        throw new Errno(Errno.ESPIPE);
    }

    abstract StatInfo stat();

    /** The host path for path-based operations on this file (fchdir, fchmod, *at with a dirfd), if any. */
    java.nio.file.Path path() {
        throw new Errno(Errno.ENOTDIR);
    }

    void truncate(long length) {
        throw new Errno(Errno.EINVAL);
    }

    void sync() {}

    /** Whether this is the host's terminal, for TCGETS and friends. */
    boolean isTerminal() {
        return false;
    }

    /** The host device path of the terminal behind this file, when {@link #isTerminal}. */
    String terminalPath() {
        return null;
    }

    synchronized void retain() {
        references++;
    }

    /** Drops one descriptor's reference; the last one closes the host object. */
    final void release() {
        boolean last;
        synchronized (this) {
            last = --references == 0;
        }
        if (last) close();
    }

    protected void close() {}
}
