package dev.jvisor.debug.gdb;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.engine.Breakpoints;
import dev.jvisor.memory.Watchpoints;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the GDB stub drives: a set of AArch64 threads of execution (the threads of a user-mode process, or the vCPUs
 * of a machine) that stop and go together (all-stop). The stub calls these methods from its own thread; everything
 * but {@link #interrupt} and {@link #awaitStop} is called only while the target is stopped, so register and memory
 * accesses need no synchronisation with the threads themselves.
 *
 * <p>Thread ids are positive and stable for a thread's life: Linux tids in user mode, 1 + the vCPU index in system
 * mode. Signal numbers are the target's own (Linux's); the stub translates them to gdb's.
 */
public interface DebugTarget {
    /** The live threads, in a stable order (the first is the one gdb selects by default). */
    List<Integer> threads();

    boolean isAlive(int thread);

    /**
     * The thread's architectural state, read and written directly while stopped. Its flags are exact
     * ({@link Cpu#flagKind} 0): engines make them so whenever they return.
     */
    Cpu cpu(int thread);

    /**
     * Registers beyond the core and FP/SIMD ones, 64 bits each, numbered from {@link Aarch64Registers#COUNT} on in
     * this order and served through 'p' and 'P' only: system mode's system registers (SCTLR_EL1, TTBR0_EL1, ...).
     * User mode has none.
     */
    default List<String> extraRegisters() {
        return List.of();
    }

    /** Reads extra register {@code index} (of {@link #extraRegisters}) of {@code thread}. */
    default long readExtraRegister(int thread, int index) {
        throw new IllegalArgumentException("no extra registers");
    }

    /** Writes extra register {@code index}; returns false if the target does not let the debugger change it. */
    default boolean writeExtraRegister(int thread, int index, long value) {
        return false;
    }

    /**
     * Copies up to {@code length} bytes at {@code address}, as {@code thread} translates addresses now, into
     * {@code into}; returns how many bytes from the start could be read (0 if {@code address} itself cannot).
     * A debugger reads through page protections, as ptrace does, but not where nothing is mapped.
     */
    int readMemory(int thread, long address, byte[] into, int length);

    /**
     * Writes {@code data} at {@code address} through {@code thread}'s translation, even into read-only code (gdb may
     * patch it), dropping any translations of the code it changes; returns how many bytes from the start were
     * written.
     */
    int writeMemory(int thread, long address, byte[] data);

    /** The addresses every thread stops before executing; the stub keeps it equal to its Z0 and Z1 breakpoints. */
    Breakpoints breakpoints();

    /**
     * Makes every thread stop before a data access that touches {@code watchpoints} (the stub's Z2-Z4), reporting it as
     * a WATCHPOINT stop; null: none. Accesses the target makes on a thread's behalf (system calls) do not count.
     */
    void setWatchpoints(Watchpoints watchpoints);

    /**
     * Resumes from a stop. {@code stepThread} (0: none) executes exactly one instruction; the threads in
     * {@code continuing} run, and so does every other thread if {@code allContinue}; the rest stay stopped.
     * {@code signals} maps threads to a signal to deliver as they resume. The next stop is reported through
     * {@link #awaitStop}.
     */
    void resume(int stepThread, Set<Integer> continuing, boolean allContinue, Map<Integer, Integer> signals);

    /**
     * Waits up to {@code millis} ms for the target to stop after {@link #resume}, with every thread stopped; returns
     * why, or null if it is still running.
     */
    Stop awaitStop(long millis) throws InterruptedException;

    /** Asks a running target to stop (gdb's Ctrl-C); {@link #awaitStop} then reports a SIGINT stop. */
    void interrupt();

    /** A debugger has connected: stops the target if it runs, and returns the stop it is in. */
    Stop attach() throws InterruptedException;

    /** The debugger is gone (detached or disconnected): breakpoints are cleared and every thread runs freely. */
    void detach();

    /** The debugger kills the target. */
    void kill();

    /**
     * Why the target stopped. {@code address} is the watched address a WATCHPOINT stop touched ({@code value} then
     * holds the watchpoint's {@link Watchpoints} kinds); 0 otherwise.
     */
    record Stop(Kind kind, int thread, int value, long address) {
        public Stop(Kind kind, int thread, int value) {
            this(kind, thread, value, 0);
        }

        public enum Kind {
            /** {@code thread} is at a breakpoint address, not yet executed. */
            BREAKPOINT,
            /** {@code thread} is about to make a data access a watchpoint covers, not yet made. */
            WATCHPOINT,
            /** {@code thread} completed its single step. */
            STEP,
            /** {@code thread} stopped with signal {@code value} (an interrupt is SIGINT, an attach SIGTRAP). */
            SIGNAL,
            /** The target ended with exit status {@code value}. */
            EXITED,
            /** The target was ended by signal {@code value}. */
            KILLED
        }
    }
}
