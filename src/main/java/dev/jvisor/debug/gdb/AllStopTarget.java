package dev.jvisor.debug.gdb;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.engine.Breakpoints;
import dev.jvisor.engine.DebugRunner;
import dev.jvisor.memory.Watchpoints;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The stop-and-go half of a {@link DebugTarget} whose threads run on threads of their own (guest threads, vCPUs):
 * every thread stops when one stops (all-stop), and a stop is reported to gdb only once every thread is quiescent.
 * Subclasses supply the threads, their state and memory; their run loops call {@link #hold} before each engine slice,
 * run the slice through {@link #runSlice}, and may stop for gdb at other points with {@link #holdIfStopped} and
 * {@link #interceptSignal}. Until a debugger attaches (and after it detaches) none of these changes anything.
 */
public abstract class AllStopTarget implements DebugTarget {
    private final Breakpoints breakpoints = new Breakpoints();
    /** What each thread installs in its own memory view before its next slice (a TLB is its thread's alone). */
    private volatile Watchpoints watchpoints;

    /** A debugger is connected; until then nothing is held. */
    private volatile boolean attached;
    /** Every thread must park: the debugger is looking. */
    private volatile boolean stopped;
    /** The thread executing one instruction (0: none), and which others run meanwhile. */
    private int stepThread;
    private Set<Integer> continuing = Set.of();
    private boolean allContinue = true;
    /** Counts resumes and stops, so that a stop found by a thread in an earlier run is not reported late. */
    private long generation;
    /** The stop found in this generation, waiting for the threads to become quiescent and for the stub to take it. */
    private Stop found;
    /** The target ended. */
    private Stop ended;
    private final Set<Integer> parked = new HashSet<>();
    /** Threads stopped with a signal for gdb to decide on, and the signal gdb resumed them with (0: none yet). */
    private final Map<Integer, Integer> signalDecisions = new HashMap<>();

    /**
     * {@code startStopped}: nothing runs until a debugger has attached and resumed the target, and the first stop it
     * sees is a SIGTRAP of {@code firstThread}.
     */
    protected AllStopTarget(boolean startStopped, int firstThread) {
        if (startStopped) {
            attached = true;
            stopped = true;
            found = new Stop(Stop.Kind.SIGNAL, firstThread, GdbSignals.SIGTRAP);
        }
    }

    // ---- what subclasses provide ----

    /** Whether {@code thread} is on its way out (exiting): it is never held, so that it can finish. */
    protected abstract boolean isLeaving(int thread);

    /**
     * Whether {@code thread}, though not parked here, cannot run guest instructions now: blocked in a system call or
     * waiting for an interrupt (it must then park through {@link #holdIfStopped} before running on), or gone.
     */
    protected abstract boolean isQuiescentElsewhere(int thread);

    /** Makes every thread leave its engine soon ({@link Cpu#exitRequest}) and wakes those blocked where they can. */
    protected abstract void kickAll();

    /** Sends {@code sig} (the target's numbering) to {@code thread}, which gdb resumes with it. */
    protected abstract void sendSignal(int thread, int sig);

    /** Whether a debugger is attached now. */
    public final boolean isAttached() {
        return attached;
    }

    // ---- what the threads' run loops call ----

    /** Parks {@code thread} while the debugger keeps it stopped; returns whether it parked. */
    public final boolean hold(int thread) {
        if (!attached) return false;
        synchronized (this) {
            if (!mustHold(thread)) return false;
            parked.add(thread);
            notifyAll();
            try {
                while (mustHold(thread)) wait(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                parked.remove(thread);
            }
            return true;
        }
    }

    private boolean mustHold(int thread) {
        if (isLeaving(thread)) return false;
        return stopped || !allContinue && stepThread != thread && !continuing.contains(thread);
    }

    /**
     * Outside the engine (a system call returning, an exception being taken): if the debugger has stopped the target
     * meanwhile, parks here with {@code cpu.pc} showing {@code next}, where the thread will continue. Returns where
     * to continue, which the debugger may have changed.
     */
    public final long holdIfStopped(int thread, Cpu cpu, long next) {
        installWatchpoints(cpu); // gdb may have changed them while the thread was blocked
        if (!attached || !stopped) return next;
        cpu.pc = next;
        hold(thread);
        installWatchpoints(cpu);
        return cpu.pc;
    }

    /**
     * Gives the thread's memory view the current watchpoints; called on the thread itself (its TLB is its own)
     * wherever it goes on after gdb may have changed them.
     */
    private void installWatchpoints(Cpu cpu) {
        Watchpoints w = watchpoints;
        if (cpu.mem.watchpoints() != w) cpu.mem.setWatchpoints(w);
    }

    /**
     * One engine slice of at most {@code budget} instructions for {@code thread}: a plain run, a run that stops at
     * breakpoints, or the single step gdb asked for; a thread at a breakpoint stops the target instead of running.
     */
    public final void runSlice(int thread, Cpu cpu, DebugRunner engine, long budget) {
        installWatchpoints(cpu);
        if (!attached) {
            engine.run(budget);
            return;
        }
        boolean step;
        long gen;
        synchronized (this) {
            if (mustHold(thread)) return;
            step = stepThread == thread;
            gen = generation;
        }
        try {
            if (step) {
                if (engine.step() == 1 && !isLeaving(thread)) stopAll(gen, new Stop(Stop.Kind.STEP, thread, 0));
                return;
            }
            if (breakpoints.contains(cpu.pc)) {
                stopAll(gen, new Stop(Stop.Kind.BREAKPOINT, thread, 0));
                return;
            }
            if (breakpoints.isEmpty()) engine.run(budget);
            else engine.runBreaking(budget, breakpoints);
        } catch (Watchpoints.WatchpointHit hit) {
            // The engine left the thread's state as it was before the instruction that made the access.
            stopAll(gen, new Stop(Stop.Kind.WATCHPOINT, thread, hit.kinds, hit.address));
        }
    }

    /**
     * Signal {@code sig} is about to take effect on {@code thread} (a fault of its current instruction, or a pending
     * signal about to be delivered), with its registers ({@code cpu}) showing where: as under ptrace, the target
     * stops and gdb decides. Returns the signal to go on with: {@code sig}, another one gdb resumes the thread with, or 0 if gdb
     * discards it. Without a debugger attached it is {@code sig}.
     */
    public final int interceptSignal(int thread, Cpu cpu, int sig) {
        while (attached) {
            long gen;
            synchronized (this) {
                gen = generation;
                signalDecisions.put(thread, 0); // resuming without naming a signal discards it, as in gdb
            }
            boolean reported = stopAll(gen, new Stop(Stop.Kind.SIGNAL, thread, sig));
            hold(thread);
            installWatchpoints(cpu);
            synchronized (this) {
                int decision = signalDecisions.remove(thread);
                if (reported) return attached ? decision : sig;
            }
            // Another stop was reported instead of this one: report it now that gdb has resumed the target.
        }
        return sig;
    }

    /** The target has ended: the stub reports {@code how} (EXITED or KILLED) instead of any stop. */
    public final void ended(Stop how) {
        synchronized (this) {
            ended = how;
            notifyAll();
        }
    }

    /**
     * Makes every thread stop, to report {@code why} once they have; returns false, doing nothing, if the target has
     * stopped since generation {@code gen}.
     */
    private boolean stopAll(long gen, Stop why) {
        synchronized (this) {
            if (gen != generation || stopped) return false;
            stopped = true;
            generation++;
            found = why;
            notifyAll();
        }
        kickAll();
        return true;
    }

    // ---- DebugTarget ----

    @Override
    public final Breakpoints breakpoints() {
        return breakpoints;
    }

    @Override
    public final void setWatchpoints(Watchpoints watchpoints) {
        this.watchpoints = watchpoints == null || watchpoints.isEmpty() ? null : watchpoints;
    }

    @Override
    public final void resume(int stepThread, Set<Integer> continuing, boolean allContinue,
                             Map<Integer, Integer> signals) {
        for (Map.Entry<Integer, Integer> e : signals.entrySet()) {
            synchronized (this) {
                if (signalDecisions.containsKey(e.getKey())) {
                    // The signal the thread stopped with (or one gdb substitutes) goes on where it stopped.
                    signalDecisions.put(e.getKey(), e.getValue());
                    continue;
                }
            }
            sendSignal(e.getKey(), e.getValue());
        }
        synchronized (this) {
            this.stepThread = stepThread;
            this.continuing = Set.copyOf(continuing);
            this.allContinue = allContinue;
            generation++;
            found = null;
            stopped = false;
            notifyAll();
        }
    }

    @Override
    public final synchronized Stop awaitStop(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            if (ended != null) return ended;
            if (stopped && found != null && quiescent()) {
                Stop s = found;
                found = null;
                return s;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) return null;
            // Threads leave their engines without telling anyone: look again every few milliseconds.
            wait(Math.max(1, Math.min(5, left / 1_000_000)));
        }
    }

    /** Every thread is stopped where a debugger can look at it (and there is one: the first has started). */
    private boolean quiescent() {
        List<Integer> all = threads();
        if (all.isEmpty()) return false;
        for (int t : all) if (!parked.contains(t) && !isQuiescentElsewhere(t)) return false;
        return true;
    }

    @Override
    public final void interrupt() {
        List<Integer> all = threads();
        long gen;
        int thread;
        synchronized (this) {
            gen = generation;
            thread = stepThread != 0 && all.contains(stepThread) ? stepThread : all.isEmpty() ? 0 : all.getFirst();
        }
        stopAll(gen, new Stop(Stop.Kind.SIGNAL, thread, GdbSignals.SIGINT));
    }

    @Override
    public final Stop attach() throws InterruptedException {
        if (!attached) {
            attached = true;
            List<Integer> all = threads();
            long gen;
            synchronized (this) {
                gen = generation;
            }
            stopAll(gen, new Stop(Stop.Kind.SIGNAL, all.isEmpty() ? 0 : all.getFirst(), GdbSignals.SIGTRAP));
        }
        Stop s;
        do {
            s = awaitStop(1000);
        } while (s == null);
        return s;
    }

    @Override
    public void detach() {
        breakpoints.replaceWith(new long[0]);
        watchpoints = null;
        synchronized (this) {
            attached = false;
            stepThread = 0;
            continuing = Set.of();
            allContinue = true;
            stopped = false;
            generation++;
            notifyAll();
        }
    }
}
