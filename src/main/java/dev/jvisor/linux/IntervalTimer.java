package dev.jvisor.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A process's ITIMER_REAL (setitimer, getitimer, and glibc's alarm on top of them): SIGALRM to the process when it
 * expires, re-armed with the interval. The virtual and profiling timers count guest CPU time, which jvisor does not
 * account per process, so they are EINVAL.
 */
final class IntervalTimer {
    static final int ITIMER_REAL = 0;
    private static final ScheduledExecutorService CLOCK = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jvisor-itimer");
        t.setDaemon(true);
        return t;
    });

    private final LinuxProcess process;
    private ScheduledFuture<?> pending;
    private long deadline;
    private long interval;

    IntervalTimer(LinuxProcess process) {
        this.process = process;
    }

    /** setitimer(2); {@code newVa} and {@code oldVa} point at struct itimerval (interval, then value: timevals). */
    synchronized long set(int which, long newVa, long oldVa) {
        if (which != ITIMER_REAL) throw new Errno(Errno.EINVAL);
        AddressSpace s = process.space;
        long newInterval = 0, newValue = 0;
        if (newVa != 0) {
            newInterval = timeval(s.read64(newVa), s.read64(newVa + 8));
            newValue = timeval(s.read64(newVa + 16), s.read64(newVa + 24));
        }
        if (oldVa != 0) get(which, oldVa);
        if (newVa == 0) return 0;
        if (pending != null) pending.cancel(false);
        pending = null;
        interval = newInterval;
        if (newValue > 0) arm(newValue);
        return 0;
    }

    synchronized long get(int which, long va) {
        if (which != ITIMER_REAL) throw new Errno(Errno.EINVAL);
        long left = pending == null ? 0 : Math.max(1000, deadline - System.nanoTime());
        process.space.write(va, ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(interval / 1_000_000_000L).putLong(interval % 1_000_000_000L / 1000)
                .putLong(left / 1_000_000_000L).putLong(left % 1_000_000_000L / 1000).array());
        return 0;
    }

    private static long timeval(long sec, long usec) {
        if (sec < 0 || usec < 0 || usec >= 1_000_000) throw new Errno(Errno.EINVAL);
        return sec * 1_000_000_000L + usec * 1000;
    }

    private void arm(long nanos) {
        deadline = System.nanoTime() + nanos;
        pending = CLOCK.schedule(this::expire, nanos, TimeUnit.NANOSECONDS);
    }

    private synchronized void expire() {
        pending = null;
        if (process.exiting()) return;
        process.signals.sendToProcess(Signals.SIGALRM, new Signals.Info(Signals.SIGALRM, Signals.SI_KERNEL, 0, 0, 0,
                false));
        if (interval > 0) arm(interval);
    }

    synchronized void cancel() {
        if (pending != null) pending.cancel(false);
        pending = null;
    }
}
