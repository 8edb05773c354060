package dev.jvisor.linux;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.engine.dbt.CodeCache;
import dev.jvisor.engine.dbt.DbtEngine;
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

    /**
     * The binary translator, with one code cache for all the threads of a process. With a tracer every instruction
     * must be seen, so nothing is translated and the translator's interpreter tier runs everything.
     */
    static Engine translator() {
        CodeCache cache = new CodeCache();
        return (cpu, tracer) -> new DbtEngine(cpu, cache, tracer,
                tracer == null ? DbtEngine.DEFAULT_HOT_THRESHOLD : Integer.MAX_VALUE)::run;
    }
}
