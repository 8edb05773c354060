package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.Cpu;

/**
 * Runs one vCPU in system mode on any engine: between engine runs it takes pending interrupts, services TLB
 * shootdowns from other vCPUs, and blocks in WFI until an interrupt line is asserted. Devices drive the lines from any
 * thread through {@link #setInterruptLine}.
 */
public final class VcpuRunner {
    /** An engine's run method: runs until {@link Cpu#exitRequest} or about {@code budget} instructions. */
    public interface Engine {
        long run(long budget);
    }

    /**
     * Something that decides how the engine runs (a debugger): consulted at the top of every loop iteration and
     * running each engine slice in the engine's place.
     */
    public interface Supervisor {
        /** Parks the vCPU while it must not run; returns true if it did, so the loop looks at everything again. */
        boolean hold();

        /** Runs one slice of at most {@code budget} instructions, as the supervisor sees fit. */
        void runSlice(long budget);
    }

    private static final long SLICE = 1_000_000;

    private final Cpu cpu;
    private final SystemMode system;
    private final Engine engine;
    private final Object wakeup = new Object();
    private volatile boolean stopped;
    private volatile Supervisor supervisor;
    /** Set by {@link #kick}: leave a WFI wait to let the supervisor look, then wait again. */
    private boolean kicked;
    /** The vCPU is blocked in WFI: its state is stable, as if stopped. */
    private volatile boolean sleeping;
    /** Time spent blocked in WFI, for statistics. */
    private volatile long idleNanos;

    public VcpuRunner(Cpu cpu, SystemMode system, Engine engine) {
        if (cpu.hooks != system) throw new IllegalArgumentException("the CPU's hooks are not this system mode");
        this.cpu = cpu;
        this.system = system;
        this.engine = engine;
    }

    /** Asserts or deasserts {@code line} (Cpu.IRQ_LINE or Cpu.FIQ_LINE); safe from any thread. */
    public void setInterruptLine(int line, boolean asserted) {
        synchronized (wakeup) {
            cpu.interruptLines = asserted ? cpu.interruptLines | line : cpu.interruptLines & ~line;
            cpu.exitRequest = true;
            wakeup.notifyAll();
        }
    }

    /** Makes {@link #run} return soon; safe from any thread (PSCI CPU_OFF, SYSTEM_OFF). */
    public void stop() {
        synchronized (wakeup) {
            stopped = true;
            cpu.exitRequest = true;
            wakeup.notifyAll();
        }
    }

    public void setSupervisor(Supervisor supervisor) {
        this.supervisor = supervisor;
    }

    /** Sends the vCPU back to the top of its run loop soon, out of a WFI wait too; safe from any thread. */
    public void kick() {
        synchronized (wakeup) {
            kicked = true;
            cpu.exitRequest = true;
            wakeup.notifyAll();
        }
    }

    /** Nanoseconds this vCPU has spent waiting in WFI. */
    public long idleNanos() {
        return idleNanos;
    }

    /** Whether the vCPU is blocked in WFI. */
    public boolean sleeping() {
        return sleeping;
    }

    /** Runs on the calling thread until {@link #stop}. */
    public void run() throws InterruptedException {
        Mmu mmu = system.mmu;
        try {
            while (!stopped) {
                cpu.exitRequest = false;
                Supervisor s = supervisor;
                if (s != null && s.hold()) continue;
                mmu.active = true;
                mmu.serviceRemoteFlush();
                if (system.waiting) {
                    mmu.active = false;
                    boolean woken;
                    long idleFrom = System.nanoTime();
                    synchronized (wakeup) {
                        kicked = false;
                        sleeping = true;
                        // WFI completes on any pending interrupt, masked or not.
                        while (!system.wakeup(cpu) && !stopped && !kicked) wakeup.wait();
                        sleeping = false;
                        woken = system.wakeup(cpu) || stopped;
                    }
                    idleNanos += System.nanoTime() - idleFrom;
                    if (woken) system.waiting = false;
                    continue;
                }
                if (system.takePending(cpu)) continue;
                if (s != null) s.runSlice(SLICE);
                else engine.run(SLICE);
            }
        } finally {
            mmu.active = false;
        }
    }

    /** Runs until {@link #stop} or at most about {@code budget} instructions, without blocking in WFI; for tests. */
    public long runFor(long budget) {
        long start = cpu.instructions;
        Mmu mmu = system.mmu;
        try {
            while (!stopped && cpu.instructions - start < budget) {
                cpu.exitRequest = false;
                mmu.active = true;
                mmu.serviceRemoteFlush();
                if (system.waiting) {
                    if (!system.wakeup(cpu)) break;
                    system.waiting = false;
                }
                if (system.takePending(cpu)) continue;
                engine.run(Math.min(SLICE, budget - (cpu.instructions - start)));
            }
        } finally {
            mmu.active = false;
        }
        return cpu.instructions - start;
    }

    public boolean stopped() {
        return stopped;
    }
}
