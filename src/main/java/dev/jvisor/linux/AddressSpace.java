package dev.jvisor.linux;

import dev.jvisor.memory.CpuMemory;
import dev.jvisor.memory.GuestRam;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The memory of one guest process, shared by all its threads: a single host reservation in which guest virtual
 * address == offset (so every TLB addend is 0), a permission byte per 4 KiB page, the brk heap and a top-down mmap
 * allocator. Mapping changes bump {@link #epoch()}; each thread's {@link UserMemory} flushes its TLB when it sees a
 * new epoch, and {@link #onChange} kicks the other threads out of their run loops so that they look promptly.
 */
public final class AddressSpace {
    public static final long PAGE = CpuMemory.PAGE_SIZE;
    /** 64 GiB: room for any program we run, reserved without backing so untouched parts cost nothing. */
    public static final long DEFAULT_SIZE = 1L << 36;
    /** Where a position-independent executable goes; far from both the classic 0x400000 and the mmap area. */
    public static final long PIE_BASE = 0x4_0000_0000L;
    /** Linux's vm.mmap_min_addr default: the lowest page never handed out, so that NULL stays a fault. */
    static final long MIN_ADDR = 0x10000;
    static final long STACK_SIZE = 8L << 20;

    static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    /** Permission-byte bits beyond the PROT_* ones. */
    static final int MAPPED = 8, SHARED_FILE_COPY = 16;

    private final GuestRam ram;
    private final long size;
    private final byte[] perms;
    /** Mapped ranges, merged when adjacent: start → end. Only for finding free space. */
    private final TreeMap<Long, Long> ranges = new TreeMap<>();
    private volatile long epoch;
    private Runnable onChange = () -> {};

    private long brkStart, brkCurrent;
    private final long stackTop;
    private final long mmapTop;

    public AddressSpace() {
        this(DEFAULT_SIZE);
    }

    public AddressSpace(long size) {
        this.ram = GuestRam.reserve(size);
        this.size = size;
        this.perms = new byte[(int) (size / PAGE)];
        this.stackTop = size;
        this.mmapTop = stackTop - STACK_SIZE - (16L << 20);
    }

    GuestRam ram() {
        return ram;
    }

    public long size() {
        return size;
    }

    public long stackTop() {
        return stackTop;
    }

    long epoch() {
        return epoch;
    }

    /** What to do after a mapping change so that other threads notice it before their next memory access. */
    void setOnChange(Runnable onChange) {
        this.onChange = onChange;
    }

    /** The permission byte of the page holding {@code va}, 0 when unmapped or outside the space. */
    int pagePerms(long va) {
        if (va < 0 || va >= size) return 0;
        return perms[(int) (va >>> CpuMemory.PAGE_SHIFT)];
    }

    static long pageDown(long a) {
        return a & ~(PAGE - 1);
    }

    static long pageUp(long a) {
        return (a + PAGE - 1) & ~(PAGE - 1);
    }

    private void changed() {
        epoch++;
        onChange.run();
    }

    private boolean inside(long start, long length) {
        return start >= 0 && length >= 0 && start <= size && length <= size - start;
    }

    // ---- mapping primitives (page-aligned arguments) ----

    /** Maps fresh zero pages over {@code [start, start+length)}, replacing whatever was there. */
    synchronized void mapZero(long start, long length, int prot) {
        unmapPages(start, length);
        setPerms(start, length, MAPPED | normalise(prot));
        addRange(start, start + length);
        changed();
    }

    /** Linux on arm64 makes every writable or executable mapping readable too. */
    private static int normalise(int prot) {
        int p = prot & 7;
        if (p != 0) p |= PROT_READ;
        return p;
    }

    private void setPerms(long start, long length, int value) {
        int first = (int) (start >>> CpuMemory.PAGE_SHIFT);
        int last = (int) ((start + length) >>> CpuMemory.PAGE_SHIFT);
        java.util.Arrays.fill(perms, first, last, (byte) value);
    }

    synchronized void unmap(long start, long length) {
        unmapPages(start, length);
        changed();
    }

    private void unmapPages(long start, long length) {
        if (length == 0) return;
        ram.discard(start, length);
        setPerms(start, length, 0);
        removeRange(start, start + length);
    }

    /** mprotect: every page must be mapped; writable copies of shared file mappings are refused as Linux does. */
    synchronized void protect(long start, long length, int prot) {
        if (!fullyMapped(start, length)) throw new Errno(Errno.ENOMEM);
        int p = normalise(prot);
        for (long a = start; a < start + length; a += PAGE) {
            int old = pagePerms(a);
            if ((old & SHARED_FILE_COPY) != 0 && (p & PROT_WRITE) != 0) throw new Errno(Errno.EACCES);
        }
        for (long a = start; a < start + length; a += PAGE) {
            int i = (int) (a >>> CpuMemory.PAGE_SHIFT);
            perms[i] = (byte) (MAPPED | (perms[i] & SHARED_FILE_COPY) | p);
        }
        changed();
    }

    synchronized void markSharedFileCopy(long start, long length) {
        for (long a = start; a < start + length; a += PAGE) perms[(int) (a >>> CpuMemory.PAGE_SHIFT)] |= SHARED_FILE_COPY;
    }

    synchronized boolean fullyMapped(long start, long length) {
        if (!inside(start, length)) return false;
        for (long a = start; a < start + length; a += PAGE) if ((pagePerms(a) & MAPPED) == 0) return false;
        return true;
    }

    synchronized boolean isFree(long start, long length) {
        if (start < MIN_ADDR || !inside(start, length)) return false;
        Map.Entry<Long, Long> below = ranges.floorEntry(start);
        if (below != null && below.getValue() > start) return false;
        Long next = ranges.ceilingKey(start);
        return next == null || next >= start + length;
    }

    /** The highest free range of {@code length} bytes ending at or below the mmap top, or -ENOMEM. */
    synchronized long findFree(long length) {
        // Never below the break, so that the heap keeps room to grow.
        long floor = Math.max(MIN_ADDR, pageUp(brkCurrent));
        long top = mmapTop;
        for (Map.Entry<Long, Long> e : ranges.headMap(top, false).descendingMap().entrySet()) {
            long end = Math.max(Math.min(e.getValue(), top), floor);
            if (top - end >= length) return top - length;
            top = Math.min(top, e.getKey());
            if (top <= floor) throw new Errno(Errno.ENOMEM);
        }
        if (top - floor >= length) return top - length;
        throw new Errno(Errno.ENOMEM);
    }

    private void addRange(long start, long end) {
        removeRange(start, end);
        Map.Entry<Long, Long> below = ranges.floorEntry(start);
        if (below != null && below.getValue() == start) {
            start = below.getKey();
            ranges.remove(start);
        }
        Long after = ranges.get(end);
        if (after != null) {
            ranges.remove(end);
            end = after;
        }
        ranges.put(start, end);
    }

    private void removeRange(long start, long end) {
        Map.Entry<Long, Long> below = ranges.lowerEntry(start);
        if (below != null && below.getValue() > start) {
            ranges.put(below.getKey(), start);
            if (below.getValue() > end) ranges.put(end, below.getValue());
        }
        for (Map.Entry<Long, Long> e = ranges.ceilingEntry(start); e != null && e.getKey() < end;
             e = ranges.ceilingEntry(start)) {
            ranges.remove(e.getKey());
            if (e.getValue() > end) ranges.put(end, e.getValue());
        }
    }

    /**
     * mremap's move: the pages of {@code [from, from+oldLength)} (contents and permissions) now live at {@code to},
     * grown with zero pages of the same protection up to {@code newLength}; the old range is unmapped.
     */
    synchronized void move(long from, long oldLength, long to, long newLength) {
        int protOfLast = pagePerms(from + oldLength - PAGE);
        byte[] saved = java.util.Arrays.copyOfRange(perms, (int) (from >>> CpuMemory.PAGE_SHIFT),
                (int) ((from + oldLength) >>> CpuMemory.PAGE_SHIFT));
        unmapPages(to, newLength);
        ram.move(from, to, oldLength);
        unmapPages(from, oldLength);
        System.arraycopy(saved, 0, perms, (int) (to >>> CpuMemory.PAGE_SHIFT), saved.length);
        if (newLength > oldLength) setPerms(to + oldLength, newLength - oldLength, protOfLast & ~SHARED_FILE_COPY);
        addRange(to, to + newLength);
        changed();
    }

    /** Grows a mapping in place into free pages after it, with the protection of its last page. */
    synchronized void growInPlace(long start, long oldLength, long newLength) {
        int prot = pagePerms(start + oldLength - PAGE) & ~SHARED_FILE_COPY;
        setPerms(start + oldLength, newLength - oldLength, prot);
        addRange(start + oldLength, start + newLength);
        changed();
    }

    // ---- brk ----

    synchronized void initBrk(long start) {
        brkStart = brkCurrent = pageUp(start);
    }

    long brkStart() {
        return brkStart;
    }

    /** brk(2): moves the break if it can and returns the (possibly unchanged) break, as the kernel does. */
    synchronized long brk(long requested) {
        if (requested < brkStart) return brkCurrent;
        long oldTop = pageUp(brkCurrent), newTop = pageUp(requested);
        if (newTop > oldTop) {
            if (!isFree(oldTop, newTop - oldTop) || newTop > mmapTop) return brkCurrent;
            setPerms(oldTop, newTop - oldTop, MAPPED | PROT_READ | PROT_WRITE);
            addRange(oldTop, newTop);
            changed();
        } else if (newTop < oldTop) {
            unmapPages(newTop, oldTop - newTop);
            changed();
        }
        brkCurrent = requested;
        return brkCurrent;
    }

    // ---- guest memory as system calls see it: permission-checked, EFAULT on failure ----

    /** Checks that every page of {@code [va, va+length)} allows {@code need} (PROT_READ or PROT_WRITE). */
    void check(long va, long length, int need) {
        if (length == 0) return;
        if (!inside(va, length)) throw new Errno(Errno.EFAULT);
        for (long a = pageDown(va); a < va + length; a += PAGE) {
            int p = pagePerms(a);
            if ((p & MAPPED) == 0 || (p & need) != need) throw new Errno(Errno.EFAULT);
        }
    }

    /** A direct buffer over guest memory, for I/O straight into or out of it. */
    ByteBuffer buffer(long va, int length, int need) {
        check(va, length, need);
        return ram.buffer(va, length);
    }

    byte[] read(long va, int length) {
        check(va, length, PROT_READ);
        byte[] b = new byte[length];
        ram.copyOut(va, b, 0, length);
        return b;
    }

    void write(long va, byte[] data) {
        write(va, data, data.length);
    }

    void write(long va, byte[] data, int length) {
        check(va, length, PROT_WRITE);
        ram.copyIn(va, data, 0, length);
    }

    long read64(long va) {
        return ByteBuffer.wrap(read(va, 8)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    int read32(long va) {
        return ByteBuffer.wrap(read(va, 4)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    }

    void write64(long va, long value) {
        write(va, ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(value).array());
    }

    void write32(long va, int value) {
        write(va, ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    /** A NUL-terminated string of at most {@code max} bytes (ENAMETOOLONG beyond), decoded as UTF-8. */
    String readCString(long va, int max) {
        byte[] out = new byte[64];
        int n = 0;
        while (true) {
            if (n == max) throw new Errno(Errno.ENAMETOOLONG);
            check(va + n, 1, PROT_READ);
            // Read up to the end of this page in one go.
            int chunk = (int) Math.min(PAGE - ((va + n) & (PAGE - 1)), max - n);
            if (out.length < n + chunk) out = java.util.Arrays.copyOf(out, Math.max(out.length * 2, n + chunk));
            ram.copyOut(va + n, out, n, chunk);
            for (int i = n; i < n + chunk; i++) {
                if (out[i] == 0) return new String(out, 0, i, StandardCharsets.UTF_8);
            }
            n += chunk;
        }
    }
}
