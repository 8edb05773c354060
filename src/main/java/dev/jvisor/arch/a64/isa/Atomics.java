package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.InsnRow;
import dev.jvisor.memory.Access;
import dev.jvisor.memory.MemoryFault;

import java.lang.invoke.VarHandle;

import static dev.jvisor.arch.a64.isa.LoadStoreText.base;
import static dev.jvisor.arch.a64.isa.LoadStoreText.gpr;

/**
 * Exclusives (LDXR/STXR and their pair and acquire/release forms), load-acquire/store-release (LDAR, STLR, LDAPR) and
 * the LSE atomics (CAS, CASP, SWP, LDADD and the other read-modify-write operations with their ST aliases).
 *
 * <p>Each vCPU runs on its own thread with its own {@link Cpu}, over shared RAM. The exclusive monitor is the Cpu's
 * record of the address, size and value that the last load-exclusive saw; a store-exclusive succeeds only if it is to
 * the same address and size and a compare-and-exchange from the recorded value succeeds. That is atomic between
 * vCPUs. The known difference from a hardware monitor (QEMU has the same one): stores by other vCPUs that leave the
 * location holding the value the load saw (same value, or A to B to A) go unnoticed, so a guest algorithm that counts
 * on LL/SC to catch ABA, such as a lock-free stack pop without a generation counter, is only as safe as it would be
 * with CAS. Pairs of doublewords go through {@link dev.jvisor.memory.CpuMemory#compareAndExchange128}, whose own
 * limits are described there.
 *
 * <p>Ordering maps onto Java fences: an acquire load is followed by an acquire fence, a release store is preceded by
 * a release fence, and STLR is also followed by a full fence so that a later LDAR cannot be satisfied before it
 * (A64 acquire/release is sequentially consistent between themselves). The compare-and-exchange operations are
 * volatile in Java and so already order both ways.
 *
 * <p>CONSTRAINED UNPREDICTABLE overlaps (the status register of a store-exclusive being its data or base register,
 * both destinations of a load-exclusive pair being the same) are UNDEFINED, one of the permitted choices.
 */
final class Atomics {
    private Atomics() {}

    private static final String[] SUFFIX = {"b", "h", "", ""};

    static void rows(InsnRow.Builder b) {
        b.row("STXR", "size:2 001000 0 0 0 Rs:5 0 ----- Rn:5 Rt:5",
                Atomics::storeExclusive, (r, i, pc) -> withStatus("stxr", i));
        b.row("STLXR", "size:2 001000 0 0 0 Rs:5 1 ----- Rn:5 Rt:5",
                Atomics::storeExclusive, (r, i, pc) -> withStatus("stlxr", i));
        b.row("LDXR", "size:2 001000 0 1 0 ----- 0 ----- Rn:5 Rt:5",
                Atomics::loadExclusive, (r, i, pc) -> plain("ldxr", i));
        b.row("LDAXR", "size:2 001000 0 1 0 ----- 1 ----- Rn:5 Rt:5",
                Atomics::loadExclusive, (r, i, pc) -> plain("ldaxr", i));
        b.row("STXP", "1 sz:1 001000 0 0 1 Rs:5 0 Rt2:5 Rn:5 Rt:5",
                Atomics::storeExclusivePair, (r, i, pc) -> pairText("stxp", i, true));
        b.row("STLXP", "1 sz:1 001000 0 0 1 Rs:5 1 Rt2:5 Rn:5 Rt:5",
                Atomics::storeExclusivePair, (r, i, pc) -> pairText("stlxp", i, true));
        b.row("LDXP", "1 sz:1 001000 0 1 1 ----- 0 Rt2:5 Rn:5 Rt:5",
                Atomics::loadExclusivePair, (r, i, pc) -> pairText("ldxp", i, false));
        b.row("LDAXP", "1 sz:1 001000 0 1 1 ----- 1 Rt2:5 Rn:5 Rt:5",
                Atomics::loadExclusivePair, (r, i, pc) -> pairText("ldaxp", i, false));
        b.row("STLR", "size:2 001000 1 0 0 11111 1 11111 Rn:5 Rt:5",
                Atomics::storeRelease, (r, i, pc) -> plain("stlr", i));
        b.row("LDAR", "size:2 001000 1 1 0 11111 1 11111 Rn:5 Rt:5",
                Atomics::loadAcquire, (r, i, pc) -> plain("ldar", i));
        b.row("LDAPR", "size:2 111 0 00 1 0 1 11111 1 100 00 Rn:5 Rt:5",
                Atomics::loadAcquirePc, (r, i, pc) -> plain("ldapr", i));
        b.row("CAS", "size:2 001000 1 L:1 1 Rs:5 o0:1 11111 Rn:5 Rt:5", Atomics::compareAndSwap, Atomics::casText);
        b.row("CASP", "0 sz:1 001000 0 L:1 1 Rs:5 o0:1 11111 Rn:5 Rt:5",
                Atomics::compareAndSwapPair, LoadStoreText.orInst(Atomics::caspText));
        String[] ops = {"add", "clr", "eor", "set", "smax", "smin", "umax", "umin"};
        for (int op = 0; op < 8; op++) {
            String bits = String.format("%3s", Integer.toBinaryString(op)).replace(' ', '0');
            String name = ops[op];
            b.row("LD" + name.toUpperCase(), "size:2 111 0 00 A:1 R:1 1 Rs:5 0 " + bits + " 00 Rn:5 Rt:5",
                    Atomics::readModifyWrite, (r, i, pc) -> atomicText(name, i, true));
        }
        b.row("SWP", "size:2 111 0 00 A:1 R:1 1 Rs:5 1 000 00 Rn:5 Rt:5", Atomics::readModifyWrite,
                (r, i, pc) -> atomicText("swp", i, false));
    }

    private static void requireAligned(long address, int size, Access access) {
        if ((address & (size - 1)) != 0) throw new MemoryFault(MemoryFault.Kind.ALIGNMENT, address, access);
    }

    private static void requireLse(Cpu c) {
        if (!c.model.has(CpuModel.Feature.LSE)) throw new UndefinedInstruction("LSE atomics not in this CPU model");
    }

    private static boolean acquire(int insn) {
        return (insn & 1 << 15) != 0;
    }

    // ---- exclusives ----

    static long loadExclusive(Cpu c, int insn, long pc) {
        int size = 1 << (insn >>> 30);
        long address = c.xsp(insn >>> 5 & 31);
        requireAligned(address, size, Access.READ);
        long value = c.mem.read(address, size);
        if (acquire(insn)) VarHandle.acquireFence();
        c.exclusiveAddress = address;
        c.exclusiveSize = size;
        c.exclusiveValue = value;
        c.setX(insn & 31, value);
        return pc + 4;
    }

    /** Checks the operand overlaps a store-exclusive may not have; we choose UNDEFINED for them. */
    private static void checkStatusRegister(int s, int t, int t2, int n) {
        if (s == t || s == t2 || (s == n && n != 31)) {
            throw new UndefinedInstruction("store-exclusive status register overlaps an operand");
        }
    }

    static long storeExclusive(Cpu c, int insn, long pc) {
        int size = 1 << (insn >>> 30);
        int s = insn >>> 16 & 31, n = insn >>> 5 & 31, t = insn & 31;
        checkStatusRegister(s, t, t, n);
        long address = c.xsp(n);
        requireAligned(address, size, Access.WRITE);
        long expected = c.exclusiveValue;
        boolean stored = c.exclusiveSize == size && c.exclusiveAddress == address
                && c.mem.compareAndExchange(address, size, expected, c.x(t)) == expected;
        c.exclusiveSize = 0;
        c.setW(s, stored ? 0 : 1);
        return pc + 4;
    }

    static long loadExclusivePair(Cpu c, int insn, long pc) {
        int t = insn & 31, t2 = insn >>> 10 & 31;
        if (t == t2) throw new UndefinedInstruction("load-exclusive pair into one register");
        long address = c.xsp(insn >>> 5 & 31);
        long first, second;
        if ((insn & 1 << 30) != 0) {
            long[] pair = new long[2];
            c.mem.atomicLoad128(address, pair);
            first = pair[0];
            second = pair[1];
            c.exclusiveSize = 16;
            c.exclusiveValue2 = second;
            c.exclusiveValue = first;
        } else {
            requireAligned(address, 8, Access.READ);
            long both = c.mem.read64(address);
            first = both & 0xFFFF_FFFFL;
            second = both >>> 32;
            c.exclusiveSize = 8;
            c.exclusiveValue = both;
        }
        if (acquire(insn)) VarHandle.acquireFence();
        c.exclusiveAddress = address;
        c.setX(t, first);
        c.setX(t2, second);
        return pc + 4;
    }

    static long storeExclusivePair(Cpu c, int insn, long pc) {
        int s = insn >>> 16 & 31, n = insn >>> 5 & 31, t = insn & 31, t2 = insn >>> 10 & 31;
        checkStatusRegister(s, t, t2, n);
        long address = c.xsp(n);
        boolean doublewords = (insn & 1 << 30) != 0;
        int size = doublewords ? 16 : 8;
        requireAligned(address, size, Access.WRITE);
        boolean stored = false;
        if (c.exclusiveSize == size && c.exclusiveAddress == address) {
            if (doublewords) {
                stored = c.mem.compareAndExchange128(address, c.exclusiveValue, c.exclusiveValue2, c.x(t), c.x(t2),
                        new long[2]);
            } else {
                long update = c.x(t) & 0xFFFF_FFFFL | c.x(t2) << 32;
                stored = c.mem.compareAndExchange(address, 8, c.exclusiveValue, update) == c.exclusiveValue;
            }
        }
        c.exclusiveSize = 0;
        c.setW(s, stored ? 0 : 1);
        return pc + 4;
    }

    // ---- load-acquire, store-release ----

    /** Acquire/release accesses are single-copy atomic and must be naturally aligned (there is no FEAT_LSE2 here). */
    static long loadAcquire(Cpu c, int insn, long pc) {
        int size = 1 << (insn >>> 30);
        long address = c.xsp(insn >>> 5 & 31);
        requireAligned(address, size, Access.READ);
        long value = c.mem.read(address, size);
        VarHandle.acquireFence();
        c.setX(insn & 31, value);
        return pc + 4;
    }

    /** LDAPR: the weaker RCpc acquire, which needs no more here than LDAR does. */
    static long loadAcquirePc(Cpu c, int insn, long pc) {
        if (!c.model.has(CpuModel.Feature.LRCPC)) throw new UndefinedInstruction("LDAPR needs FEAT_LRCPC");
        return loadAcquire(c, insn, pc);
    }

    static long storeRelease(Cpu c, int insn, long pc) {
        int size = 1 << (insn >>> 30);
        long address = c.xsp(insn >>> 5 & 31);
        requireAligned(address, size, Access.WRITE);
        VarHandle.releaseFence();
        c.mem.write(address, size, c.x(insn & 31));
        VarHandle.fullFence();
        return pc + 4;
    }

    // ---- LSE ----

    static long compareAndSwap(Cpu c, int insn, long pc) {
        requireLse(c);
        int s = insn >>> 16 & 31;
        long found = c.mem.compareAndExchange(c.xsp(insn >>> 5 & 31), 1 << (insn >>> 30), c.x(s), c.x(insn & 31));
        c.setX(s, found);
        return pc + 4;
    }

    static long compareAndSwapPair(Cpu c, int insn, long pc) {
        requireLse(c);
        int s = insn >>> 16 & 31, t = insn & 31;
        if ((s & 1) != 0 || (t & 1) != 0) throw new UndefinedInstruction("CASP needs even-numbered registers");
        long address = c.xsp(insn >>> 5 & 31);
        if ((insn & 1 << 30) != 0) {
            long[] found = new long[2];
            c.mem.compareAndExchange128(address, c.x(s), c.x(s + 1), c.x(t), c.x(t + 1), found);
            c.setX(s, found[0]);
            c.setX(s + 1, found[1]);
        } else {
            long expected = c.x(s) & 0xFFFF_FFFFL | c.x(s + 1) << 32;
            long update = c.x(t) & 0xFFFF_FFFFL | c.x(t + 1) << 32;
            long found = c.mem.compareAndExchange(address, 8, expected, update);
            c.setX(s, found & 0xFFFF_FFFFL);
            c.setX(s + 1, found >>> 32);
        }
        return pc + 4;
    }

    /** LDADD ... LDUMIN and SWP: o3:opc in bits 15..12 selects the operation. Rt gets the old value. */
    static long readModifyWrite(Cpu c, int insn, long pc) {
        requireLse(c);
        int size = 1 << (insn >>> 30);
        int op = insn >>> 12 & 15;
        long operand = c.x(insn >>> 16 & 31);
        long address = c.xsp(insn >>> 5 & 31);
        long old = c.mem.atomicLoad(address, size);
        while (true) {
            long found = c.mem.compareAndExchange(address, size, old, combine(op, size, old, operand));
            if (found == old) break;
            old = found;
        }
        c.setX(insn & 31, old);
        return pc + 4;
    }

    /** The new memory value; {@code old} is zero-extended, only the low {@code size} bytes of the result matter. */
    private static long combine(int op, int size, long old, long operand) {
        int unused = 64 - 8 * size;
        return switch (op) {
            case 0 -> old + operand;
            case 1 -> old & ~operand;
            case 2 -> old ^ operand;
            case 3 -> old | operand;
            case 4 -> Math.max(old << unused >> unused, operand << unused >> unused);
            case 5 -> Math.min(old << unused >> unused, operand << unused >> unused);
            case 6 -> Long.compareUnsigned(old, operand << unused >>> unused) >= 0 ? old : operand;
            case 7 -> Long.compareUnsigned(old, operand << unused >>> unused) <= 0 ? old : operand;
            case 8 -> operand;
            default -> throw new UndefinedInstruction();
        };
    }

    // ---- disassembly ----

    private static String sized(String mnemonic, int insn) {
        return mnemonic + SUFFIX[insn >>> 30];
    }

    private static String plain(String mnemonic, int insn) {
        return sized(mnemonic, insn) + " " + gpr(insn & 31, insn >>> 30 == 3) + ", [" + base(insn >>> 5 & 31) + "]";
    }

    private static String withStatus(String mnemonic, int insn) {
        return sized(mnemonic, insn) + " " + gpr(insn >>> 16 & 31, false) + ", " + gpr(insn & 31, insn >>> 30 == 3)
                + ", [" + base(insn >>> 5 & 31) + "]";
    }

    private static String pairText(String mnemonic, int insn, boolean status) {
        boolean x = (insn & 1 << 30) != 0;
        return mnemonic + " " + (status ? gpr(insn >>> 16 & 31, false) + ", " : "") + gpr(insn & 31, x) + ", "
                + gpr(insn >>> 10 & 31, x) + ", [" + base(insn >>> 5 & 31) + "]";
    }

    private static String ordering(int insn) {
        return ((insn & 1 << 22) != 0 ? "a" : "") + ((insn & 1 << 15) != 0 ? "l" : "");
    }

    private static String casText(InsnRow row, int insn, long pc) {
        boolean x = insn >>> 30 == 3;
        return "cas" + ordering(insn) + SUFFIX[insn >>> 30] + " " + gpr(insn >>> 16 & 31, x) + ", " + gpr(insn & 31, x)
                + ", [" + base(insn >>> 5 & 31) + "]";
    }

    private static String caspText(InsnRow row, int insn, long pc) {
        boolean x = (insn & 1 << 30) != 0;
        int s = insn >>> 16 & 31, t = insn & 31;
        if ((s & 1) != 0 || (t & 1) != 0) throw new UndefinedInstruction("CASP needs even-numbered registers");
        return "casp" + ordering(insn) + " " + gpr(s, x) + ", " + gpr(s + 1, x) + ", " + gpr(t, x) + ", "
                + gpr(t + 1, x) + ", [" + base(insn >>> 5 & 31) + "]";
    }

    /** LD&lt;op&gt; with Rt = ZR and no acquire is printed as its ST&lt;op&gt; alias, as objdump does. */
    private static String atomicText(String op, int insn, boolean hasStoreAlias) {
        boolean x = insn >>> 30 == 3;
        int t = insn & 31;
        boolean acquire = (insn & 1 << 23) != 0, release = (insn & 1 << 22) != 0;
        String order = (acquire ? "a" : "") + (release ? "l" : "");
        String sizeSuffix = SUFFIX[insn >>> 30];
        String address = ", [" + base(insn >>> 5 & 31) + "]";
        if (hasStoreAlias && t == 31 && !acquire) {
            return "st" + op + order + sizeSuffix + " " + gpr(insn >>> 16 & 31, x) + address;
        }
        String mnemonic = hasStoreAlias ? "ld" + op : op;
        return mnemonic + order + sizeSuffix + " " + gpr(insn >>> 16 & 31, x) + ", " + gpr(t, x) + address;
    }
}
