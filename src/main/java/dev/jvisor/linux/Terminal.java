package dev.jvisor.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * ioctl(2). Terminal requests are answered for descriptors that are the host's terminal, with the host terminal's
 * real settings and size, read and changed through stty(1) since Java has no tcgetattr or tcsetattr; anything else
 * is ENOTTY. Guest writes reach the terminal before write(2) returns, so TCSETSW has nothing to wait for; TCSETSF's
 * flush of pending input is not done.
 */
final class Terminal {
    static final int TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TIOCGPGRP = 0x540F,
            TIOCGWINSZ = 0x5413, FIONREAD = 0x541B, FIONBIO = 0x5421, FIONCLEX = 0x5450, FIOCLEX = 0x5451;

    private Terminal() {}

    static long ioctl(GuestThread t, int fd, int request, long arg) {
        LinuxProcess p = t.process;
        OpenFile f = p.fds.get(fd);
        switch (request) {
            case FIOCLEX, FIONCLEX -> {
                p.fds.setCloseOnExec(fd, request == FIOCLEX);
                return 0;
            }
            case FIONBIO -> {
                if (p.space.read32(arg) != 0) f.flags |= OpenFile.O_NONBLOCK; else f.flags &= ~OpenFile.O_NONBLOCK;
                return 0;
            }
            case FIONREAD -> {
                if (f instanceof Pipe.End) {
                    p.space.write32(arg, ((Pipe.End) f).available());
                    return 0;
                }
                if (f instanceof RegularFile r) {
                    long left = Math.max(0, r.stat().size() - r.seek(0, 1));
                    p.space.write32(arg, (int) Math.min(left, Integer.MAX_VALUE));
                    return 0;
                }
                throw new Errno(Errno.ENOTTY);
            }
            default -> { }
        }
        if (!f.isTerminal()) throw new Errno(Errno.ENOTTY);
        return switch (request) {
            case TCGETS -> {
                p.space.write(arg, termios(f.terminalPath()));
                yield 0;
            }
            case TIOCGWINSZ -> {
                int[] size = windowSize(f.terminalPath());
                p.space.write(arg, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) size[0])
                        .putShort((short) size[1]).putShort((short) 0).putShort((short) 0).array());
                yield 0;
            }
            case TIOCGPGRP -> {
                p.space.write32(arg, (int) HostInfo.procStatField(8));
                yield 0;
            }
            case TCSETS, TCSETSW, TCSETSF -> {
                setTermios(f.terminalPath(), p.space.read(arg, 36));
                yield 0;
            }
            default -> -Errno.ENOTTY;
        };
    }

    /** Settings per terminal device, as last read or set through jvisor. */
    private static final java.util.Map<String, byte[]> TERMIOS = new java.util.concurrent.ConcurrentHashMap<>();

    private static byte[] termios(String tty) {
        byte[] cached = TERMIOS.get(tty);
        if (cached == null) {
            cached = readTermios(tty);
            TERMIOS.put(tty, cached);
        }
        return cached.clone();
    }

    /** The kernel's struct termios (36 bytes) from `stty -g`: four flag words then the control characters. */
    private static byte[] readTermios(String tty) {
        String g = stty(tty, "-g");
        ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
        if (g == null) throw new Errno(Errno.ENOTTY);
        String[] parts = g.trim().split(":");
        if (parts.length < 4) throw new Errno(Errno.ENOTTY);
        for (int i = 0; i < 4; i++) b.putInt(4 * i, (int) Long.parseLong(parts[i], 16));
        for (int i = 0; i < 19 && 4 + i < parts.length; i++) b.put(17 + i, (byte) Integer.parseInt(parts[4 + i], 16));
        return b.array();
    }

    /** Applies a kernel struct termios with `stty -F TTY SETTINGS` in the format `stty -g` prints (glibc NCCS = 32). */
    private static void setTermios(String tty, byte[] termios) {
        ByteBuffer b = ByteBuffer.wrap(termios).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder g = new StringBuilder();
        for (int i = 0; i < 4; i++) g.append(Integer.toHexString(b.getInt(4 * i))).append(':');
        for (int i = 0; i < 32; i++) {
            int cc = i < 19 ? b.get(17 + i) & 0xFF : 0;
            g.append(Integer.toHexString(cc)).append(i < 31 ? ":" : "");
        }
        if (stty(tty, g.toString()) == null) throw new Errno(Errno.EIO);
        TERMIOS.put(tty, termios.clone());
    }

    /** Rows and columns from `stty size`. */
    private static int[] windowSize(String tty) {
        String s = stty(tty, "size");
        if (s == null) throw new Errno(Errno.ENOTTY);
        String[] rc = s.trim().split("\\s+");
        return new int[] {Integer.parseInt(rc[0]), Integer.parseInt(rc[1])};
    }

    private static String stty(String tty, String what) {
        try {
            Process proc = new ProcessBuilder("stty", "-F", tty, what).redirectErrorStream(true).start();
            byte[] out = proc.getInputStream().readAllBytes();
            if (!proc.waitFor(5, TimeUnit.SECONDS) || proc.exitValue() != 0) return null;
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
