package dev.jvisor.linux;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.SystemHooks;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.A64;
import dev.jvisor.arch.a64.decode.Disassembler;
import dev.jvisor.memory.MemoryFault;

import java.util.concurrent.locks.LockSupport;

/**
 * One guest thread: its CPU, its view of memory, its signal mask, pending set and alternate stack, and the run loop
 * that alternates between the engine and the things the kernel does between instructions (signal delivery, TLB
 * flushes after mapping changes). It is also the CPU's {@link SystemHooks}: SVC, BRK, undefined instructions and
 * memory faults arrive here as system calls and synchronous signals.
 */
final class GuestThread implements SystemHooks {
    /** Internal: a blocking call was interrupted; restart it if the handler has SA_RESTART, else -EINTR. */
    static final int ERESTARTSYS = 512;
    private static final long BUDGET = 1L << 24;
    static final int SS_ONSTACK = 1, SS_DISABLE = 2;

    final LinuxProcess process;
    final int tid;
    final Cpu cpu;
    final UserMemory mem;
    private Engine.Runner runner;
    Thread javaThread;

    private volatile long blocked;
    private long pending;
    private final Signals.Info[] pendingInfo = new Signals.Info[Signals.NSIG + 1];
    /** The mask rt_sigsuspend replaced, to be saved in the frame of the signal that ends it; -1 when none. */
    private long suspendedMask = -1;

    private long altSp, altSize;
    private int altFlags = SS_DISABLE;

    /** The thread's comm, as prctl(PR_GET_NAME) reads it: the program's file name until PR_SET_NAME changes it. */
    String name = "";
    long clearChildTid;
    long robustList;
    volatile boolean exited;
    /** Inside a system call: its registers are stable enough for a debugger to look at (see ProcessDebugger). */
    volatile boolean inSyscall;

    GuestThread(LinuxProcess process, int tid, UserMemory mem) {
        this.process = process;
        this.tid = tid;
        this.mem = mem;
        this.cpu = new Cpu(mem, process.model, this);
    }

    void start(Engine engine, dev.jvisor.engine.interp.Interpreter.InstructionTracer tracer) {
        runner = engine.start(cpu, tracer);
    }

    // ---- the run loop ----

    void runLoop() {
        try {
            while (!exited && !process.exiting()) {
                cpu.exitRequest = false;
                ProcessDebugger debugger = process.debugger;
                if (debugger != null && debugger.hold(tid)) continue;
                if (process.stopped()) {
                    // Stopped by a signal: nothing runs and nothing is delivered until SIGCONT (or SIGKILL).
                    LockSupport.parkNanos(this, 50_000_000);
                    continue;
                }
                mem.sync();
                if (hasDeliverable()) {
                    cpu.pc = deliver(cpu.pc);
                    continue;
                }
                if (debugger != null) debugger.runSlice(tid, cpu, runner, BUDGET);
                else runner.run(BUDGET);
            }
        } catch (RuntimeException | Error e) {
            process.internalError(e, cpu.pc);
        } finally {
            if (runner != null) runner.close();
            process.threadFinished(this);
        }
    }

    /** Makes the thread look at its pending signals and the mapping epoch soon, even if it is blocked. */
    void kick() {
        cpu.exitRequest = true;
        Thread j = javaThread;
        if (j != null) LockSupport.unpark(j);
    }

    // ---- signal state ----

    long blocked() {
        return blocked;
    }

    void setBlocked(long mask) {
        blocked = mask & ~Signals.UNBLOCKABLE;
        // Unblocking may make a pending signal deliverable before the next instruction.
        if (hasDeliverable()) cpu.exitRequest = true;
    }

    void suspendWith(long mask) {
        suspendedMask = blocked;
        setBlocked(mask);
    }

    /**
     * Ends a temporary mask (ppoll's): restored now, unless a signal is about to be delivered, whose frame then
     * carries the original mask back to sigreturn.
     */
    void restoreMaskUnlessDelivering(long saved) {
        if (hasDeliverable()) return;
        suspendedMask = -1;
        setBlocked(saved);
    }

    /** fork() copies the alternate signal stack settings. */
    void copyAltStackFrom(GuestThread other) {
        altSp = other.altSp;
        altSize = other.altSize;
        altFlags = other.altFlags;
    }

    /** execve() keeps pending signals. */
    void inheritPending(GuestThread other) {
        synchronized (other) {
            pending = other.pending;
            System.arraycopy(other.pendingInfo, 0, pendingInfo, 0, pendingInfo.length);
        }
    }

    synchronized void addPending(int sig, Signals.Info info) {
        if ((pending & Signals.bit(sig)) == 0) {
            pending |= Signals.bit(sig);
            pendingInfo[sig] = info;
        }
    }

    synchronized void discardPendingSet(long set) {
        pending &= ~set;
        for (int sig = 1; sig <= Signals.NSIG; sig++) if ((set & Signals.bit(sig)) != 0) pendingInfo[sig] = null;
    }

    synchronized void discardPending(int sig) {
        if ((blocked & Signals.bit(sig)) != 0) return;
        pending &= ~Signals.bit(sig);
        pendingInfo[sig] = null;
    }

    synchronized long pending() {
        return pending;
    }

    private long deliverableSet() {
        long all;
        synchronized (this) {
            all = pending;
        }
        all |= process.signals.sharedPending();
        return all & (~blocked | Signals.UNBLOCKABLE);
    }

    boolean hasDeliverable() {
        return deliverableSet() != 0;
    }

    /** Whether a blocking call should give up now: a signal that will do something is pending, or we are dying. */
    boolean interruptPending() {
        if (exited || process.exiting()) return true;
        long set = deliverableSet();
        while (set != 0) {
            int sig = Long.numberOfTrailingZeros(set) + 1;
            if (!Signals.ignored(sig, process.signals.action(sig))) return true;
            set &= set - 1;
        }
        return false;
    }

    private Signals.Info take(int sig) {
        synchronized (this) {
            if ((pending & Signals.bit(sig)) != 0) {
                pending &= ~Signals.bit(sig);
                Signals.Info i = pendingInfo[sig];
                pendingInfo[sig] = null;
                return i;
            }
        }
        return process.signals.takeShared(sig);
    }

    /** Delivers the lowest deliverable pending signal, if any; returns the pc to continue at. */
    long deliver(long pc) {
        while (true) {
            long set = deliverableSet();
            if (set == 0) return pc;
            int sig = Long.numberOfTrailingZeros(set) + 1;
            Signals.Info info = take(sig);
            if (info == null) continue;
            ProcessDebugger debugger = process.debugger;
            if (debugger != null && sig != Signals.SIGKILL && !Signals.ignored(sig, process.signals.action(sig))) {
                cpu.pc = pc;
                int decided = debugger.interceptSignal(tid, cpu, sig);
                pc = cpu.pc;
                if (decided == 0) continue;
                if (decided != sig) {
                    sig = decided;
                    info = Signals.userInfo(sig, Signals.SI_USER, process);
                }
            }
            Signals.Action a = process.signals.action(sig);
            if (sig == Signals.SIGKILL || a.handler() == Signals.SIG_DFL) {
                if (sig != Signals.SIGKILL && Signals.defaultIgnores(sig)) continue;
                if (Signals.defaultStops(sig)) {
                    process.stop(sig);
                    cpu.exitRequest = true;
                    return pc;
                }
                process.killedBy(sig, null);
                cpu.exitRequest = true;
                return pc;
            }
            if (a.handler() == Signals.SIG_IGN) continue;
            return handle(info, a, pc);
        }
    }

    private long handle(Signals.Info info, Signals.Action a, long pc) {
        long saved = suspendedMask >= 0 ? suspendedMask : blocked;
        suspendedMask = -1;
        long next;
        try {
            next = Signals.enterHandler(this, info, a, pc, saved);
        } catch (Errno e) {
            // No room for the frame: Linux kills the process with SIGSEGV.
            process.killedBy(Signals.SIGSEGV, null);
            cpu.exitRequest = true;
            return pc;
        }
        long mask = blocked | a.mask();
        if ((a.flags() & Signals.SA_NODEFER) == 0) mask |= Signals.bit(info.signo());
        if ((a.flags() & Signals.SA_RESETHAND) != 0) process.signals.setAction(info.signo(), Signals.Action.DEFAULT);
        setBlocked(mask);
        return next;
    }

    /**
     * A signal caused by the instruction at {@code pc} itself. If it is blocked or ignored, it cannot be taken and
     * the default action applies, as with Linux's force_sig.
     */
    private long force(Signals.Info info, long pc, String deathMessage) {
        ProcessDebugger debugger = process.debugger;
        if (debugger != null) {
            cpu.pc = pc;
            int decided = debugger.interceptSignal(tid, cpu, info.signo());
            pc = cpu.pc;
            // Discarded: the instruction runs again (and faults again, unless gdb changed something), as on Linux.
            if (decided == 0) return pc;
            if (decided != info.signo()) {
                info = Signals.userInfo(decided, Signals.SI_USER, process);
                deathMessage = null;
            }
        }
        int sig = info.signo();
        Signals.Action a = process.signals.action(sig);
        if (a.handler() == Signals.SIG_IGN || (blocked & Signals.bit(sig)) != 0) {
            a = Signals.Action.DEFAULT;
            process.signals.setAction(sig, a);
            setBlocked(blocked & ~Signals.bit(sig));
        }
        if (a.handler() == Signals.SIG_DFL) {
            process.killedBy(sig, deathMessage);
            cpu.exitRequest = true;
            return pc;
        }
        return handle(info, a, pc);
    }

    // ---- alternate signal stack ----

    boolean altStackEnabled() {
        return (altFlags & SS_DISABLE) == 0;
    }

    boolean onAltStack(long sp) {
        return altStackEnabled() && sp > altSp && sp - altSp <= altSize;
    }

    long altStackTop() {
        return altSp + altSize;
    }

    long altStackSp() {
        return altSp;
    }

    long altStackSize() {
        return altSize;
    }

    static final int SS_AUTODISARM = 1 << 31;

    boolean altStackAutoDisarm() {
        return (altFlags & SS_AUTODISARM) != 0;
    }

    void disarmAltStack() {
        altSp = 0;
        altSize = 0;
        altFlags = SS_DISABLE;
    }

    int altStackFlags(long sp) {
        if (!altStackEnabled()) return SS_DISABLE;
        return (onAltStack(sp) ? SS_ONSTACK : 0) | (altFlags & SS_AUTODISARM);
    }

    /** sigaltstack(2)'s set half; EPERM while running on the alternate stack. */
    void setAltStack(long sp, int flags, long size) {
        if (onAltStack(cpu.sp())) throw new Errno(Errno.EPERM);
        if ((flags & ~(SS_DISABLE | SS_AUTODISARM)) != 0) throw new Errno(Errno.EINVAL);
        if ((flags & SS_DISABLE) != 0) {
            altSp = 0;
            altSize = 0;
            altFlags = SS_DISABLE;
            return;
        }
        if (size < LinuxProcess.MINSIGSTKSZ) throw new Errno(Errno.ENOMEM);
        altSp = sp;
        altSize = size;
        altFlags = flags & SS_AUTODISARM;
    }

    /** What rt_sigreturn does with uc_stack: reinstall it, silently keeping the old one if it is not acceptable. */
    void restoreAltStack(long sp, int flags, long size) {
        try {
            setAltStack(sp, flags & ~SS_ONSTACK, size);
        } catch (Errno ignored) {
            // Linux ignores a failing restore_altstack too.
        }
    }

    // ---- SystemHooks ----

    @Override
    public long svc(Cpu c, int imm, long pc) {
        int nr = (int) c.x[8];
        long next = pc + 4;
        if (nr == Syscalls.RT_SIGRETURN) {
            try {
                next = Signals.sigreturn(this);
            } catch (Errno e) {
                return force(Signals.faultInfo(Signals.SIGSEGV, Signals.SI_KERNEL, 0), pc, null);
            }
        } else {
            long origX0 = c.x[0];
            // Engines keep the pc in a local while running; calls that need it (clone) read it from here.
            c.pc = pc;
            long result;
            inSyscall = true;
            // The kernel's own accesses to user memory (futex words) do not trip a debugger's watchpoints.
            dev.jvisor.memory.Watchpoints watched = mem.watchpoints();
            if (watched != null) mem.setWatchpoints(null);
            try {
                result = Syscalls.dispatch(this, nr);
            } finally {
                inSyscall = false;
                if (watched != null) mem.setWatchpoints(watched);
            }
            if (exited || process.exiting()) {
                c.exitRequest = true;
                return next;
            }
            c.x[0] = result;
            if (result == -ERESTARTSYS) {
                long set = deliverableSet();
                boolean restart = true;
                if (set != 0) {
                    Signals.Action a = process.signals.action(Long.numberOfTrailingZeros(set) + 1);
                    boolean hasHandler = a.handler() != Signals.SIG_DFL && a.handler() != Signals.SIG_IGN;
                    restart = !hasHandler || (a.flags() & Signals.SA_RESTART) != 0;
                }
                if (restart) {
                    c.x[0] = origX0;
                    next = pc;
                } else {
                    c.x[0] = -Errno.EINTR;
                }
            }
        }
        if (hasDeliverable()) next = deliver(next);
        ProcessDebugger debugger = process.debugger;
        return debugger == null ? next : debugger.holdIfStopped(tid, c, next);
    }

    @Override
    public long brk(Cpu c, int imm, long pc) {
        return force(Signals.faultInfo(Signals.SIGTRAP, Signals.TRAP_BRKPT, pc), pc,
                String.format("breakpoint (brk #0x%x) at pc 0x%x", imm, pc));
    }

    @Override
    public long undefined(Cpu c, int insn, long pc) {
        String text = A64.TABLE.decode(insn) == null ? "unknown" : Disassembler.disassemble(insn, pc);
        String message = String.format("illegal instruction 0x%08x (%s) at pc 0x%x", insn, text, pc);
        return force(Signals.faultInfo(Signals.SIGILL, Signals.ILL_ILLOPC, pc), pc, message);
    }

    @Override
    public long memoryFault(Cpu c, MemoryFault f, long pc) {
        long esr = abortSyndrome(f);
        Signals.Info info = switch (f.kind) {
            case TRANSLATION -> Signals.abortInfo(Signals.SIGSEGV, Signals.SEGV_MAPERR, f.address, esr);
            case PERMISSION -> Signals.abortInfo(Signals.SIGSEGV, Signals.SEGV_ACCERR, f.address, esr);
            case ALIGNMENT -> Signals.abortInfo(Signals.SIGBUS, Signals.BUS_ADRALN, f.address, esr);
            case EXTERNAL -> Signals.abortInfo(Signals.SIGBUS, 3 /* BUS_OBJERR */, f.address, esr);
        };
        String what = switch (f.kind) {
            case TRANSLATION -> "segmentation fault: nothing mapped at";
            case PERMISSION -> "segmentation fault: " + switch (f.access) {
                case READ -> "no read permission at";
                case WRITE -> "no write permission at";
                case EXECUTE -> "no execute permission at";
            };
            case ALIGNMENT -> "bus error: misaligned access at";
            case EXTERNAL -> "bus error: no backing memory at";
        };
        return force(info, pc, String.format("%s 0x%x (pc 0x%x)", what, f.address, pc));
    }

    /**
     * The ESR_EL1 of the abort a real kernel would have taken: instruction or data abort from EL0 (EC 0x20/0x24),
     * 32-bit instruction (IL), WnR for writes, and the fault status code of a level-3 translation or permission fault
     * or an alignment fault.
     */
    static long abortSyndrome(MemoryFault f) {
        boolean fetch = f.access == dev.jvisor.memory.Access.EXECUTE;
        long ec = fetch ? 0x20 : 0x24;
        int status = switch (f.kind) {
            case TRANSLATION -> 0b000111;
            case PERMISSION -> 0b001111;
            case ALIGNMENT -> 0b100001;
            case EXTERNAL -> 0b010000;
        };
        long wnr = !fetch && f.access == dev.jvisor.memory.Access.WRITE ? 1L << 6 : 0;
        return ec << 26 | 1L << 25 | wnr | status;
    }

    /**
     * MRS of an ID register from EL0, answered like Linux's CPUID emulation: only op0=3, op1=0, CRn=0, CRm=0..7;
     * MIDR as the model says, MPIDR with only its RES1 bit, REVIDR as zero, the ID_AA64 registers with the fields
     * this model implements, every other register of the space as zero; anything else is undefined.
     */
    @Override
    public long readSysReg(Cpu c, int encoding) {
        int op0 = encoding >>> 14, op1 = (encoding >>> 11) & 7, crn = (encoding >>> 7) & 15, crm = (encoding >>> 3) & 15,
                op2 = encoding & 7;
        if (op0 != 3 || op1 != 0 || crn != 0 || crm > 7) throw new UndefinedInstruction();
        if (crm == 0) {
            return switch (op2) {
                case 0 -> process.model.midr;
                case 5 -> 0x8000_0000L;
                case 6 -> 0;
                default -> throw new UndefinedInstruction();
            };
        }
        if (crm == 4 && op2 == 0) return process.model.idAa64Pfr0();
        if (crm == 6 && op2 == 0) return process.model.idAa64Isar0();
        if (crm == 6 && op2 == 1) return process.model.idAa64Isar1();
        return 0;
    }
}
