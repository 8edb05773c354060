package dev.jvisor.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/** Segment, descriptor-table and control registers (struct kvm_sregs). */
public final class Sregs {
    public final Segment cs = new Segment(), ds = new Segment(), es = new Segment(), fs = new Segment(),
            gs = new Segment(), ss = new Segment(), tr = new Segment(), ldt = new Segment();
    public long gdtBase, idtBase;
    public int gdtLimit, idtLimit;
    public long cr0, cr2, cr3, cr4, cr8, efer, apicBase;
    /** Pending external interrupts; kept as read so a get/modify/set round trip does not drop one. */
    private final long[] interruptBitmap = new long[4];

    private static final long SEGMENT_SIZE = KvmAbi.SEGMENT.byteSize();
    private static final long GDT = 192, IDT = 208, CR0 = 224;

    private Segment[] segments() {
        return new Segment[] {cs, ds, es, fs, gs, ss, tr, ldt};
    }

    void readFrom(MemorySegment m) {
        Segment[] all = segments();
        for (int i = 0; i < all.length; i++) all[i].readFrom(m, i * SEGMENT_SIZE);
        gdtBase = m.get(JAVA_LONG, GDT);
        gdtLimit = Short.toUnsignedInt(m.get(JAVA_SHORT, GDT + 8));
        idtBase = m.get(JAVA_LONG, IDT);
        idtLimit = Short.toUnsignedInt(m.get(JAVA_SHORT, IDT + 8));
        cr0 = m.get(JAVA_LONG, CR0);
        cr2 = m.get(JAVA_LONG, CR0 + 8);
        cr3 = m.get(JAVA_LONG, CR0 + 16);
        cr4 = m.get(JAVA_LONG, CR0 + 24);
        cr8 = m.get(JAVA_LONG, CR0 + 32);
        efer = m.get(JAVA_LONG, CR0 + 40);
        apicBase = m.get(JAVA_LONG, CR0 + 48);
        for (int i = 0; i < 4; i++) interruptBitmap[i] = m.get(JAVA_LONG, CR0 + 56 + 8L * i);
    }

    void writeTo(MemorySegment m) {
        Segment[] all = segments();
        for (int i = 0; i < all.length; i++) all[i].writeTo(m, i * SEGMENT_SIZE);
        m.set(JAVA_LONG, GDT, gdtBase);
        m.set(JAVA_SHORT, GDT + 8, (short) gdtLimit);
        m.set(JAVA_LONG, IDT, idtBase);
        m.set(JAVA_SHORT, IDT + 8, (short) idtLimit);
        m.set(JAVA_LONG, CR0, cr0);
        m.set(JAVA_LONG, CR0 + 8, cr2);
        m.set(JAVA_LONG, CR0 + 16, cr3);
        m.set(JAVA_LONG, CR0 + 24, cr4);
        m.set(JAVA_LONG, CR0 + 32, cr8);
        m.set(JAVA_LONG, CR0 + 40, efer);
        m.set(JAVA_LONG, CR0 + 48, apicBase);
        for (int i = 0; i < 4; i++) m.set(JAVA_LONG, CR0 + 56 + 8L * i, interruptBitmap[i]);
    }

    @Override
    public String toString() {
        return String.format("cs: %s%nss: %s%ncr0=%016x cr2=%016x cr3=%016x cr4=%016x efer=%x", cs, ss, cr0, cr2, cr3,
                cr4, efer);
    }
}
