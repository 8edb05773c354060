package dev.jvisor.engine;

/**
 * One vCPU's engine as a debugger drives it: a plain run when no breakpoint is set, a run that stops before
 * breakpoints, and a single step. Implementations: the interpreter ({@code Interpreter.run}, {@code runBreaking},
 * {@code run(1)}) and the translator ({@code DbtEngine.run}, {@code runBreaking}, and an interpreter for the step).
 */
public interface DebugRunner {
    /** Runs at most about {@code budget} instructions, or until {@code Cpu.exitRequest}; returns how many retired. */
    long run(long budget);

    /** Like {@link #run}, but stops before any instruction except the first whose address is in {@code stops}. */
    long runBreaking(long budget, Breakpoints stops);

    /** Executes exactly one instruction, unless {@code Cpu.exitRequest} is set; returns 0 or 1. */
    long step();
}
