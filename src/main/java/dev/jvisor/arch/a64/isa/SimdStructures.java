package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.InsnRow;
import dev.jvisor.memory.CpuMemory;

import static dev.jvisor.arch.a64.isa.LoadStoreText.base;
import static dev.jvisor.arch.a64.isa.LoadStoreText.gpr;
import static dev.jvisor.arch.a64.isa.LoadStoreText.orInst;

/**
 * Advanced SIMD structure loads and stores: LD1-LD4/ST1-ST4 of multiple structures, of one lane, and LD1R-LD4R,
 * each with and without post-index. Element e of structure member s lives in lane e of register (t + s) mod 32, and
 * consecutive structures follow each other in memory, so LD2 de-interleaves and ST2 interleaves.
 *
 * <p>Loads gather everything into a local buffer before writing any register, so a fault on the last byte leaves all
 * of them unchanged; stores check that the last byte is writable before writing the first.
 */
final class SimdStructures {
    private SimdStructures() {}

    private static final String[] ARRANGEMENTS = {"8b", "16b", "4h", "8h", "2s", "4s", "1d", "2d"};
    private static final char[] ELEMENT = {'b', 'h', 's', 'd'};

    static void rows(InsnRow.Builder b) {
        // {opcode, mnemonic number, registers}: LDn with n > 1 uses n registers; LD1 names its register count.
        int[][] multiple = {{0b0000, 4, 4}, {0b0010, 1, 4}, {0b0100, 3, 3}, {0b0110, 1, 3}, {0b0111, 1, 1},
            {0b1000, 2, 2}, {0b1010, 1, 2}};
        for (int l = 0; l <= 1; l++) {
            String op = l == 1 ? "ld" : "st";
            for (int[] m : multiple) {
                String name = op.toUpperCase() + m[1] + (m[1] == 1 ? "_" + m[2] + "reg" : "");
                String opcode = String.format("%4s", Integer.toBinaryString(m[0])).replace(' ', '0');
                String mnemonic = op + m[1];
                int regs = m[2], selem = m[1];
                b.row(name, "0 Q:1 0011000 " + l + " 0 00000 " + opcode + " size:2 Rn:5 Rt:5",
                        SimdStructures::multiple, orInst((r, i, pc) -> mnemonic + " " + structureList(i, regs, selem)
                                + ", [" + base(i >>> 5 & 31) + "]"));
                b.row(name + "_post", "0 Q:1 0011001 " + l + " 0 Rm:5 " + opcode + " size:2 Rn:5 Rt:5",
                        SimdStructures::multiple, orInst((r, i, pc) -> mnemonic + " " + structureList(i, regs, selem)
                                + ", [" + base(i >>> 5 & 31) + "]"
                                + postText(i, ((i & 1 << 30) != 0 ? 16 : 8) * regs)));
            }
            for (int selem = 1; selem <= 4; selem++) {
                int r = (selem - 1) & 1, o0 = (selem - 1) >> 1;
                String mnemonic = op + selem;
                String name = op.toUpperCase() + selem + "_lane";
                String head = " " + l + " " + r + " ";
                String tail = " opcode=--" + o0 + " S:1 size:2 Rn:5 Rt:5";
                int n = selem;
                b.row(name, "0 Q:1 0011010" + head + "00000" + tail, SimdStructures::singleLane,
                        orInst((row, i, pc) -> mnemonic + " " + laneText(i, n) + ", [" + base(i >>> 5 & 31) + "]"));
                b.row(name + "_post", "0 Q:1 0011011" + head + "Rm:5" + tail, SimdStructures::singleLane,
                        orInst((row, i, pc) -> mnemonic + " " + laneText(i, n) + ", [" + base(i >>> 5 & 31) + "]"
                                + postText(i, n * laneBytes(i))));
                if (l == 1) {
                    String rTail = " opcode=11" + o0 + " S=0 size:2 Rn:5 Rt:5";
                    String rMnemonic = mnemonic + "r";
                    b.row("LD" + selem + "R", "0 Q:1 0011010" + head + "00000" + rTail, SimdStructures::replicate,
                            (row, i, pc) -> rMnemonic + " " + vectorList(i, n) + ", [" + base(i >>> 5 & 31) + "]");
                    b.row("LD" + selem + "R_post", "0 Q:1 0011011" + head + "Rm:5" + rTail, SimdStructures::replicate,
                            (row, i, pc) -> rMnemonic + " " + vectorList(i, n) + ", [" + base(i >>> 5 & 31) + "]"
                                    + postText(i, n << (i >>> 10 & 3)));
                }
            }
        }
    }

    /** Post-index amount: Xm, or with Rm = 31 the number of bytes transferred. */
    private static long postOffset(Cpu c, int insn, int bytes) {
        int m = insn >>> 16 & 31;
        return m == 31 ? bytes : c.x[m];
    }

    private static boolean postIndexed(int insn) {
        return (insn & 1 << 23) != 0;
    }

    static long multiple(Cpu c, int insn, long pc) {
        int t = insn & 31, n = insn >>> 5 & 31;
        int size = insn >>> 10 & 3;
        boolean q = (insn & 1 << 30) != 0;
        int repeats, selem;
        switch (insn >>> 12 & 15) {
            case 0b0000 -> { repeats = 1; selem = 4; }
            case 0b0010 -> { repeats = 4; selem = 1; }
            case 0b0100 -> { repeats = 1; selem = 3; }
            case 0b0110 -> { repeats = 3; selem = 1; }
            case 0b0111 -> { repeats = 1; selem = 1; }
            case 0b1000 -> { repeats = 1; selem = 2; }
            case 0b1010 -> { repeats = 2; selem = 1; }
            default -> throw new UndefinedInstruction();
        }
        if (size == 3 && !q && selem != 1) throw ONE_D;
        int regs = repeats * selem;
        int halves = q ? 2 : 1;
        int bytes = 8 * halves * regs;
        long address = c.xsp(n);
        CpuMemory m = c.mem;
        boolean load = (insn & 1 << 22) != 0;
        if (selem == 1) {
            // One register after the other: the bytes are in register order, whatever the element size.
            if (load) {
                long[] data = new long[2 * regs];
                for (int k = 0; k < regs; k++) {
                    for (int h = 0; h < halves; h++) data[2 * k + h] = m.read64(address + 8L * (halves * k + h));
                }
                for (int k = 0; k < regs; k++) c.setQ((t + k) & 31, data[2 * k], data[2 * k + 1]);
            } else {
                LoadStore.probeStore(m, address, bytes);
                for (int k = 0; k < regs; k++) {
                    int v = 2 * ((t + k) & 31);
                    for (int h = 0; h < halves; h++) m.write64(address + 8L * (halves * k + h), c.v[v + h]);
                }
            }
        } else {
            int esize = 1 << size;
            int elements = 8 * halves / esize;
            if (load) {
                long[] data = new long[2 * selem];
                long offset = address;
                for (int e = 0; e < elements; e++) {
                    int shift = 8 * (e * esize & 7), half = e * esize >>> 3;
                    for (int s = 0; s < selem; s++) {
                        data[2 * s + half] |= m.read(offset, esize) << shift;
                        offset += esize;
                    }
                }
                for (int s = 0; s < selem; s++) c.setQ((t + s) & 31, data[2 * s], data[2 * s + 1]);
            } else {
                LoadStore.probeStore(m, address, bytes);
                long offset = address;
                for (int e = 0; e < elements; e++) {
                    int shift = 8 * (e * esize & 7), half = e * esize >>> 3;
                    for (int s = 0; s < selem; s++) {
                        m.write(offset, esize, c.v[2 * ((t + s) & 31) + half] >>> shift);
                        offset += esize;
                    }
                }
            }
        }
        if (postIndexed(insn)) c.x[n] = address + postOffset(c, insn, bytes);
        return pc + 4;
    }

    /** log2 of the lane size of a single-structure access; the reserved size and S combinations are UNDEFINED. */
    private static int laneScale(int insn) {
        int size = insn >>> 10 & 3;
        switch (insn >>> 14 & 3) {
            case 0:
                return 0;
            case 1:
                if ((size & 1) == 0) return 1;
                break;
            case 2:
                if (size == 0) return 2;
                if (size == 1 && (insn & 1 << 12) == 0) return 3;
                break;
            default:
                break;  // the replicate opcode with S set, or a store: there is no ST1R
        }
        throw new UndefinedInstruction("reserved single-structure lane encoding");
    }

    /** The lane number: Q:S:size with the bits that the lane size uses up dropped. */
    private static int laneIndex(int insn, int scale) {
        return ((insn >>> 27 & 8) | (insn >>> 10 & 4) | (insn >>> 10 & 3)) >> scale;
    }

    private static int laneBytes(int insn) {
        return 1 << laneScale(insn);
    }

    static long singleLane(Cpu c, int insn, long pc) {
        int t = insn & 31, n = insn >>> 5 & 31;
        int selem = ((insn >>> 12 & 2) | (insn >>> 21 & 1)) + 1;
        int scale = laneScale(insn);
        int esize = 1 << scale;
        int byteInRegister = laneIndex(insn, scale) * esize;
        int half = byteInRegister >>> 3, shift = 8 * (byteInRegister & 7);
        long laneMask = esize == 8 ? -1L : ((1L << 8 * esize) - 1) << shift;
        long address = c.xsp(n);
        CpuMemory m = c.mem;
        if ((insn & 1 << 22) != 0) {
            long[] data = new long[selem];
            for (int s = 0; s < selem; s++) data[s] = m.read(address + (long) s * esize, esize);
            for (int s = 0; s < selem; s++) {
                int v = 2 * ((t + s) & 31) + half;
                c.v[v] = c.v[v] & ~laneMask | data[s] << shift;
            }
        } else {
            LoadStore.probeStore(m, address, selem * esize);
            for (int s = 0; s < selem; s++) {
                m.write(address + (long) s * esize, esize, c.v[2 * ((t + s) & 31) + half] >>> shift);
            }
        }
        if (postIndexed(insn)) c.x[n] = address + postOffset(c, insn, selem * esize);
        return pc + 4;
    }

    private static final long[] REPLICATE = {0x0101_0101_0101_0101L, 0x0001_0001_0001_0001L, 0x0000_0001_0000_0001L, 1};

    static long replicate(Cpu c, int insn, long pc) {
        int t = insn & 31, n = insn >>> 5 & 31;
        int size = insn >>> 10 & 3;
        int esize = 1 << size;
        boolean q = (insn & 1 << 30) != 0;
        int selem = ((insn >>> 12 & 2) | (insn >>> 21 & 1)) + 1;
        long address = c.xsp(n);
        long[] data = new long[selem];
        for (int s = 0; s < selem; s++) data[s] = c.mem.read(address + (long) s * esize, esize) * REPLICATE[size];
        for (int s = 0; s < selem; s++) c.setQ((t + s) & 31, data[s], q ? data[s] : 0);
        if (postIndexed(insn)) c.x[n] = address + postOffset(c, insn, selem * esize);
        return pc + 4;
    }

    // ---- disassembly ----

    private static final UndefinedInstruction ONE_D =
            new UndefinedInstruction("LD2-LD4/ST2-ST4 with the .1d arrangement");

    private static String structureList(int insn, int regs, int selem) {
        if ((insn >>> 10 & 3) == 3 && (insn & 1 << 30) == 0 && selem != 1) throw ONE_D;
        return vectorList(insn, regs);
    }

    private static String vectorList(int insn, int regs) {
        return registerList(insn & 31, regs, "." + ARRANGEMENTS[(insn >>> 9 & 6) | (insn >>> 30 & 1)]);
    }

    /** "{v0.16b, v1.16b}", or "{v0.4s-v3.4s}" for three or four registers that do not wrap past v31. */
    private static String registerList(int t, int regs, String suffix) {
        if (regs >= 3 && t + regs - 1 <= 31) return "{v" + t + suffix + "-v" + (t + regs - 1) + suffix + "}";
        StringBuilder s = new StringBuilder("{");
        for (int k = 0; k < regs; k++) s.append(k == 0 ? "" : ", ").append('v').append((t + k) & 31).append(suffix);
        return s.append('}').toString();
    }

    private static String laneText(int insn, int regs) {
        int scale = laneScale(insn);
        return registerList(insn & 31, regs, "." + ELEMENT[scale]) + "[" + laneIndex(insn, scale) + "]";
    }

    private static String postText(int insn, long bytes) {
        int m = insn >>> 16 & 31;
        return m == 31 ? ", #" + bytes : ", " + gpr(m, true);
    }
}
