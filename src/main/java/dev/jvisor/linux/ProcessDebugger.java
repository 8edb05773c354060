package dev.jvisor.linux;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.debug.gdb.AllStopTarget;

import java.util.ArrayList;
import java.util.List;

/**
 * The first process of a run as gdb's target: its threads are gdb's threads, stopped together. Guest threads consult
 * it between engine slices ({@link #hold}, {@link #runSlice}), on the way out of a system call
 * ({@link #holdIfStopped}) and when a signal is about to act ({@link #interceptSignal}); the engines only see it
 * through the run method they are given, so a run without breakpoints executes exactly as it would undebugged.
 *
 * <p>A thread inside a system call counts as stopped: its registers are those of the SVC, and it parks on the way
 * out if the process is still stopped.
 */
final class ProcessDebugger extends AllStopTarget {
    private final LinuxProcess process;

    /** {@code startStopped}: the program waits for gdb before its first instruction ({@code --gdb-wait}). */
    ProcessDebugger(LinuxProcess process, boolean startStopped) {
        super(startStopped, process.pid);
        this.process = process;
    }

    /** The process has ended with {@code exitStatus}, or was killed by {@code killSignal} if that is not 0. */
    void processEnded(int exitStatus, int killSignal) {
        ended(killSignal != 0 ? new Stop(Stop.Kind.KILLED, 0, killSignal) : new Stop(Stop.Kind.EXITED, 0, exitStatus));
    }

    @Override
    protected boolean isLeaving(int thread) {
        GuestThread t = process.thread(thread);
        return t == null || t.exited || process.exiting();
    }

    @Override
    protected boolean isQuiescentElsewhere(int thread) {
        GuestThread t = process.thread(thread);
        return t == null || t.exited || t.inSyscall;
    }

    @Override
    protected void kickAll() {
        for (GuestThread t : process.threads()) t.kick();
    }

    @Override
    protected void sendSignal(int thread, int sig) {
        GuestThread t = process.thread(thread);
        if (t != null && sig > 0 && sig <= Signals.NSIG) {
            process.signals.sendToThread(t, sig, Signals.userInfo(sig, Signals.SI_USER, process));
        }
    }

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
        AddressSpace space = space(thread);
        int n = mappedPrefix(space, address, length);
        if (n > 0) space.ram().copyOut(address, into, 0, n);
        return n;
    }

    @Override
    public int writeMemory(int thread, long address, byte[] data) {
        AddressSpace space = space(thread);
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

    private AddressSpace space(int thread) {
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
    public void kill() {
        detach();
        process.killedBy(Signals.SIGKILL, null);
    }
}
