package dev.jvisor.arch.a64.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The A64 decode table: rows from every section, matched most-specific first. Two rows may overlap only when one
 * refines the other (all its fixed bits include the other's), so the order of sections never matters; {@link #overlaps}
 * lists the pairs that break that rule and a test keeps the list empty.
 *
 * <p>Lookup goes through a bucket per value of bits 31..20, each holding the rows that can match it, and a memo keyed
 * by the instruction word (not its address, so self-modifying code needs no invalidation).
 */
public final class DecodeTable {
    private static final int BUCKET_SHIFT = 20;
    /** 256 Ki entries: a kernel's working set of distinct instruction words thrashed a 64 Ki memo. */
    private static final int MEMO_BITS = 18;

    private final InsnRow[] rows;
    private final InsnRow[][] buckets = new InsnRow[1 << (32 - BUCKET_SHIFT)][];
    /**
     * Decoded words, direct-mapped: the word in the high half, the row's id + 2 in the low half (1: no row; 0: empty
     * slot). One long per entry, so a reader on another vCPU's thread sees a word with its own row or nothing.
     */
    private final long[] memo = new long[1 << MEMO_BITS];


    public DecodeTable(List<InsnRow> all) {
        this.rows = all.toArray(new InsnRow[0]);
        for (int i = 0; i < rows.length; i++) rows[i].id = i;
        InsnRow[] bySpecificity = rows.clone();
        Arrays.sort(bySpecificity, Comparator.comparingInt((InsnRow r) -> -Integer.bitCount(r.mask)));
        int topMask = -1 << BUCKET_SHIFT;
        List<InsnRow> candidates = new ArrayList<>();
        for (int b = 0; b < buckets.length; b++) {
            int top = b << BUCKET_SHIFT;
            candidates.clear();
            for (InsnRow r : bySpecificity) {
                if (((r.value ^ top) & r.mask & topMask) == 0) candidates.add(r);
            }
            buckets[b] = candidates.toArray(new InsnRow[0]);
        }
    }

    /** The row for {@code insn}, or null if no row matches (unallocated or not implemented). */
    public InsnRow decode(int insn) {
        int h = (insn * 0x9E3779B1) >>> (32 - MEMO_BITS);
        long m = memo[h];
        int entry = (int) m;
        if ((int) (m >>> 32) == insn && entry != 0) return entry == 1 ? null : rows[entry - 2];
        InsnRow row = lookup(insn);
        memo[h] = (long) insn << 32 | (row == null ? 1 : row.id + 2) & 0xFFFF_FFFFL;
        return row;
    }

    private InsnRow lookup(int insn) {
        for (InsnRow r : buckets[insn >>> BUCKET_SHIFT]) {
            if ((insn & r.mask) == r.value) return r;
        }
        return null;
    }

    public List<InsnRow> rows() {
        return List.of(rows);
    }

    public InsnRow row(int id) {
        return rows[id];
    }

    /** Pairs of rows that can match the same word without one refining the other. */
    public List<String> overlaps() {
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            for (int j = i + 1; j < rows.length; j++) {
                InsnRow a = rows[i], b = rows[j];
                if (a.overlaps(b) && !a.refines(b) && !b.refines(a)) {
                    bad.add(a.name + " [" + a.pattern + "] overlaps " + b.name + " [" + b.pattern + "]");
                }
            }
        }
        return bad;
    }
}
