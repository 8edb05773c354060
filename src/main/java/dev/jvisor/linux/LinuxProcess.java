package dev.jvisor.linux;

import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.arch.a64.decode.Disassembler;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Linux process emulated in user mode: one static AArch64 program, its address space, descriptors, signal
 * dispositions and threads. {@link #run} loads the program, builds the initial stack the arm64 ABI describes, runs
 * each guest thread on a platform thread of its own, waits for the process to end and returns the exit
 * status a shell would see: the guest's exit code, or 128 + signal number if a signal killed it.
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

    /** The arm64 signal frame plus its frame record and alignment: the least stack a handler needs. */
    static final long MINSIGSTKSZ = Signals.FRAME_SIZE + 32;
    static final int EXIT_INTERNAL_ERROR = 70;

    final AddressSpace space;
    final FdTable fds = new FdTable();
    final Signals signals = new Signals(this);
    final Futexes futexes = new Futexes();
    final CpuModel model;
    final Options options;
    final int pid;
    final Path executable;
    final long startNanos = System.nanoTime();
    private final AtomicInteger nextTid;
    private final List<GuestThread> threads = new ArrayList<>();
    private long retiredInstructions;
    private long trampoline;

    Path cwd = Path.of("").toAbsolutePath();
    /** getrlimit/setrlimit state, created on first use by {@link Limits}. */
    long[][] limits;
    int umask = 022;

    private boolean exiting;
    private int exitStatus;

    private LinuxProcess(Path executable, Options options) {
        this.executable = executable.toAbsolutePath().normalize();
        this.options = options;
        this.model = options.model();
        this.pid = (int) ProcessHandle.current().pid();
        this.nextTid = new AtomicInteger(pid + 1);
        this.space = new AddressSpace();
    }

    /** Runs {@code program} with {@code argv} (argv[0] included) to completion; returns its exit status. */
    public static int run(Path program, List<String> argv, Options options) {
        LinuxProcess p = new LinuxProcess(program, options);
        return p.runMain(program.toString(), ElfLoader.load(program, p.space), argv);
    }

    /** Runs an executable image held in memory (the embedded demo); {@code name} stands for its path. */
    public static int run(String name, byte[] elf, List<String> argv, Options options) {
        LinuxProcess p = new LinuxProcess(Path.of(name), options);
        return p.runMain(name, ElfLoader.load(name, elf, p.space), argv);
    }

    private int runMain(String program, ElfLoader.Image image, List<String> argv) {
        space.initBrk(image.end());
        long stackBottom = space.stackTop() - AddressSpace.STACK_SIZE;
        space.mapZero(stackBottom, AddressSpace.STACK_SIZE, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE);
        trampoline = mapTrampoline();

        installStdio();
        GuestThread main = new GuestThread(this, pid, new UserMemory(space));
        space.setOnChange(this::kickAll);
        main.cpu.pc = image.entry();
        main.cpu.setSp(InitialStack.build(space, space.stackTop(), argv, environment(), program, image,
                model.linuxHwcap(), new SecureRandom()));
        main.start(options.engine(), tracer());
        // The main guest thread gets its own thread like the others: if another one ends the process while it is
        // blocked in a host read, nothing waits for it.
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
        if (options.stats()) printStats();
        return exitStatus;
    }

    private List<String> environment() {
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : options.environment().entrySet()) env.add(e.getKey() + "=" + e.getValue());
        return env;
    }

    private void installStdio() {
        if (options.hostStdio()) {
            fds.add(new HostStreamFile(options.stdin(), null, 0), false);
            fds.add(new HostStreamFile(null, options.stdout(), 1), false);
            fds.add(new HostStreamFile(null, options.stderr(), 2), false);
        } else {
            fds.add(new HostStreamFile(options.stdin(), null, -1), false);
            fds.add(new HostStreamFile(null, options.stdout(), -1), false);
            fds.add(new HostStreamFile(null, options.stderr(), -1), false);
        }
    }

    /**
     * The return path for handlers installed without SA_RESTORER (glibc always sets one): one read-only executable
     * page holding "mov x8, #139; svc #0", the job Linux gives the vDSO's sigreturn trampoline.
     */
    private long mapTrampoline() {
        long at = space.findFree(AddressSpace.PAGE);
        space.mapZero(at, AddressSpace.PAGE, AddressSpace.PROT_READ | AddressSpace.PROT_EXEC);
        byte[] code = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0xD2801168).putInt(0xD4000001).array();
        space.ram().copyIn(at, code, 0, code.length);
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
        long insns;
        synchronized (this) {
            insns = retiredInstructions;
            for (GuestThread t : threads) insns += t.cpu.instructions;
        }
        double seconds = nanos / 1e9;
        options.messages().printf("jvisor: %d instructions in %.3f s (%.1f MIPS)%n", insns, seconds,
                seconds > 0 ? insns / seconds / 1e6 : 0.0);
    }

    // ---- threads ----

    synchronized List<GuestThread> threads() {
        return new ArrayList<>(threads);
    }

    synchronized GuestThread thread(int tid) {
        for (GuestThread t : threads) if (t.tid == tid) return t;
        return null;
    }

    /** clone() of a thread: shares everything, starts at the instruction after the SVC with X0 = 0. */
    GuestThread spawnThread(GuestThread parent, long stack, long tls, boolean setTls) {
        GuestThread child = new GuestThread(this, nextTid.getAndIncrement(), new UserMemory(space));
        child.cpu.copyStateFrom(parent.cpu);
        child.cpu.x[0] = 0;
        if (stack != 0) child.cpu.setSp(stack);
        if (setTls) child.cpu.tpidrEl0 = tls;
        child.cpu.pc = parent.cpu.pc + 4;
        child.setBlocked(parent.blocked());
        child.start(options.engine(), tracer());
        return child;
    }

    void launch(GuestThread child) {
        synchronized (this) {
            threads.add(child);
        }
        Thread j = Thread.ofPlatform().name("guest-" + child.tid).daemon(true).stackSize(16L << 20)
                .unstarted(child::runLoop);
        child.javaThread = j;
        j.start();
    }

    synchronized void threadFinished(GuestThread t) {
        if (!threads.remove(t)) return;
        retiredInstructions += t.cpu.instructions;
        if (threads.isEmpty() && !exiting) finish(exitStatus);
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

    /** exit_group() or a fatal signal: every thread stops at its next instruction boundary or blocking point. */
    synchronized void finish(int status) {
        if (exiting) return;
        exiting = true;
        exitStatus = status;
        for (GuestThread t : threads) t.kick();
        notifyAll();
    }

    void killedBy(int sig, String message) {
        if (message != null) options.messages().println("jvisor: " + message);
        finish(128 + sig);
    }

    void internalError(Throwable e, long pc) {
        options.messages().printf("jvisor: internal error: %s at pc 0x%x%n", e, pc);
        if (System.getenv("JVISOR_DEBUG") != null) e.printStackTrace(options.messages());
        finish(EXIT_INTERNAL_ERROR);
    }

    private void kickAll() {
        for (GuestThread t : threads()) t.kick();
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
