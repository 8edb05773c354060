package dev.jvisor.debug.gdb;

/**
 * Signal numbers between Linux's (what targets speak) and gdb's own numbering (what the remote protocol speaks). They
 * agree for 1-6, 8, 9, 11 and 13-15 and differ elsewhere (SIGBUS is 7 on Linux, 10 for gdb; SIGUSR1 is 10 on Linux,
 * 30 for gdb).
 */
final class GdbSignals {
    /** gdb's GDB_SIGNAL_UNKNOWN, for a Linux signal gdb has no name for. */
    static final int UNKNOWN = 143;
    static final int SIGINT = 2, SIGTRAP = 5;

    /** Index: Linux signal 0-31; value: gdb's number. Linux 16 (SIGSTKFLT) has no gdb counterpart. */
    private static final int[] LINUX_TO_GDB = {
            0, 1, 2, 3, 4, 5, 6, 10, 8, 9, 30, 11, 31, 13, 14, 15,
            UNKNOWN, 20, 19, 17, 18, 21, 22, 16, 24, 25, 26, 27, 28, 23, 32, 12};

    private GdbSignals() {}

    static int toGdb(int linux) {
        if (linux >= 0 && linux < LINUX_TO_GDB.length) return LINUX_TO_GDB[linux];
        // Real-time signals: gdb numbers Linux 32 as 77, 33-63 as 45-75 and 64 as 78.
        if (linux == 32) return 77;
        if (linux >= 33 && linux <= 63) return linux + 12;
        if (linux == 64) return 78;
        return UNKNOWN;
    }

    /** The Linux signal for gdb's {@code gdb}, or 0 if Linux has none. */
    static int toLinux(int gdb) {
        for (int linux = 1; linux <= 64; linux++) if (toGdb(linux) == gdb && gdb != UNKNOWN) return linux;
        return 0;
    }
}
