package dev.jvisor.linux;

/**
 * mmap, munmap, mprotect, mremap and madvise over the process's {@link AddressSpace}. File mappings are copies of
 * the file's content: exact for MAP_PRIVATE; MAP_SHARED is accepted only without PROT_WRITE (a read-only snapshot,
 * which mprotect then refuses to make writable) and fails with ENODEV when writable, since writes could not reach
 * the file.
 */
final class Mappings {
    static final int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_SHARED_VALIDATE = 3, MAP_FIXED = 0x10,
            MAP_ANONYMOUS = 0x20, MAP_FIXED_NOREPLACE = 0x100000;
    static final int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2;
    static final int MADV_DONTNEED = 4;

    private Mappings() {}

    private static void done(GuestThread t) {
        t.mem.sync();
    }

    static long mmap(GuestThread t, long addr, long len, int prot, int flags, int fd, long offset) {
        AddressSpace s = t.process.space;
        int type = flags & 3;
        if (len == 0 || type == 0 || (offset & (AddressSpace.PAGE - 1)) != 0) throw new Errno(Errno.EINVAL);
        if ((prot & ~7) != 0) throw new Errno(Errno.EINVAL);
        long length = AddressSpace.pageUp(len);
        if (length <= 0 || length > s.size()) throw new Errno(Errno.ENOMEM);

        RegularFile file = null;
        if ((flags & MAP_ANONYMOUS) == 0) {
            OpenFile f = t.process.fds.get(fd);
            if (!(f instanceof RegularFile rf)) throw new Errno(f instanceof DirectoryFile ? Errno.ENODEV : Errno.EACCES);
            if (!f.readable()) throw new Errno(Errno.EACCES);
            if (type != MAP_PRIVATE && (prot & AddressSpace.PROT_WRITE) != 0) throw new Errno(Errno.ENODEV);
            file = rf;
        }

        long start;
        if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0) {
            if ((addr & (AddressSpace.PAGE - 1)) != 0) throw new Errno(Errno.EINVAL);
            if (addr < AddressSpace.MIN_ADDR || addr > s.size() - length) throw new Errno(Errno.ENOMEM);
            if ((flags & MAP_FIXED) == 0 && !s.isFree(addr, length)) throw new Errno(Errno.EEXIST);
            start = addr;
        } else {
            long hint = AddressSpace.pageDown(addr);
            start = hint != 0 && s.isFree(hint, length) ? hint : s.findFree(length);
        }

        byte[] content = null;
        if (file != null) {
            long size = file.stat().size();
            int n = (int) Math.max(0, Math.min(length, size - offset));
            content = n == 0 ? new byte[0] : file.readForMapping(offset, n);
        }
        s.mapZero(start, length, prot);
        if (content != null) {
            s.ram().copyIn(start, content, 0, content.length);
            if (type != MAP_PRIVATE) s.markSharedFileCopy(start, length);
        }
        done(t);
        return start;
    }

    static long munmap(GuestThread t, long addr, long len) {
        AddressSpace s = t.process.space;
        if ((addr & (AddressSpace.PAGE - 1)) != 0 || len == 0) throw new Errno(Errno.EINVAL);
        long length = AddressSpace.pageUp(len);
        if (addr < 0 || length <= 0 || addr > s.size() - length) throw new Errno(Errno.EINVAL);
        s.unmap(addr, length);
        done(t);
        return 0;
    }

    static long mprotect(GuestThread t, long addr, long len, int prot) {
        AddressSpace s = t.process.space;
        if ((addr & (AddressSpace.PAGE - 1)) != 0 || (prot & ~7) != 0) throw new Errno(Errno.EINVAL);
        if (len == 0) return 0;
        s.protect(addr, AddressSpace.pageUp(len), prot);
        done(t);
        return 0;
    }

    static long mremap(GuestThread t, long old, long oldLen, long newLen, int flags, long newAddr) {
        AddressSpace s = t.process.space;
        if ((old & (AddressSpace.PAGE - 1)) != 0 || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) != 0) {
            throw new Errno(Errno.EINVAL);
        }
        if ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0) throw new Errno(Errno.EINVAL);
        long oldLength = AddressSpace.pageUp(oldLen), newLength = AddressSpace.pageUp(newLen);
        if (newLength == 0 || oldLength == 0) throw new Errno(Errno.EINVAL);
        if (!s.fullyMapped(old, oldLength)) throw new Errno(Errno.EFAULT);
        long result;
        if ((flags & MREMAP_FIXED) != 0) {
            if ((newAddr & (AddressSpace.PAGE - 1)) != 0 || newAddr < AddressSpace.MIN_ADDR
                    || newAddr > s.size() - newLength) {
                throw new Errno(Errno.EINVAL);
            }
            if (newAddr < old + oldLength && old < newAddr + newLength) throw new Errno(Errno.EINVAL);
            s.move(old, Math.min(oldLength, newLength), newAddr, newLength);
            if (oldLength > newLength) s.unmap(old + newLength, oldLength - newLength);
            result = newAddr;
        } else if (newLength <= oldLength) {
            if (newLength < oldLength) s.unmap(old + newLength, oldLength - newLength);
            result = old;
        } else if (s.isFree(old + oldLength, newLength - oldLength)) {
            s.growInPlace(old, oldLength, newLength);
            result = old;
        } else if ((flags & MREMAP_MAYMOVE) != 0) {
            long to = s.findFree(newLength);
            s.move(old, oldLength, to, newLength);
            result = to;
        } else {
            throw new Errno(Errno.ENOMEM);
        }
        done(t);
        return result;
    }

    /**
     * MADV_DONTNEED really drops the pages (they read as zero afterwards, as for private anonymous memory); the other
     * advice only tunes the kernel's behaviour and has no visible effect here.
     */
    static long madvise(GuestThread t, long addr, long len, int advice) {
        AddressSpace s = t.process.space;
        if ((addr & (AddressSpace.PAGE - 1)) != 0 || len < 0) throw new Errno(Errno.EINVAL);
        long length = AddressSpace.pageUp(len);
        if (length == 0) return 0;
        if (!s.fullyMapped(addr, length)) throw new Errno(Errno.ENOMEM);
        if (advice == MADV_DONTNEED) s.ram().discard(addr, length);
        return 0;
    }
}
