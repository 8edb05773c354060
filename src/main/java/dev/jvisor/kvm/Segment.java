package dev.jvisor.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/** A segment register's hidden state (struct kvm_segment): KVM takes descriptors unpacked, limit in bytes. */
public final class Segment {
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
        base = m.get(JAVA_LONG, at);
        limit = m.get(JAVA_INT, at + 8);
        selector = Short.toUnsignedInt(m.get(JAVA_SHORT, at + 12));
        type = m.get(JAVA_BYTE, at + 14);
        present = m.get(JAVA_BYTE, at + 15) != 0;
        dpl = m.get(JAVA_BYTE, at + 16);
        db = m.get(JAVA_BYTE, at + 17) != 0;
        s = m.get(JAVA_BYTE, at + 18) != 0;
        l = m.get(JAVA_BYTE, at + 19) != 0;
        g = m.get(JAVA_BYTE, at + 20) != 0;
        avl = m.get(JAVA_BYTE, at + 21) != 0;
        unusable = m.get(JAVA_BYTE, at + 22) != 0;
    }

    void writeTo(MemorySegment m, long at) {
        m.set(JAVA_LONG, at, base);
        m.set(JAVA_INT, at + 8, limit);
        m.set(JAVA_SHORT, at + 12, (short) selector);
        m.set(JAVA_BYTE, at + 14, (byte) type);
        m.set(JAVA_BYTE, at + 15, flag(present));
        m.set(JAVA_BYTE, at + 16, (byte) dpl);
        m.set(JAVA_BYTE, at + 17, flag(db));
        m.set(JAVA_BYTE, at + 18, flag(s));
        m.set(JAVA_BYTE, at + 19, flag(l));
        m.set(JAVA_BYTE, at + 20, flag(g));
        m.set(JAVA_BYTE, at + 21, flag(avl));
        m.set(JAVA_BYTE, at + 22, flag(unusable));
        m.set(JAVA_BYTE, at + 23, (byte) 0);
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
