package dev.jvisor.engine;

import java.util.Arrays;

/**
 * Guest addresses an engine must not execute without stopping first: a debugger's breakpoints, as the engines'
 * debugging run methods see them. Readers on vCPU threads see an immutable sorted array through one volatile read,
 * so a lookup never locks; the debugger changes the set only while the vCPUs are stopped, and a resumed vCPU sees
 * the change at its next run.
 */
public final class Breakpoints {
    private volatile long[] sorted = new long[0];

    public boolean isEmpty() {
        return sorted.length == 0;
    }

    public boolean contains(long address) {
        return Arrays.binarySearch(sorted, address) >= 0;
    }

    /** Whether some address lies in {@code [from, from + length)} (a range that does not wrap around). */
    public boolean anyIn(long from, long length) {
        long[] s = sorted;
        int i = Arrays.binarySearch(s, from);
        if (i >= 0) return true;
        i = -i - 1;
        return i < s.length && Long.compareUnsigned(s[i] - from, length) < 0;
    }

    /** Makes the set exactly {@code addresses} (duplicates allowed). */
    public synchronized void replaceWith(long[] addresses) {
        sorted = Arrays.stream(addresses).sorted().distinct().toArray();
    }
}
