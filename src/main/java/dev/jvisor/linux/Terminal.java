package dev.jvisor.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * ioctl(2). Terminal requests are answered for descriptors that are the host's terminal, with the host terminal's
 * real settings and size as stty(1) reports them (Java has no tcgetattr); anything else is ENOTTY. Changing terminal
 * settings (TCSETS*) is not supported: it fails with EINVAL and the terminal is left as it was.
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
            case TCSETS, TCSETSW, TCSETSF -> -Errno.EINVAL;
            default -> -Errno.ENOTTY;
        };
    }

    /** The kernel's struct termios (36 bytes) from `stty -g`: four flag words then the control characters. */
    private static byte[] termios(String tty) {
        String g = stty(tty, "-g");
        ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
        if (g == null) throw new Errno(Errno.ENOTTY);
        String[] parts = g.trim().split(":");
        if (parts.length < 4) throw new Errno(Errno.ENOTTY);
        for (int i = 0; i < 4; i++) b.putInt(4 * i, (int) Long.parseLong(parts[i], 16));
        for (int i = 0; i < 19 && 4 + i < parts.length; i++) b.put(17 + i, (byte) Integer.parseInt(parts[4 + i], 16));
        return b.array();
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
