package dev.jvisor.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/**
 * A segment register's hidden state (struct kvm_segment, {@link KvmAbi#SEGMENT}): KVM takes descriptors unpacked,
 * the limit in bytes.
 */
public final class Segment {
    private static final long BASE = KvmAbi.offset(KvmAbi.SEGMENT, "base"),
            LIMIT = KvmAbi.offset(KvmAbi.SEGMENT, "limit"), SELECTOR = KvmAbi.offset(KvmAbi.SEGMENT, "selector"),
            TYPE = KvmAbi.offset(KvmAbi.SEGMENT, "type"), PRESENT = KvmAbi.offset(KvmAbi.SEGMENT, "present"),
            DPL = KvmAbi.offset(KvmAbi.SEGMENT, "dpl"), DB = KvmAbi.offset(KvmAbi.SEGMENT, "db"),
            S = KvmAbi.offset(KvmAbi.SEGMENT, "s"), L = KvmAbi.offset(KvmAbi.SEGMENT, "l"),
            G = KvmAbi.offset(KvmAbi.SEGMENT, "g"), AVL = KvmAbi.offset(KvmAbi.SEGMENT, "avl"),
            UNUSABLE = KvmAbi.offset(KvmAbi.SEGMENT, "unusable"), PADDING = KvmAbi.offset(KvmAbi.SEGMENT, "padding");

    public long base;
    public int limit;
    public int selector;
    public int type;
    public boolean present, db, s, l, g, avl, unusable;
    public int dpl;

    /** A flat 4 GiB code or data segment at the given privilege level. */
    public static Segment flat(int selector, int type, int dpl, boolean code64) {
        Segment seg = new Segment();
        seg.limit = 0xffffffff;
        seg.selector = selector;
        seg.type = type;
        seg.present = true;
        seg.dpl = dpl;
        seg.s = true;
        seg.l = code64;
        seg.db = !code64;
        seg.g = true;
        return seg;
    }

    void readFrom(MemorySegment m, long at) {
        base = m.get(JAVA_LONG, at + BASE);
        limit = m.get(JAVA_INT, at + LIMIT);
        selector = Short.toUnsignedInt(m.get(JAVA_SHORT, at + SELECTOR));
        type = m.get(JAVA_BYTE, at + TYPE);
        present = m.get(JAVA_BYTE, at + PRESENT) != 0;
        dpl = m.get(JAVA_BYTE, at + DPL);
        db = m.get(JAVA_BYTE, at + DB) != 0;
        s = m.get(JAVA_BYTE, at + S) != 0;
        l = m.get(JAVA_BYTE, at + L) != 0;
        g = m.get(JAVA_BYTE, at + G) != 0;
        avl = m.get(JAVA_BYTE, at + AVL) != 0;
        unusable = m.get(JAVA_BYTE, at + UNUSABLE) != 0;
    }

    void writeTo(MemorySegment m, long at) {
        m.set(JAVA_LONG, at + BASE, base);
        m.set(JAVA_INT, at + LIMIT, limit);
        m.set(JAVA_SHORT, at + SELECTOR, (short) selector);
        m.set(JAVA_BYTE, at + TYPE, (byte) type);
        m.set(JAVA_BYTE, at + PRESENT, flag(present));
        m.set(JAVA_BYTE, at + DPL, (byte) dpl);
        m.set(JAVA_BYTE, at + DB, flag(db));
        m.set(JAVA_BYTE, at + S, flag(s));
        m.set(JAVA_BYTE, at + L, flag(l));
        m.set(JAVA_BYTE, at + G, flag(g));
        m.set(JAVA_BYTE, at + AVL, flag(avl));
        m.set(JAVA_BYTE, at + UNUSABLE, flag(unusable));
        m.set(JAVA_BYTE, at + PADDING, (byte) 0);
    }

    private static byte flag(boolean b) {
        return (byte) (b ? 1 : 0);
    }

    @Override
    public String toString() {
        return String.format("sel=%04x base=%x limit=%x type=%d dpl=%d%s%s%s", selector, base, limit, type, dpl,
                present ? " P" : "", l ? " L" : "", unusable ? " unusable" : "");
    }
}
