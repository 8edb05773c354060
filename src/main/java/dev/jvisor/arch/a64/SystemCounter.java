package dev.jvisor.arch.a64;

/**
 * The system counter that CNTPCT_EL0 and CNTVCT_EL0 read and that a machine's generic timers compare against. It
 * ticks at 62.5 MHz, one tick every 16 ns, so the count is the host's monotonic nanoseconds shifted right by 4.
 * There is one counter per JVM: every vCPU and every timer must see the same count, or deadlines the guest computes
 * from one fire at the wrong time on the other.
 */
public final class SystemCounter {
    public static final long FREQUENCY_HZ = 62_500_000;
    private static final long ORIGIN = System.nanoTime();

    private SystemCounter() {}

    public static long ticks() {
        return (System.nanoTime() - ORIGIN) >> 4;
    }
}
