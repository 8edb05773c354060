package dev.jvisor.linux;

import java.nio.ByteBuffer;

/** A read-only file whose content jvisor makes up when it is opened: the /proc files that describe the guest. */
final class MemoryFile extends OpenFile {
    private final byte[] content;
    private final long inode;
    private long position;

    MemoryFile(byte[] content, long inode) {
        super(O_RDONLY);
        this.content = content;
        this.inode = inode;
    }

    @Override
    synchronized int read(GuestThread t, ByteBuffer dst) {
        int n = pread(dst, position);
        position += n;
        return n;
    }

    @Override
    int write(GuestThread t, ByteBuffer src) {
        throw new Errno(Errno.EBADF);
    }

    @Override
    int pread(ByteBuffer dst, long at) {
        if (at < 0) throw new Errno(Errno.EINVAL);
        if (at >= content.length) return 0;
        int n = (int) Math.min(dst.remaining(), content.length - at);
        dst.put(content, (int) at, n);
        return n;
    }

    @Override
    synchronized long seek(long offset, int whence) {
        long base = switch (whence) {
            case 0 -> 0;
            case 1 -> position;
            case 2 -> content.length;
            default -> throw new Errno(Errno.EINVAL);
        };
        if (base + offset < 0) throw new Errno(Errno.EINVAL);
        position = base + offset;
        return position;
    }

    /** Like procfs: a regular, read-only file that says its size is 0. */
    @Override
    StatInfo stat() {
        return StatInfo.synthetic(StatInfo.S_IFREG | 0444, inode);
    }
}
