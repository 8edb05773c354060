package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.Exec;
import dev.jvisor.arch.a64.decode.InsnRow;
import dev.jvisor.memory.CpuMemory;

import static dev.jvisor.arch.a64.isa.LoadStoreText.base;
import static dev.jvisor.arch.a64.isa.LoadStoreText.gpr;
import static dev.jvisor.arch.a64.isa.LoadStoreText.hex;
import static dev.jvisor.arch.a64.isa.LoadStoreText.prefetchOp;

/**
 * Loads and stores of one or two registers, general or SIMD&FP: every addressing mode (unsigned offset, unscaled,
 * pre- and post-index, register offset, unprivileged, literal), the pair forms, and PRFM. The structure loads and
 * stores are in {@link SimdStructures}; exclusives, acquire/release and the LSE atomics in {@link Atomics}.
 *
 * <p>A faulting instruction changes no register: every load that can fault is done before the first register write,
 * and stores made of several accesses check the last page before writing the first byte.
 *
 * <p>CONSTRAINED UNPREDICTABLE choices: a load whose writeback base is also its destination keeps the loaded value
 * (writeback suppressed); a store whose writeback base is also its source stores the value the register had before
 * the instruction; LDP with both destinations the same register is UNDEFINED. The unprivileged LDTR/STTR forms are
 * plain accesses, which is exact at EL0; at EL1 they would need an EL0 permission check that the memory view does not
 * offer yet. Stack-pointer alignment checking (SCTLR_ELx.SA/SA0) is not modelled, as in QEMU: an SP-based access with
 * a misaligned SP succeeds.
 */
public final class LoadStore {
    private LoadStore() {}

    /** Moves data between register Rt and memory at {@code address}, which the addressing mode computed. */
    @FunctionalInterface
    interface Transfer {
        void at(Cpu c, int t, long address);
    }

    /**
     * One single-register transfer, as bits size, V and opc of the encoding select it, with its row-name stem, its
     * mnemonic, the kind of register the disassembler prints ('w', 'x', or 'b' 'h' 's' 'd' 'q') and what it does.
     * A row's code is a small addressing-mode method handed the kind's one-line transfer, rather than one method
     * that switches on size, V and opc: the translator calls a row's code with the instruction word as a constant,
     * and HotSpot inlines and folds small methods only.
     */
    private record Kind(String name, String mnemonic, int size, int v, int opc, char reg, Transfer transfer) {
        String bits() {
            return String.format("%d%d 111 %d", size >> 1, size & 1, v);
        }

        String opcBits() {
            return String.format("%d%d", opc >> 1, opc & 1);
        }
    }

    private static final Kind[] KINDS = {
        new Kind("STRB", "strb", 0, 0, 0, 'w', LoadStore::strb),
        new Kind("LDRB", "ldrb", 0, 0, 1, 'w', LoadStore::ldrb),
        new Kind("LDRSB_x", "ldrsb", 0, 0, 2, 'x', LoadStore::ldrsbToX),
        new Kind("LDRSB_w", "ldrsb", 0, 0, 3, 'w', LoadStore::ldrsbToW),
        new Kind("STRH", "strh", 1, 0, 0, 'w', LoadStore::strh),
        new Kind("LDRH", "ldrh", 1, 0, 1, 'w', LoadStore::ldrh),
        new Kind("LDRSH_x", "ldrsh", 1, 0, 2, 'x', LoadStore::ldrshToX),
        new Kind("LDRSH_w", "ldrsh", 1, 0, 3, 'w', LoadStore::ldrshToW),
        new Kind("STR_w", "str", 2, 0, 0, 'w', LoadStore::strW),
        new Kind("LDR_w", "ldr", 2, 0, 1, 'w', LoadStore::ldrW),
        new Kind("LDRSW", "ldrsw", 2, 0, 2, 'x', LoadStore::ldrsw),
        new Kind("STR_x", "str", 3, 0, 0, 'x', LoadStore::strX),
        new Kind("LDR_x", "ldr", 3, 0, 1, 'x', LoadStore::ldrX),
        new Kind("STR_b", "str", 0, 1, 0, 'b', LoadStore::storeB),
        new Kind("LDR_b", "ldr", 0, 1, 1, 'b', LoadStore::loadB),
        new Kind("STR_q", "str", 0, 1, 2, 'q', LoadStore::storeQ),
        new Kind("LDR_q", "ldr", 0, 1, 3, 'q', LoadStore::loadQ),
        new Kind("STR_h", "str", 1, 1, 0, 'h', LoadStore::storeH),
        new Kind("LDR_h", "ldr", 1, 1, 1, 'h', LoadStore::loadH),
        new Kind("STR_s", "str", 2, 1, 0, 's', LoadStore::storeS),
        new Kind("LDR_s", "ldr", 2, 1, 1, 's', LoadStore::loadS),
        new Kind("STR_d", "str", 3, 1, 0, 'd', LoadStore::storeD),
        new Kind("LDR_d", "ldr", 3, 1, 1, 'd', LoadStore::loadD),
    };

    public static void rows(InsnRow.Builder b) {
        for (Kind k : KINDS) {
            Transfer x = k.transfer;
            String head = k.bits() + " 01 " + k.opcBits();
            String imm9Head = k.bits() + " 00 " + k.opcBits() + " 0 imm9:9 ";
            String tail = " Rn:5 Rt:5";
            b.row(k.name + "_uoff", head + " imm12:12" + tail, (c, i, pc) -> unsignedOffset(c, i, pc, x),
                    (r, i, pc) -> k.mnemonic + " " + LoadStoreText.reg(k.reg, i & 31) + ", " + unsignedOffsetText(i));
            b.row(k.name + "_unscaled", imm9Head + "00" + tail, (c, i, pc) -> unscaled(c, i, pc, x),
                    (r, i, pc) -> infix(k.mnemonic, 'u') + " " + LoadStoreText.reg(k.reg, i & 31) + ", " + imm9Text(i));
            b.row(k.name + "_post", imm9Head + "01" + tail, (c, i, pc) -> postIndex(c, i, pc, x),
                    (r, i, pc) -> k.mnemonic + " " + LoadStoreText.reg(k.reg, i & 31) + ", [" + base(i >>> 5 & 31)
                            + "], #" + simm9(i));
            b.row(k.name + "_pre", imm9Head + "11" + tail, (c, i, pc) -> preIndex(c, i, pc, x),
                    (r, i, pc) -> k.mnemonic + " " + LoadStoreText.reg(k.reg, i & 31) + ", [" + base(i >>> 5 & 31)
                            + ", #" + simm9(i) + "]!");
            b.row(k.name + "_reg", k.bits() + " 00 " + k.opcBits() + " 1 Rm:5 option=-1- S:1 10" + tail,
                    (c, i, pc) -> registerOffset(c, i, pc, x),
                    (r, i, pc) -> k.mnemonic + " " + LoadStoreText.reg(k.reg, i & 31) + ", "
                            + registerOffsetText(i, k.size));
            if (k.v == 0) {
                b.row(k.name + "_unpriv", imm9Head + "10" + tail, (c, i, pc) -> unprivileged(c, i, pc, x),
                        (r, i, pc) -> infix(k.mnemonic, 't') + " " + LoadStoreText.reg(k.reg, i & 31) + ", "
                                + imm9Text(i));
            }
        }
        // PRFM is the size=11 opc=10 corner of the same space: no pre/post-index or unprivileged form exists.
        b.row("PRFM_uoff", "11 111 0 01 10 imm12:12 Rn:5 Rt:5", LoadStore::hint,
                (r, i, pc) -> "prfm " + prefetchOp(i & 31) + ", " + unsignedOffsetText(i));
        b.row("PRFUM", "11 111 0 00 10 0 imm9:9 00 Rn:5 Rt:5", LoadStore::hint,
                (r, i, pc) -> "prfum " + prefetchOp(i & 31) + ", " + imm9Text(i));
        b.row("PRFM_reg", "11 111 0 00 10 1 Rm:5 option=-1- S:1 10 Rn:5 Rt:5", LoadStore::hint,
                (r, i, pc) -> "prfm " + prefetchOp(i & 31) + ", " + registerOffsetText(i, 3));

        literalRows(b);
        pairRows(b);
        SimdStructures.rows(b);
        Atomics.rows(b);
    }

    private record Literal(String name, String bits, String mnemonic, char reg, Transfer transfer) {}

    private static void literalRows(InsnRow.Builder b) {
        Literal[] literals = {
            new Literal("LDR_w_lit", "00 011 0 00", "ldr", 'w', LoadStore::ldrW),
            new Literal("LDR_x_lit", "01 011 0 00", "ldr", 'x', LoadStore::ldrX),
            new Literal("LDRSW_lit", "10 011 0 00", "ldrsw", 'x', LoadStore::ldrsw),
            new Literal("LDR_s_lit", "00 011 1 00", "ldr", 's', LoadStore::loadS),
            new Literal("LDR_d_lit", "01 011 1 00", "ldr", 'd', LoadStore::loadD),
            new Literal("LDR_q_lit", "10 011 1 00", "ldr", 'q', LoadStore::loadQ),
        };
        for (Literal l : literals) {
            Transfer x = l.transfer;
            b.row(l.name, l.bits + " imm19:19 Rt:5", (c, i, pc) -> literal(c, i, pc, x),
                    (r, i, pc) -> l.mnemonic + " " + LoadStoreText.reg(l.reg, i & 31) + ", "
                            + hex(literalAddress(i, pc)));
        }
        b.row("PRFM_lit", "11 011 0 00 imm19:19 Rt:5", LoadStore::hint,
                (r, i, pc) -> "prfm " + prefetchOp(i & 31) + ", " + hex(literalAddress(i, pc)));
    }

    /**
     * A pair transfer: row-name stem, bits opc, V and L, the register the disassembler prints, and its semantics.
     * Unlike single transfers, each pair kind has a whole method of its own: a shared one, with the transfer passed
     * in, compiles too big on its own for HotSpot to inline it into translated code afterwards.
     */
    private record PairKind(String name, String opc, int v, int l, char reg, Exec exec) {}

    private static void pairRows(InsnRow.Builder b) {
        PairKind[] pairs = {
            new PairKind("STP_w", "00", 0, 0, 'w', LoadStore::stpW),
            new PairKind("LDP_w", "00", 0, 1, 'w', LoadStore::ldpW),
            new PairKind("LDPSW", "01", 0, 1, 'x', LoadStore::ldpsw),
            new PairKind("STP_x", "10", 0, 0, 'x', LoadStore::stpX),
            new PairKind("LDP_x", "10", 0, 1, 'x', LoadStore::ldpX),
            new PairKind("STP_s", "00", 1, 0, 's', LoadStore::storePairS),
            new PairKind("LDP_s", "00", 1, 1, 's', LoadStore::loadPairS),
            new PairKind("STP_d", "01", 1, 0, 'd', LoadStore::storePairD),
            new PairKind("LDP_d", "01", 1, 1, 'd', LoadStore::loadPairD),
            new PairKind("STP_q", "10", 1, 0, 'q', LoadStore::storePairQ),
            new PairKind("LDP_q", "10", 1, 1, 'q', LoadStore::loadPairQ),
        };
        String[] modes = {"nt", "post", "off", "pre"};
        for (PairKind p : pairs) {
            int scale = p.v == 1 ? 2 + Integer.parseInt(p.opc, 2) : 2 + (Integer.parseInt(p.opc, 2) >> 1);
            for (int mode = 0; mode < 4; mode++) {
                if (mode == 0 && p.name.equals("LDPSW")) continue;  // no non-temporal LDPSW
                String name = mode == 0 ? p.name.replace("P", "NP") : p.name + "_" + modes[mode];
                String mnemonic = (mode == 0 ? p.name.substring(0, 2) + "np" : p.name.split("_")[0]).toLowerCase();
                String pattern = p.opc + " 101 " + p.v + " 0" + (mode >> 1) + (mode & 1) + " " + p.l
                        + " imm7:7 Rt2:5 Rn:5 Rt:5";
                int m = mode;
                b.row(name, pattern, p.exec, (r, i, pc) -> mnemonic + " "
                        + LoadStoreText.reg(p.reg, i & 31) + ", " + LoadStoreText.reg(p.reg, i >>> 10 & 31) + ", "
                        + pairAddressText(i, m, scale));
            }
        }
    }

    // ---- semantics ----

    /** log2 of the access size: bits size, except that the 128-bit SIMD&FP form is size=00 with opc<1> set. */
    private static int scale(int insn) {
        return (insn & 1 << 26) != 0 && (insn & 1 << 23) != 0 ? 4 : insn >>> 30;
    }

    private static long simm9(int insn) {
        return insn << 11 >> 23;
    }

    static long unsignedOffset(Cpu c, int insn, long pc, Transfer x) {
        x.at(c, insn & 31, c.xsp(insn >>> 5 & 31) + ((long) (insn >>> 10 & 0xFFF) << scale(insn)));
        return pc + 4;
    }

    /** LDTR/STTR: at EL1 without PSTATE.UAO the access is checked as EL0's; at EL0 it is an ordinary access. */
    static long unprivileged(Cpu c, int insn, long pc, Transfer x) {
        if (c.el == 0 || c.uao) return unscaled(c, insn, pc, x);
        c.mem.setUnprivileged(true);
        try {
            return unscaled(c, insn, pc, x);
        } finally {
            c.mem.setUnprivileged(false);
        }
    }

    static long unscaled(Cpu c, int insn, long pc, Transfer x) {
        x.at(c, insn & 31, c.xsp(insn >>> 5 & 31) + simm9(insn));
        return pc + 4;
    }

    static long preIndex(Cpu c, int insn, long pc, Transfer x) {
        int n = insn >>> 5 & 31;
        long address = c.xsp(n) + simm9(insn);
        x.at(c, insn & 31, address);
        writeBack(c, insn, n, address);
        return pc + 4;
    }

    static long postIndex(Cpu c, int insn, long pc, Transfer x) {
        int n = insn >>> 5 & 31;
        long address = c.xsp(n);
        x.at(c, insn & 31, address);
        writeBack(c, insn, n, address + simm9(insn));
        return pc + 4;
    }

    /** Base writeback of a single-register transfer; suppressed when a general-register load just wrote the base. */
    private static void writeBack(Cpu c, int insn, int n, long address) {
        boolean generalLoad = (insn & 1 << 26) == 0 && (insn & 3 << 22) != 0;
        if (n == 31 || !generalLoad || (insn & 31) != n) c.x[n] = address;
    }

    static long registerOffset(Cpu c, int insn, long pc, Transfer x) {
        x.at(c, insn & 31, c.xsp(insn >>> 5 & 31) + extendedIndex(c, insn, scale(insn)));
        return pc + 4;
    }

    /** Rm extended by option (UXTW, LSL, SXTW, SXTX) and shifted by the access size when S is set. */
    private static long extendedIndex(Cpu c, int insn, int scale) {
        long m = c.x(insn >>> 16 & 31);
        int option = insn >>> 13 & 7;
        long index = (option & 1) != 0 ? m : (option & 4) != 0 ? (long) (int) m : m & 0xFFFF_FFFFL;
        return (insn & 1 << 12) != 0 ? index << scale : index;
    }

    /** PRFM in all its forms: a hint with no architectural effect, so it never faults either. */
    static long hint(Cpu c, int insn, long pc) {
        return pc + 4;
    }

    // The single-register transfers, named after what the row does; a W load zero-extends into Xt, and a SIMD&FP
    // scalar load clears the rest of the vector register.

    static void strb(Cpu c, int t, long a) { c.mem.write8(a, c.w(t)); }
    static void ldrb(Cpu c, int t, long a) { c.setW(t, c.mem.read8(a)); }
    static void ldrsbToX(Cpu c, int t, long a) { c.setX(t, (byte) c.mem.read8(a)); }
    static void ldrsbToW(Cpu c, int t, long a) { c.setW(t, (byte) c.mem.read8(a)); }
    static void strh(Cpu c, int t, long a) { c.mem.write16(a, c.w(t)); }
    static void ldrh(Cpu c, int t, long a) { c.setW(t, c.mem.read16(a)); }
    static void ldrshToX(Cpu c, int t, long a) { c.setX(t, (short) c.mem.read16(a)); }
    static void ldrshToW(Cpu c, int t, long a) { c.setW(t, (short) c.mem.read16(a)); }
    static void strW(Cpu c, int t, long a) { c.mem.write32(a, c.w(t)); }
    static void ldrW(Cpu c, int t, long a) { c.setW(t, c.mem.read32(a)); }
    static void ldrsw(Cpu c, int t, long a) { c.setX(t, c.mem.read32(a)); }
    static void strX(Cpu c, int t, long a) { c.mem.write64(a, c.x(t)); }
    static void ldrX(Cpu c, int t, long a) { c.setX(t, c.mem.read64(a)); }

    static void storeB(Cpu c, int t, long a) { c.mem.write8(a, (int) c.v[2 * t]); }
    static void loadB(Cpu c, int t, long a) { c.setD(t, c.mem.read8(a)); }
    static void storeH(Cpu c, int t, long a) { c.mem.write16(a, (int) c.v[2 * t]); }
    static void loadH(Cpu c, int t, long a) { c.setD(t, c.mem.read16(a)); }
    static void storeS(Cpu c, int t, long a) { c.mem.write32(a, (int) c.v[2 * t]); }
    static void loadS(Cpu c, int t, long a) { c.setD(t, c.mem.read32(a) & 0xFFFF_FFFFL); }
    static void storeD(Cpu c, int t, long a) { c.mem.write64(a, c.v[2 * t]); }
    static void loadD(Cpu c, int t, long a) { c.setD(t, c.mem.read64(a)); }

    static void storeQ(Cpu c, int t, long a) {
        probeStore(c.mem, a, 16);
        c.mem.write64(a, c.v[2 * t]);
        c.mem.write64(a + 8, c.v[2 * t + 1]);
    }

    static void loadQ(Cpu c, int t, long a) {
        long lo = c.mem.read64(a);
        long hi = c.mem.read64(a + 8);
        c.setQ(t, lo, hi);
    }

    /**
     * Makes sure both pages of a store of {@code bytes} bytes at {@code address} are writable before any byte is
     * written. The pages are probed in address order, so the fault reported is the lowest-addressed one, the byte a
     * store done in ascending order would fault on.
     */
    public static void probeStore(CpuMemory m, long address, int bytes) {
        if ((address & CpuMemory.PAGE_MASK) > CpuMemory.PAGE_SIZE - bytes) {
            m.probeWrite(address);
            m.probeWrite(address + bytes - 1 & ~CpuMemory.PAGE_MASK);
        }
    }

    static long literalAddress(int insn, long pc) {
        return pc + ((long) (insn << 8) >> 11 & ~3L);
    }

    static long literal(Cpu c, int insn, long pc, Transfer x) {
        x.at(c, insn & 31, literalAddress(insn, pc));
        return pc + 4;
    }

    // LDP/STP/LDPSW/LDNP/STNP. Bits 24..23 give the mode: 00 non-temporal offset (a hint we need not honour, so
    // the same as 10), 01 post-index, 10 signed offset, 11 pre-index. Both loads happen before either register is
    // written, and a store checks that its last byte is writable before writing the first, so that a fault leaves
    // everything as it was.

    /** The address a pair transfer starts at; UNDEFINED for a load into one register twice. */
    private static long pairAddress(Cpu c, int insn) {
        if ((insn & 1 << 22) != 0 && (insn & 31) == (insn >>> 10 & 31)) {
            throw new UndefinedInstruction("LDP with Rt == Rt2");
        }
        long base = c.xsp(insn >>> 5 & 31);
        return (insn >>> 23 & 3) == 1 ? base : base + pairOffset(insn);
    }

    private static long pairOffset(int insn) {
        int scale = (insn & 1 << 26) != 0 ? 2 + (insn >>> 30) : 2 + (insn >>> 31);
        return (long) (insn << 10 >> 25) << scale;
    }

    /**
     * Base writeback for the pre- and post-index forms, once the transfer is done; a general-register load that
     * overwrote the base keeps the loaded value (writeback suppressed). Returns the next PC.
     */
    private static long pairDone(Cpu c, int insn, long pc) {
        if ((insn & 1 << 23) == 0) return pc + 4;
        int n = insn >>> 5 & 31;
        boolean generalLoad = (insn & 1 << 22) != 0 && (insn & 1 << 26) == 0;
        if (n == 31 || !generalLoad || ((insn & 31) != n && (insn >>> 10 & 31) != n)) {
            c.x[n] += pairOffset(insn);
        }
        return pc + 4;
    }

    static long stpW(Cpu c, int insn, long pc) {
        c.mem.write64(pairAddress(c, insn), c.x(insn & 31) & 0xFFFF_FFFFL | c.x(insn >>> 10 & 31) << 32);
        return pairDone(c, insn, pc);
    }

    static long ldpW(Cpu c, int insn, long pc) {
        long both = c.mem.read64(pairAddress(c, insn));
        c.setX(insn & 31, both & 0xFFFF_FFFFL);
        c.setX(insn >>> 10 & 31, both >>> 32);
        return pairDone(c, insn, pc);
    }

    static long ldpsw(Cpu c, int insn, long pc) {
        long both = c.mem.read64(pairAddress(c, insn));
        c.setX(insn & 31, (int) both);
        c.setX(insn >>> 10 & 31, both >> 32);
        return pairDone(c, insn, pc);
    }

    static long stpX(Cpu c, int insn, long pc) {
        long a = pairAddress(c, insn);
        probeStore(c.mem, a, 16);
        c.mem.write64(a, c.x(insn & 31));
        c.mem.write64(a + 8, c.x(insn >>> 10 & 31));
        return pairDone(c, insn, pc);
    }

    static long ldpX(Cpu c, int insn, long pc) {
        long a = pairAddress(c, insn);
        long first = c.mem.read64(a);
        long second = c.mem.read64(a + 8);
        c.setX(insn & 31, first);
        c.setX(insn >>> 10 & 31, second);
        return pairDone(c, insn, pc);
    }

    static long storePairS(Cpu c, int insn, long pc) {
        c.mem.write64(pairAddress(c, insn), c.v[2 * (insn & 31)] & 0xFFFF_FFFFL | c.v[2 * (insn >>> 10 & 31)] << 32);
        return pairDone(c, insn, pc);
    }

    static long loadPairS(Cpu c, int insn, long pc) {
        long both = c.mem.read64(pairAddress(c, insn));
        c.setD(insn & 31, both & 0xFFFF_FFFFL);
        c.setD(insn >>> 10 & 31, both >>> 32);
        return pairDone(c, insn, pc);
    }

    static long storePairD(Cpu c, int insn, long pc) {
        long a = pairAddress(c, insn);
        probeStore(c.mem, a, 16);
        c.mem.write64(a, c.v[2 * (insn & 31)]);
        c.mem.write64(a + 8, c.v[2 * (insn >>> 10 & 31)]);
        return pairDone(c, insn, pc);
    }

    static long loadPairD(Cpu c, int insn, long pc) {
        long a = pairAddress(c, insn);
        long first = c.mem.read64(a);
        long second = c.mem.read64(a + 8);
        c.setD(insn & 31, first);
        c.setD(insn >>> 10 & 31, second);
        return pairDone(c, insn, pc);
    }

    static long storePairQ(Cpu c, int insn, long pc) {
        long a = pairAddress(c, insn);
        int t = insn & 31, t2 = insn >>> 10 & 31;
        probeStore(c.mem, a, 32);
        c.mem.write64(a, c.v[2 * t]);
        c.mem.write64(a + 8, c.v[2 * t + 1]);
        c.mem.write64(a + 16, c.v[2 * t2]);
        c.mem.write64(a + 24, c.v[2 * t2 + 1]);
        return pairDone(c, insn, pc);
    }

    static long loadPairQ(Cpu c, int insn, long pc) {
        long a = pairAddress(c, insn);
        long lo1 = c.mem.read64(a), hi1 = c.mem.read64(a + 8);
        long lo2 = c.mem.read64(a + 16), hi2 = c.mem.read64(a + 24);
        c.setQ(insn & 31, lo1, hi1);
        c.setQ(insn >>> 10 & 31, lo2, hi2);
        return pairDone(c, insn, pc);
    }

    // ---- disassembly ----

    /** "ldr" to "ldur" or "ldtr", "ldrsw" to "ldursw", "strb" to "sturb". */
    private static String infix(String mnemonic, char c) {
        return mnemonic.substring(0, 2) + c + mnemonic.substring(2);
    }

    private static String unsignedOffsetText(int insn) {
        long offset = (long) (insn >>> 10 & 0xFFF) << scale(insn);
        return "[" + base(insn >>> 5 & 31) + (offset == 0 ? "]" : ", #" + offset + "]");
    }

    private static String imm9Text(int insn) {
        long offset = simm9(insn);
        return "[" + base(insn >>> 5 & 31) + (offset == 0 ? "]" : ", #" + offset + "]");
    }

    private static String registerOffsetText(int insn, int size) {
        int option = insn >>> 13 & 7;
        boolean shifted = (insn & 1 << 12) != 0;
        int amount = (insn & 1 << 26) != 0 && (insn & 1 << 23) != 0 ? 4 : size;
        String index = gpr(insn >>> 16 & 31, (option & 1) != 0);
        String extend = switch (option) {
            case 2 -> "uxtw";
            case 3 -> "lsl";
            case 6 -> "sxtw";
            default -> "sxtx";
        };
        String suffix;
        if (shifted) suffix = ", " + extend + " #" + amount;
        else suffix = option == 3 ? "" : ", " + extend;
        return "[" + base(insn >>> 5 & 31) + ", " + index + suffix + "]";
    }

    private static String pairAddressText(int insn, int mode, int scale) {
        long offset = (long) (insn << 10 >> 25) << scale;
        String rn = base(insn >>> 5 & 31);
        return switch (mode) {
            case 1 -> "[" + rn + "], #" + offset;
            case 3 -> "[" + rn + ", #" + offset + "]!";
            default -> offset == 0 ? "[" + rn + "]" : "[" + rn + ", #" + offset + "]";
        };
    }
}
