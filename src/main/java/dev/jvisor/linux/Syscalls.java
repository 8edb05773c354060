package dev.jvisor.linux;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The arm64 Linux system call table (the asm-generic numbering): X8 selects the call, X0..X5 are its arguments and
 * X0 gets the result or -errno. Each call is written as its success path; failures are {@link Errno}s thrown from
 * wherever they are found and turned into -errno here.
 */
final class Syscalls {
    static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
    static final int O_CREAT = 0100, O_EXCL = 0200, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000,
            O_DIRECTORY = 040000, O_NOFOLLOW = 0100000, O_CLOEXEC = 02000000, O_PATH = 010000000, O_TMPFILE = 020000000;
    static final int RT_SIGRETURN = 139;
    private static final int PATH_MAX = 4096;
    private static final int IO_CHUNK = 1 << 30;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Syscalls() {}

    static long dispatch(GuestThread t, int nr) {
        long[] x = t.cpu.x;
        try {
            return call(t, nr, x[0], x[1], x[2], x[3], x[4], x[5]);
        } catch (Errno e) {
            return -e.errno;
        }
    }

    private static long call(GuestThread t, int nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        LinuxProcess p = t.process;
        return switch (nr) {
            case 17 -> getcwd(p, a0, a1);
            case 23 -> dup(p, (int) a0);
            case 24 -> dup3(p, (int) a0, (int) a1, (int) a2);
            case 25 -> fcntl(p, (int) a0, (int) a1, a2);
            case 29 -> Terminal.ioctl(t, (int) a0, (int) a1, a2);
            case 34 -> mkdirat(p, (int) a0, a1, (int) a2);
            case 35 -> unlinkat(p, (int) a0, a1, (int) a2);
            case 36 -> symlinkat(p, a0, (int) a1, a2);
            case 37 -> linkat(p, (int) a0, a1, (int) a2, a3, (int) a4);
            case 38 -> renameat(p, (int) a0, a1, (int) a2, a3, 0);
            case 43 -> statfs(p, path(p, AT_FDCWD, a0), a1);
            case 44 -> statfs(p, p.fds.get((int) a0).path(), a1);
            case 45 -> truncatePath(p, a0, a1);
            case 46 -> { p.fds.get((int) a0).truncate(a1); yield 0; }
            case 48 -> faccessat(p, (int) a0, a1, (int) a2, 0);
            case 439 -> faccessat(p, (int) a0, a1, (int) a2, (int) a3);
            case 49 -> chdir(p, path(p, AT_FDCWD, a0));
            case 50 -> chdir(p, p.fds.get((int) a0).path());
            case 52 -> chmod(p.fds.get((int) a0).path(), (int) a1);
            case 53 -> chmod(path(p, (int) a0, a1), (int) a2);
            case 54 -> chown(p, (int) a0, a1, (int) a2, (int) a3, (int) a4);
            case 55 -> chown(p.fds.get((int) a0).path(), (int) a1, (int) a2, true);
            case 56 -> openat(p, (int) a0, a1, (int) a2, (int) a3);
            case 57 -> { p.fds.close((int) a0); yield 0; }
            case 436 -> closeRange(p, a0, a1, (int) a2);
            case 59 -> pipe2(p, a0, (int) a1);
            case 61 -> getdents64(p, (int) a0, a1, a2);
            case 62 -> p.fds.get((int) a0).seek(a1, (int) a2);
            case 63 -> read(t, (int) a0, a1, a2);
            case 64 -> write(t, (int) a0, a1, a2);
            case 65 -> readv(t, (int) a0, a1, (int) a2);
            case 66 -> writev(t, (int) a0, a1, (int) a2);
            case 67 -> pread(p, (int) a0, a1, a2, a3);
            case 68 -> pwrite(p, (int) a0, a1, a2, a3);
            case 71 -> sendfile(t, (int) a0, (int) a1, a2, a3);
            case 72 -> Poll.pselect6(t, (int) a0, a1, a2, a3, a4, a5);
            case 73 -> Poll.ppoll(t, a0, a1, a2, a3);
            case 78 -> readlinkat(p, (int) a0, a1, a2, a3);
            case 79 -> fstatat(p, (int) a0, a1, a2, (int) a3);
            case 80 -> { p.space.write(a1, p.fds.get((int) a0).stat().toStat()); yield 0; }
            case 291 -> statx(p, (int) a0, a1, (int) a2, a4);
            case 81 -> { p.fds.syncAll(); yield 0; }
            case 82, 83 -> { p.fds.get((int) a0).sync(); yield 0; }
            case 88 -> utimensat(p, (int) a0, a1, a2, (int) a3);
            case 93 -> { p.exitThread(t, (int) a0); yield 0; }
            case 94 -> { p.finish((int) a0 & 0xFF); yield 0; }
            case 95 -> waitid(t, (int) a0, (int) a1, a2, (int) a3);
            case 260 -> wait4(t, (int) a0, a1, (int) a2, a3);
            case 221 -> execve(t, a0, a1, a2);
            case 96 -> { t.clearChildTid = a0; yield t.tid; }
            case 98 -> futex(t, a0, (int) a1, (int) a2, a3, a4, (int) a5);
            case 99 -> { if (a1 != 24) throw new Errno(Errno.EINVAL); t.robustList = a0; yield 0; }
            case 101 -> Time.nanosleep(t, 1, 0, a0, a1);
            case 102 -> p.itimer.get((int) a0, a1);
            case 103 -> p.itimer.set((int) a0, a1, a2);
            case 113 -> Time.clockGettime(t, (int) a0, a1);
            case 114 -> Time.clockGetres(t, (int) a0, a1);
            case 115 -> Time.nanosleep(t, (int) a0, (int) a1, a2, a3);
            case 120 -> { schedTarget(p, (int) a0); yield 0; }
            case 121 -> { schedTarget(p, (int) a0); p.space.write32(a1, 0); yield 0; }
            case 123 -> schedGetaffinity(p, a1, a2);
            case 125 -> schedPriorityLimit((int) a0, true);
            case 126 -> schedPriorityLimit((int) a0, false);
            case 124 -> { Thread.yield(); yield 0; }
            case 129 -> kill(t, (int) a0, (int) a1);
            case 130 -> tgkill(t, p.pid, (int) a0, (int) a1);
            case 131 -> tgkill(t, (int) a0, (int) a1, (int) a2);
            case 132 -> sigaltstack(t, a0, a1);
            case 133 -> sigsuspend(t, a0, a1);
            case 134 -> sigaction(t, (int) a0, a1, a2, a3);
            case 135 -> sigprocmask(t, (int) a0, a1, a2, a3);
            case 136 -> sigpending(t, a0, a1);
            case 153 -> Time.times(t, a0);
            case 154 -> setpgid(p, (int) a0, (int) a1);
            case 155 -> getpgid(p, (int) a0, false);
            case 156 -> getpgid(p, (int) a0, true);
            case 157 -> setsid(p);
            case 158 -> getgroups(p, (int) a0, a1);
            case 160 -> uname(p, a0);
            case 163 -> Limits.getrlimit(p, (int) a0, a1);
            case 164 -> Limits.prlimit(p, 0, (int) a0, a1, 0);
            case 261 -> Limits.prlimit(p, (int) a0, (int) a1, a2, a3);
            case 165 -> Time.getrusage(t, (int) a0, a1);
            case 166 -> { int old = p.umask; p.umask = (int) a0 & 0777; yield old; }
            case 167 -> prctl(t, (int) a0, a1);
            case 169 -> Time.gettimeofday(t, a0, a1);
            case 172 -> p.pid;
            case 173 -> p.parentPid();
            case 174, 175 -> Identity.UID;
            case 176, 177 -> Identity.GID;
            case 178 -> t.tid;
            case 179 -> Time.sysinfo(t, a0);
            case 148 -> { writeIds(p, a0, a1, a2, Identity.UID); yield 0; }
            case 150 -> { writeIds(p, a0, a1, a2, Identity.GID); yield 0; }
            case 214 -> p.space.brk(a0);
            case 215 -> Mappings.munmap(t, a0, a1);
            case 216 -> Mappings.mremap(t, a0, a1, a2, (int) a3, a4);
            case 220 -> clone(t, a0, a1, a2, a3, a4);
            case 435 -> clone3(t, a0, a1);
            case 222 -> Mappings.mmap(t, a0, a1, (int) a2, (int) a3, (int) a4, a5);
            case 223 -> { p.fds.get((int) a0); yield 0; }
            case 226 -> Mappings.mprotect(t, a0, a1, (int) a2);
            case 233 -> Mappings.madvise(t, a0, a1, (int) a2);
            case 276 -> renameat(p, (int) a0, a1, (int) a2, a3, (int) a4);
            case 278 -> getrandom(p, a0, a1);
            case 283 -> membarrier(p, (int) a0);
            case 293 -> -Errno.ENOSYS;
            default -> unimplemented(p, nr);
        };
    }

    private static long unimplemented(LinuxProcess p, int nr) {
        p.warnOnce("unimplemented syscall " + nr + " (" + SyscallNames.name(nr) + ")");
        return -Errno.ENOSYS;
    }

    /**
     * A transfer size as Linux treats a size_t: anything above the per-call limit (including what would be negative
     * as a signed number) is cut down to the limit.
     */
    private static int count(long requested, int limit) {
        return requested < 0 || requested > limit ? limit : (int) requested;
    }

    static Path path(LinuxProcess p, int dirfd, long va) {
        return p.resolve(dirfd, p.space.readCString(va, PATH_MAX));
    }

    // ---- descriptors and files ----

    private static long dup(LinuxProcess p, int fd) {
        OpenFile f = p.fds.get(fd);
        f.retain();
        try {
            return p.fds.add(f, false);
        } catch (Errno e) {
            f.release();
            throw e;
        }
    }

    private static long dup3(LinuxProcess p, int oldfd, int newfd, int flags) {
        if (oldfd == newfd || (flags & ~O_CLOEXEC) != 0) throw new Errno(Errno.EINVAL);
        OpenFile f = p.fds.get(oldfd);
        f.retain();
        p.fds.put(newfd, f, (flags & O_CLOEXEC) != 0);
        return newfd;
    }

    private static long fcntl(LinuxProcess p, int fd, int cmd, long arg) {
        OpenFile f = p.fds.get(fd);
        return switch (cmd) {
            case 0, 1030 -> {
                f.retain();
                try {
                    yield p.fds.add(f, cmd == 1030, (int) arg);
                } catch (Errno e) {
                    f.release();
                    throw e;
                }
            }
            case 1 -> p.fds.closeOnExec(fd) ? 1 : 0;
            case 2 -> { p.fds.setCloseOnExec(fd, (arg & 1) != 0); yield 0; }
            case 3 -> f.flags;
            case 4 -> {
                int changeable = O_APPEND | O_NONBLOCK;
                f.flags = (f.flags & ~changeable) | ((int) arg & changeable);
                yield 0;
            }
            case 1032 -> f instanceof Pipe.End ? Pipe.CAPACITY : -Errno.EBADF;
            default -> -Errno.EINVAL;
        };
    }

    private static long closeRange(LinuxProcess p, long first, long last, int flags) {
        if (first > last || (flags & ~6) != 0) throw new Errno(Errno.EINVAL);
        for (long fd = first; fd <= Math.min(last, FdTable.MAX_FDS - 1); fd++) {
            try {
                if ((flags & 4) != 0) p.fds.setCloseOnExec((int) fd, true); else p.fds.close((int) fd);
            } catch (Errno notOpen) {
                // Gaps in the range are fine.
            }
        }
        return 0;
    }

    private static long openat(LinuxProcess p, int dirfd, long pathVa, int flags, int mode) {
        Path path = ProcFiles.redirect(p, path(p, dirfd, pathVa));
        OpenFile virtual = ProcFiles.open(p, path);
        if (virtual != null) {
            if ((flags & OpenFile.O_ACCMODE) != OpenFile.O_RDONLY) throw new Errno(Errno.EACCES);
            return p.fds.add(virtual, (flags & O_CLOEXEC) != 0);
        }
        if ((flags & O_TMPFILE) == O_TMPFILE) throw new Errno(Errno.EOPNOTSUPP);
        int acc = flags & OpenFile.O_ACCMODE;
        if (acc == 3) throw new Errno(Errno.EINVAL);
        boolean nofollow = (flags & O_NOFOLLOW) != 0;
        LinkOption[] link = nofollow ? new LinkOption[] {LinkOption.NOFOLLOW_LINKS} : new LinkOption[0];
        boolean exists = Files.exists(path, link);
        if (exists && (flags & O_CREAT) != 0 && (flags & O_EXCL) != 0) throw new Errno(Errno.EEXIST);
        if (nofollow && Files.isSymbolicLink(path)) throw new Errno(Errno.ELOOP);
        int status = flags & (OpenFile.O_ACCMODE | O_APPEND | O_NONBLOCK);
        OpenFile file;
        if (exists && Files.isDirectory(path, link)) {
            if (acc != OpenFile.O_RDONLY || (flags & O_CREAT) != 0) throw new Errno(Errno.EISDIR);
            file = new DirectoryFile(path, status | O_DIRECTORY);
        } else {
            if ((flags & O_DIRECTORY) != 0) throw new Errno(exists ? Errno.ENOTDIR : Errno.ENOENT);
            if ((flags & O_PATH) != 0) {
                if (!exists) throw new Errno(Errno.ENOENT);
                file = new PathOnlyFile(path, flags & OpenFile.O_ACCMODE);
            } else {
                file = new RegularFile(openChannel(p, path, flags, mode, exists), path, status);
            }
        }
        return p.fds.add(file, (flags & O_CLOEXEC) != 0);
    }

    private static FileChannel openChannel(LinuxProcess p, Path path, int flags, int mode, boolean exists) {
        Set<OpenOption> opts = new HashSet<>();
        int acc = flags & OpenFile.O_ACCMODE;
        if (acc != OpenFile.O_WRONLY) opts.add(StandardOpenOption.READ);
        if (acc != OpenFile.O_RDONLY) opts.add(StandardOpenOption.WRITE);
        if ((flags & O_TRUNC) != 0 && acc != OpenFile.O_RDONLY) opts.add(StandardOpenOption.TRUNCATE_EXISTING);
        if ((flags & O_NOFOLLOW) != 0) opts.add(LinkOption.NOFOLLOW_LINKS);
        try {
            if ((flags & O_CREAT) != 0 && !exists) {
                opts.add((flags & O_EXCL) != 0 ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE);
                FileAttribute<Set<PosixFilePermission>> perms =
                        PosixFilePermissions.asFileAttribute(permissions(mode & ~p.umask));
                if (!opts.contains(StandardOpenOption.WRITE) && !opts.contains(StandardOpenOption.READ)) {
                    opts.add(StandardOpenOption.READ);
                }
                return FileChannel.open(path, opts, perms);
            }
            return FileChannel.open(path, opts);
        } catch (IOException e) {
            throw HostErrors.errno(e);
        } catch (UnsupportedOperationException e) {
            throw new Errno(Errno.EINVAL);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        for (int i = 0; i < 9; i++) if ((mode & (1 << i)) != 0) s.add(order[i]);
        return s;
    }

    private static long pipe2(LinuxProcess p, long fdsVa, int flags) {
        if ((flags & ~(O_CLOEXEC | O_NONBLOCK)) != 0) throw new Errno(Errno.EINVAL);
        p.space.check(fdsVa, 8, AddressSpace.PROT_WRITE);
        Pipe pipe = new Pipe();
        int status = flags & O_NONBLOCK;
        boolean cloexec = (flags & O_CLOEXEC) != 0;
        Pipe.End r = pipe.new End(true, status), w = pipe.new End(false, status);
        int rfd = p.fds.add(r, cloexec);
        int wfd;
        try {
            wfd = p.fds.add(w, cloexec);
        } catch (Errno e) {
            p.fds.close(rfd);
            throw e;
        }
        p.space.write32(fdsVa, rfd);
        p.space.write32(fdsVa + 4, wfd);
        return 0;
    }

    private static long read(GuestThread t, int fd, long buf, long count) {
        OpenFile f = t.process.fds.get(fd);
        if (f instanceof DirectoryFile) throw new Errno(Errno.EISDIR);
        AddressSpace s = t.process.space;
        int n = s.accessiblePrefix(buf, count(count, IO_CHUNK), AddressSpace.PROT_WRITE);
        return f.read(t, s.buffer(buf, n, AddressSpace.PROT_WRITE));
    }

    private static long write(GuestThread t, int fd, long buf, long count) {
        OpenFile f = t.process.fds.get(fd);
        AddressSpace s = t.process.space;
        int n = s.accessiblePrefix(buf, count(count, IO_CHUNK), AddressSpace.PROT_READ);
        return f.write(t, s.buffer(buf, n, AddressSpace.PROT_READ));
    }

    private static long pread(LinuxProcess p, int fd, long buf, long count, long offset) {
        int n = p.space.accessiblePrefix(buf, count(count, IO_CHUNK), AddressSpace.PROT_WRITE);
        return p.fds.get(fd).pread(p.space.buffer(buf, n, AddressSpace.PROT_WRITE), offset);
    }

    private static long pwrite(LinuxProcess p, int fd, long buf, long count, long offset) {
        int n = p.space.accessiblePrefix(buf, count(count, IO_CHUNK), AddressSpace.PROT_READ);
        return p.fds.get(fd).pwrite(p.space.buffer(buf, n, AddressSpace.PROT_READ), offset);
    }

    /** The iovec array as (base, length) pairs, checked as Linux does before any transfer. */
    private static long[] iovecs(LinuxProcess p, long iov, int count, int need) {
        if (count < 0 || count > 1024) throw new Errno(Errno.EINVAL);
        long[] v = new long[2 * count];
        long total = 0;
        for (int i = 0; i < count; i++) {
            v[2 * i] = p.space.read64(iov + 16L * i);
            v[2 * i + 1] = p.space.read64(iov + 16L * i + 8);
            if (v[2 * i + 1] < 0) throw new Errno(Errno.EINVAL);
            total += v[2 * i + 1];
            if (total < 0 || total > IO_CHUNK) throw new Errno(Errno.EINVAL);
            p.space.check(v[2 * i], v[2 * i + 1], need);
        }
        return v;
    }

    /** writev as one write of the gathered bytes, so that it reaches a pipe or terminal in one piece. */
    private static long writev(GuestThread t, int fd, long iov, int count) {
        LinuxProcess p = t.process;
        OpenFile f = p.fds.get(fd);
        long[] v = iovecs(p, iov, count, AddressSpace.PROT_READ);
        long total = 0;
        for (int i = 0; i < count; i++) total += v[2 * i + 1];
        ByteBuffer all = ByteBuffer.allocate((int) total);
        for (int i = 0; i < count; i++) all.put(p.space.buffer(v[2 * i], (int) v[2 * i + 1], AddressSpace.PROT_READ));
        all.flip();
        return f.write(t, all);
    }

    private static long readv(GuestThread t, int fd, long iov, int count) {
        LinuxProcess p = t.process;
        OpenFile f = p.fds.get(fd);
        long[] v = iovecs(p, iov, count, AddressSpace.PROT_WRITE);
        long total = 0;
        for (int i = 0; i < count; i++) total += v[2 * i + 1];
        ByteBuffer all = ByteBuffer.allocate((int) total);
        int n = f.read(t, all);
        all.flip();
        for (int i = 0; i < count && all.hasRemaining(); i++) {
            int len = (int) Math.min(v[2 * i + 1], all.remaining());
            ByteBuffer part = all.slice(all.position(), len);
            p.space.buffer(v[2 * i], len, AddressSpace.PROT_WRITE).put(part);
            all.position(all.position() + len);
        }
        return n;
    }

    private static long sendfile(GuestThread t, int outFd, int inFd, long offsetVa, long count) {
        LinuxProcess p = t.process;
        OpenFile in = p.fds.get(inFd), out = p.fds.get(outFd);
        ByteBuffer buf = ByteBuffer.allocate(count(count, 1 << 20));
        int n;
        if (offsetVa != 0) {
            long offset = p.space.read64(offsetVa);
            n = in.pread(buf, offset);
            buf.flip();
            int written = n == 0 ? 0 : out.write(t, buf);
            p.space.write64(offsetVa, offset + written);
            return written;
        }
        n = in.read(t, buf);
        buf.flip();
        return n == 0 ? 0 : out.write(t, buf);
    }

    private static long getdents64(LinuxProcess p, int fd, long buf, long count) {
        if (!(p.fds.get(fd) instanceof DirectoryFile d)) throw new Errno(Errno.ENOTDIR);
        int n = count(count, 1 << 20);
        p.space.check(buf, n, AddressSpace.PROT_WRITE);
        ByteBuffer out = ByteBuffer.allocate(n);
        int used = d.getdents64(out);
        p.space.write(buf, out.array(), used);
        return used;
    }

    private static long getcwd(LinuxProcess p, long buf, long size) {
        byte[] s = LinuxProcess.utf8(p.cwd.toString());
        if (size < s.length + 1) throw new Errno(Errno.ERANGE);
        p.space.write(buf, java.util.Arrays.copyOf(s, s.length + 1));
        return s.length + 1;
    }

    private static long chdir(LinuxProcess p, Path dir) {
        try {
            Path real = dir.toRealPath();
            if (!Files.isDirectory(real)) throw new Errno(Errno.ENOTDIR);
            if (!Files.isExecutable(real)) throw new Errno(Errno.EACCES);
            p.cwd = real;
            return 0;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    private static long fstatat(LinuxProcess p, int dirfd, long pathVa, long buf, int flags) {
        p.space.write(buf, statOf(p, dirfd, pathVa, flags).toStat());
        return 0;
    }

    private static long statx(LinuxProcess p, int dirfd, long pathVa, int flags, long buf) {
        p.space.write(buf, statOf(p, dirfd, pathVa, flags).toStatx());
        return 0;
    }

    private static StatInfo statOf(LinuxProcess p, int dirfd, long pathVa, int flags) {
        String s = p.space.readCString(pathVa, PATH_MAX);
        if (s.isEmpty() && (flags & AT_EMPTY_PATH) != 0) {
            return dirfd == AT_FDCWD ? StatInfo.of(p.cwd, true) : p.fds.get(dirfd).stat();
        }
        Path path = p.resolve(dirfd, s);
        boolean follow = (flags & AT_SYMLINK_NOFOLLOW) == 0;
        return StatInfo.of(follow ? ProcFiles.redirect(p, path) : path, follow);
    }

    private static long readlinkat(LinuxProcess p, int dirfd, long pathVa, long buf, long size) {
        if (size <= 0) throw new Errno(Errno.EINVAL);
        Path path = path(p, dirfd, pathVa);
        String ours = ProcFiles.readlink(p, path);
        byte[] target;
        if (ours != null) {
            target = LinuxProcess.utf8(ours);
        } else {
            try {
                target = LinuxProcess.utf8(Files.readSymbolicLink(path).toString());
            } catch (IOException e) {
                throw HostErrors.errno(e);
            }
        }
        int n = (int) Math.min(size, target.length);
        p.space.write(buf, target, n);
        return n;
    }

    private static long faccessat(LinuxProcess p, int dirfd, long pathVa, int mode, int flags) {
        if ((mode & ~7) != 0) throw new Errno(Errno.EINVAL);
        Path path = path(p, dirfd, pathVa);
        LinkOption[] link = (flags & AT_SYMLINK_NOFOLLOW) != 0
                ? new LinkOption[] {LinkOption.NOFOLLOW_LINKS} : new LinkOption[0];
        StatInfo.of(path, link.length == 0);
        if ((mode & 4) != 0 && !Files.isReadable(path)) throw new Errno(Errno.EACCES);
        if ((mode & 2) != 0 && !Files.isWritable(path)) throw new Errno(Errno.EACCES);
        if ((mode & 1) != 0 && !Files.isExecutable(path)) throw new Errno(Errno.EACCES);
        return 0;
    }

    private static long mkdirat(LinuxProcess p, int dirfd, long pathVa, int mode) {
        Path path = path(p, dirfd, pathVa);
        try {
            Files.createDirectory(path, PosixFilePermissions.asFileAttribute(permissions(mode & ~p.umask)));
            return 0;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    private static long unlinkat(LinuxProcess p, int dirfd, long pathVa, int flags) {
        if ((flags & ~AT_REMOVEDIR) != 0) throw new Errno(Errno.EINVAL);
        Path path = path(p, dirfd, pathVa);
        boolean isDir = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
        if ((flags & AT_REMOVEDIR) != 0) {
            StatInfo.of(path, false);
            if (!isDir) throw new Errno(Errno.ENOTDIR);
        } else if (isDir) {
            throw new Errno(Errno.EISDIR);
        }
        try {
            Files.delete(path);
            return 0;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    private static long symlinkat(LinuxProcess p, long targetVa, int dirfd, long linkVa) {
        String target = p.space.readCString(targetVa, PATH_MAX);
        Path link = path(p, dirfd, linkVa);
        try {
            Files.createSymbolicLink(link, Path.of(target));
            return 0;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        } catch (java.nio.file.InvalidPathException e) {
            throw new Errno(Errno.ENOENT);
        }
    }

    private static long linkat(LinuxProcess p, int olddirfd, long oldVa, int newdirfd, long newVa, int flags) {
        Path existing = path(p, olddirfd, oldVa), link = path(p, newdirfd, newVa);
        try {
            Files.createLink(link, existing);
            return 0;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    private static long renameat(LinuxProcess p, int olddirfd, long oldVa, int newdirfd, long newVa, int flags) {
        final int noReplace = 1;
        if ((flags & ~noReplace) != 0) throw new Errno(Errno.EINVAL);
        Path from = path(p, olddirfd, oldVa), to = path(p, newdirfd, newVa);
        try {
            if ((flags & noReplace) != 0 && Files.exists(to, LinkOption.NOFOLLOW_LINKS)) throw new Errno(Errno.EEXIST);
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            return 0;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    /**
     * struct statfs from Java's FileStore: sizes, block size, read-only flag and the file system's magic number
     * (for the types Linux programs commonly check). Inode counts are not available there and read as 0, which
     * Linux also reports for file systems without a fixed inode table.
     */
    private static long statfs(LinuxProcess p, Path path, long buf) {
        try {
            java.nio.file.FileStore fs = Files.getFileStore(path);
            long bsize = fs.getBlockSize();
            ByteBuffer b = ByteBuffer.allocate(120).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(0, fsMagic(fs.type())).putLong(8, bsize).putLong(16, fs.getTotalSpace() / bsize)
                    .putLong(24, fs.getUnallocatedSpace() / bsize).putLong(32, fs.getUsableSpace() / bsize)
                    .putLong(64, 255).putLong(72, bsize).putLong(80, 0x20 /* ST_VALID */ | (fs.isReadOnly() ? 1 : 0));
            p.space.write(buf, b.array());
            return 0;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    private static long fsMagic(String type) {
        return switch (type) {
            case "ext2", "ext3", "ext4" -> 0xEF53;
            case "tmpfs" -> 0x01021994;
            case "xfs" -> 0x58465342;
            case "btrfs" -> 0x9123683EL;
            case "overlay" -> 0x794C7630;
            case "proc" -> 0x9FA0;
            case "sysfs" -> 0x62656572;
            case "nfs", "nfs4" -> 0x6969;
            case "vfat" -> 0x4D44;
            case "9p" -> 0x01021997;
            case "virtiofs" -> 0x6A656A63;
            case "devtmpfs" -> 0x01021994;
            case "zfs" -> 0x2FC12FC1;
            default -> 0;
        };
    }

    private static long truncatePath(LinuxProcess p, long pathVa, long length) {
        Path path = path(p, AT_FDCWD, pathVa);
        if (length < 0) throw new Errno(Errno.EINVAL);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            RegularFile f = new RegularFile(ch, path, OpenFile.O_WRONLY);
            f.truncate(length);
            return 0;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    /**
     * chmod through Java's POSIX view, which carries the nine permission bits: set-user-ID, set-group-ID and
     * sticky cannot be set this way, so asking for them fails with EPERM rather than being dropped silently.
     */
    private static long chmod(Path path, int mode) {
        if ((mode & 07000) != 0) throw new Errno(Errno.EPERM);
        try {
            Files.setPosixFilePermissions(path, permissions(mode));
            return 0;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    private static long chown(LinuxProcess p, int dirfd, long pathVa, int uid, int gid, int flags) {
        String s = p.space.readCString(pathVa, PATH_MAX);
        Path path = s.isEmpty() && (flags & AT_EMPTY_PATH) != 0 ? (dirfd == AT_FDCWD ? p.cwd : p.fds.get(dirfd).path())
                : p.resolve(dirfd, s);
        return chown(path, uid, gid, (flags & AT_SYMLINK_NOFOLLOW) == 0);
    }

    private static long chown(Path path, int uid, int gid, boolean follow) {
        LinkOption[] link = follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        try {
            StatInfo.of(path, follow);
            if (uid != -1) Files.setAttribute(path, "unix:uid", uid, link);
            if (gid != -1) Files.setAttribute(path, "unix:gid", gid, link);
            return 0;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    private static long utimensat(LinuxProcess p, int dirfd, long pathVa, long timesVa, int flags) {
        final long utimeNow = (1L << 30) - 1, utimeOmit = (1L << 30) - 2;
        Path path = pathVa == 0 ? p.fds.get(dirfd).path() : path(p, dirfd, pathVa);
        FileTime now = FileTime.from(java.time.Instant.now());
        FileTime atime = now, mtime = now;
        if (timesVa != 0) {
            long[] ts = {p.space.read64(timesVa), p.space.read64(timesVa + 8), p.space.read64(timesVa + 16),
                p.space.read64(timesVa + 24)};
            atime = timeOf(ts[0], ts[1], now, utimeNow, utimeOmit);
            mtime = timeOf(ts[2], ts[3], now, utimeNow, utimeOmit);
        }
        LinkOption[] link = (flags & AT_SYMLINK_NOFOLLOW) != 0
                ? new LinkOption[] {LinkOption.NOFOLLOW_LINKS} : new LinkOption[0];
        try {
            StatInfo.of(path, link.length == 0);
            Files.getFileAttributeView(path, BasicFileAttributeView.class, link).setTimes(mtime, atime, null);
            return 0;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    private static FileTime timeOf(long sec, long nsec, FileTime now, long utimeNow, long utimeOmit) {
        if (nsec == utimeNow) return now;
        if (nsec == utimeOmit) return null;
        if (nsec < 0 || nsec >= 1_000_000_000L) throw new Errno(Errno.EINVAL);
        return FileTime.from(java.time.Instant.ofEpochSecond(sec, nsec));
    }

    // ---- process, identity, system information ----

    private static void writeIds(LinuxProcess p, long a, long b, long c, int id) {
        p.space.write32(a, id);
        p.space.write32(b, id);
        p.space.write32(c, id);
    }

    private static long getgroups(LinuxProcess p, int size, long list) {
        int[] groups = Identity.groups();
        if (size == 0) return groups.length;
        if (size < groups.length) throw new Errno(Errno.EINVAL);
        for (int i = 0; i < groups.length; i++) p.space.write32(list + 4L * i, groups[i]);
        return groups.length;
    }

    /**
     * setpgid within the run: a process may move itself or a child into a new group or another group of its
     * session. The first process's group is the host's (jvisor's own), which it cannot leave.
     */
    private static long setpgid(LinuxProcess p, int pid, int pgid) {
        if (pgid < 0) throw new Errno(Errno.EINVAL);
        LinuxProcess target = pid == 0 ? p : p.relative(pid);
        if (target == null || (target != p && target.parent != p)) throw new Errno(Errno.ESRCH);
        int group = pgid == 0 ? target.pid : pgid;
        if (target.sid() == target.pid || target.sid() != p.sid()) throw new Errno(Errno.EPERM);
        if (group == target.pgid()) return 0;
        if (target.parent == null) throw new Errno(Errno.EPERM);
        if (group != target.pid && !p.groupExists(group, p.sid())) throw new Errno(Errno.EPERM);
        target.setGroup(group, target.sid());
        return 0;
    }

    /** setsid: a process that does not lead a group starts a session; the first process keeps the host's. */
    private static long setsid(LinuxProcess p) {
        if (p.pgid() == p.pid || p.parent == null) throw new Errno(Errno.EPERM);
        p.setGroup(p.pid, p.pid);
        return p.pid;
    }

    private static long getpgid(LinuxProcess p, int pid, boolean session) {
        LinuxProcess target = pid == 0 ? p : p.relative(pid);
        if (target == null) throw new Errno(Errno.ESRCH);
        return session ? target.sid() : target.pgid();
    }

    private static long uname(LinuxProcess p, long buf) {
        String[] fields = {"Linux", HostInfo.hostname(), HostInfo.kernelRelease(), HostInfo.kernelVersion(),
            "aarch64", "(none)"};
        byte[] out = new byte[65 * 6];
        for (int i = 0; i < 6; i++) {
            byte[] s = LinuxProcess.utf8(fields[i]);
            System.arraycopy(s, 0, out, 65 * i, Math.min(s.length, 64));
        }
        p.space.write(buf, out);
        return 0;
    }

    private static long prctl(GuestThread t, int option, long arg) {
        final int setName = 15, getName = 16;
        return switch (option) {
            case setName -> {
                byte[] name = LinuxProcess.utf8(t.process.space.readCString(arg, 1 << 16));
                t.name = new String(name, 0, Math.min(name.length, 15), java.nio.charset.StandardCharsets.UTF_8);
                yield 0;
            }
            case getName -> {
                byte[] name = LinuxProcess.utf8(t.name);
                t.process.space.write(arg, java.util.Arrays.copyOf(name, 16));
                yield 0;
            }
            default -> -Errno.EINVAL;
        };
    }

    /** Threads here always run under SCHED_OTHER with static priority 0; the calls only check their target. */
    private static void schedTarget(LinuxProcess p, int pid) {
        if (pid < 0) throw new Errno(Errno.EINVAL);
        if (pid != 0 && p.thread(pid) == null && p.relative(pid) == null) throw new Errno(Errno.ESRCH);
    }

    /** sched_get_priority_max/min: 1..99 for the real-time policies, 0 for the others, as Linux answers. */
    private static long schedPriorityLimit(int policy, boolean max) {
        return switch (policy) {
            case 1, 2 -> max ? 99 : 1;
            case 0, 3, 5 -> 0;
            default -> throw new Errno(Errno.EINVAL);
        };
    }

    private static long schedGetaffinity(LinuxProcess p, long size, long mask) {
        if (size < 8 || (size & 7) != 0) throw new Errno(Errno.EINVAL);
        int cpus = Math.min(Runtime.getRuntime().availableProcessors(), 64);
        p.space.write64(mask, cpus == 64 ? -1L : (1L << cpus) - 1);
        return 8;
    }

    private static long getrandom(LinuxProcess p, long buf, long count) {
        int n = count(count, 1 << 25);
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        p.space.write(buf, b);
        return n;
    }

    private static long membarrier(LinuxProcess p, int cmd) {
        final int query = 0, global = 1, privateExpedited = 8, registerPrivateExpedited = 16;
        return switch (cmd) {
            case query -> global | privateExpedited | registerPrivateExpedited;
            case global, privateExpedited -> {
                // Every other thread passes through its run loop's volatile exitRequest read: a full barrier there.
                VarHandle.fullFence();
                for (GuestThread other : p.threads()) other.cpu.exitRequest = true;
                yield 0;
            }
            case registerPrivateExpedited -> 0;
            default -> -Errno.EINVAL;
        };
    }

    // ---- threads ----

    static final long CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
            CLONE_VFORK = 0x4000, CLONE_THREAD = 0x10000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000,
            CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_CHILD_SETTID = 0x1000000;

    private static long clone(GuestThread t, long flags, long stack, long parentTid, long tls, long childTid) {
        return spawn(t, flags, stack, parentTid, tls, childTid);
    }

    private static long clone3(GuestThread t, long args, long size) {
        if (size < 64) throw new Errno(Errno.EINVAL);
        AddressSpace s = t.process.space;
        long flags = s.read64(args), childTid = s.read64(args + 16), parentTid = s.read64(args + 24),
                stack = s.read64(args + 40), stackSize = s.read64(args + 48), tls = s.read64(args + 56);
        if (s.read64(args + 32) != 0 && (flags & CLONE_THREAD) != 0) throw new Errno(Errno.EINVAL);
        return spawn(t, flags, stack == 0 ? 0 : stack + stackSize, parentTid, tls, childTid);
    }

    /**
     * clone for threads (CLONE_VM | CLONE_SIGHAND | CLONE_THREAD, what pthread_create passes) and for new processes
     * (fork, and vfork / posix_spawn's CLONE_VM | CLONE_VFORK, run as a fork). Other sharing combinations, such as
     * CLONE_VM without CLONE_VFORK for a new process, are not supported.
     */
    private static long spawn(GuestThread t, long flags, long stack, long parentTid, long tls, long childTid) {
        LinuxProcess p = t.process;
        long threadFlags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;
        boolean setTls = (flags & CLONE_SETTLS) != 0;
        if ((flags & threadFlags) == threadFlags && (flags & CLONE_VFORK) == 0) {
            GuestThread child = p.spawnThread(t, stack, tls, setTls);
            if ((flags & CLONE_PARENT_SETTID) != 0) p.space.write32(parentTid, child.tid);
            if ((flags & CLONE_CHILD_SETTID) != 0) p.space.write32(childTid, child.tid);
            if ((flags & CLONE_CHILD_CLEARTID) != 0) child.clearChildTid = childTid;
            p.launch(child);
            return child.tid;
        }
        boolean vfork = (flags & CLONE_VFORK) != 0;
        long sharing = CLONE_SIGHAND | CLONE_THREAD | CLONE_FS | CLONE_FILES;
        if ((flags & sharing) != 0 || ((flags & CLONE_VM) != 0 && !vfork)) {
            p.warnOnce(String.format("clone with flags 0x%x is not supported", flags));
            return -Errno.ENOSYS;
        }
        GuestThread child = p.fork(t, stack, tls, setTls);
        int pid = child.process.pid;
        if ((flags & CLONE_PARENT_SETTID) != 0) p.space.write32(parentTid, pid);
        if ((flags & CLONE_CHILD_SETTID) != 0) child.process.space.write32(childTid, pid);
        if ((flags & CLONE_CHILD_CLEARTID) != 0) child.clearChildTid = childTid;
        p.startForked(child, t, vfork);
        return pid;
    }

    private static long execve(GuestThread t, long pathVa, long argvVa, long envpVa) {
        LinuxProcess p = t.process;
        String name = p.space.readCString(pathVa, PATH_MAX);
        Path path = ProcFiles.redirect(p, p.resolve(AT_FDCWD, name));
        java.util.List<String> argv = stringArray(p, argvVa), envp = stringArray(p, envpVa);
        checkExecutable(path);
        // Scripts: "#!interpreter [arg]" runs the interpreter on the script, as binfmt_script does (nested up to 4).
        for (int depth = 0; ; depth++) {
            String[] shebang = shebang(path);
            if (shebang == null) break;
            if (depth == 4) throw new Errno(Errno.ELOOP);
            java.util.List<String> next = new java.util.ArrayList<>();
            next.add(shebang[0]);
            if (shebang.length > 1) next.add(shebang[1]);
            next.add(name);
            if (argv.size() > 1) next.addAll(argv.subList(1, argv.size()));
            argv = next;
            name = shebang[0];
            path = ProcFiles.redirect(p, p.resolve(AT_FDCWD, name));
            checkExecutable(path);
        }
        p.exec(t, path, name, argv, envp);
        return 0;
    }

    private static void checkExecutable(Path path) {
        StatInfo st = StatInfo.of(path, true);
        if ((st.mode() & StatInfo.S_IFMT) != StatInfo.S_IFREG || !Files.isExecutable(path)) {
            throw new Errno(Errno.EACCES);
        }
    }

    /** The interpreter and optional argument of a "#!" script (Linux reads at most 255 bytes of the line), or null. */
    private static String[] shebang(Path path) {
        byte[] head = new byte[256];
        int n;
        try (var in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
        if (n < 2 || head[0] != '#' || head[1] != '!') return null;
        int end = 2;
        while (end < n && head[end] != '\n') end++;
        String line = new String(head, 2, end - 2, java.nio.charset.StandardCharsets.UTF_8).strip();
        if (line.isEmpty()) throw new Errno(Errno.ENOEXEC);
        int space = line.indexOf(' ') < 0 ? line.indexOf('\t') : line.indexOf(' ');
        if (space < 0) return new String[] {line};
        String arg = line.substring(space + 1).strip();
        return arg.isEmpty() ? new String[] {line.substring(0, space)} : new String[] {line.substring(0, space), arg};
    }

    /** A NULL-terminated array of string pointers (argv, envp), with Linux's limits. */
    private static java.util.List<String> stringArray(LinuxProcess p, long va) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (va == 0) return out;
        long total = 0;
        for (int i = 0; ; i++) {
            if (i > 0x7FFF) throw new Errno(Errno.E2BIG);
            long s = p.space.read64(va + 8L * i);
            if (s == 0) return out;
            String str = p.space.readCString(s, 128 * 1024);
            total += str.length() + 1;
            if (total > 2 * 1024 * 1024) throw new Errno(Errno.E2BIG);
            out.add(str);
        }
    }

    static final int WNOHANG = 1, WUNTRACED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x1000000,
            WNOTHREAD = 0x20000000, WALL = 0x40000000, WCLONE = 0x80000000;

    private static long wait4(GuestThread t, int pid, long statusVa, int options, long rusageVa) {
        if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE)) != 0) {
            throw new Errno(Errno.EINVAL);
        }
        if (pid == Integer.MIN_VALUE) throw new Errno(Errno.ESRCH);
        var which = new LinuxProcess.WaitFor(pid, true, (options & WUNTRACED) != 0, (options & WCONTINUED) != 0);
        LinuxProcess.Reaped r = t.process.waitChild(t, which, (options & WNOHANG) != 0, false);
        if (r == null) return 0;
        if (statusVa != 0) t.process.space.write32(statusVa, r.waitStatus());
        if (rusageVa != 0) t.process.space.write(rusageVa, Time.rusage(r.cpu()));
        return r.pid();
    }

    private static long waitid(GuestThread t, int idtype, int id, long infoVa, int options) {
        final int pAll = 0, pPid = 1, pPgid = 2;
        if ((options & (WEXITED | WUNTRACED | WCONTINUED)) == 0) throw new Errno(Errno.EINVAL);
        int pid = switch (idtype) {
            case pAll -> -1;
            case pPid -> {
                if (id <= 0) throw new Errno(Errno.EINVAL);
                yield id;
            }
            case pPgid -> {
                if (id < 0) throw new Errno(Errno.EINVAL);
                yield id == 0 ? 0 : -id;
            }
            default -> throw new Errno(Errno.EINVAL);
        };
        var which = new LinuxProcess.WaitFor(pid, (options & WEXITED) != 0, (options & WUNTRACED) != 0,
                (options & WCONTINUED) != 0);
        LinuxProcess.Reaped r = t.process.waitChild(t, which, (options & WNOHANG) != 0, (options & WNOWAIT) != 0);
        ByteBuffer b = ByteBuffer.allocate(Signals.SIGINFO_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        if (r != null) {
            b.putInt(0, Signals.SIGCHLD).putInt(8, r.code()).putInt(16, r.pid()).putInt(20, Identity.UID)
                    .putInt(24, r.status());
        }
        if (infoVa != 0) t.process.space.write(infoVa, b.array());
        return 0;
    }

    private static long futex(GuestThread t, long addr, int op, int val, long timeoutVa, long addr2, int val3) {
        Futexes f = t.process.futexes;
        int cmd = op & ~(Futexes.FUTEX_PRIVATE_FLAG | Futexes.FUTEX_CLOCK_REALTIME);
        return switch (cmd) {
            case Futexes.FUTEX_WAIT -> f.wait(t, addr, val, Futexes.BITSET_MATCH_ANY, relativeDeadline(t, timeoutVa));
            case Futexes.FUTEX_WAIT_BITSET -> f.wait(t, addr, val, val3,
                    absoluteDeadline(t, timeoutVa, (op & Futexes.FUTEX_CLOCK_REALTIME) != 0));
            case Futexes.FUTEX_WAKE -> f.wake(addr, val, Futexes.BITSET_MATCH_ANY);
            case Futexes.FUTEX_WAKE_BITSET -> f.wake(addr, val, val3);
            case Futexes.FUTEX_REQUEUE -> f.requeue(t, addr, addr2, val, (int) timeoutVa, null);
            case Futexes.FUTEX_CMP_REQUEUE -> f.requeue(t, addr, addr2, val, (int) timeoutVa, val3);
            case Futexes.FUTEX_WAKE_OP -> f.wakeOp(t, addr, addr2, val, (int) timeoutVa, val3);
            default -> unimplemented(t.process, 98);
        };
    }

    private static long relativeDeadline(GuestThread t, long timeoutVa) {
        if (timeoutVa == 0) return Long.MAX_VALUE;
        long nanos = Time.readTimespec(t.process.space, timeoutVa);
        return System.nanoTime() + nanos;
    }

    private static long absoluteDeadline(GuestThread t, long timeoutVa, boolean realtime) {
        if (timeoutVa == 0) return Long.MAX_VALUE;
        long when = Time.readTimespec(t.process.space, timeoutVa);
        long now = realtime ? Time.realtimeNanos() : System.nanoTime();
        return System.nanoTime() + (when - now);
    }

    // ---- signals ----

    private static void checkSigsetSize(long size) {
        if (size != 8) throw new Errno(Errno.EINVAL);
    }

    private static long sigaction(GuestThread t, int sig, long act, long oldact, long sigsetsize) {
        checkSigsetSize(sigsetsize);
        if (sig < 1 || sig > Signals.NSIG) throw new Errno(Errno.EINVAL);
        AddressSpace s = t.process.space;
        Signals.Action updated = null;
        if (act != 0) {
            if (sig == Signals.SIGKILL || sig == Signals.SIGSTOP) throw new Errno(Errno.EINVAL);
            updated = new Signals.Action(s.read64(act), s.read64(act + 8), s.read64(act + 16),
                    s.read64(act + 24) & ~Signals.UNBLOCKABLE);
        }
        Signals.Action old = updated == null ? t.process.signals.action(sig) : null;
        if (oldact != 0) s.check(oldact, 32, AddressSpace.PROT_WRITE);
        if (updated != null) old = t.process.signals.setAction(sig, updated);
        if (oldact != 0) {
            s.write(oldact, ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putLong(old.handler())
                    .putLong(old.flags()).putLong(old.restorer()).putLong(old.mask()).array());
        }
        return 0;
    }

    private static long sigprocmask(GuestThread t, int how, long set, long oldset, long sigsetsize) {
        checkSigsetSize(sigsetsize);
        AddressSpace s = t.process.space;
        long old = t.blocked();
        if (set != 0) {
            long m = s.read64(set);
            long next = switch (how) {
                case 0 -> old | m;
                case 1 -> old & ~m;
                case 2 -> m;
                default -> throw new Errno(Errno.EINVAL);
            };
            if (oldset != 0) s.check(oldset, 8, AddressSpace.PROT_WRITE);
            t.setBlocked(next);
        }
        if (oldset != 0) s.write64(oldset, old);
        return 0;
    }

    private static long sigsuspend(GuestThread t, long maskVa, long size) {
        checkSigsetSize(size);
        long mask = t.process.space.read64(maskVa);
        t.suspendWith(mask);
        while (!t.interruptPending()) LockSupport.park(t);
        return -Errno.EINTR;
    }

    private static long sigaltstack(GuestThread t, long ss, long oss) {
        AddressSpace s = t.process.space;
        long oldSp = t.altStackSp(), oldSize = t.altStackSize();
        int oldFlags = t.altStackFlags(t.cpu.sp());
        if (ss != 0) t.setAltStack(s.read64(ss), s.read32(ss + 8), s.read64(ss + 16));
        if (oss != 0) {
            s.write(oss, ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(oldSp).putInt(oldFlags)
                    .putInt(0).putLong(oldSize).array());
        }
        return 0;
    }

    /**
     * kill(): a process of this run (the first one and everything it forked), a process group among them (0: the
     * caller's, -pgid: that one) or all of them (-1). Host processes outside the run cannot be signalled.
     */
    private static long kill(GuestThread t, int pid, int sig) {
        LinuxProcess p = t.process;
        if (sig < 0 || sig > Signals.NSIG) throw new Errno(Errno.EINVAL);
        if (pid == Integer.MIN_VALUE) throw new Errno(Errno.ESRCH);
        java.util.List<LinuxProcess> targets;
        if (pid > 0) {
            LinuxProcess target = p.relative(pid);
            if (target == null) throw new Errno(ProcessHandle.of(pid).isPresent() ? Errno.EPERM : Errno.ESRCH);
            targets = java.util.List.of(target);
        } else {
            int group = pid == 0 ? p.pgid() : -pid;
            targets = p.relatives().stream().filter(r -> pid == -1 || r.pgid() == group).toList();
            if (targets.isEmpty()) throw new Errno(Errno.ESRCH);
        }
        if (sig == 0) return 0;
        for (LinuxProcess target : targets) {
            if (!target.exiting()) target.signals.sendToProcess(sig, Signals.userInfo(sig, Signals.SI_USER, p));
        }
        return 0;
    }

    private static long sigpending(GuestThread t, long set, long size) {
        checkSigsetSize(size);
        t.process.space.write64(set, (t.pending() | t.process.signals.sharedPending()) & t.blocked());
        return 0;
    }

    private static long tgkill(GuestThread t, int tgid, int tid, int sig) {
        LinuxProcess p = t.process;
        if (sig < 0 || sig > Signals.NSIG || tid <= 0) throw new Errno(Errno.EINVAL);
        GuestThread target = p.thread(tid);
        if (tgid != p.pid || target == null) throw new Errno(Errno.ESRCH);
        if (sig != 0) p.signals.sendToThread(target, sig, Signals.userInfo(sig, Signals.SI_TKILL, p));
        return 0;
    }
}
