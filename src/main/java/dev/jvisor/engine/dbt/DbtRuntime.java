package dev.jvisor.engine.dbt;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.isa.LoadStore;
import dev.jvisor.memory.CpuMemory;
import dev.jvisor.memory.MemoryFault;

/**
 * Static entry points translated code calls: the cold fault path, and small pure helpers for the hot paths that are
 * easier to write in Java than in bytecode (HotSpot inlines them, and folds them where arguments are constant).
 */
public final class DbtRuntime {
    private DbtRuntime() {}

    /*
     * How translated code holds the condition flags (see RegionEmitter): either materialized, as NZCV bits in a local,
     * or as the operands of the last flag-setting instruction and its kind, from which NZCV is computed only when
     * something needs all four flags.
     */
    public static final int FLAGS_NZCV = 0, FLAGS_ADD64 = 1, FLAGS_SUB64 = 2, FLAGS_ADD32 = 3, FLAGS_SUB32 = 4,
            FLAGS_LOGIC64 = 5, FLAGS_LOGIC32 = 6;

    /**
     * An instruction of {@code region} at {@code offset} from the start of the region's first page threw {@code e}. {@code retiredThroughBlock}
     * counts the region's instructions up to the end of the faulting instruction's block; the faulting instruction
     * counts as retired, as in the interpreter. Returns the PC to continue at.
     */
    public static long fault(Region region, Cpu cpu, int offset, RuntimeException e, long retiredThroughBlock) {
        int blockEnd = region.blockEndByOffset[offset >>> 2];
        long notReached = (blockEnd - offset) / 4 - 1;
        cpu.instructions += retiredThroughBlock - notReached;
        long pc = (region.pc & ~0xFFFL) + offset;
        cpu.pc = pc;
        if (e instanceof MemoryFault f) return cpu.hooks.memoryFault(cpu, f, pc);
        if (e instanceof UndefinedInstruction) {
            int insn = cpu.mem.fetch32(pc);
            return cpu.hooks.undefined(cpu, insn, pc);
        }
        throw e;
    }

    /*
     * Translated code's loads and stores. They are calls rather than CpuMemory's accessors inlined: the launcher tells
     * HotSpot never to inline these (-XX:CompileCommand=dontinline), so C2 compiles each accessor once with its TLB
     * lookup and MemorySegment access, and a region's compilation pays for a call per access instead of for twenty
     * levels of inlined MemorySegment code. Measured on busybox gzip and awk: 12-16% less CPU time in total. The
     * region code is hardly slower: a region past a few hundred bytecodes used to stop inlining (HotSpot's
     * DesiredMethodLimit) and called the accessors anyway, after a costlier compilation.
     */

    public static int read8(CpuMemory m, long va) {
        return m.read8(va);
    }

    public static int read16(CpuMemory m, long va) {
        return m.read16(va);
    }

    public static int read32(CpuMemory m, long va) {
        return m.read32(va);
    }

    public static long read64(CpuMemory m, long va) {
        return m.read64(va);
    }

    public static void write8(CpuMemory m, long va, int value) {
        m.write8(va, value);
    }

    public static void write16(CpuMemory m, long va, int value) {
        m.write16(va, value);
    }

    public static void write32(CpuMemory m, long va, int value) {
        m.write32(va, value);
    }

    public static void write64(CpuMemory m, long va, long value) {
        m.write64(va, value);
    }

    /** STP of two X registers: both pages checked for write before either half is stored. */
    public static void write64Pair(CpuMemory m, long va, long first, long second) {
        LoadStore.probeStore(m, va, 16);
        m.write64(va, first);
        m.write64(va + 8, second);
    }

    /** NZCV from a lazy flag state: {@code kind} is one of the FLAGS_ constants. */
    public static int flags(int kind, long a, long b, int nzcv) {
        return switch (kind) {
            case FLAGS_ADD64 -> addFlags64(a, b);
            case FLAGS_SUB64 -> subFlags64(a, b);
            case FLAGS_ADD32 -> addFlags32(a, b);
            case FLAGS_SUB32 -> subFlags32(a, b);
            case FLAGS_LOGIC64 -> logicFlags64(a);
            case FLAGS_LOGIC32 -> logicFlags32(a);
            default -> nzcv;
        };
    }

    private static int nz64(long r) {
        return (int) (r >>> 32) & Cpu.N | (r == 0 ? Cpu.Z : 0);
    }

    private static int nz32(int r) {
        return r & Cpu.N | (r == 0 ? Cpu.Z : 0);
    }

    /** NZCV of a + b: carry out when the sum wraps below an operand, overflow when both operands' signs differ from it. */
    public static int addFlags64(long a, long b) {
        long r = a + b;
        return nz64(r) | (Long.compareUnsigned(r, a) < 0 ? Cpu.C : 0) | (((a ^ r) & (b ^ r)) < 0 ? Cpu.V : 0);
    }

    /** NZCV of a - b: C is "no borrow" (a >= b unsigned), V when a and b differ in sign and r differs from a. */
    public static int subFlags64(long a, long b) {
        long r = a - b;
        return nz64(r) | (Long.compareUnsigned(a, b) >= 0 ? Cpu.C : 0) | (((a ^ b) & (a ^ r)) < 0 ? Cpu.V : 0);
    }

    public static int addFlags32(long a64, long b64) {
        int a = (int) a64, b = (int) b64, r = a + b;
        return nz32(r) | (Integer.compareUnsigned(r, a) < 0 ? Cpu.C : 0) | (((a ^ r) & (b ^ r)) < 0 ? Cpu.V : 0);
    }

    public static int subFlags32(long a64, long b64) {
        int a = (int) a64, b = (int) b64, r = a - b;
        return nz32(r) | (Integer.compareUnsigned(a, b) >= 0 ? Cpu.C : 0) | (((a ^ b) & (a ^ r)) < 0 ? Cpu.V : 0);
    }

    public static int logicFlags64(long r) {
        return nz64(r);
    }

    public static int logicFlags32(long r) {
        return nz32((int) r);
    }

    /** The A64 condition {@code cond} on materialized flags, as {@link Cpu#condition} evaluates it. */
    public static boolean condition(int nzcv, int cond) {
        boolean n = nzcv < 0, z = (nzcv & Cpu.Z) != 0, c = (nzcv & Cpu.C) != 0, v = (nzcv & Cpu.V) != 0;
        boolean r = switch (cond >>> 1) {
            case 0 -> z;
            case 1 -> c;
            case 2 -> n;
            case 3 -> v;
            case 4 -> c && !z;
            case 5 -> n == v;
            case 6 -> n == v && !z;
            default -> true;
        };
        return ((cond & 1) != 0 && cond != 15) != r;
    }

    /* A64 division never traps: x / 0 is 0, and MIN / -1 is MIN, which Java's division also gives. */

    public static long udiv64(long n, long m) {
        return m == 0 ? 0 : Long.divideUnsigned(n, m);
    }

    public static long sdiv64(long n, long m) {
        return m == 0 ? 0 : n / m;
    }

    public static long udiv32(long n, long m) {
        return (int) m == 0 ? 0 : Integer.divideUnsigned((int) n, (int) m) & 0xFFFF_FFFFL;
    }

    public static long sdiv32(long n, long m) {
        return (int) m == 0 ? 0 : ((int) n / (int) m) & 0xFFFF_FFFFL;
    }
}
