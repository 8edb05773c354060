package dev.jvisor.memory;

/**
 * A debugger's data watchpoints over one vCPU's view of memory: address ranges whose reads, writes or both must stop
 * the vCPU before the access happens. {@link CpuMemory} keeps the pages holding them out of its TLB, so that every data
 * access to those pages reaches its slow path, where {@link #check} throws {@link WatchpointHit}. Immutable: a change
 * is a new set, installed with {@link CpuMemory#setWatchpoints}.
 */
public final class Watchpoints {
    /** What a watchpoint watches: a bit set of these. */
    public static final int READ = 1, WRITE = 2;

    private final long[] starts, lengths;
    private final int[] kinds;

    /** Watchpoint i covers {@code [starts[i], starts[i] + lengths[i])} for the accesses in {@code kinds[i]}. */
    public Watchpoints(long[] starts, long[] lengths, int[] kinds) {
        if (starts.length != lengths.length || starts.length != kinds.length) {
            throw new IllegalArgumentException("one start, length and kind per watchpoint");
        }
        this.starts = starts.clone();
        this.lengths = lengths.clone();
        this.kinds = kinds.clone();
    }

    public boolean isEmpty() {
        return starts.length == 0;
    }

    /** Whether some watchpoint overlaps the page holding {@code va}. */
    boolean touchesPage(long va) {
        long page = va & ~CpuMemory.PAGE_MASK;
        for (int i = 0; i < starts.length; i++) {
            if (overlaps(starts[i], lengths[i], page, CpuMemory.PAGE_SIZE)) return true;
        }
        return false;
    }

    /** Throws {@link WatchpointHit} if an access of {@code size} bytes at {@code va} touches a watched range. */
    public void check(long va, int size, Access access) {
        int need = access == Access.WRITE ? WRITE : READ;
        for (int i = 0; i < starts.length; i++) {
            if ((kinds[i] & need) != 0 && overlaps(starts[i], lengths[i], va, size)) {
                throw new WatchpointHit(Long.compareUnsigned(va, starts[i]) > 0 ? va : starts[i], kinds[i]);
            }
        }
    }

    private static boolean overlaps(long aStart, long aLength, long bStart, long bLength) {
        return Long.compareUnsigned(bStart - aStart, aLength) < 0 || Long.compareUnsigned(aStart - bStart, bLength) < 0;
    }

    /**
     * A data access touched a watched range; thrown before the access, with the vCPU's state as it was before the
     * instruction (the rule every memory fault follows). Engines let it pass; the debugger's run loop catches it.
     */
    public static final class WatchpointHit extends RuntimeException {
        /** The first watched byte the access touched. */
        public final long address;
        /** The kinds of the watchpoint that fired ({@link #READ}, {@link #WRITE} or both). */
        public final int kinds;

        WatchpointHit(long address, int kinds) {
            super("watchpoint at 0x" + Long.toHexString(address), null, false, false);
            this.address = address;
            this.kinds = kinds;
        }
    }
}
