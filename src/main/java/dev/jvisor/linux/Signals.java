package dev.jvisor.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A process's signal dispositions and process-directed pending signals, and the arm64 signal frame: how a handler
 * is entered (rt_sigframe with siginfo, ucontext, the fpsimd record and a frame record) and how rt_sigreturn leaves.
 * Per-thread state (mask, thread-directed pending set, alternate stack) lives in {@link GuestThread}.
 */
final class Signals {
    static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
            SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14,
            SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22,
            SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGWINCH = 28, SIGSYS = 31, NSIG = 64;

    static final long SIG_DFL = 0, SIG_IGN = 1;
    static final long SA_NOCLDSTOP = 1, SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_ONSTACK = 0x0800_0000, SA_RESTART = 0x1000_0000, SA_NODEFER = 0x4000_0000,
            SA_RESETHAND = 0x8000_0000L, SA_RESTORER = 0x0400_0000;

    /** si_code values. */
    static final int SI_USER = 0, SI_KERNEL = 0x80, SI_TKILL = -6, SEGV_MAPERR = 1, SEGV_ACCERR = 2, BUS_ADRALN = 1,
            ILL_ILLOPC = 1, TRAP_BRKPT = 1;

    /** What a signal carries into its handler's siginfo_t. */
    /** What a signal carries: siginfo fields, and for memory faults the syndrome for the frame's esr_context. */
    record Info(int signo, int code, long addr, int pid, int uid, boolean fault, int status, long esr) {
        Info(int signo, int code, long addr, int pid, int uid, boolean fault) {
            this(signo, code, addr, pid, uid, fault, 0, 0);
        }

        Info(int signo, int code, long addr, int pid, int uid, boolean fault, int status) {
            this(signo, code, addr, pid, uid, fault, status, 0);
        }
    }

    static Info userInfo(int sig, int code, LinuxProcess p) {
        return new Info(sig, code, 0, p.pid, Identity.UID, false);
    }

    static Info faultInfo(int sig, int code, long addr) {
        return new Info(sig, code, addr, 0, 0, true);
    }

    /** A memory fault with the ESR_EL1 value Linux would have taken it with (reported in esr_context). */
    static Info abortInfo(int sig, int code, long addr, long esr) {
        return new Info(sig, code, addr, 0, 0, true, 0, esr);
    }

    record Action(long handler, long flags, long restorer, long mask) {
        static final Action DEFAULT = new Action(SIG_DFL, 0, 0, 0);
    }

    private final LinuxProcess process;
    private final Action[] actions = new Action[NSIG + 1];
    /** Process-directed pending signals, and their info (standard signals do not queue: one each). */
    private long sharedPending;
    private final Info[] sharedInfo = new Info[NSIG + 1];

    Signals(LinuxProcess process) {
        this.process = process;
        java.util.Arrays.fill(actions, Action.DEFAULT);
    }

    /** fork(): the child starts with the parent's dispositions. */
    synchronized void copyActionsFrom(Signals parent) {
        synchronized (parent) {
            System.arraycopy(parent.actions, 0, actions, 0, actions.length);
        }
    }

    /** execve(): handlers cannot survive the old program; ignored signals stay ignored. */
    synchronized void resetHandlersForExec() {
        for (int sig = 1; sig <= NSIG; sig++) {
            if (actions[sig].handler != SIG_IGN) actions[sig] = Action.DEFAULT;
        }
    }

    static long bit(int sig) {
        return 1L << (sig - 1);
    }

    static final long UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);

    synchronized Action action(int sig) {
        return actions[sig];
    }

    synchronized Action setAction(int sig, Action a) {
        Action old = actions[sig];
        actions[sig] = a;
        // Setting a signal to be ignored discards it where it is pending, as POSIX requires.
        if (ignored(sig, a)) {
            sharedPending &= ~bit(sig);
            for (GuestThread t : process.threads()) t.discardPending(sig);
        }
        return old;
    }

    static boolean defaultIgnores(int sig) {
        return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
    }

    static boolean defaultStops(int sig) {
        return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
    }

    static boolean ignored(int sig, Action a) {
        return a.handler == SIG_IGN || a.handler == SIG_DFL && defaultIgnores(sig);
    }

    synchronized long sharedPending() {
        return sharedPending;
    }

    /** Takes {@code sig} from the process-directed set if it is there. */
    synchronized Info takeShared(int sig) {
        if ((sharedPending & bit(sig)) == 0) return null;
        sharedPending &= ~bit(sig);
        Info i = sharedInfo[sig];
        sharedInfo[sig] = null;
        return i;
    }

    /** kill(): a process-directed signal, taken by the first thread that does not block it. */
    void sendToProcess(int sig, Info info) {
        if (generated(sig)) return;
        GuestThread taker = null;
        for (GuestThread t : process.threads()) {
            if ((t.blocked() & bit(sig)) == 0) {
                taker = t;
                break;
            }
        }
        if (taker != null && actsByDefaultNow(sig)) return;
        synchronized (this) {
            if (ignored(sig, actions[sig]) && taker != null) return;
            if ((sharedPending & bit(sig)) == 0) {
                sharedPending |= bit(sig);
                sharedInfo[sig] = info;
            }
        }
        if (taker != null) taker.kick();
    }

    /**
     * What happens the moment a signal is sent, before it is queued: SIGKILL ends the process (returns true, nothing
     * to queue), SIGCONT resumes a stopped one, and continuing and stopping cancel each other's pending signals.
     */
    private boolean generated(int sig) {
        if (sig == SIGKILL) {
            process.killedBy(SIGKILL, null);
            return true;
        }
        if (sig == SIGCONT) {
            discardEverywhere(bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU));
            process.resume();
        } else if (defaultStops(sig)) {
            discardEverywhere(bit(SIGCONT));
        }
        return false;
    }

    /**
     * A signal some thread can take whose disposition is the default of terminating or stopping takes effect when
     * it is sent, as Linux's complete_signal does, rather than when a thread next looks: a thread stuck in a host
     * read could not look. Returns whether it did.
     */
    private boolean actsByDefaultNow(int sig) {
        // Under a debugger the signal is delivered like any other, so that gdb stops the process before it acts.
        ProcessDebugger debugger = process.debugger;
        if (debugger != null && debugger.isAttached()) return false;
        synchronized (this) {
            if (actions[sig].handler != SIG_DFL || defaultIgnores(sig)) return false;
        }
        if (defaultStops(sig)) process.stop(sig);
        else process.killedBy(sig, null);
        return true;
    }

    private void discardEverywhere(long set) {
        synchronized (this) {
            sharedPending &= ~set;
        }
        for (GuestThread t : process.threads()) t.discardPendingSet(set);
    }

    /** tgkill()/raise(), and synchronous signals the thread cannot take right now. */
    void sendToThread(GuestThread t, int sig, Info info) {
        if (generated(sig)) return;
        if ((t.blocked() & bit(sig)) == 0 && actsByDefaultNow(sig)) return;
        synchronized (this) {
            if (ignored(sig, actions[sig]) && (t.blocked() & bit(sig)) == 0) return;
        }
        t.addPending(sig, info);
        t.kick();
    }

    // ---- the arm64 signal frame ----

    static final int SIGINFO_SIZE = 128;
    static final int UC_OFFSET = SIGINFO_SIZE;
    static final int UC_SIGMASK = 40, UC_MCONTEXT = 176;
    static final int MC_FAULT_ADDRESS = 0, MC_REGS = 8, MC_SP = 256, MC_PC = 264, MC_PSTATE = 272,
            MC_RESERVED = 288, RESERVED_SIZE = 4096;
    static final int FRAME_SIZE = UC_OFFSET + UC_MCONTEXT + MC_RESERVED + RESERVED_SIZE;
    static final int FPSIMD_MAGIC = 0x46508001, FPSIMD_SIZE = 528, ESR_MAGIC = 0x45535201, ESR_SIZE = 16;

    static byte[] siginfo(Info info) {
        ByteBuffer b = ByteBuffer.allocate(SIGINFO_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, info.signo).putInt(8, info.code);
        if (info.fault) {
            b.putLong(16, info.addr);
        } else {
            b.putInt(16, info.pid).putInt(20, info.uid).putInt(24, info.status);
        }
        return b.array();
    }

    /**
     * Builds the frame for {@code info} on the thread's stack and points the CPU at the handler. Returns the pc to
     * continue at, or throws {@link Errno} EFAULT when the frame cannot be written (the caller then kills the
     * process with SIGSEGV, as Linux does).
     */
    static long enterHandler(GuestThread t, Info info, Action a, long returnPc, long savedMask) {
        var c = t.cpu;
        long interruptedSp = c.sp();
        long sp = interruptedSp;
        if ((a.flags & SA_ONSTACK) != 0 && t.altStackEnabled() && !t.onAltStack(sp)) sp = t.altStackTop();
        long record = (sp - 16) & ~15L;
        long frame = (record - FRAME_SIZE) & ~15L;

        ByteBuffer b = ByteBuffer.allocate(FRAME_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, siginfo(info));
        int uc = UC_OFFSET;
        b.putLong(uc + 16, t.altStackSp()).putInt(uc + 24, t.altStackFlags(c.sp())).putLong(uc + 32, t.altStackSize());
        b.putLong(uc + UC_SIGMASK, savedMask);
        int mc = uc + UC_MCONTEXT;
        b.putLong(mc + MC_FAULT_ADDRESS, info.fault ? info.addr : 0);
        for (int i = 0; i < 31; i++) b.putLong(mc + MC_REGS + 8 * i, c.x[i]);
        b.putLong(mc + MC_SP, c.sp()).putLong(mc + MC_PC, returnPc).putLong(mc + MC_PSTATE, c.nzcv & 0xF000_0000L);
        int r = mc + MC_RESERVED;
        b.putInt(r, FPSIMD_MAGIC).putInt(r + 4, FPSIMD_SIZE).putInt(r + 8, c.fpsr).putInt(r + 12, c.fpcr);
        for (int i = 0; i < 64; i++) b.putLong(r + 16 + 8 * i, c.v[i]);
        if (info.esr != 0) b.putInt(r + FPSIMD_SIZE, ESR_MAGIC).putInt(r + FPSIMD_SIZE + 4, ESR_SIZE)
                .putLong(r + FPSIMD_SIZE + 8, info.esr);
        // The terminating null record follows; the buffer is already zero there.

        t.process.space.write(frame, b.array());
        // SS_AUTODISARM: the handler runs with no alternate stack; sigreturn reinstalls it from uc_stack.
        if (interruptedSp != sp && t.altStackAutoDisarm()) t.disarmAltStack();
        t.process.space.write64(record, c.x[29]);
        t.process.space.write64(record + 8, c.x[30]);

        c.x[0] = info.signo;
        if ((a.flags & SA_SIGINFO) != 0) {
            c.x[1] = frame;
            c.x[2] = frame + UC_OFFSET;
        }
        c.x[29] = record;
        c.x[30] = (a.flags & SA_RESTORER) != 0 ? a.restorer : t.process.sigreturnTrampoline();
        c.setSp(frame);
        // Handlers start with the default FP environment bits the kernel clears, and PSTATE.BTYPE = 0.
        return a.handler;
    }

    /** rt_sigreturn: restores the context saved in the frame at SP; returns the pc to continue at. */
    static long sigreturn(GuestThread t) {
        var c = t.cpu;
        long frame = c.sp();
        if ((frame & 15) != 0) throw new Errno(Errno.EFAULT);
        byte[] raw = t.process.space.read(frame, FRAME_SIZE);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int uc = UC_OFFSET, mc = uc + UC_MCONTEXT;
        long pstate = b.getLong(mc + MC_PSTATE);
        // Only NZCV may be set for an EL0 AArch64 context; anything else would be an attempt to change mode.
        if ((pstate & ~0xF000_0000L) != 0) throw new Errno(Errno.EFAULT);
        long[] v = null;
        int fpsr = c.fpsr, fpcr = c.fpcr;
        int r = mc + MC_RESERVED, end = r + RESERVED_SIZE;
        while (true) {
            if (r + 8 > end) throw new Errno(Errno.EFAULT);
            int magic = b.getInt(r), size = b.getInt(r + 4);
            if (magic == 0) {
                if (size != 0) throw new Errno(Errno.EFAULT);
                break;
            }
            if (size < 8 || (size & 15) != 0 || r + size > end) throw new Errno(Errno.EFAULT);
            if (magic == FPSIMD_MAGIC) {
                if (size != FPSIMD_SIZE) throw new Errno(Errno.EFAULT);
                fpsr = b.getInt(r + 8);
                fpcr = b.getInt(r + 12);
                v = new long[64];
                for (int i = 0; i < 64; i++) v[i] = b.getLong(r + 16 + 8 * i);
            } else if (magic != ESR_MAGIC) {
                throw new Errno(Errno.EFAULT);
            }
            r += size;
        }
        if (v == null) throw new Errno(Errno.EFAULT);
        for (int i = 0; i < 31; i++) c.x[i] = b.getLong(mc + MC_REGS + 8 * i);
        c.setSp(b.getLong(mc + MC_SP));
        c.nzcv = (int) pstate;
        c.fpsr = fpsr;
        c.fpcr = fpcr;
        System.arraycopy(v, 0, c.v, 0, 64);
        t.setBlocked(b.getLong(uc + UC_SIGMASK));
        t.restoreAltStack(b.getLong(uc + 16), b.getInt(uc + 24), b.getLong(uc + 32));
        return b.getLong(mc + MC_PC);
    }
}
