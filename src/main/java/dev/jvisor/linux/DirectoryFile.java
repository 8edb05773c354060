package dev.jvisor.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An open directory. getdents64 reads a snapshot of its entries taken at the first call (and again after a rewind
 * with lseek(fd, 0, SEEK_SET)); the d_off of each record is the index of the next one, which lseek accepts back.
 */
final class DirectoryFile extends OpenFile {
    private static final int DT_UNKNOWN = 0, DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8,
            DT_LNK = 10, DT_SOCK = 12;

    private record Entry(long ino, int type, byte[] name) {}

    private final Path path;
    private List<Entry> entries;
    private int position;

    DirectoryFile(Path path, int flags) {
        super(flags);
        this.path = path;
    }

    @Override
    int read(GuestThread t, ByteBuffer dst) {
        throw new Errno(Errno.EISDIR);
    }

    @Override
    int write(GuestThread t, ByteBuffer src) {
        throw new Errno(Errno.EBADF);
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
    synchronized long seek(long offset, int whence) {
        if (whence != 0 || offset < 0) throw new Errno(Errno.EINVAL);
        if (offset == 0) entries = null;
        position = (int) Math.min(offset, Integer.MAX_VALUE);
        return offset;
    }

    /** Fills {@code out} with linux_dirent64 records; returns the bytes used (0 at the end). */
    synchronized int getdents64(ByteBuffer out) {
        if (entries == null) entries = list();
        out.order(ByteOrder.LITTLE_ENDIAN);
        int start = out.position();
        while (position < entries.size()) {
            Entry e = entries.get(position);
            int reclen = (19 + e.name.length + 1 + 7) & ~7;
            if (out.remaining() < reclen) {
                if (out.position() == start) throw new Errno(Errno.EINVAL);
                break;
            }
            int at = out.position();
            out.putLong(at, e.ino).putLong(at + 8, position + 1).putShort(at + 16, (short) reclen)
                    .put(at + 18, (byte) e.type).put(at + 19, e.name);
            for (int i = at + 19 + e.name.length; i < at + reclen; i++) out.put(i, (byte) 0);
            out.position(at + reclen);
            position++;
        }
        return out.position() - start;
    }

    private List<Entry> list() {
        List<Entry> list = new ArrayList<>();
        list.add(new Entry(inode(path), DT_DIR, ".".getBytes(StandardCharsets.UTF_8)));
        Path parent = path.getParent() == null ? path : path.getParent();
        list.add(new Entry(inode(parent), DT_DIR, "..".getBytes(StandardCharsets.UTF_8)));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(path)) {
            for (Path p : ds) {
                long ino = 0;
                int type = DT_UNKNOWN;
                try {
                    StatInfo s = StatInfo.of(p, false);
                    ino = s.ino();
                    type = typeOf(s.mode());
                } catch (Errno vanished) {
                    // Deleted while we listed it: report it with an unknown type, as a racing readdir may.
                }
                list.add(new Entry(ino, type, p.getFileName().toString().getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
        return list;
    }

    private static long inode(Path p) {
        try {
            return (long) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static int typeOf(int mode) {
        return switch (mode & StatInfo.S_IFMT) {
            case StatInfo.S_IFDIR -> DT_DIR;
            case StatInfo.S_IFREG -> DT_REG;
            case StatInfo.S_IFLNK -> DT_LNK;
            case StatInfo.S_IFCHR -> DT_CHR;
            case StatInfo.S_IFIFO -> DT_FIFO;
            case 0060000 -> DT_BLK;
            case 0140000 -> DT_SOCK;
            default -> DT_UNKNOWN;
        };
    }
}
