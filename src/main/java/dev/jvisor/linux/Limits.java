package dev.jvisor.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Resource limits. The stack limit is the stack jvisor maps, the descriptor limit is the descriptor table's size;
 * the others are unlimited (infinity). A guest may lower a soft limit and read it back, but only RLIMIT_NOFILE and
 * RLIMIT_STACK describe something jvisor has; raising a hard limit is EPERM as for an unprivileged process.
 */
final class Limits {
    static final long INFINITY = -1;
    static final int RLIMIT_STACK = 3, RLIMIT_NOFILE = 7, RLIM_NLIMITS = 16;

    private Limits() {}

    private static long[][] table(LinuxProcess p) {
        synchronized (p) {
            if (p.limits == null) {
                p.limits = new long[RLIM_NLIMITS][];
                for (int i = 0; i < RLIM_NLIMITS; i++) p.limits[i] = new long[] {INFINITY, INFINITY};
                p.limits[RLIMIT_STACK] = new long[] {AddressSpace.STACK_SIZE, INFINITY};
                p.limits[RLIMIT_NOFILE] = new long[] {FdTable.MAX_FDS, FdTable.MAX_FDS};
            }
            return p.limits;
        }
    }

    static long getrlimit(LinuxProcess p, int resource, long out) {
        if (resource < 0 || resource >= RLIM_NLIMITS) throw new Errno(Errno.EINVAL);
        long[] l = table(p)[resource];
        p.space.write(out, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(l[0]).putLong(l[1]).array());
        return 0;
    }

    static long prlimit(LinuxProcess p, int pid, int resource, long newVa, long oldVa) {
        if (pid != 0 && pid != p.pid) throw new Errno(Errno.ESRCH);
        if (resource < 0 || resource >= RLIM_NLIMITS) throw new Errno(Errno.EINVAL);
        long[] l = table(p)[resource];
        long soft = 0, hard = 0;
        if (newVa != 0) {
            soft = p.space.read64(newVa);
            hard = p.space.read64(newVa + 8);
            if (Long.compareUnsigned(soft, hard) > 0) throw new Errno(Errno.EINVAL);
            if (Long.compareUnsigned(hard, l[1]) > 0) throw new Errno(Errno.EPERM);
        }
        if (oldVa != 0) getrlimit(p, resource, oldVa);
        if (newVa != 0) {
            synchronized (p) {
                l[0] = soft;
                l[1] = hard;
            }
        }
        return 0;
    }
}
