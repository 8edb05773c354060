package dev.jvisor.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * The fields of a Linux struct stat, read from the host through Java's "unix" attribute view (no native calls), and
 * written out in the arm64 layouts of {@code struct stat} and {@code struct statx}. The unix view has no st_blksize or
 * st_blocks: blksize is 4096 and blocks is estimated from the size (see {@link #blocks}), which is what ordinary
 * non-sparse files on a 4 KiB-block file system report; sparse files and preallocated space are not seen.
 */
record StatInfo(long dev, long ino, int mode, long nlink, int uid, int gid, long rdev, long size,
                long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec, long ctimeSec, int ctimeNsec,
                long btimeSec, int btimeNsec) {
    static final int S_IFMT = 0170000, S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFDIR = 0040000,
            S_IFREG = 0100000, S_IFLNK = 0120000;
    private static final String ATTRS =
            "unix:dev,ino,mode,nlink,uid,gid,rdev,size,lastAccessTime,lastModifiedTime,ctime,creationTime";

    static StatInfo of(Path path, boolean followLinks) {
        try {
            Map<String, Object> a = followLinks ? Files.readAttributes(path, ATTRS)
                    : Files.readAttributes(path, ATTRS, LinkOption.NOFOLLOW_LINKS);
            FileTime at = (FileTime) a.get("lastAccessTime"), mt = (FileTime) a.get("lastModifiedTime"),
                    ct = (FileTime) a.get("ctime"), bt = (FileTime) a.get("creationTime");
            return new StatInfo((long) a.get("dev"), (long) a.get("ino"), (int) a.get("mode"),
                    ((Number) a.get("nlink")).longValue(), (int) a.get("uid"), (int) a.get("gid"),
                    (long) a.get("rdev"), (long) a.get("size"),
                    at.toInstant().getEpochSecond(), at.toInstant().getNano(),
                    mt.toInstant().getEpochSecond(), mt.toInstant().getNano(),
                    ct.toInstant().getEpochSecond(), ct.toInstant().getNano(),
                    bt.toInstant().getEpochSecond(), bt.toInstant().getNano());
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    /** A synthetic stat for in-process objects (pipes): owned by us, times = now. */
    static StatInfo synthetic(int mode, long ino) {
        java.time.Instant now = java.time.Instant.now();
        long s = now.getEpochSecond();
        int n = now.getNano();
        return new StatInfo(0xC, ino, mode, 1, Identity.UID, Identity.GID, 0, 0, s, n, s, n, s, n, s, n);
    }

    /**
     * st_blocks, which Java's attribute views do not report: the size rounded up to 4 KiB blocks, in 512-byte units,
     * except for short symbolic links, which ext4 and tmpfs keep inside the inode and so occupy no blocks.
     */
    long blocks() {
        if ((mode & S_IFMT) == S_IFLNK && size < 60) return 0;
        return AddressSpace.pageUp(size) / 512;
    }

    /** arm64 (asm-generic) struct stat, 128 bytes. */
    byte[] toStat() {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, dev).putLong(8, ino).putInt(16, mode).putInt(20, (int) nlink).putInt(24, uid).putInt(28, gid)
                .putLong(32, rdev).putLong(48, size).putInt(56, 4096).putLong(64, blocks())
                .putLong(72, atimeSec).putLong(80, atimeNsec).putLong(88, mtimeSec).putLong(96, mtimeNsec)
                .putLong(104, ctimeSec).putLong(112, ctimeNsec);
        return b.array();
    }

    static final int STATX_BASIC_STATS = 0x7ff, STATX_BTIME = 0x800;

    /** struct statx, 256 bytes; every basic field and the birth time are filled, whatever the mask asked. */
    byte[] toStatx() {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, STATX_BASIC_STATS | STATX_BTIME).putInt(4, 4096).putInt(16, (int) nlink).putInt(20, uid)
                .putInt(24, gid).putShort(28, (short) mode).putLong(32, ino).putLong(40, size).putLong(48, blocks());
        putTime(b, 64, atimeSec, atimeNsec);
        putTime(b, 80, btimeSec, btimeNsec);
        putTime(b, 96, ctimeSec, ctimeNsec);
        putTime(b, 112, mtimeSec, mtimeNsec);
        b.putInt(128, major(rdev)).putInt(132, minor(rdev)).putInt(136, major(dev)).putInt(140, minor(dev));
        return b.array();
    }

    private static void putTime(ByteBuffer b, int at, long sec, int nsec) {
        b.putLong(at, sec).putInt(at + 8, nsec);
    }

    /** glibc's encoding of dev_t, which is what the host's stat handed Java. */
    static int major(long dev) {
        return (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
    }

    static int minor(long dev) {
        return (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
    }
}
