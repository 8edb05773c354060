package dev.jvisor.linux;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.engine.interp.Interpreter;

/**
 * How guest instructions get executed: the interpreter today, the binary translator later. An engine prepares a
 * runner per guest thread; the user-mode run loop calls it with an instruction budget and regains control when the
 * budget is spent or {@link Cpu#exitRequest} is set (signals, mapping changes, exit).
 */
@FunctionalInterface
public interface Engine {
    Runner start(Cpu cpu, Interpreter.InstructionTracer tracer);

    interface Runner {
        /** Runs at most {@code budget} instructions; returns how many retired. */
        long run(long budget);
    }

    Engine INTERPRETER = (cpu, tracer) -> new Interpreter(cpu, tracer)::run;
}
