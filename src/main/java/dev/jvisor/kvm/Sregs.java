package dev.jvisor.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/** Segment, descriptor-table and control registers (struct kvm_sregs, {@link KvmAbi#SREGS}). */
public final class Sregs {
    public final Segment cs = new Segment(), ds = new Segment(), es = new Segment(), fs = new Segment(),
            gs = new Segment(), ss = new Segment(), tr = new Segment(), ldt = new Segment();
    public long gdtBase, idtBase;
    public int gdtLimit, idtLimit;
    public long cr0, cr2, cr3, cr4, cr8, efer, apicBase;
    /** Pending external interrupts; kept as read so a get/modify/set round trip does not drop one. */
    private final long[] interruptBitmap = new long[4];

    private static final String[] SEGMENT_NAMES = {"cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt"};
    private static final long[] SEGMENT_OFFSETS = new long[SEGMENT_NAMES.length];
    private static final long GDT_BASE = KvmAbi.offset(KvmAbi.SREGS, "gdt", "base"),
            GDT_LIMIT = KvmAbi.offset(KvmAbi.SREGS, "gdt", "limit"),
            IDT_BASE = KvmAbi.offset(KvmAbi.SREGS, "idt", "base"),
            IDT_LIMIT = KvmAbi.offset(KvmAbi.SREGS, "idt", "limit"), CR0 = KvmAbi.offset(KvmAbi.SREGS, "cr0"),
            CR2 = KvmAbi.offset(KvmAbi.SREGS, "cr2"), CR3 = KvmAbi.offset(KvmAbi.SREGS, "cr3"),
            CR4 = KvmAbi.offset(KvmAbi.SREGS, "cr4"), CR8 = KvmAbi.offset(KvmAbi.SREGS, "cr8"),
            EFER = KvmAbi.offset(KvmAbi.SREGS, "efer"), APIC_BASE = KvmAbi.offset(KvmAbi.SREGS, "apic_base"),
            INTERRUPT_BITMAP = KvmAbi.offset(KvmAbi.SREGS, "interrupt_bitmap");

    static {
        for (int i = 0; i < SEGMENT_NAMES.length; i++) {
            SEGMENT_OFFSETS[i] = KvmAbi.offset(KvmAbi.SREGS, SEGMENT_NAMES[i]);
        }
    }

    /** In the order of {@link #SEGMENT_NAMES}. */
    private Segment[] segments() {
        return new Segment[] {cs, ds, es, fs, gs, ss, tr, ldt};
    }

    void readFrom(MemorySegment m) {
        Segment[] all = segments();
        for (int i = 0; i < all.length; i++) all[i].readFrom(m, SEGMENT_OFFSETS[i]);
        gdtBase = m.get(JAVA_LONG, GDT_BASE);
        gdtLimit = Short.toUnsignedInt(m.get(JAVA_SHORT, GDT_LIMIT));
        idtBase = m.get(JAVA_LONG, IDT_BASE);
        idtLimit = Short.toUnsignedInt(m.get(JAVA_SHORT, IDT_LIMIT));
        cr0 = m.get(JAVA_LONG, CR0);
        cr2 = m.get(JAVA_LONG, CR2);
        cr3 = m.get(JAVA_LONG, CR3);
        cr4 = m.get(JAVA_LONG, CR4);
        cr8 = m.get(JAVA_LONG, CR8);
        efer = m.get(JAVA_LONG, EFER);
        apicBase = m.get(JAVA_LONG, APIC_BASE);
        for (int i = 0; i < 4; i++) interruptBitmap[i] = m.get(JAVA_LONG, INTERRUPT_BITMAP + 8L * i);
    }

    void writeTo(MemorySegment m) {
        Segment[] all = segments();
        for (int i = 0; i < all.length; i++) all[i].writeTo(m, SEGMENT_OFFSETS[i]);
        m.set(JAVA_LONG, GDT_BASE, gdtBase);
        m.set(JAVA_SHORT, GDT_LIMIT, (short) gdtLimit);
        m.set(JAVA_LONG, IDT_BASE, idtBase);
        m.set(JAVA_SHORT, IDT_LIMIT, (short) idtLimit);
        m.set(JAVA_LONG, CR0, cr0);
        m.set(JAVA_LONG, CR2, cr2);
        m.set(JAVA_LONG, CR3, cr3);
        m.set(JAVA_LONG, CR4, cr4);
        m.set(JAVA_LONG, CR8, cr8);
        m.set(JAVA_LONG, EFER, efer);
        m.set(JAVA_LONG, APIC_BASE, apicBase);
        for (int i = 0; i < 4; i++) m.set(JAVA_LONG, INTERRUPT_BITMAP + 8L * i, interruptBitmap[i]);
    }

    @Override
    public String toString() {
        return String.format("cs: %s%nss: %s%ncr0=%016x cr2=%016x cr3=%016x cr4=%016x efer=%x", cs, ss, cr0, cr2, cr3,
                cr4, efer);
    }
}
