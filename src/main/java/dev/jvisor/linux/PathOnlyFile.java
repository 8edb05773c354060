package dev.jvisor.linux;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/** An O_PATH descriptor: names a file for the *at calls and fstat, and can do no I/O. */
final class PathOnlyFile extends OpenFile {
    private final Path path;

    PathOnlyFile(Path path, int flags) {
        super(flags | Syscalls.O_PATH);
        this.path = path;
    }

    @Override
    int read(GuestThread t, ByteBuffer dst) {
        throw new Errno(Errno.EBADF);
    }

    @Override
    int write(GuestThread t, ByteBuffer src) {
        throw new Errno(Errno.EBADF);
    }

    @Override
    StatInfo stat() {
        return StatInfo.of(path, false);
    }

    @Override
    Path path() {
        return path;
    }
}
