package dev.jvisor.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

/**
 * ppoll(2) and pselect6(2). Regular files and directories are always ready; pipes are ready when they have data, room or a closed
 * other end; the host's standard input is ready when the JVM can see bytes waiting. Waiting is by polling every
 * few milliseconds, which keeps it simple and wakes for signals as every other blocking call here does.
 */
final class Poll {
    static final short POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 16, POLLNVAL = 32;
    private static final long INTERVAL = 5_000_000;

    private Poll() {}

    static long ppoll(GuestThread t, long fdsVa, long nfds, long timeoutVa, long sigmaskVa) {
        LinuxProcess p = t.process;
        if (nfds < 0 || nfds > FdTable.MAX_FDS) throw new Errno(Errno.EINVAL);
        long deadline = timeoutVa == 0 ? Long.MAX_VALUE : System.nanoTime() + Time.readTimespec(p.space, timeoutVa);
        byte[] raw = p.space.read(fdsVa, (int) nfds * 8);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        long savedMask = t.blocked();
        if (sigmaskVa != 0) t.suspendWith(p.space.read64(sigmaskVa));
        try {
            while (true) {
                int ready = 0;
                for (int i = 0; i < nfds; i++) {
                    int fd = b.getInt(8 * i);
                    short events = b.getShort(8 * i + 4);
                    short revents = fd < 0 ? 0 : (short) (readiness(p, fd) & (events | POLLERR | POLLHUP | POLLNVAL));
                    b.putShort(8 * i + 6, revents);
                    if (revents != 0) ready++;
                }
                if (ready > 0 || System.nanoTime() >= deadline) {
                    p.space.write(fdsVa, raw);
                    return ready;
                }
                if (t.interruptPending()) return -Errno.EINTR;
                LockSupport.parkNanos(Math.min(INTERVAL, Math.max(1, deadline - System.nanoTime())));
            }
        } finally {
            if (sigmaskVa != 0) t.restoreMaskUnlessDelivering(savedMask);
        }
    }

    /**
     * pselect6(2) over the same readiness as ppoll: fd_set bitmaps of {@code nfds} bits, rewritten in place with the
     * ready descriptors; the sixth argument points at {sigset pointer, sigset size}.
     */
    static long pselect6(GuestThread t, int nfds, long readVa, long writeVa, long exceptVa, long timeoutVa,
                         long sigmaskArg) {
        LinuxProcess p = t.process;
        if (nfds < 0 || nfds > FdTable.MAX_FDS) throw new Errno(Errno.EINVAL);
        int bytes = (nfds + 63) / 64 * 8;
        long[] in = bits(p, readVa, bytes), out = bits(p, writeVa, bytes), ex = bits(p, exceptVa, bytes);
        for (int fd = 0; fd < nfds; fd++) {
            if ((test(in, fd) || test(out, fd) || test(ex, fd)) && (readiness(p, fd) & POLLNVAL) != 0) {
                throw new Errno(Errno.EBADF);
            }
        }
        long deadline = timeoutVa == 0 ? Long.MAX_VALUE : System.nanoTime() + Time.readTimespec(p.space, timeoutVa);
        long savedMask = t.blocked();
        long maskVa = sigmaskArg == 0 ? 0 : p.space.read64(sigmaskArg);
        if (maskVa != 0) t.suspendWith(p.space.read64(maskVa));
        try {
            while (true) {
                long[] rin = new long[in.length], rout = new long[out.length], rex = new long[ex.length];
                int ready = 0;
                for (int fd = 0; fd < nfds; fd++) {
                    int r = (test(in, fd) || test(out, fd) || test(ex, fd)) ? readiness(p, fd) : 0;
                    if (test(in, fd) && (r & (POLLIN | POLLHUP | POLLERR)) != 0) ready += set(rin, fd);
                    if (test(out, fd) && (r & (POLLOUT | POLLERR)) != 0) ready += set(rout, fd);
                }
                if (ready > 0 || System.nanoTime() >= deadline) {
                    store(p, readVa, rin, bytes);
                    store(p, writeVa, rout, bytes);
                    store(p, exceptVa, rex, bytes);
                    return ready;
                }
                if (t.interruptPending()) return -Errno.EINTR;
                LockSupport.parkNanos(Math.min(INTERVAL, Math.max(1, deadline - System.nanoTime())));
            }
        } finally {
            if (maskVa != 0) t.restoreMaskUnlessDelivering(savedMask);
        }
    }

    private static long[] bits(LinuxProcess p, long va, int bytes) {
        long[] b = new long[bytes / 8];
        if (va == 0) return b;
        ByteBuffer buf = ByteBuffer.wrap(p.space.read(va, bytes)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < b.length; i++) b[i] = buf.getLong(8 * i);
        return b;
    }

    private static void store(LinuxProcess p, long va, long[] b, int bytes) {
        if (va == 0) return;
        ByteBuffer buf = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : b) buf.putLong(w);
        p.space.write(va, buf.array());
    }

    private static boolean test(long[] b, int fd) {
        return (b[fd >> 6] & (1L << (fd & 63))) != 0;
    }

    private static int set(long[] b, int fd) {
        b[fd >> 6] |= 1L << (fd & 63);
        return 1;
    }

    private static int readiness(LinuxProcess p, int fd) {
        OpenFile f;
        try {
            f = p.fds.get(fd);
        } catch (Errno e) {
            return POLLNVAL;
        }
        int r = 0;
        if (f instanceof Pipe.End end) return end.pollState();
        if (f instanceof HostStreamFile h) return h.pollState();
        if (f.readable()) r |= POLLIN;
        if (f.writable()) r |= POLLOUT;
        return r;
    }
}
