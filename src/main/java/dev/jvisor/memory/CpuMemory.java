package dev.jvisor.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One vCPU's view of guest memory: a software TLB in front of a translation that subclasses provide (the user-mode
 * address space, or the system-mode MMU). Every engine reaches guest memory through these methods; the fast path is a
 * tag compare and one off-heap access, and everything else (misses, page-crossing accesses, MMIO, faults) goes
 * through {@link #translatePage}.
 *
 * <p>All guest data is little-endian, as on the x86-64 and AArch64 hosts the JVM runs on here. A TLB entry maps a
 * guest page to the offset of the host page inside {@link #ram}: {@code host = addend + va}.
 */
public abstract class CpuMemory {
    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    public static final long PAGE_MASK = PAGE_SIZE - 1;

    private static final int TLB_BITS = 10;
    private static final int TLB_SIZE = 1 << TLB_BITS;
    private static final int TLB_MASK = TLB_SIZE - 1;

    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final VarHandle INT_ATOMIC = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG_ATOMIC = ValueLayout.JAVA_LONG.varHandle();

    /** The host memory every TLB entry points into. */
    protected final MemorySegment ram;

    /** The TLB in use: one of {@link #tlbSets}, each {read, write, exec} x {tag, addend}. */
    private long[] readTag, readAdd, writeTag, writeAdd, execTag, execAdd;
    private final long[][][] tlbSets;

    protected CpuMemory(MemorySegment ram) {
        this(ram, 1);
    }

    /**
     * A view with {@code tlbSets} independent TLBs, for translations whose permissions depend on a context (the
     * system-mode MMU keeps one per privilege) so that switching context selects a TLB instead of flushing one.
     */
    protected CpuMemory(MemorySegment ram, int tlbSets) {
        this.ram = ram;
        this.tlbSets = new long[tlbSets][6][TLB_SIZE];
        selectTlb(0);
        flushTlb();
    }

    /** Every misaligned data access faults; see {@link #setStrictAlignment}. */
    private boolean strictAlignment;

    /**
     * Makes every data access not aligned to its size fault (SCTLR.A, or data accesses that are all Device memory
     * because the MMU is off). Data translations then stay out of the TLB so that each access reaches the slow path,
     * which checks: slow, but only bare-metal code and early boot code run like that.
     */
    protected final void setStrictAlignment(boolean on) {
        if (on != strictAlignment) {
            strictAlignment = on;
            flushTlb();
        }
    }

    /** Makes TLB {@code set} the one every access uses from now on. */
    /**
     * Counts the times the translations this view uses may have changed (a flush, a switch of TLB set). An engine
     * that skips the address check when going from one piece of translated code to the next may do so only while
     * this is unchanged. Read and written by the owning vCPU's thread only.
     */
    public long mappingEpoch;

    /**
     * Whether virtual-to-host mappings can change under code that stays in place: true for a system MMU (page tables,
     * TTBR and ASID switches), false for a user-mode address space, where a virtual page always means the same host
     * page.
     */
    public boolean remaps() {
        return false;
    }

    protected final void selectTlb(int set) {
        mappingEpoch++;
        long[][] t = tlbSets[set];
        readTag = t[0];
        readAdd = t[1];
        writeTag = t[2];
        writeAdd = t[3];
        execTag = t[4];
        execAdd = t[5];
    }

    /**
     * Translates the page holding {@code va} for {@code access}: returns {@code addend} such that
     * {@code addend + va} is the host offset in {@link #ram} of that byte, {@link #IO} when the address is backed by a
     * device rather than RAM, or throws {@link MemoryFault}.
     */
    protected abstract long translatePage(long va, Access access);

    /** Returned by {@link #translatePage} for device memory; such pages never enter the TLB. */
    protected static final long IO = Long.MIN_VALUE;

    /** Device read of {@code size} bytes (1, 2, 4 or 8) at {@code va}; only called after {@link #translatePage} said IO. */
    protected long ioRead(long va, int size) {
        throw new MemoryFault(MemoryFault.Kind.EXTERNAL, va, Access.READ);
    }

    /** Device write; see {@link #ioRead}. */
    protected void ioWrite(long va, int size, long value) {
        throw new MemoryFault(MemoryFault.Kind.EXTERNAL, va, Access.WRITE);
    }

    /**
     * LDTR/STTR at EL1 ({@code on} true around the access): permissions must be checked as for EL0. Views without
     * privilege levels have nothing to change.
     */
    public void setUnprivileged(boolean on) {}

    /** Forgets every translation of every TLB; required after any change to mappings or permissions. */
    public final void flushTlb() {
        mappingEpoch++;
        for (long[][] t : tlbSets) {
            java.util.Arrays.fill(t[0], -1L);
            java.util.Arrays.fill(t[2], -1L);
            java.util.Arrays.fill(t[4], -1L);
        }
    }

    /**
     * Forgets the translations of TLB sets {@code first} to {@code end - 1} only: a subclass whose sets belong to
     * different translation regimes invalidates one regime without the other.
     */
    protected final void flushTlbSets(int first, int end) {
        mappingEpoch++;
        for (int s = first; s < end; s++) {
            long[][] t = tlbSets[s];
            java.util.Arrays.fill(t[0], -1L);
            java.util.Arrays.fill(t[2], -1L);
            java.util.Arrays.fill(t[4], -1L);
        }
    }

    /**
     * Told before a guest page becomes writable through this TLB, so that a translator can drop the code it
     * translated from that page (self-modifying code). Pages are named by their host offset, so aliases of one
     * physical page are one page here.
     */
    public interface CodeWatcher {
        /** The page at {@code hostPage} is about to be written. */
        void beforeWrite(long hostPage);

        /** IC IVAU/IC IALLU: the guest says instructions at {@code hostPage} (or anywhere, if all) may have changed. */
        void invalidate(long hostPage, boolean all);
    }

    private CodeWatcher codeWatcher;

    public final void setCodeWatcher(CodeWatcher watcher) {
        this.codeWatcher = watcher;
        flushTlb();
    }

    /**
     * Drops write permission from every TLB entry that maps to {@code hostPage}, so the next store there goes through
     * {@link CodeWatcher#beforeWrite}. Called when code is translated from that page.
     */
    public final void protectCodePage(long hostPage) {
        for (long[][] t : tlbSets) {
            long[] tags = t[2], addends = t[3];
            for (int i = 0; i < TLB_SIZE; i++) {
                if (tags[i] != -1 && addends[i] + (tags[i] << PAGE_SHIFT) == hostPage) tags[i] = -1;
            }
        }
    }

    /** IC IVAU on {@code va}: translations from that page must go. A no-op for engines that translate nothing. */
    public final void invalidateCode(long va, boolean all) {
        if (codeWatcher == null) return;
        if (all) {
            codeWatcher.invalidate(0, true);
            return;
        }
        long addend;
        try {
            addend = translatePage(va, Access.READ);
        } catch (MemoryFault f) {
            return; // IC IVAU of an unmapped address only matters if it would fault; the caller decides that.
        }
        if (addend != IO) codeWatcher.invalidate(addend + (va & ~PAGE_MASK), false);
    }

    /** A debugger's watchpoints, or null: see {@link Watchpoints}. Only the slow paths look at it. */
    private Watchpoints watchpoints;

    /** Installs {@code w} (null or empty: none); pages holding a watchpoint leave the TLB. */
    public final void setWatchpoints(Watchpoints w) {
        watchpoints = w == null || w.isEmpty() ? null : w;
        flushTlb();
    }

    public final Watchpoints watchpoints() {
        return watchpoints;
    }

    /** Host offset of the page holding {@code va} as the instruction fetch sees it. */
    public final long codeHostPage(long va) {
        return codeAddend(va) + (va & ~PAGE_MASK);
    }

    private long fill(long va, Access access) {
        long addend = translatePage(va, access);
        if (addend == IO) return IO;
        if (access != Access.EXECUTE && (strictAlignment || watchpoints != null && watchpoints.touchesPage(va))) {
            if (access == Access.WRITE && codeWatcher != null) codeWatcher.beforeWrite(addend + (va & ~PAGE_MASK));
            return addend;
        }
        long page = va >>> PAGE_SHIFT;
        int i = (int) page & TLB_MASK;
        switch (access) {
            case READ -> { readTag[i] = page; readAdd[i] = addend; }
            case WRITE -> {
                if (codeWatcher != null) codeWatcher.beforeWrite(addend + (va & ~PAGE_MASK));
                writeTag[i] = page;
                writeAdd[i] = addend;
            }
            case EXECUTE -> { execTag[i] = page; execAdd[i] = addend; }
        }
        return addend;
    }

    // ---- instruction fetch ----

    public final int fetch32(long va) {
        long page = va >>> PAGE_SHIFT;
        int i = (int) page & TLB_MASK;
        if (execTag[i] == page && (va & 3) == 0) return ram.get(LE_INT, execAdd[i] + va);
        if ((va & 3) != 0) throw new MemoryFault(MemoryFault.Kind.ALIGNMENT, va, Access.EXECUTE);
        long addend = fill(va, Access.EXECUTE);
        if (addend == IO) throw new MemoryFault(MemoryFault.Kind.EXTERNAL, va, Access.EXECUTE);
        return ram.get(LE_INT, addend + va);
    }

    /** Host offset of the page holding {@code va} for execution; translators use it to read a whole block. */
    public final long codeAddend(long va) {
        long page = va >>> PAGE_SHIFT;
        int i = (int) page & TLB_MASK;
        if (execTag[i] == page) return execAdd[i];
        long addend = fill(va, Access.EXECUTE);
        if (addend == IO) throw new MemoryFault(MemoryFault.Kind.EXTERNAL, va, Access.EXECUTE);
        return addend;
    }

    // ---- loads: results zero-extended ----
    //
    // The fast paths index the TLB by the page of the first byte and compare the entry's tag with the page of the
    // last byte: an entry at index i only ever holds a page whose low bits are i, so equality means both bytes are
    // in that page, and one compare checks the hit and that the access does not cross into the next page.

    public final int read8(long va) {
        long page = va >>> PAGE_SHIFT;
        int i = (int) page & TLB_MASK;
        if (readTag[i] == page) return ram.get(ValueLayout.JAVA_BYTE, readAdd[i] + va) & 0xFF;
        return (int) slowRead(va, 1);
    }

    public final int read16(long va) {
        int i = (int) (va >>> PAGE_SHIFT) & TLB_MASK;
        if (readTag[i] == (va + 1) >>> PAGE_SHIFT) return ram.get(LE_SHORT, readAdd[i] + va) & 0xFFFF;
        return (int) slowRead(va, 2);
    }

    public final int read32(long va) {
        int i = (int) (va >>> PAGE_SHIFT) & TLB_MASK;
        if (readTag[i] == (va + 3) >>> PAGE_SHIFT) return ram.get(LE_INT, readAdd[i] + va);
        return (int) slowRead(va, 4);
    }

    public final long read64(long va) {
        int i = (int) (va >>> PAGE_SHIFT) & TLB_MASK;
        if (readTag[i] == (va + 7) >>> PAGE_SHIFT) return ram.get(LE_LONG, readAdd[i] + va);
        return slowRead(va, 8);
    }

    /** Reads {@code size} bytes (1, 2, 4 or 8), zero-extended. */
    public final long read(long va, int size) {
        return switch (size) {
            case 1 -> read8(va);
            case 2 -> read16(va);
            case 4 -> read32(va) & 0xFFFF_FFFFL;
            default -> read64(va);
        };
    }

    private long slowRead(long va, int size) {
        if (watchpoints != null) watchpoints.check(va, size, Access.READ);
        if (strictAlignment && (va & (size - 1)) != 0) throw new MemoryFault(MemoryFault.Kind.ALIGNMENT, va, Access.READ);
        long offsetInPage = va & PAGE_MASK;
        if (offsetInPage + size > PAGE_SIZE) {
            // Crosses a page: both pages must be readable before any byte counts.
            fill(va, Access.READ);
            fill(va + size - 1, Access.READ);
            long v = 0;
            for (int b = size - 1; b >= 0; b--) v = (v << 8) | read8(va + b);
            return v;
        }
        long addend = fill(va, Access.READ);
        if (addend == IO) return ioRead(va, size);
        long host = addend + va;
        return switch (size) {
            case 1 -> ram.get(ValueLayout.JAVA_BYTE, host) & 0xFF;
            case 2 -> ram.get(LE_SHORT, host) & 0xFFFF;
            case 4 -> ram.get(LE_INT, host) & 0xFFFF_FFFFL;
            default -> ram.get(LE_LONG, host);
        };
    }

    // ---- stores ----

    public final void write8(long va, int value) {
        long page = va >>> PAGE_SHIFT;
        int i = (int) page & TLB_MASK;
        if (writeTag[i] == page) { ram.set(ValueLayout.JAVA_BYTE, writeAdd[i] + va, (byte) value); return; }
        slowWrite(va, 1, value);
    }

    public final void write16(long va, int value) {
        int i = (int) (va >>> PAGE_SHIFT) & TLB_MASK;
        if (writeTag[i] == (va + 1) >>> PAGE_SHIFT) { ram.set(LE_SHORT, writeAdd[i] + va, (short) value); return; }
        slowWrite(va, 2, value);
    }

    public final void write32(long va, int value) {
        int i = (int) (va >>> PAGE_SHIFT) & TLB_MASK;
        if (writeTag[i] == (va + 3) >>> PAGE_SHIFT) { ram.set(LE_INT, writeAdd[i] + va, value); return; }
        slowWrite(va, 4, value & 0xFFFF_FFFFL);
    }

    public final void write64(long va, long value) {
        int i = (int) (va >>> PAGE_SHIFT) & TLB_MASK;
        if (writeTag[i] == (va + 7) >>> PAGE_SHIFT) { ram.set(LE_LONG, writeAdd[i] + va, value); return; }
        slowWrite(va, 8, value);
    }

    /** Writes the low {@code size} bytes (1, 2, 4 or 8) of {@code value}. */
    public final void write(long va, int size, long value) {
        switch (size) {
            case 1 -> write8(va, (int) value);
            case 2 -> write16(va, (int) value);
            case 4 -> write32(va, (int) value);
            default -> write64(va, value);
        }
    }

    private void slowWrite(long va, int size, long value) {
        if (watchpoints != null) watchpoints.check(va, size, Access.WRITE);
        if (strictAlignment && (va & (size - 1)) != 0) throw new MemoryFault(MemoryFault.Kind.ALIGNMENT, va, Access.WRITE);
        long offsetInPage = va & PAGE_MASK;
        if (offsetInPage + size > PAGE_SIZE) {
            // Crosses a page: check both pages first so that a fault leaves memory unchanged.
            fill(va, Access.WRITE);
            fill(va + size - 1, Access.WRITE);
            for (int b = 0; b < size; b++) write8(va + b, (int) (value >>> (8 * b)));
            return;
        }
        long addend = fill(va, Access.WRITE);
        if (addend == IO) { ioWrite(va, size, value); return; }
        long host = addend + va;
        switch (size) {
            case 1 -> ram.set(ValueLayout.JAVA_BYTE, host, (byte) value);
            case 2 -> ram.set(LE_SHORT, host, (short) value);
            case 4 -> ram.set(LE_INT, host, (int) value);
            default -> ram.set(LE_LONG, host, value);
        }
    }

    // ---- atomics: naturally aligned, really atomic between vCPU threads ----

    /**
     * Host offset for an atomic access of {@code size} bytes, checked for alignment and for both read and write
     * permission (an atomic that may not write faults even when the comparison would fail).
     */
    private long atomicHost(long va, int size) {
        if ((va & (size - 1)) != 0) throw new MemoryFault(MemoryFault.Kind.ALIGNMENT, va, Access.WRITE);
        long page = va >>> PAGE_SHIFT;
        int i = (int) page & TLB_MASK;
        long addend;
        if (writeTag[i] == page) {
            addend = writeAdd[i];
        } else {
            // A watched page is never in the TLB, so only a miss needs to look at watchpoints.
            if (watchpoints != null) {
                watchpoints.check(va, size, Access.READ);
                watchpoints.check(va, size, Access.WRITE);
            }
            addend = fill(va, Access.WRITE);
            if (addend == IO) throw new MemoryFault(MemoryFault.Kind.EXTERNAL, va, Access.WRITE);
        }
        if (readTag[i] != page) {
            long r = fill(va, Access.READ);
            if (r == IO) throw new MemoryFault(MemoryFault.Kind.EXTERNAL, va, Access.READ);
        }
        return addend + va;
    }

    /**
     * Atomically replaces the {@code size}-byte value at {@code va} with {@code update} if it equals
     * {@code expected}; returns the value found (zero-extended). Sub-word sizes use a 32-bit CAS on the containing
     * word, retried while only the neighbouring bytes change.
     */
    public final long compareAndExchange(long va, int size, long expected, long update) {
        long host = atomicHost(va, size);
        if (size == 8) return (long) LONG_ATOMIC.compareAndExchange(ram, host, expected, update);
        if (size == 4) return (int) INT_ATOMIC.compareAndExchange(ram, host, (int) expected, (int) update) & 0xFFFF_FFFFL;
        long wordHost = host & ~3L;
        int shift = (int) (host & 3) * 8;
        int mask = (size == 1 ? 0xFF : 0xFFFF) << shift;
        while (true) {
            int word = (int) INT_ATOMIC.getVolatile(ram, wordHost);
            long found = ((word & mask) >>> shift) & (size == 1 ? 0xFF : 0xFFFF);
            if (found != (expected & (size == 1 ? 0xFF : 0xFFFF))) return found;
            int next = (word & ~mask) | (((int) update << shift) & mask);
            if ((boolean) INT_ATOMIC.compareAndSet(ram, wordHost, word, next)) return found;
        }
    }

    /** Reads the {@code size}-byte value at {@code va} with acquire semantics (after the checks of an atomic). */
    public final long atomicLoad(long va, int size) {
        long host = atomicHost(va, size);
        if (size == 8) return (long) LONG_ATOMIC.getVolatile(ram, host);
        if (size == 4) return (int) INT_ATOMIC.getVolatile(ram, host) & 0xFFFF_FFFFL;
        int word = (int) INT_ATOMIC.getVolatile(ram, host & ~3L);
        return (word >>> ((int) (host & 3) * 8)) & (size == 1 ? 0xFF : 0xFFFF);
    }

    /** Whether {@code va} can be read now without a fault; used by exclusives to fault at the right instruction. */
    public final void probeRead(long va) {
        read8(va);
    }

    /**
     * Faults as a write to {@code va} would, without writing anything. A store made of several accesses probes its
     * last byte first, so that a fault on the second page leaves memory as it was.
     */
    public final void probeWrite(long va) {
        long page = va >>> PAGE_SHIFT;
        if (writeTag[(int) page & TLB_MASK] != page) {
            if (watchpoints != null) watchpoints.check(va, 1, Access.WRITE);
            fill(va, Access.WRITE);
        }
    }

    // ---- 128-bit atomics ----
    //
    // Java has no 128-bit compare-and-exchange. LDXP/STXP and CASP of two doublewords therefore serialise on a lock
    // chosen by the host offset of their 16-byte block (all vCPUs share ram, so they pick the same lock). Under the
    // lock each half is updated with its own 64-bit CAS, low half first: a plain store or a 64-bit atomic that
    // another vCPU makes to either half without the lock is detected and makes the pair operation fail instead of
    // being overwritten; when the high half loses, the low half is put back.
    //
    // Remaining gap: in that last case, a reader that does not take the lock (a plain LDR of the low half) can see
    // the new low half for the moment before it is put back, a value the guest never stored. It needs a plain store
    // racing with a 128-bit atomic on the same block, which is a data race in the guest anyway.

    private static final Object[] PAIR_LOCKS = new Object[256];

    static {
        for (int i = 0; i < PAIR_LOCKS.length; i++) PAIR_LOCKS[i] = new Object();
    }

    private static Object pairLock(long host) {
        return PAIR_LOCKS[(int) (host >>> 4) & (PAIR_LOCKS.length - 1)];
    }

    /**
     * Reads the 16-byte aligned block at {@code va} as one atomic access with respect to the other 128-bit
     * atomics: {@code out[0]} gets the low doubleword, {@code out[1]} the high one. Needs read permission only.
     */
    public final void atomicLoad128(long va, long[] out) {
        if ((va & 15) != 0) throw new MemoryFault(MemoryFault.Kind.ALIGNMENT, va, Access.READ);
        long page = va >>> PAGE_SHIFT;
        int i = (int) page & TLB_MASK;
        long addend;
        if (readTag[i] == page) {
            addend = readAdd[i];
        } else {
            if (watchpoints != null) watchpoints.check(va, 16, Access.READ);
            addend = fill(va, Access.READ);
            if (addend == IO) throw new MemoryFault(MemoryFault.Kind.EXTERNAL, va, Access.READ);
        }
        long host = addend + va;
        synchronized (pairLock(host)) {
            out[0] = (long) LONG_ATOMIC.getVolatile(ram, host);
            out[1] = (long) LONG_ATOMIC.getVolatile(ram, host + 8);
        }
    }

    /**
     * Replaces the 16-byte aligned block at {@code va} with {@code newLo}:{@code newHi} if it holds
     * {@code expectLo}:{@code expectHi}; stores the value found in {@code found} (low, high) and returns whether the
     * exchange happened. See the note above on how far this is atomic.
     */
    public final boolean compareAndExchange128(long va, long expectLo, long expectHi, long newLo, long newHi,
                                               long[] found) {
        long host = atomicHost(va, 16);
        synchronized (pairLock(host)) {
            long lo = (long) LONG_ATOMIC.compareAndExchange(ram, host, expectLo, newLo);
            found[0] = lo;
            if (lo != expectLo) {
                found[1] = (long) LONG_ATOMIC.getVolatile(ram, host + 8);
                return false;
            }
            long hi = (long) LONG_ATOMIC.compareAndExchange(ram, host + 8, expectHi, newHi);
            found[1] = hi;
            if (hi != expectHi) {
                LONG_ATOMIC.compareAndSet(ram, host, newLo, expectLo);
                return false;
            }
            return true;
        }
    }
}
