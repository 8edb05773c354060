package dev.jvisor.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/** x87 and SSE state (struct kvm_fpu, {@link KvmAbi#FPU}): control/status words, MXCSR, the register images. */
public final class Fpu {
    private static final long FPR = KvmAbi.offset(KvmAbi.FPU, "fpr"), FCW = KvmAbi.offset(KvmAbi.FPU, "fcw"),
            FSW = KvmAbi.offset(KvmAbi.FPU, "fsw"), FTWX = KvmAbi.offset(KvmAbi.FPU, "ftwx"),
            XMM = KvmAbi.offset(KvmAbi.FPU, "xmm"), MXCSR = KvmAbi.offset(KvmAbi.FPU, "mxcsr");

    /** The x87 control word after FNINIT: all exceptions masked, 64-bit precision, round to nearest. */
    public static final int FCW_DEFAULT = 0x37f;
    /** MXCSR at reset: all SSE exceptions masked, round to nearest. */
    public static final int MXCSR_DEFAULT = 0x1f80;

    public int fcw, fsw, ftwx, mxcsr;
    public final byte[] fpr = new byte[128];
    public final byte[] xmm = new byte[256];

    void readFrom(MemorySegment m) {
        MemorySegment.copy(m, JAVA_BYTE, FPR, fpr, 0, fpr.length);
        fcw = Short.toUnsignedInt(m.get(JAVA_SHORT, FCW));
        fsw = Short.toUnsignedInt(m.get(JAVA_SHORT, FSW));
        ftwx = Byte.toUnsignedInt(m.get(JAVA_BYTE, FTWX));
        MemorySegment.copy(m, JAVA_BYTE, XMM, xmm, 0, xmm.length);
        mxcsr = m.get(JAVA_INT, MXCSR);
    }

    void writeTo(MemorySegment m) {
        m.fill((byte) 0);
        MemorySegment.copy(fpr, 0, m, JAVA_BYTE, FPR, fpr.length);
        m.set(JAVA_SHORT, FCW, (short) fcw);
        m.set(JAVA_SHORT, FSW, (short) fsw);
        m.set(JAVA_BYTE, FTWX, (byte) ftwx);
        MemorySegment.copy(xmm, 0, m, JAVA_BYTE, XMM, xmm.length);
        m.set(JAVA_INT, MXCSR, mxcsr);
    }
}
