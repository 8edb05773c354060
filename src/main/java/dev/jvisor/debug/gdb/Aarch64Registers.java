package dev.jvisor.debug.gdb;

import dev.jvisor.arch.a64.Cpu;

/**
 * The registers of {@link TargetDescription} in gdb's numbering, read from and written to a {@link Cpu} as the
 * hex of their little-endian bytes: x0-x30 (0-30), sp (31), pc (32), cpsr (33, 32 bits), v0-v31 (34-65, 128 bits),
 * fpsr (66) and fpcr (67, 32 bits each).
 */
final class Aarch64Registers {
    static final int SP = 31, PC = 32, CPSR = 33, V0 = 34, FPSR = 66, FPCR = 67, COUNT = 68;

    private Aarch64Registers() {}

    /** Size in bytes of register {@code n}, or 0 if there is no such register. */
    static int size(int n) {
        if (n < 0 || n >= COUNT) return 0;
        if (n <= PC) return 8;
        if (n >= V0 && n < FPSR) return 16;
        return 4;
    }

    /**
     * PSTATE as the SPSR layout puts it: NZCV, PAN, UAO, IL, DAIF and M[3:0] (EL and SP selection). In user mode
     * only NZCV can be non-zero.
     */
    static long cpsr(Cpu c) {
        long m = (long) c.el << 2 | (c.spSel ? 1 : 0);
        return (c.nzcv & 0xF000_0000L) | (c.uao ? 1L << 23 : 0) | (c.pan ? 1L << 22 : 0)
                | (c.illegalState ? 1L << 20 : 0) | (c.daif & 0x3C0) | m;
    }

    static void append(Cpu c, int n, StringBuilder hex) {
        if (n <= SP) appendLe(hex, c.x[n], 8);
        else if (n == PC) appendLe(hex, c.pc, 8);
        else if (n == CPSR) appendLe(hex, cpsr(c), 4);
        else if (n < FPSR) {
            appendLe(hex, c.v[2 * (n - V0)], 8);
            appendLe(hex, c.v[2 * (n - V0) + 1], 8);
        } else appendLe(hex, n == FPSR ? c.fpsr : c.fpcr, 4);
    }

    /** Every register in order: the reply to 'g'. */
    static String all(Cpu c) {
        StringBuilder hex = new StringBuilder(2 * 788);
        for (int n = 0; n < COUNT; n++) append(c, n, hex);
        return hex.toString();
    }

    /**
     * Writes register {@code n} from the hex at {@code hex[at, at + 2 * size(n))}. Writing cpsr changes only NZCV:
     * the exception level and stack selection are not the debugger's to switch behind the system registers' back.
     */
    static void write(Cpu c, int n, String hex, int at) {
        if (n <= SP) c.x[n] = parseLe(hex, at, 8);
        else if (n == PC) c.pc = parseLe(hex, at, 8);
        else if (n == CPSR) c.nzcv = (int) parseLe(hex, at, 4) & 0xF000_0000;
        else if (n < FPSR) {
            c.v[2 * (n - V0)] = parseLe(hex, at, 8);
            c.v[2 * (n - V0) + 1] = parseLe(hex, at + 16, 8);
        } else if (n == FPSR) c.fpsr = (int) parseLe(hex, at, 4);
        else c.fpcr = (int) parseLe(hex, at, 4);
    }

    /** 'G': every register from one hex string of {@link #all}'s layout. */
    static void writeAll(Cpu c, String hex) {
        int at = 0;
        for (int n = 0; n < COUNT; n++) {
            write(c, n, hex, at);
            at += 2 * size(n);
        }
    }

    /** The total hex length of {@link #all}. */
    static int allHexLength() {
        int bytes = 0;
        for (int n = 0; n < COUNT; n++) bytes += size(n);
        return 2 * bytes;
    }

    static void appendLe(StringBuilder hex, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            int b = (int) (value >>> (8 * i)) & 0xFF;
            hex.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 15, 16));
        }
    }

    /** {@code bytes} little-endian bytes from hex; throws NumberFormatException on a malformed digit. */
    static long parseLe(String hex, int at, int bytes) {
        if (hex.length() < at + 2 * bytes) throw new NumberFormatException("register value too short");
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) v = v << 8 | Integer.parseInt(hex, at + 2 * i, at + 2 * i + 2, 16);
        return v;
    }
}
