package dev.jvisor.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/** x87 and SSE state (struct kvm_fpu): control/status words, MXCSR, and the register images. */
public final class Fpu {
    /** The x87 control word after FNINIT: all exceptions masked, 64-bit precision, round to nearest. */
    public static final int FCW_DEFAULT = 0x37f;
    /** MXCSR at reset: all SSE exceptions masked, round to nearest. */
    public static final int MXCSR_DEFAULT = 0x1f80;

    public int fcw, fsw, ftwx, mxcsr;
    public final byte[] fpr = new byte[128];
    public final byte[] xmm = new byte[256];

    void readFrom(MemorySegment m) {
        MemorySegment.copy(m, JAVA_BYTE, 0, fpr, 0, 128);
        fcw = Short.toUnsignedInt(m.get(JAVA_SHORT, 128));
        fsw = Short.toUnsignedInt(m.get(JAVA_SHORT, 130));
        ftwx = Byte.toUnsignedInt(m.get(JAVA_BYTE, 132));
        MemorySegment.copy(m, JAVA_BYTE, 152, xmm, 0, 256);
        mxcsr = m.get(JAVA_INT, 408);
    }

    void writeTo(MemorySegment m) {
        m.fill((byte) 0);
        MemorySegment.copy(fpr, 0, m, JAVA_BYTE, 0, 128);
        m.set(JAVA_SHORT, 128, (short) fcw);
        m.set(JAVA_SHORT, 130, (short) fsw);
        m.set(JAVA_BYTE, 132, (byte) ftwx);
        MemorySegment.copy(xmm, 0, m, JAVA_BYTE, 152, 256);
        m.set(JAVA_INT, 408, mxcsr);
    }
}
