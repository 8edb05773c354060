package dev.jvisor.linux;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/** Clocks, sleeps and usage accounting. CLOCK_MONOTONIC is System.nanoTime, which on Linux is that very clock. */
final class Time {
    static final int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2,
            CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
            CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7, TIMER_ABSTIME = 1;
    private static final long NS = 1_000_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private Time() {}

    static long realtimeNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * NS + now.getNano();
    }

    /** CPU time of one guest thread's host thread: {user, user + system} nanoseconds. */
    static long[] threadCpu(Thread thread) {
        long cpu = Math.max(THREADS.getThreadCpuTime(thread.threadId()), 0);
        long user = Math.max(THREADS.getThreadUserTime(thread.threadId()), 0);
        return new long[] {Math.min(user, cpu), cpu};
    }

    static long clockNanos(GuestThread t, int clock) {
        return switch (clock) {
            case CLOCK_REALTIME, CLOCK_REALTIME_COARSE -> realtimeNanos();
            case CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME -> System.nanoTime();
            case CLOCK_PROCESS_CPUTIME_ID -> t.process.cpuTimes()[1];
            case CLOCK_THREAD_CPUTIME_ID -> THREADS.getCurrentThreadCpuTime();
            default -> throw new Errno(Errno.EINVAL);
        };
    }

    static long readTimespec(AddressSpace s, long va) {
        long sec = s.read64(va), nsec = s.read64(va + 8);
        if (sec < 0 || nsec < 0 || nsec >= NS) throw new Errno(Errno.EINVAL);
        return sec > Long.MAX_VALUE / NS - 1 ? Long.MAX_VALUE / 2 : sec * NS + nsec;
    }

    static void writeTimespec(AddressSpace s, long va, long nanos) {
        s.write(va, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Math.floorDiv(nanos, NS))
                .putLong(Math.floorMod(nanos, NS)).array());
    }

    static long clockGettime(GuestThread t, int clock, long tp) {
        t.process.space.write(tp, timespec(clockNanos(t, clock)));
        return 0;
    }

    private static byte[] timespec(long nanos) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Math.floorDiv(nanos, NS))
                .putLong(Math.floorMod(nanos, NS)).array();
    }

    static long clockGetres(GuestThread t, int clock, long tp) {
        clockNanos(t, clock);
        long res = clock == CLOCK_REALTIME_COARSE || clock == CLOCK_MONOTONIC_COARSE ? 4_000_000 : 1;
        if (tp != 0) t.process.space.write(tp, timespec(res));
        return 0;
    }

    static long gettimeofday(GuestThread t, long tv, long tz) {
        long now = realtimeNanos();
        if (tv != 0) {
            t.process.space.write(tv, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(now / NS)
                    .putLong(now % NS / 1000).array());
        }
        if (tz != 0) t.process.space.write(tz, new byte[8]);
        return 0;
    }

    /** nanosleep and clock_nanosleep: a signal ends the sleep early with EINTR and the time left in *rem. */
    static long nanosleep(GuestThread t, int clock, int flags, long req, long rem) {
        if (clock == CLOCK_THREAD_CPUTIME_ID) throw new Errno(Errno.EINVAL);
        long amount = readTimespec(t.process.space, req);
        long deadline;
        if ((flags & TIMER_ABSTIME) != 0) {
            deadline = System.nanoTime() + (amount - clockNanos(t, clock));
        } else {
            deadline = System.nanoTime() + amount;
        }
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return 0;
            if (t.interruptPending()) {
                if (rem != 0 && (flags & TIMER_ABSTIME) == 0) writeTimespec(t.process.space, rem, left);
                return -Errno.EINTR;
            }
            LockSupport.parkNanos(t, left);
        }
    }

    /**
     * struct tms in clock ticks (AT_CLKTCK = 100): this process's and its reaped children's user and system time,
     * which is the CPU time of the host threads that ran them. The result is the ticks elapsed since boot.
     */
    static long times(GuestThread t, long buf) {
        long perTick = NS / 100;
        long[] own = t.process.cpuTimes(), children = t.process.childrenCpuTimes();
        if (buf != 0) {
            t.process.space.write(buf, ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(own[0] / perTick).putLong((own[1] - own[0]) / perTick)
                    .putLong(children[0] / perTick).putLong((children[1] - children[0]) / perTick).array());
        }
        return (long) (HostInfo.uptimeSeconds() * 100);
    }

    /**
     * struct rusage with the user and system time of the process, its reaped children or the calling thread; the
     * other counters (faults, context switches, maximum RSS) are not kept and read as 0.
     */
    static long getrusage(GuestThread t, int who, long buf) {
        long[] times = switch (who) {
            case 0 -> t.process.cpuTimes();
            case -1 -> t.process.childrenCpuTimes();
            case 1 -> threadCpu(Thread.currentThread());
            default -> throw new Errno(Errno.EINVAL);
        };
        t.process.space.write(buf, rusage(times));
        return 0;
    }

    /** struct rusage (144 bytes) holding {user, user + system} nanoseconds as ru_utime and ru_stime. */
    static byte[] rusage(long[] times) {
        long user = times[0], system = times[1] - times[0];
        ByteBuffer b = ByteBuffer.allocate(144).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, user / NS).putLong(8, user % NS / 1000).putLong(16, system / NS).putLong(24, system % NS / 1000);
        return b.array();
    }

    /** struct sysinfo from /proc/uptime and the host's memory figures. */
    static long sysinfo(GuestThread t, long buf) {
        ByteBuffer b = ByteBuffer.allocate(112).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, (long) HostInfo.uptimeSeconds());
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            double load = os.getSystemLoadAverage();
            long fixed = load < 0 ? 0 : (long) (load * 65536);
            b.putLong(8, fixed).putLong(16, fixed).putLong(24, fixed);
            b.putLong(32, os.getTotalMemorySize()).putLong(40, os.getFreeMemorySize());
            b.putLong(64, os.getTotalSwapSpaceSize()).putLong(72, os.getFreeSwapSpaceSize());
        }
        b.putShort(80, (short) Math.min(ProcessHandle.allProcesses().count(), 0xFFFF));
        b.putInt(104, 1);
        t.process.space.write(buf, b.array());
        return 0;
    }
}
