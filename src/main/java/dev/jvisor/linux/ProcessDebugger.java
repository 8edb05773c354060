package dev.jvisor.linux;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.debug.gdb.DebugTarget;
import dev.jvisor.engine.Breakpoints;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The first process of a run as a gdb {@link DebugTarget}: its threads are gdb's threads, and they stop and go
 * together (all-stop). Guest threads consult it between engine slices ({@link #hold}, {@link #run}) and on the way
 * out of a system call ({@link #holdAfterSyscall}); the engines themselves only see it through the run method they are
 * given ({@link Engine.Runner#runBreaking} when breakpoints are set, {@link Engine.Runner#step} for a step), so a run
 * without a debugger, or with one attached and no breakpoints, executes exactly as it would without.
 *
 * <p>A stop is reported to gdb once every thread is quiescent: parked here, inside a system call (its registers are
 * those of the SVC, and it parks on the way out), or gone.
 */
final class ProcessDebugger implements DebugTarget {
    private static final long SLICE = 1L << 24;

    private final LinuxProcess process;
    private final Breakpoints breakpoints = new Breakpoints();

    /** A debugger is connected; until then (and after it detaches) nothing is held. */
    private volatile boolean attached;
    /** Every thread must park: the debugger is looking at the process. */
    private volatile boolean stopped;
    /** The thread executing one instruction (0: none), and which others run meanwhile. */
    private int stepThread;
    private Set<Integer> continuing = Set.of();
    private boolean allContinue = true;
    /** Counts resumes and stops, so that a stop found by a thread in an earlier run is not reported late. */
    private long generation;
    /** The stop found in this generation, waiting for the threads to become quiescent and for the stub to take it. */
    private Stop found;
    /** The process ended (reported once). */
    private Stop ended;
    private final Set<GuestThread> parked = new HashSet<>();
    /** Threads stopped with a signal for gdb to decide on, and the signal gdb resumed them with (0: none yet). */
    private final Map<Integer, Integer> signalDecisions = new HashMap<>();

    /**
     * {@code startStopped}: the program waits for gdb before its first instruction, as {@code --gdb-wait} asks;
     * {@code mainThread} is then the thread the initial stop names.
     */
    ProcessDebugger(LinuxProcess process, boolean startStopped, int mainThread) {
        this.process = process;
        if (startStopped) {
            attached = true;
            stopped = true;
            found = new Stop(Stop.Kind.SIGNAL, mainThread, Signals.SIGTRAP);
        }
    }

    // ---- what guest threads call ----

    /**
     * Parks {@code t} while the debugger keeps it stopped; returns whether it parked, so that the caller looks at the
     * process's state again before running.
     */
    boolean hold(GuestThread t) {
        if (!attached) return false;
        synchronized (this) {
            if (!mustHold(t)) return false;
            parked.add(t);
            notifyAll();
            try {
                while (mustHold(t)) wait(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                parked.remove(t);
            }
            return true;
        }
    }

    private boolean mustHold(GuestThread t) {
        if (t.exited || process.exiting()) return false;
        return stopped || !allContinue && stepThread != t.tid && !continuing.contains(t.tid);
    }

    /**
     * A system call has returned and the thread will continue at {@code next}: if the debugger stopped the process
     * meanwhile, it parks here with its registers showing where it will continue. Returns where to continue, which
     * the debugger may have changed.
     */
    long holdAfterSyscall(GuestThread t, long next) {
        if (!attached || !stopped) return next;
        t.cpu.pc = next;
        hold(t);
        return t.cpu.pc;
    }

    /** One engine slice for {@code t}: a plain run, a run that stops at breakpoints, or the single step asked for. */
    void run(GuestThread t, Engine.Runner runner) {
        if (!attached) {
            runner.run(SLICE);
            return;
        }
        boolean step;
        long gen;
        synchronized (this) {
            if (mustHold(t)) return;
            step = stepThread == t.tid;
            gen = generation;
        }
        Cpu c = t.cpu;
        if (step) {
            if (runner.step() == 1 && !t.exited && !process.exiting()) stopAll(gen, new Stop(Stop.Kind.STEP, t.tid, 0));
            return;
        }
        if (breakpoints.contains(c.pc)) {
            stopAll(gen, new Stop(Stop.Kind.BREAKPOINT, t.tid, 0));
            return;
        }
        if (breakpoints.isEmpty()) runner.run(SLICE);
        else runner.runBreaking(SLICE, breakpoints);
    }

    /**
     * Makes every thread stop, to report {@code why} once they have; returns false, doing nothing, if the process has
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
        for (GuestThread o : process.threads()) o.kick();
        return true;
    }

    /**
     * Signal {@code sig} is about to take effect on {@code t} (a fault of its current instruction, or a pending
     * signal about to be delivered), with the thread's registers showing where: as under ptrace, the process stops
     * and gdb decides. Returns the signal to go on with: {@code sig} or another one gdb resumes the thread with, or 0
     * if gdb discards it. Without a debugger attached it is {@code sig}.
     */
    int interceptSignal(GuestThread t, int sig) {
        while (attached) {
            long gen;
            synchronized (this) {
                gen = generation;
                signalDecisions.put(t.tid, 0); // resuming without naming a signal discards it, as in gdb
            }
            boolean reported = stopAll(gen, new Stop(Stop.Kind.SIGNAL, t.tid, sig));
            hold(t);
            synchronized (this) {
                int decision = signalDecisions.remove(t.tid);
                if (reported) return attached ? decision : sig;
            }
            // Another stop was reported instead of this one: report it now that gdb has resumed the process.
        }
        return sig;
    }

    /** The process has ended: the stub reports it instead of any stop. */
    void processEnded(int exitStatus, int killSignal) {
        synchronized (this) {
            ended = killSignal != 0 ? new Stop(Stop.Kind.KILLED, 0, killSignal)
                    : new Stop(Stop.Kind.EXITED, 0, exitStatus);
            notifyAll();
        }
    }

    // ---- DebugTarget ----

    @Override
    public List<Integer> threads() {
        List<Integer> ids = new ArrayList<>();
        for (GuestThread t : process.threads()) if (!t.exited) ids.add(t.tid);
        return ids;
    }

    @Override
    public boolean isAlive(int thread) {
        return process.thread(thread) != null;
    }

    @Override
    public Cpu cpu(int thread) {
        GuestThread t = process.thread(thread);
        if (t == null) throw new IllegalArgumentException("no thread " + thread);
        return t.cpu;
    }

    @Override
    public int readMemory(int thread, long address, byte[] into, int length) {
        AddressSpace space = cpuSpace(thread);
        int n = mappedPrefix(space, address, length);
        if (n > 0) space.ram().copyOut(address, into, 0, n);
        return n;
    }

    @Override
    public int writeMemory(int thread, long address, byte[] data) {
        AddressSpace space = cpuSpace(thread);
        int n = mappedPrefix(space, address, data.length);
        if (n == 0) return 0;
        space.ram().copyIn(address, data, 0, n);
        // The bytes bypassed the TLB and so the code cache's write watch: drop translations of them explicitly.
        Cpu c = cpu(thread);
        for (long page = AddressSpace.pageDown(address); page < address + n; page += AddressSpace.PAGE) {
            c.mem.invalidateCode(page, false);
        }
        return n;
    }

    private AddressSpace cpuSpace(int thread) {
        GuestThread t = process.thread(thread);
        return t != null ? t.mem.space() : process.space;
    }

    /** How many of the {@code length} bytes at {@code va} lie in mapped pages, whatever their protection. */
    private static int mappedPrefix(AddressSpace space, long va, int length) {
        if (va < 0 || va >= space.size()) return 0;
        long end = Math.min(va + length, space.size());
        long a = AddressSpace.pageDown(va);
        while (a < end && (space.pagePerms(a) & AddressSpace.MAPPED) != 0) a += AddressSpace.PAGE;
        return (int) Math.max(0, Math.min(a, end) - va);
    }

    @Override
    public Breakpoints breakpoints() {
        return breakpoints;
    }

    @Override
    public void resume(int stepThread, Set<Integer> continuing, boolean allContinue, Map<Integer, Integer> signals) {
        for (Map.Entry<Integer, Integer> e : signals.entrySet()) {
            int sig = e.getValue();
            if (sig <= 0 || sig > Signals.NSIG) continue;
            synchronized (this) {
                if (signalDecisions.containsKey(e.getKey())) {
                    // The signal the thread stopped with (or one gdb substitutes) goes on where it stopped.
                    signalDecisions.put(e.getKey(), sig);
                    continue;
                }
            }
            GuestThread t = process.thread(e.getKey());
            if (t != null) process.signals.sendToThread(t, sig, Signals.userInfo(sig, Signals.SI_USER, process));
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
    public synchronized Stop awaitStop(long millis) throws InterruptedException {
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
            // Threads leave the engine without telling anyone: look again every few milliseconds.
            wait(Math.max(1, Math.min(5, left / 1_000_000)));
        }
    }

    /** Every thread is stopped where a debugger can look at it (and there is one: the first has started). */
    private boolean quiescent() {
        List<GuestThread> all = process.threads();
        if (all.isEmpty()) return false;
        for (GuestThread t : all) {
            if (!t.exited && !t.inSyscall && !parked.contains(t)) return false;
        }
        return true;
    }

    @Override
    public void interrupt() {
        List<Integer> all = threads();
        long gen;
        int thread;
        synchronized (this) {
            gen = generation;
            thread = stepThread != 0 && all.contains(stepThread) ? stepThread : all.isEmpty() ? 0 : all.getFirst();
        }
        stopAll(gen, new Stop(Stop.Kind.SIGNAL, thread, Signals.SIGINT));
    }

    @Override
    public Stop attach() throws InterruptedException {
        if (!attached) {
            attached = true;
            List<Integer> all = threads();
            long gen;
            synchronized (this) {
                gen = generation;
            }
            stopAll(gen, new Stop(Stop.Kind.SIGNAL, all.isEmpty() ? 0 : all.getFirst(), Signals.SIGTRAP));
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

    @Override
    public void kill() {
        detach();
        process.killedBy(Signals.SIGKILL, null);
    }
}
