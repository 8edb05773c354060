package dev.jvisor.arch.a64;

import dev.jvisor.memory.CpuMemory;

/**
 * The architectural state of one AArch64 processor, kept in plain fields so that the interpreter and translated code
 * reach it with a field access. Semantics never live here: they are in {@code arch.a64.isa}.
 *
 * <p>{@code x[31]} holds the current stack pointer, so an instruction that reads "Rn|SP" just indexes the array and one
 * that reads "Rn|ZR" goes through {@link #x(int)}. System mode swaps it on exception-level changes.
 */
public final class Cpu {
    public final long[] x = new long[32];
    public long pc;
    /** NZCV in bits 31..28, as MRS NZCV reads it. */
    public int nzcv;

    /** V0..V31: low half at {@code v[2n]}, high half at {@code v[2n+1]}. */
    public final long[] v = new long[64];
    public int fpcr;
    public int fpsr;

    public long tpidrEl0;
    public long tpidrroEl0;

    /** PSTATE.EL: 0 in user mode; system mode changes it on exception entry and return. */
    public int el;

    /** PSTATE.{D,A,I,F} in bits 9..6, as MRS DAIF reads them. System mode only. */
    public int daif;
    /** PSTATE.SP: at EL1, whether x[31] is SP_EL1 (true) or SP_EL0 (false). */
    public boolean spSel;
    /** PSTATE.PAN and PSTATE.UAO (FEAT_PAN, FEAT_UAO). */
    public boolean pan, uao;
    /** PSTATE.IL: set by an illegal exception return; the next instruction takes an Illegal Execution state exception. */
    public boolean illegalState;

    /**
     * Interrupt inputs, written by devices from any thread; bit 0 IRQ, bit 1 FIQ. Whoever changes them also sets
     * {@link #exitRequest} so that the run loop looks at them promptly.
     */
    public volatile int interruptLines;
    /** Physical IRQ and FIQ; virtual IRQ and FIQ from a GIC's virtual CPU interface (taken only by a guest at EL1). */
    public static final int IRQ_LINE = 1, FIQ_LINE = 2, VIRQ_LINE = 4, VFIQ_LINE = 8;

    /** Exclusive monitor: address and size of the last LDXR/LDAXR (size 0: open), and the values it read. */
    public long exclusiveAddress;
    public int exclusiveSize;
    public long exclusiveValue;
    public long exclusiveValue2;

    /**
     * Condition flags the binary translator carries lazily from one translated region to the next: when
     * {@code flagKind} is not 0, NZCV is a function of the kind and the operands of the last flag-setting operation,
     * and {@link #nzcv} is stale. Only the translation engine sets it, and it makes {@link #nzcv} exact again before
     * any other code (interpreter, semantics, system hooks, its caller) can look at this Cpu.
     */
    public int flagKind;
    public long flagA, flagB;

    /** Instructions retired. */
    public long instructions;

    public final CpuMemory mem;
    public final CpuModel model;
    /** What SVC, HVC, SMC, BRK, system registers and undefined instructions lead to: user mode or system mode. */
    public SystemHooks hooks;

    /** Set from any thread to make the engine return to its run loop at the next instruction or block boundary. */
    public volatile boolean exitRequest;

    public Cpu(CpuMemory mem, CpuModel model, SystemHooks hooks) {
        this.mem = mem;
        this.model = model;
        this.hooks = hooks;
    }

    // ---- general registers ----

    /** Rn where 31 is the zero register. */
    public long x(int n) {
        return n == 31 ? 0 : x[n];
    }

    /** Rn where 31 is the stack pointer. */
    public long xsp(int n) {
        return x[n];
    }

    /** Wn where 31 is the zero register. */
    public int w(int n) {
        return n == 31 ? 0 : (int) x[n];
    }

    /** Writes Rd where 31 is the zero register (the write is dropped). */
    public void setX(int n, long value) {
        if (n != 31) x[n] = value;
    }

    /** Writes Rd where 31 is the stack pointer. */
    public void setXsp(int n, long value) {
        x[n] = value;
    }

    /** Writes Wd (zero-extended into Xd) where 31 is the zero register. */
    public void setW(int n, int value) {
        if (n != 31) x[n] = value & 0xFFFF_FFFFL;
    }

    public long sp() {
        return x[31];
    }

    public void setSp(long value) {
        x[31] = value;
    }

    // ---- flags ----

    public static final int N = 1 << 31, Z = 1 << 30, C = 1 << 29, V = 1 << 28;

    public boolean n() { return (nzcv & N) != 0; }
    public boolean z() { return (nzcv & Z) != 0; }
    public boolean c() { return (nzcv & C) != 0; }
    public boolean v() { return (nzcv & V) != 0; }

    /** The A64 condition {@code cond} (0..15) evaluated on the current flags. */
    public boolean condition(int cond) {
        boolean r = switch (cond >>> 1) {
            case 0 -> z();
            case 1 -> c();
            case 2 -> n();
            case 3 -> v();
            case 4 -> c() && !z();
            case 5 -> n() == v();
            case 6 -> n() == v() && !z();
            default -> true;
        };
        return ((cond & 1) != 0 && cond != 15) != r;
    }

    // ---- SIMD and FP registers ----

    /** Writes a scalar into the low 64 bits of Vn and clears the rest, as every scalar FP write does. */
    public void setD(int n, long bits) {
        v[2 * n] = bits;
        v[2 * n + 1] = 0;
    }

    /** Writes a single-precision scalar into Vn and clears the rest. */
    public void setS(int n, int bits) {
        v[2 * n] = bits & 0xFFFF_FFFFL;
        v[2 * n + 1] = 0;
    }

    public void setQ(int n, long lo, long hi) {
        v[2 * n] = lo;
        v[2 * n + 1] = hi;
    }

    /** Copies the whole architectural state (not the memory view or hooks) from {@code other}; used by clone(). */
    public void copyStateFrom(Cpu other) {
        System.arraycopy(other.x, 0, x, 0, 32);
        System.arraycopy(other.v, 0, v, 0, 64);
        pc = other.pc;
        nzcv = other.nzcv;
        fpcr = other.fpcr;
        fpsr = other.fpsr;
        tpidrEl0 = other.tpidrEl0;
        tpidrroEl0 = other.tpidrroEl0;
        el = other.el;
    }
}
