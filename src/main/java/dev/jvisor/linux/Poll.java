package dev.jvisor.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

/**
 * ppoll(2). Regular files and directories are always ready; pipes are ready when they have data, room or a closed
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
