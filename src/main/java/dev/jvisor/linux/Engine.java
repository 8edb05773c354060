package dev.jvisor.linux;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.engine.Breakpoints;
import dev.jvisor.engine.DebugRunner;
import dev.jvisor.engine.dbt.CodeCache;
import dev.jvisor.engine.dbt.DbtEngine;
import dev.jvisor.engine.interp.Interpreter;

/**
 * How guest instructions get executed: the interpreter, or the binary translator with the interpreter as its first
 * tier. An engine prepares a runner per guest thread; the user-mode run loop calls it with an instruction budget and
 * regains control when the budget is spent or {@link Cpu#exitRequest} is set (signals, mapping changes, exit).
 */
@FunctionalInterface
public interface Engine {
    Runner start(Cpu cpu, Interpreter.InstructionTracer tracer);

    /**
     * The engine for a new program (what execve loads): translations belong to the code they were made from, so a
     * translator starts an empty code cache. A forked child keeps its parent's engine: its memory starts as a copy,
     * and a cache shared by both processes drops a translation when either one changes that code.
     */
    default Engine forNewAddressSpace() {
        return this;
    }

    /** Adds the engine's own figures to --stats; the interpreter has none beyond the instruction count. */
    default void printStats(java.io.PrintStream out) {}

    interface Runner extends DebugRunner {
        /** The thread is gone: let go of anything shared that still refers to its CPU. */
        default void close() {}

        /** {@code engine} as a thread's runner, with {@code onClose} run when the thread is gone. */
        static Runner of(DebugRunner engine, Runnable onClose) {
            return new Runner() {
                @Override
                public long run(long budget) {
                    return engine.run(budget);
                }

                @Override
                public long runBreaking(long budget, Breakpoints stops) {
                    return engine.runBreaking(budget, stops);
                }

                @Override
                public long step() {
                    return engine.step();
                }

                @Override
                public void close() {
                    onClose.run();
                }
            };
        }
    }

    Engine INTERPRETER = (cpu, tracer) -> Runner.of(new Interpreter(cpu, tracer).asDebugRunner(), () -> { });

    /**
     * The binary translator, with one code cache for all the threads of a process. With a tracer every instruction
     * must be seen, so nothing is translated and the translator's interpreter tier runs everything.
     */
    static Engine translator() {
        return translator(DbtEngine.DEFAULT_HOT_THRESHOLD);
    }

    /** The translator, translating code once it has started {@code hotThreshold} times (1: on first sight). */
    static Engine translator(int hotThreshold) {
        return translator(hotThreshold, new java.util.concurrent.CopyOnWriteArrayList<>());
    }

    /** {@code engines} collects every vCPU's translator, across execve too, for one --stats report. */
    private static Engine translator(int hotThreshold, java.util.List<DbtEngine> engines) {
        CodeCache cache = new CodeCache();
        return new Engine() {
            @Override
            public Runner start(Cpu cpu, Interpreter.InstructionTracer tracer) {
                DbtEngine dbt = new DbtEngine(cpu, cache, tracer, tracer == null ? hotThreshold : Integer.MAX_VALUE);
                engines.add(dbt);
                return Runner.of(dbt.asDebugRunner(), () -> cache.detach(cpu.mem));
            }

            @Override
            public Engine forNewAddressSpace() {
                return translator(hotThreshold, engines);
            }

            @Override
            public void printStats(java.io.PrintStream out) {
                DbtEngine.Stats total = new DbtEngine.Stats();
                for (DbtEngine e : engines) total.add(e.stats);
                out.print(total.summary(cache));
            }
        };
    }
}
