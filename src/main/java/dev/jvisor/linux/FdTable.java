package dev.jvisor.linux;

import java.util.Arrays;

/** The process's file descriptors: each slot an open file description plus its own close-on-exec flag. */
final class FdTable {
    static final int MAX_FDS = 1024;

    private OpenFile[] files = new OpenFile[64];
    private boolean[] cloexec = new boolean[64];

    synchronized OpenFile get(int fd) {
        if (fd < 0 || fd >= files.length || files[fd] == null) throw new Errno(Errno.EBADF);
        return files[fd];
    }

    /** Installs {@code f} at the lowest free descriptor at or above {@code min}. */
    synchronized int add(OpenFile f, boolean closeOnExec, int min) {
        for (int fd = Math.max(min, 0); fd < MAX_FDS; fd++) {
            if (fd >= files.length) grow(fd + 1);
            if (files[fd] == null) {
                files[fd] = f;
                cloexec[fd] = closeOnExec;
                return fd;
            }
        }
        throw new Errno(Errno.EMFILE);
    }

    synchronized int add(OpenFile f, boolean closeOnExec) {
        return add(f, closeOnExec, 0);
    }

    /** dup2/dup3: puts {@code f} at {@code fd}, closing what was there. */
    synchronized void put(int fd, OpenFile f, boolean closeOnExec) {
        if (fd < 0 || fd >= MAX_FDS) throw new Errno(Errno.EBADF);
        if (fd >= files.length) grow(fd + 1);
        OpenFile old = files[fd];
        files[fd] = f;
        cloexec[fd] = closeOnExec;
        if (old != null) old.release();
    }

    synchronized void close(int fd) {
        OpenFile f = get(fd);
        files[fd] = null;
        f.release();
    }

    synchronized boolean closeOnExec(int fd) {
        get(fd);
        return cloexec[fd];
    }

    synchronized void setCloseOnExec(int fd, boolean value) {
        get(fd);
        cloexec[fd] = value;
    }

    private void grow(int atLeast) {
        int n = Math.min(MAX_FDS, Math.max(atLeast, files.length * 2));
        files = Arrays.copyOf(files, n);
        cloexec = Arrays.copyOf(cloexec, n);
    }
}
