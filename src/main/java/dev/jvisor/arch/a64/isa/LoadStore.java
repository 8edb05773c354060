package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;
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

    /**
     * One single-register transfer, as bits size, V and opc of the encoding select it, with its row-name stem, its
     * mnemonic and the kind of register the disassembler prints ('w', 'x', or 'b' 'h' 's' 'd' 'q').
     */
    private record Kind(String name, String mnemonic, int size, int v, int opc, char reg) {
        String bits() {
            return String.format("%d%d 111 %d", size >> 1, size & 1, v);
        }

        String opcBits() {
            return String.format("%d%d", opc >> 1, opc & 1);
        }
    }

    private static final Kind[] KINDS = {
        new Kind("STRB", "strb", 0, 0, 0, 'w'),
        new Kind("LDRB", "ldrb", 0, 0, 1, 'w'),
        new Kind("LDRSB_x", "ldrsb", 0, 0, 2, 'x'),
        new Kind("LDRSB_w", "ldrsb", 0, 0, 3, 'w'),
        new Kind("STRH", "strh", 1, 0, 0, 'w'),
        new Kind("LDRH", "ldrh", 1, 0, 1, 'w'),
        new Kind("LDRSH_x", "ldrsh", 1, 0, 2, 'x'),
        new Kind("LDRSH_w", "ldrsh", 1, 0, 3, 'w'),
        new Kind("STR_w", "str", 2, 0, 0, 'w'),
        new Kind("LDR_w", "ldr", 2, 0, 1, 'w'),
        new Kind("LDRSW", "ldrsw", 2, 0, 2, 'x'),
        new Kind("STR_x", "str", 3, 0, 0, 'x'),
        new Kind("LDR_x", "ldr", 3, 0, 1, 'x'),
        new Kind("STR_b", "str", 0, 1, 0, 'b'),
        new Kind("LDR_b", "ldr", 0, 1, 1, 'b'),
        new Kind("STR_q", "str", 0, 1, 2, 'q'),
        new Kind("LDR_q", "ldr", 0, 1, 3, 'q'),
        new Kind("STR_h", "str", 1, 1, 0, 'h'),
        new Kind("LDR_h", "ldr", 1, 1, 1, 'h'),
        new Kind("STR_s", "str", 2, 1, 0, 's'),
        new Kind("LDR_s", "ldr", 2, 1, 1, 's'),
        new Kind("STR_d", "str", 3, 1, 0, 'd'),
        new Kind("LDR_d", "ldr", 3, 1, 1, 'd'),
    };

    public static void rows(InsnRow.Builder b) {
        for (Kind k : KINDS) {
            String head = k.bits() + " 01 " + k.opcBits();
            String imm9Head = k.bits() + " 00 " + k.opcBits() + " 0 imm9:9 ";
            String tail = " Rn:5 Rt:5";
            b.row(k.name + "_uoff", head + " imm12:12" + tail, LoadStore::unsignedOffset,
                    (r, i, pc) -> k.mnemonic + " " + LoadStoreText.reg(k.reg, i & 31) + ", " + unsignedOffsetText(i));
            b.row(k.name + "_unscaled", imm9Head + "00" + tail, LoadStore::unscaled,
                    (r, i, pc) -> infix(k.mnemonic, 'u') + " " + LoadStoreText.reg(k.reg, i & 31) + ", " + imm9Text(i));
            b.row(k.name + "_post", imm9Head + "01" + tail, LoadStore::postIndex,
                    (r, i, pc) -> k.mnemonic + " " + LoadStoreText.reg(k.reg, i & 31) + ", [" + base(i >>> 5 & 31)
                            + "], #" + simm9(i));
            b.row(k.name + "_pre", imm9Head + "11" + tail, LoadStore::preIndex,
                    (r, i, pc) -> k.mnemonic + " " + LoadStoreText.reg(k.reg, i & 31) + ", [" + base(i >>> 5 & 31)
                            + ", #" + simm9(i) + "]!");
            b.row(k.name + "_reg", k.bits() + " 00 " + k.opcBits() + " 1 Rm:5 option=-1- S:1 10" + tail,
                    LoadStore::registerOffset,
                    (r, i, pc) -> k.mnemonic + " " + LoadStoreText.reg(k.reg, i & 31) + ", " + registerOffsetText(i, k.size));
            if (k.v == 0) {
                b.row(k.name + "_unpriv", imm9Head + "10" + tail, LoadStore::unscaled,
                        (r, i, pc) -> infix(k.mnemonic, 't') + " " + LoadStoreText.reg(k.reg, i & 31) + ", " + imm9Text(i));
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

    private static void literalRows(InsnRow.Builder b) {
        String[][] literals = {
            {"LDR_w_lit", "00 011 0 00", "ldr", "w"}, {"LDR_x_lit", "01 011 0 00", "ldr", "x"},
            {"LDRSW_lit", "10 011 0 00", "ldrsw", "x"}, {"LDR_s_lit", "00 011 1 00", "ldr", "s"},
            {"LDR_d_lit", "01 011 1 00", "ldr", "d"}, {"LDR_q_lit", "10 011 1 00", "ldr", "q"},
        };
        for (String[] l : literals) {
            b.row(l[0], l[1] + " imm19:19 Rt:5", LoadStore::literal,
                    (r, i, pc) -> l[2] + " " + LoadStoreText.reg(l[3].charAt(0), i & 31) + ", " + hex(literalAddress(i, pc)));
        }
        b.row("PRFM_lit", "11 011 0 00 imm19:19 Rt:5", LoadStore::hint,
                (r, i, pc) -> "prfm " + prefetchOp(i & 31) + ", " + hex(literalAddress(i, pc)));
    }

    private static void pairRows(InsnRow.Builder b) {
        // {name, opc, V, L, register letter}
        String[][] pairs = {
            {"STP_w", "00", "0", "0", "w"}, {"LDP_w", "00", "0", "1", "w"}, {"LDPSW", "01", "0", "1", "x"},
            {"STP_x", "10", "0", "0", "x"}, {"LDP_x", "10", "0", "1", "x"},
            {"STP_s", "00", "1", "0", "s"}, {"LDP_s", "00", "1", "1", "s"},
            {"STP_d", "01", "1", "0", "d"}, {"LDP_d", "01", "1", "1", "d"},
            {"STP_q", "10", "1", "0", "q"}, {"LDP_q", "10", "1", "1", "q"},
        };
        String[] modes = {"nt", "post", "off", "pre"};
        for (String[] p : pairs) {
            for (int mode = 0; mode < 4; mode++) {
                if (mode == 0 && p[0].equals("LDPSW")) continue;  // no non-temporal LDPSW
                String name = mode == 0 ? p[0].replace("P", "NP") : p[0] + "_" + modes[mode];
                String mnemonic = (mode == 0 ? p[0].substring(0, 2) + "np" : p[0].split("_")[0]).toLowerCase();
                char reg = p[4].charAt(0);
                int scale = p[2].equals("1") ? 2 + Integer.parseInt(p[1], 2) : 2 + (Integer.parseInt(p[1], 2) >> 1);
                String pattern = p[1] + " 101 " + p[2] + " 0" + (mode >> 1) + (mode & 1) + " " + p[3]
                        + " imm7:7 Rt2:5 Rn:5 Rt:5";
                int m = mode;
                b.row(name, pattern, LoadStore::pair, (r, i, pc) -> mnemonic + " " + LoadStoreText.reg(reg, i & 31)
                        + ", " + LoadStoreText.reg(reg, i >>> 10 & 31) + ", " + pairAddressText(i, m, scale));
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

    static long unsignedOffset(Cpu c, int insn, long pc) {
        transfer(c, insn, c.xsp(insn >>> 5 & 31) + ((long) (insn >>> 10 & 0xFFF) << scale(insn)));
        return pc + 4;
    }

    static long unscaled(Cpu c, int insn, long pc) {
        transfer(c, insn, c.xsp(insn >>> 5 & 31) + simm9(insn));
        return pc + 4;
    }

    static long preIndex(Cpu c, int insn, long pc) {
        int n = insn >>> 5 & 31;
        long address = c.xsp(n) + simm9(insn);
        transfer(c, insn, address);
        writeBack(c, insn, n, address);
        return pc + 4;
    }

    static long postIndex(Cpu c, int insn, long pc) {
        int n = insn >>> 5 & 31;
        long address = c.xsp(n);
        transfer(c, insn, address);
        writeBack(c, insn, n, address + simm9(insn));
        return pc + 4;
    }

    /** Base writeback of a single-register transfer; suppressed when a general-register load just wrote the base. */
    private static void writeBack(Cpu c, int insn, int n, long address) {
        boolean generalLoad = (insn & 1 << 26) == 0 && (insn & 3 << 22) != 0;
        if (n == 31 || !generalLoad || (insn & 31) != n) c.x[n] = address;
    }

    static long registerOffset(Cpu c, int insn, long pc) {
        transfer(c, insn, c.xsp(insn >>> 5 & 31) + extendedIndex(c, insn, scale(insn)));
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

    /** The single-register transfer that bits size, V and opc of {@code insn} select, at {@code address}. */
    private static void transfer(Cpu c, int insn, long address) {
        int t = insn & 31;
        CpuMemory m = c.mem;
        switch (insn >>> 27 & 0x18 | insn >>> 24 & 4 | insn >>> 22 & 3) {
            case 0x00 -> m.write8(address, c.w(t));
            case 0x01 -> c.setW(t, m.read8(address));
            case 0x02 -> c.setX(t, (byte) m.read8(address));
            case 0x03 -> c.setW(t, (byte) m.read8(address));
            case 0x08 -> m.write16(address, c.w(t));
            case 0x09 -> c.setW(t, m.read16(address));
            case 0x0A -> c.setX(t, (short) m.read16(address));
            case 0x0B -> c.setW(t, (short) m.read16(address));
            case 0x10 -> m.write32(address, c.w(t));
            case 0x11 -> c.setW(t, m.read32(address));
            case 0x12 -> c.setX(t, m.read32(address));
            case 0x18 -> m.write64(address, c.x(t));
            case 0x19 -> c.setX(t, m.read64(address));
            case 0x04 -> m.write8(address, (int) c.v[2 * t]);
            case 0x05 -> c.setD(t, m.read8(address));
            case 0x06 -> store128(m, address, c.v[2 * t], c.v[2 * t + 1]);
            case 0x07 -> {
                long lo = m.read64(address);
                long hi = m.read64(address + 8);
                c.setQ(t, lo, hi);
            }
            case 0x0C -> m.write16(address, (int) c.v[2 * t]);
            case 0x0D -> c.setD(t, m.read16(address));
            case 0x14 -> m.write32(address, (int) c.v[2 * t]);
            case 0x15 -> c.setD(t, m.read32(address) & 0xFFFF_FFFFL);
            case 0x1C -> m.write64(address, c.v[2 * t]);
            case 0x1D -> c.setD(t, m.read64(address));
            default -> throw new UndefinedInstruction();
        }
    }

    /**
     * Makes sure both pages of a store of {@code bytes} bytes at {@code address} are writable before any byte is
     * written. The probe is of the first byte of the second page, the address a byte-by-byte store would fault on.
     */
    static void probeStore(CpuMemory m, long address, int bytes) {
        if ((address & CpuMemory.PAGE_MASK) > CpuMemory.PAGE_SIZE - bytes) {
            m.probeWrite(address + bytes - 1 & ~CpuMemory.PAGE_MASK);
        }
    }

    private static void store128(CpuMemory m, long address, long lo, long hi) {
        probeStore(m, address, 16);
        m.write64(address, lo);
        m.write64(address + 8, hi);
    }

    static long literalAddress(int insn, long pc) {
        return pc + ((long) (insn << 8) >> 11 & ~3L);
    }

    static long literal(Cpu c, int insn, long pc) {
        long address = literalAddress(insn, pc);
        int t = insn & 31;
        CpuMemory m = c.mem;
        switch (insn >>> 30 | insn >>> 24 & 4) {
            case 0 -> c.setW(t, m.read32(address));
            case 1 -> c.setX(t, m.read64(address));
            case 2 -> c.setX(t, m.read32(address));
            case 4 -> c.setD(t, m.read32(address) & 0xFFFF_FFFFL);
            case 5 -> c.setD(t, m.read64(address));
            case 6 -> {
                long lo = m.read64(address);
                long hi = m.read64(address + 8);
                c.setQ(t, lo, hi);
            }
            default -> throw new UndefinedInstruction();
        }
        return pc + 4;
    }

    /**
     * LDP/STP/LDPSW/LDNP/STNP in all modes. Bits 24..23 give the mode: 00 non-temporal offset (a hint we need not
     * honour, so it is the same as 10), 01 post-index, 10 signed offset, 11 pre-index.
     */
    static long pair(Cpu c, int insn, long pc) {
        int t = insn & 31, n = insn >>> 5 & 31, t2 = insn >>> 10 & 31;
        int mode = insn >>> 23 & 3;
        boolean simd = (insn & 1 << 26) != 0;
        int opc = insn >>> 30;
        int scale = simd ? 2 + opc : 2 + (opc >>> 1);
        int bytes = 1 << scale;
        long offset = (long) (insn << 10 >> 25) << scale;
        long base = c.xsp(n);
        long address = mode == 1 ? base : base + offset;
        CpuMemory m = c.mem;
        boolean writeBack = (mode & 1) != 0;
        if ((insn & 1 << 22) != 0) {
            if (t == t2) throw new UndefinedInstruction("LDP with Rt == Rt2");
            if (simd) {
                long lo1 = m.read64(address), hi1 = 0, lo2, hi2 = 0;
                if (bytes == 16) {
                    hi1 = m.read64(address + 8);
                    lo2 = m.read64(address + 16);
                    hi2 = m.read64(address + 24);
                } else if (bytes == 8) {
                    lo2 = m.read64(address + 8);
                } else {
                    lo2 = lo1 >>> 32;
                    lo1 &= 0xFFFF_FFFFL;
                }
                c.setQ(t, lo1, hi1);
                c.setQ(t2, lo2, hi2);
            } else if (bytes == 8) {
                long first = m.read64(address);
                long second = m.read64(address + 8);
                c.setX(t, first);
                c.setX(t2, second);
            } else {
                long both = m.read64(address);
                boolean signed = opc == 1;
                c.setX(t, signed ? (long) (int) both : both & 0xFFFF_FFFFL);
                c.setX(t2, signed ? both >> 32 : both >>> 32);
            }
            // A general-register load that overwrote the base keeps the loaded value (writeback suppressed).
            if (writeBack && (n == 31 || simd || (t != n && t2 != n))) c.x[n] = base + offset;
        } else {
            probeStore(m, address, 2 * bytes);
            if (simd) {
                switch (bytes) {
                    case 4 -> m.write64(address, c.v[2 * t] & 0xFFFF_FFFFL | c.v[2 * t2] << 32);
                    case 8 -> {
                        m.write64(address, c.v[2 * t]);
                        m.write64(address + 8, c.v[2 * t2]);
                    }
                    default -> {
                        m.write64(address, c.v[2 * t]);
                        m.write64(address + 8, c.v[2 * t + 1]);
                        m.write64(address + 16, c.v[2 * t2]);
                        m.write64(address + 24, c.v[2 * t2 + 1]);
                    }
                }
            } else if (bytes == 8) {
                m.write64(address, c.x(t));
                m.write64(address + 8, c.x(t2));
            } else {
                m.write64(address, c.x(t) & 0xFFFF_FFFFL | c.x(t2) << 32);
            }
            if (writeBack) c.x[n] = base + offset;
        }
        return pc + 4;
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
