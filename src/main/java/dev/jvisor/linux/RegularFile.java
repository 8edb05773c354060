package dev.jvisor.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** A host file opened through a FileChannel: regular files and the character devices that behave like them. */
final class RegularFile extends OpenFile {
    private final FileChannel channel;
    private final Path path;

    RegularFile(FileChannel channel, Path path, int flags) {
        super(flags);
        this.channel = channel;
        this.path = path;
    }

    @Override
    int read(GuestThread t, ByteBuffer dst) {
        if (!readable()) throw new Errno(Errno.EBADF);
        try {
            int n = channel.read(dst);
            return Math.max(n, 0);
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    @Override
    int write(GuestThread t, ByteBuffer src) {
        if (!writable()) throw new Errno(Errno.EBADF);
        try {
            if ((flags & O_APPEND) != 0) channel.position(channel.size());
            int total = 0;
            while (src.hasRemaining()) total += channel.write(src);
            return total;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    @Override
    int pread(ByteBuffer dst, long position) {
        if (!readable()) throw new Errno(Errno.EBADF);
        if (position < 0) throw new Errno(Errno.EINVAL);
        try {
            return Math.max(channel.read(dst, position), 0);
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    @Override
    int pwrite(ByteBuffer src, long position) {
        if (!writable()) throw new Errno(Errno.EBADF);
        if (position < 0) throw new Errno(Errno.EINVAL);
        try {
            int total = 0;
            while (src.hasRemaining()) total += channel.write(src, position + total);
            return total;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    @Override
    long seek(long offset, int whence) {
        try {
            long base = switch (whence) {
                case 0 -> 0;
                case 1 -> channel.position();
                case 2 -> channel.size();
                default -> throw new Errno(Errno.EINVAL);
            };
            long target = base + offset;
            if (target < 0) throw new Errno(Errno.EINVAL);
            channel.position(target);
            return target;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    @Override
    StatInfo stat() {
        return StatInfo.of(path, true);
    }

    @Override
    Path path() {
        return path;
    }

    @Override
    void truncate(long length) {
        if (!writable()) throw new Errno(Errno.EINVAL);
        try {
            long size = channel.size();
            if (length < size) {
                channel.truncate(length);
            } else if (length > size) {
                // FileChannel cannot extend; writing the last byte does, leaving a hole as ftruncate would.
                channel.write(ByteBuffer.allocate(1), length - 1);
            }
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    @Override
    void sync() {
        try {
            channel.force(true);
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    /** Reads the whole of {@code [offset, offset+length)} for a file mapping; short at end of file. */
    byte[] readForMapping(long offset, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        try {
            while (b.hasRemaining()) {
                int n = channel.read(b, offset + b.position());
                if (n <= 0) break;
            }
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    @Override
    protected void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // close(2) of a file already written has nothing useful to report here.
        }
    }
}
