package dev.jvisor.linux;

import dev.jvisor.UserError;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.arch.a64.decode.Disassembler;
import dev.jvisor.debug.gdb.GdbServer;
import dev.jvisor.engine.interp.Interpreter;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Linux process emulated in user mode: one static AArch64 program, its address space, descriptors, signal
 * dispositions and threads. {@link #run} loads the program, builds the initial stack the arm64 ABI describes, runs
 * each guest thread on a platform thread of its own, waits for the process to end and returns the exit status a
 * shell would see: the guest's exit code, or 128 + signal number if a signal killed it.
 *
 * <p>fork() and execve() are emulated inside the one JVM: a forked child is another LinuxProcess with a copy of the
 * parent's memory and the same open file descriptions (so in-process pipes connect parent and child), and execve()
 * replaces a process's address space and threads with a freshly loaded static program.
 */
public final class LinuxProcess {
    /** How to run: engine, diagnostics, where the guest's standard streams go and what environment it gets. */
    public record Options(Engine engine, CpuModel model, boolean trace, boolean stats, InputStream stdin,
                          OutputStream stdout, OutputStream stderr, boolean hostStdio, PrintStream messages,
                          Map<String, String> environment) {
        /** The host's own standard streams and environment, as `jvisor user` uses them. */
        public static Options host(Engine engine, boolean trace, boolean stats) {
            return new Options(engine, CpuModel.max(), trace, stats, new java.io.FileInputStream(java.io.FileDescriptor.in),
                    new java.io.FileOutputStream(java.io.FileDescriptor.out),
                    new java.io.FileOutputStream(java.io.FileDescriptor.err), true, System.err, System.getenv());
        }
    }

    /** The processes of one jvisor run: the first and everything it forks. They share pid and tid numbering. */
    private static final class Family {
        final AtomicInteger nextId;
        final Map<Integer, LinuxProcess> processes = new ConcurrentHashMap<>();
        final AtomicLong retiredInstructions = new AtomicLong();
        final java.util.Set<String> warnings = ConcurrentHashMap.newKeySet();

        Family(int firstPid) {
            nextId = new AtomicInteger(firstPid + 1);
        }
    }

    /** The arm64 signal frame plus its frame record and alignment: the least stack a handler needs. */
    static final long MINSIGSTKSZ = Signals.FRAME_SIZE + 32;
    static final int EXIT_INTERNAL_ERROR = 70;
    /** si_code of SIGCHLD and waitid: how the child ended. */
    static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_STOPPED = 5, CLD_CONTINUED = 6;

    volatile AddressSpace space;
    /** The gdb stub's view of this process, or null when no debugger may attach (see {@link #runDebugged}). */
    volatile ProcessDebugger debugger;
    /** The engine for the running program: execve replaces it, so translations never outlive their code. */
    private volatile Engine engine;
    final FdTable fds;
    final Signals signals = new Signals(this);
    final Futexes futexes = new Futexes();
    final IntervalTimer itimer = new IntervalTimer(this);
    final CpuModel model;
    final Options options;
    final int pid;
    final LinuxProcess parent;
    private final Family family;
    volatile Path executable;
    /** argv of the running program, for /proc/self/cmdline. */
    private volatile List<String> arguments = List.of();
    final long startNanos = System.nanoTime();
    private final List<GuestThread> threads = new ArrayList<>();
    private final List<LinuxProcess> children = new ArrayList<>();
    private long trampoline;

    Path cwd;
    /** getrlimit/setrlimit state, created on first use by {@link Limits}. */
    long[][] limits;
    int umask = 022;

    /** Process group and session: the host's for the first process, inherited and changeable for forked ones. */
    private int pgid, sid;

    private boolean exiting;
    private int exitStatus;
    /** The signal that killed the process, or 0 if it exited. */
    private int killSignal;
    /** Set once the process has called execve (or ended): what a vfork parent waits for. */
    private boolean releasedVfork;

    private LinuxProcess(Path executable, Options options) {
        this.executable = executable.toAbsolutePath().normalize();
        this.options = options;
        this.model = options.model();
        this.pid = (int) ProcessHandle.current().pid();
        this.parent = null;
        this.family = new Family(pid);
        this.space = new AddressSpace();
        this.engine = options.engine().forNewAddressSpace();
        this.fds = new FdTable();
        this.cwd = Path.of("").toAbsolutePath();
        this.pgid = (int) HostInfo.procStatField(5);
        this.sid = (int) HostInfo.procStatField(6);
        family.processes.put(pid, this);
    }

    /** fork(): a copy of {@code parent}'s memory, descriptors, dispositions, directory and limits. */
    private LinuxProcess(LinuxProcess parent) {
        this.parent = parent;
        this.family = parent.family;
        this.options = parent.options;
        this.model = parent.model;
        this.executable = parent.executable;
        this.arguments = parent.arguments;
        this.pid = family.nextId.getAndIncrement();
        this.space = parent.space.forkCopy();
        this.engine = parent.engine;
        this.fds = parent.fds.copy();
        this.trampoline = parent.trampoline;
        this.signals.copyActionsFrom(parent.signals);
        synchronized (parent) {
            this.cwd = parent.cwd;
            this.umask = parent.umask;
            this.pgid = parent.pgid;
            this.sid = parent.sid;
            if (parent.limits != null) {
                this.limits = new long[parent.limits.length][];
                for (int i = 0; i < limits.length; i++) limits[i] = parent.limits[i].clone();
            }
        }
        family.processes.put(pid, this);
    }

    /** Runs {@code program} with {@code argv} (argv[0] included) to completion; returns its exit status. */
    public static int run(Path program, List<String> argv, Options options) {
        LinuxProcess p = new LinuxProcess(program, options);
        return p.runMain(program.toString(), ElfLoader.load(program, p.space), argv);
    }

    /**
     * Runs {@code program} like {@link #run(Path, List, Options)}, debuggable by a gdb connecting to {@code server}
     * (the first process only: forked children run undebugged). With {@code waitForDebugger} nothing runs until gdb
     * has connected and resumed the program; otherwise gdb may connect at any time and stops it then. gdb is told how
     * the program ended before this returns.
     */
    public static int runDebugged(Path program, List<String> argv, Options options, GdbServer server,
                                  boolean waitForDebugger) {
        LinuxProcess p = new LinuxProcess(program, options);
        ElfLoader.Image image = ElfLoader.load(program, p.space);
        p.debugger = new ProcessDebugger(p, waitForDebugger);
        server.start(p.debugger);
        int status = p.runMain(program.toString(), image, argv);
        int killSignal;
        synchronized (p) {
            killSignal = p.killSignal;
        }
        p.debugger.processEnded(status, killSignal);
        try {
            server.finish(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return status;
    }

    /** Runs an executable image held in memory (the embedded demo); {@code name} stands for its path. */
    public static int run(String name, byte[] elf, List<String> argv, Options options) {
        LinuxProcess p = new LinuxProcess(Path.of(name), options);
        return p.runMain(name, ElfLoader.load(name, elf, p.space), argv);
    }

    private int runMain(String program, ElfLoader.Image image, List<String> argv) {
        installStdio();
        GuestThread main = new GuestThread(this, pid, new UserMemory(space));
        prepare(main, space, image, program, argv, environment());
        space.setOnChange(this::kickAll);
        main.start(engine, tracer());
        if (options.hostStdio()) forwardHostSignals();
        // Every guest thread gets a platform thread of its own: if one ends the process while another is blocked
        // in a host read, nothing waits for that one.
        launch(main);
        synchronized (this) {
            while (!exiting) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        // Whatever the program forked and left running ends with it, as jvisor's JVM will.
        for (LinuxProcess p : family.processes.values()) if (p != this) p.finish(128 + Signals.SIGKILL, Signals.SIGKILL);
        if (options.stats()) printStats();
        return exitStatus;
    }

    /**
     * Signals sent to jvisor itself (Ctrl-C at the terminal, kill from another host process, a resized window) go to
     * the guest, as the terminal would have sent them to the guest processes if they were real: every process of
     * the run gets them, since they all share jvisor's process group. Signals the JVM keeps for itself stay there.
     */
    @SuppressWarnings("restriction")
    private void forwardHostSignals() {
        // Not TSTP and CONT: Ctrl-Z should stop jvisor itself, as the shell expects of its job. Not PIPE: the host
        // raises it for jvisor's own writes too; guest writes to a broken pipe get their SIGPIPE from the write.
        String[] names = {"INT", "TERM", "HUP", "QUIT", "USR1", "USR2", "WINCH", "ALRM"};
        for (String name : names) {
            try {
                sun.misc.Signal signal = new sun.misc.Signal(name);
                int number = signal.getNumber();
                sun.misc.Signal.handle(signal, s -> {
                    for (LinuxProcess p : family.processes.values()) {
                        if (!p.exiting()) p.signals.sendToProcess(number, new Signals.Info(number, Signals.SI_USER, 0,
                                0, Identity.UID, false));
                    }
                });
            } catch (IllegalArgumentException reservedByTheJvm) {
                // The JVM needs this one (it says so by refusing); the guest will not see it.
            }
        }
    }

    /** Lays out a fresh program in {@code s}: break, stack, sigreturn page, initial stack; points {@code t} at it. */
    private void prepare(GuestThread t, AddressSpace s, ElfLoader.Image image, String execfn, List<String> argv,
                         List<String> envp) {
        arguments = List.copyOf(argv);
        String base = Path.of(execfn).getFileName() == null ? execfn : Path.of(execfn).getFileName().toString();
        t.name = base.length() > 15 ? base.substring(0, 15) : base;
        s.initBrk(image.end());
        long stackBottom = s.stackTop() - AddressSpace.STACK_SIZE;
        s.mapZero(stackBottom, AddressSpace.STACK_SIZE, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE);
        trampoline = mapTrampoline(s);
        t.cpu.pc = image.entry();
        t.cpu.setSp(InitialStack.build(s, s.stackTop(), argv, envp, execfn, image, model.linuxHwcap(),
                new SecureRandom()));
    }

    private List<String> environment() {
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : options.environment().entrySet()) env.add(e.getKey() + "=" + e.getValue());
        return env;
    }

    private void installStdio() {
        int host = options.hostStdio() ? 0 : -1;
        fds.add(new HostStreamFile(options.stdin(), null, host), false);
        fds.add(new HostStreamFile(null, options.stdout(), host < 0 ? -1 : 1), false);
        fds.add(new HostStreamFile(null, options.stderr(), host < 0 ? -1 : 2), false);
    }

    /**
     * The return path for handlers installed without SA_RESTORER (glibc always sets one): one read-only executable
     * page holding "mov x8, #139; svc #0", the job Linux gives the vDSO's sigreturn trampoline.
     */
    private static long mapTrampoline(AddressSpace s) {
        long at = s.findFree(AddressSpace.PAGE);
        s.mapZero(at, AddressSpace.PAGE, AddressSpace.PROT_READ | AddressSpace.PROT_EXEC);
        byte[] code = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0xD2801168).putInt(0xD4000001).array();
        s.ram().copyIn(at, code, 0, code.length);
        s.name(at, "[sigpage]");
        return at;
    }

    long sigreturnTrampoline() {
        return trampoline;
    }

    private Interpreter.InstructionTracer tracer() {
        if (!options.trace()) return null;
        PrintStream out = options.messages();
        return (cpu, pc, insn, row) -> out.printf("%016x  %08x  %s%n", pc, insn,
                row == null ? "unknown" : Disassembler.disassemble(insn, pc));
    }

    private void printStats() {
        long nanos = System.nanoTime() - startNanos;
        long insns = family.retiredInstructions.get();
        for (LinuxProcess p : family.processes.values()) {
            for (GuestThread t : p.threads()) insns += t.cpu.instructions;
        }
        double seconds = nanos / 1e9;
        options.messages().printf("jvisor: %d instructions in %.3f s (%.1f MIPS)%n", insns, seconds,
                seconds > 0 ? insns / seconds / 1e6 : 0.0);
        options.engine().printStats(options.messages());
    }

    // ---- threads ----

    synchronized List<GuestThread> threads() {
        return new ArrayList<>(threads);
    }

    synchronized GuestThread thread(int tid) {
        for (GuestThread t : threads) if (t.tid == tid && !t.exited) return t;
        return null;
    }

    /** clone() of a thread: shares everything, starts at the instruction after the SVC with X0 = 0. */
    GuestThread spawnThread(GuestThread creator, long stack, long tls, boolean setTls) {
        GuestThread child = new GuestThread(this, family.nextId.getAndIncrement(), new UserMemory(space));
        startLike(child, creator, stack, tls, setTls);
        return child;
    }

    private void startLike(GuestThread child, GuestThread creator, long stack, long tls, boolean setTls) {
        child.cpu.copyStateFrom(creator.cpu);
        child.cpu.x[0] = 0;
        if (stack != 0) child.cpu.setSp(stack);
        if (setTls) child.cpu.tpidrEl0 = tls;
        child.cpu.pc = creator.cpu.pc + 4;
        child.setBlocked(creator.blocked());
        child.name = creator.name;
        child.start(engine, tracer());
    }

    void launch(GuestThread child) {
        synchronized (this) {
            threads.add(child);
        }
        startJavaThread(child);
    }

    private void startJavaThread(GuestThread child) {
        Thread j = Thread.ofPlatform().name("guest-" + child.tid).daemon(true).stackSize(16L << 20)
                .unstarted(child::runLoop);
        child.javaThread = j;
        j.start();
    }

    /** CPU time of the threads that have ended, and of reaped children: {user, user + system} nanoseconds. */
    private final long[] endedThreadsCpu = new long[2], reapedChildrenCpu = new long[2];

    /** This process's CPU time so far: {user, user + system} nanoseconds of the host threads that ran it. */
    synchronized long[] cpuTimes() {
        long[] sum = endedThreadsCpu.clone();
        for (GuestThread t : threads) {
            Thread j = t.javaThread;
            if (j == null || !j.isAlive()) continue;
            long[] c = Time.threadCpu(j);
            sum[0] += c[0];
            sum[1] += c[1];
        }
        return sum;
    }

    synchronized long[] childrenCpuTimes() {
        return reapedChildrenCpu.clone();
    }

    void threadFinished(GuestThread t) {
        long[] cpu = Time.threadCpu(Thread.currentThread());
        List<AddressSpace> unused = new ArrayList<>();
        synchronized (this) {
            if (!threads.remove(t)) return;
            endedThreadsCpu[0] += cpu[0];
            endedThreadsCpu[1] += cpu[1];
            family.retiredInstructions.addAndGet(t.cpu.instructions);
            AddressSpace own = t.mem.space();
            if (threads.isEmpty()) {
                // The process is over (an execve in progress always has its new thread registered already).
                if (!exiting) finish(exitStatus, 0);
                unused.add(own);
                if (space != own) unused.add(space);
            } else if (own != space) {
                // A thread of the program execve replaced: its memory goes once its last thread has left.
                boolean stillUsed = false;
                for (GuestThread o : threads) stillUsed |= o.mem.space() == own;
                if (!stillUsed) unused.add(own);
            }
        }
        for (AddressSpace s : unused) s.release();
    }

    /** exit(): the thread ends; the last one to end takes the process with it. */
    void exitThread(GuestThread t, int status) {
        t.exited = true;
        if (t.clearChildTid != 0) {
            try {
                space.write32(t.clearChildTid, 0);
                futexes.wake(t.clearChildTid, 1, Futexes.BITSET_MATCH_ANY);
            } catch (Errno ignored) {
                // A bad clear_child_tid pointer is the guest's problem; Linux ignores the fault too.
            }
        }
        synchronized (this) {
            exitStatus = status & 0xFF;
        }
    }

    synchronized boolean exiting() {
        return exiting;
    }

    /** exit_group(): every thread stops at its next instruction boundary or blocking point. */
    void finish(int status) {
        finish(status, 0);
    }

    private void finish(int status, int signal) {
        synchronized (this) {
            if (exiting) return;
            exiting = true;
            exitStatus = status;
            killSignal = signal;
            releasedVfork = true;
            for (GuestThread t : threads) t.kick();
            notifyAll();
        }
        itimer.cancel();
        // Descriptors close when the process ends, even if one of its threads is stuck in a host read: the other
        // ends of its pipes see EOF and EPIPE as they would on Linux.
        fds.closeAll();
        if (parent != null) parent.childChanged(this);
    }

    void killedBy(int sig, String message) {
        if (message != null) options.messages().println("jvisor: " + message);
        finish(128 + sig, sig);
    }

    void internalError(Throwable e, long pc) {
        options.messages().printf("jvisor: internal error: %s at pc 0x%x%n", e, pc);
        if (System.getenv("JVISOR_DEBUG") != null) e.printStackTrace(options.messages());
        finish(EXIT_INTERNAL_ERROR, 0);
    }

    /** One warning line on the messages stream, the first time this run meets {@code what}. */
    void warnOnce(String what) {
        if (family.warnings.add(what)) options.messages().println("jvisor: warning: " + what);
    }

    private void kickAll() {
        for (GuestThread t : threads()) t.kick();
    }

    // ---- fork, execve, wait ----

    /**
     * fork(): a child process with a copy of everything, whose main thread resumes after the SVC with X0 = 0.
     * Returns that thread, not yet running, so the caller can write what CLONE_CHILD_SETTID asks for first.
     */
    GuestThread fork(GuestThread t, long stack, long tls, boolean setTls) {
        LinuxProcess child = new LinuxProcess(this);
        GuestThread main = new GuestThread(child, child.pid, new UserMemory(child.space));
        child.startLike(main, t, stack, tls, setTls);
        main.copyAltStackFrom(t);
        child.space.setOnChange(child::kickAll);
        synchronized (this) {
            children.add(child);
        }
        return main;
    }

    /**
     * Runs a child made by {@link #fork}. For vfork the parent then waits until the child has called execve or
     * ended, as vfork promises (the child has its own copy of memory here, which vfork allows).
     */
    void startForked(GuestThread childMain, GuestThread creator, boolean vfork) {
        LinuxProcess child = childMain.process;
        child.launch(childMain);
        if (!vfork) return;
        synchronized (child) {
            while (!child.releasedVfork && !creator.interruptPending()) {
                try {
                    child.wait(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * execve(): loads {@code program} into a fresh address space and replaces this process's threads with one thread
     * starting it. Fails without changing anything when the file cannot be run (ENOEXEC for anything that is not a
     * static AArch64 executable, with a warning naming the reason).
     */
    void exec(GuestThread t, Path program, String execfn, List<String> argv, List<String> envp) {
        AddressSpace fresh = new AddressSpace();
        ElfLoader.Image image;
        try {
            image = ElfLoader.load(program, fresh);
        } catch (UserError e) {
            fresh.release();
            warnOnce("execve: " + e.getMessage());
            throw new Errno(Errno.ENOEXEC);
        }
        GuestThread main = new GuestThread(this, t.tid, new UserMemory(fresh));
        prepare(main, fresh, image, execfn, argv, envp);
        fresh.setOnChange(this::kickAll);
        main.setBlocked(t.blocked());
        main.inheritPending(t);
        signals.resetHandlersForExec();
        fds.closeOnExec();
        Engine freshEngine = engine.forNewAddressSpace();
        main.start(freshEngine, tracer());
        synchronized (this) {
            engine = freshEngine;
            for (GuestThread o : threads) {
                o.exited = true;
                o.kick();
            }
            space = fresh;
            executable = program.toAbsolutePath().normalize();
            releasedVfork = true;
            // Registered before the old threads can finish, so the process never looks empty in between.
            threads.add(main);
            notifyAll();
        }
        startJavaThread(main);
    }

    private void childChanged(LinuxProcess child) {
        int code = child.killSignal == 0 ? CLD_EXITED : coreDumps(child.killSignal) ? CLD_DUMPED : CLD_KILLED;
        childChanged(child, code, child.killSignal == 0 ? child.exitStatus : child.killSignal);
    }

    /** A child exited, was killed, stopped or continued: SIGCHLD (as its disposition says) and wake any wait. */
    private void childChanged(LinuxProcess child, int code, int status) {
        Signals.Action onChild = signals.action(Signals.SIGCHLD);
        boolean ended = code <= CLD_DUMPED;
        boolean autoReap = ended
                && (onChild.handler() == Signals.SIG_IGN || (onChild.flags() & Signals.SA_NOCLDWAIT) != 0);
        boolean quiet = !ended && (onChild.flags() & Signals.SA_NOCLDSTOP) != 0;
        if (!exiting() && !quiet) signals.sendToProcess(Signals.SIGCHLD,
                new Signals.Info(Signals.SIGCHLD, code, 0, child.pid, Identity.UID, false, status));
        synchronized (this) {
            // With SIGCHLD ignored (or SA_NOCLDWAIT) children leave no zombie for wait to collect.
            if (autoReap) {
                children.remove(child);
                family.processes.remove(child.pid);
            }
            notifyAll();
        }
        kickAll();
    }

    static boolean coreDumps(int sig) {
        return sig == Signals.SIGQUIT || sig == Signals.SIGILL || sig == Signals.SIGTRAP || sig == Signals.SIGABRT
                || sig == Signals.SIGBUS || sig == Signals.SIGFPE || sig == Signals.SIGSEGV || sig == Signals.SIGXCPU
                || sig == Signals.SIGXFSZ || sig == Signals.SIGSYS;
    }

    /** A child that ended, stopped or continued, as wait4 and waitid report it. */
    record Reaped(int pid, int waitStatus, int code, int status, long[] cpu) {
        Reaped(int pid, int waitStatus, int code, int status) {
            this(pid, waitStatus, code, status, new long[2]);
        }
    }

    /** Which children a wait is for and which of their changes it wants (WEXITED, WUNTRACED, WCONTINUED). */
    record WaitFor(int pid, boolean exited, boolean stopped, boolean continued) {
        boolean matches(LinuxProcess waiter, LinuxProcess child) {
            if (pid > 0) return child.pid == pid;
            if (pid == -1) return true;
            return child.pgid() == (pid == 0 ? waiter.pgid() : -pid);
        }
    }

    /**
     * Waits for a child matching {@code which} to change state and, unless {@code peek}, consumes that change (an
     * exited child is reaped). Returns null for WNOHANG when nothing has happened yet; ECHILD when there is no such
     * child; interrupted by signals.
     */
    Reaped waitChild(GuestThread t, WaitFor which, boolean noHang, boolean peek) {
        synchronized (this) {
            while (true) {
                boolean any = false;
                for (LinuxProcess c : children) {
                    if (!which.matches(this, c)) continue;
                    any = true;
                    Reaped r = c.reportableChange(which, peek);
                    if (r == null) continue;
                    if (r.code() > CLD_DUMPED) return r;
                    long[] own = c.cpuTimes(), theirs = c.childrenCpuTimes();
                    long[] total = {own[0] + theirs[0], own[1] + theirs[1]};
                    if (!peek) {
                        children.remove(c);
                        family.processes.remove(c.pid);
                        reapedChildrenCpu[0] += total[0];
                        reapedChildrenCpu[1] += total[1];
                    }
                    return new Reaped(r.pid(), r.waitStatus(), r.code(), r.status(), total);
                }
                if (!any) throw new Errno(Errno.ECHILD);
                if (noHang) return null;
                if (t.interruptPending()) throw new Errno(GuestThread.ERESTARTSYS);
                try {
                    wait(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Errno(Errno.EINTR);
                }
            }
        }
    }

    /** This (child) process's state change that {@code which} asks for and nobody has collected yet, if any. */
    private synchronized Reaped reportableChange(WaitFor which, boolean peek) {
        if (exiting) {
            if (!which.exited()) return null;
            int sig = killSignal;
            int ws = sig == 0 ? (exitStatus & 0xFF) << 8 : sig | (coreDumps(sig) ? 0x80 : 0);
            int code = sig == 0 ? CLD_EXITED : coreDumps(sig) ? CLD_DUMPED : CLD_KILLED;
            return new Reaped(pid, ws, code, sig == 0 ? exitStatus & 0xFF : sig);
        }
        if (stopped && !stopReported && which.stopped()) {
            if (!peek) stopReported = true;
            return new Reaped(pid, 0x7F | stopSignal << 8, CLD_STOPPED, stopSignal);
        }
        if (continuedUnreported && which.continued()) {
            if (!peek) continuedUnreported = false;
            return new Reaped(pid, 0xFFFF, CLD_CONTINUED, Signals.SIGCONT);
        }
        return null;
    }

    // ---- job control: stop and continue ----

    private boolean stopped, stopReported, continuedUnreported;
    private int stopSignal;

    synchronized boolean stopped() {
        return stopped && !exiting;
    }

    /** The default action of SIGSTOP, SIGTSTP, SIGTTIN and SIGTTOU: every thread waits for SIGCONT. */
    void stop(int sig) {
        synchronized (this) {
            if (stopped || exiting) return;
            stopped = true;
            stopReported = false;
            continuedUnreported = false;
            stopSignal = sig;
            for (GuestThread t : threads) t.kick();
        }
        if (parent != null) parent.childChanged(this, CLD_STOPPED, sig);
    }

    /** SIGCONT, whatever its disposition: a stopped process runs again. */
    void resume() {
        synchronized (this) {
            if (!stopped) return;
            stopped = false;
            continuedUnreported = true;
            for (GuestThread t : threads) t.kick();
        }
        if (parent != null) parent.childChanged(this, CLD_CONTINUED, Signals.SIGCONT);
    }

    synchronized int pgid() {
        return pgid;
    }

    synchronized int sid() {
        return sid;
    }

    synchronized void setGroup(int pgid, int sid) {
        this.pgid = pgid;
        this.sid = sid;
    }

    /** Whether some process of the run is in group {@code group} of session {@code session}. */
    boolean groupExists(int group, int session) {
        for (LinuxProcess p : family.processes.values()) if (p.pgid() == group && p.sid() == session) return true;
        return false;
    }

    /** Every live process of the run. */
    List<LinuxProcess> relatives() {
        return family.processes.values().stream().filter(p -> !p.exiting()).toList();
    }

    List<String> arguments() {
        return arguments;
    }

    /** Another process of this run, by pid, for kill(). */
    LinuxProcess relative(int pid) {
        return family.processes.get(pid);
    }

    int parentPid() {
        return parent != null ? parent.pid
                : (int) ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L).longValue();
    }

    /** Bytes of a path the guest handed us, resolved against a directory descriptor as the *at calls do. */
    Path resolve(int dirfd, String path) {
        if (path.isEmpty()) throw new Errno(Errno.ENOENT);
        try {
            if (path.startsWith("/")) return Path.of(path);
            Path base = dirfd == Syscalls.AT_FDCWD ? cwd : fds.get(dirfd).path();
            return base.resolve(path);
        } catch (java.nio.file.InvalidPathException e) {
            throw new Errno(Errno.ENOENT);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
