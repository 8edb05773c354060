package dev.jvisor.engine.dbt;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.decode.A64;
import dev.jvisor.engine.Breakpoints;
import dev.jvisor.engine.DebugRunner;
import dev.jvisor.engine.interp.Interpreter;
import dev.jvisor.memory.CpuMemory;


/**
 * The binary-translation engine for one vCPU: a dispatcher over a shared {@link CodeCache}, with the interpreter as
 * the first tier. Code runs interpreted, one basic block at a time, until its start address has been reached
 * {@link #HOT_THRESHOLD} times; then it is translated and runs as a {@link Region}. A region remembers where it went
 * last and the dispatcher follows that link without a cache lookup (chaining); indirect branches and returns go
 * through a small direct-mapped table before the shared map.
 */
public final class DbtEngine {
    /** Executions of a block start before it is translated: code that runs once never pays for class loading. */
    public static final int DEFAULT_HOT_THRESHOLD = 24;
    private static final int RECENT_BITS = 12;

    private final Cpu cpu;
    private final CodeCache cache;
    private final RegionTranslator translator = new RegionTranslator();
    private final Interpreter interpreter;
    private final Region[] recent = new Region[1 << RECENT_BITS];
    /**
     * Executions of interpreted block starts, direct-mapped by PC: a collision just restarts a count, and a cold
     * block costs two array probes instead of map lookups with boxed keys (a kernel boot interprets tens of
     * millions of blocks).
     */
    private final long[] heatPc = new long[1 << HEAT_BITS];
    private final int[] heatCount = new int[1 << HEAT_BITS];
    private static final int HEAT_BITS = 14;
    private final int hotThreshold;
    public final Stats stats = new Stats();

    /** What the translator did, for --stats. */
    public static final class Stats {
        public long regionsTranslated, translationNanos, bytecodeBytes, cacheHits, cacheMisses, chained;
        public long interpretedInstructions;
        /** Interpreted executions per decode-table row id: where the first tier spent its time. */
        public final long[] interpretedByRow = new long[A64.TABLE.rows().size()];
        public long regionRuns;

        /** Adds {@code other}'s counts to these (the threads of a process, for one report). */
        public void add(Stats other) {
            regionsTranslated += other.regionsTranslated;
            translationNanos += other.translationNanos;
            bytecodeBytes += other.bytecodeBytes;
            cacheHits += other.cacheHits;
            cacheMisses += other.cacheMisses;
            chained += other.chained;
            interpretedInstructions += other.interpretedInstructions;
            regionRuns += other.regionRuns;
            for (int i = 0; i < interpretedByRow.length; i++) interpretedByRow[i] += other.interpretedByRow[i];
        }

        /**
         * What the translator did, with the rows its interpreter tier ran most (the instructions that fell back to
         * the interpreter because their code was not hot or not translatable).
         */
        public String summary(CodeCache cache) {
            StringBuilder sb = new StringBuilder(String.format(
                    "dbt: %d regions translated (%d bytes of bytecode) in %.1f ms; %d region runs, %d chained;"
                            + " cache lookups %d hits, %d misses; %d invalidations, %d flushes;"
                            + " %d instructions interpreted%n", regionsTranslated, bytecodeBytes,
                    translationNanos / 1e6, regionRuns, chained, cacheHits, cacheMisses,
                    cache.invalidations.get(), cache.flushes.get(), interpretedInstructions));
            if (interpretedInstructions > 0) sb.append("dbt: interpreted most:").append(System.lineSeparator());
            Integer[] ids = new Integer[interpretedByRow.length];
            for (int i = 0; i < ids.length; i++) ids[i] = i;
            java.util.Arrays.sort(ids, (a, b) -> Long.compare(interpretedByRow[b], interpretedByRow[a]));
            for (int i = 0; i < 12 && interpretedByRow[ids[i]] > 0; i++) {
                sb.append(String.format("  %-16s %d%n", A64.TABLE.row(ids[i]).name, interpretedByRow[ids[i]]));
            }
            return sb.toString();
        }
    }

    public DbtEngine(Cpu cpu, CodeCache cache, Interpreter.InstructionTracer tracer) {
        this(cpu, cache, tracer, DEFAULT_HOT_THRESHOLD);
    }

    /** {@code hotThreshold} 1 translates everything on first sight, which tests use to exercise the translator. */
    public DbtEngine(Cpu cpu, CodeCache cache, Interpreter.InstructionTracer tracer, int hotThreshold) {
        this.hotThreshold = hotThreshold;
        this.cpu = cpu;
        this.cache = cache;
        this.interpreter = new Interpreter(cpu, tracer);
        cache.attach(cpu.mem);
    }

    /**
     * This translator as a debugger drives it: a step is one instruction of its interpreter tier (translated code
     * leaves the flags exact whenever it returns).
     */
    public DebugRunner asDebugRunner() {
        return new DebugRunner() {
            @Override
            public long run(long budget) {
                return DbtEngine.this.run(budget);
            }

            @Override
            public long runBreaking(long budget, Breakpoints stops) {
                return DbtEngine.this.runBreaking(budget, stops);
            }

            @Override
            public long step() {
                return interpreter.run(1);
            }
        };
    }

    public CodeCache cache() {
        return cache;
    }

    /** Runs until {@link Cpu#exitRequest} is set. */
    public void run() {
        run(Long.MAX_VALUE);
    }

    /**
     * Runs until {@link Cpu#exitRequest} is set or about {@code budget} instructions have retired (checked between
     * regions, so it may overshoot by one region). Returns the number retired.
     */
    public long run(long budget) {
        final Cpu c = cpu;
        final long start = c.instructions;
        final CpuMemory mem = c.mem;
        final boolean remaps = mem.remaps();
        Region prev = null;
        long prevEpoch = 0;
        while (!c.exitRequest && c.instructions - start < budget) {
            long pc = c.pc;
            Region r = null;
            if (prev != null) {
                Region.Link link = prev.link;
                if (link != null && link.pc() == pc && link.target().valid
                        && (!remaps || prevEpoch == mem.mappingEpoch && prev.sharesPage(pc))) {
                    r = link.target();
                    stats.chained++;
                }
            }
            if (r == null) {
                r = find(pc);
                if (r == null) {
                    materializeFlags(c);
                    stats.interpretedInstructions += interpreter.runBlock(RegionTranslator.MAX_INSTRUCTIONS, stats.interpretedByRow);
                    prev = null;
                    continue;
                }
                // Under an MMU only a link within the region's own pages may be followed, so no other is made.
                if (prev != null && (!remaps || prev.sharesPage(pc))) prev.link = new Region.Link(pc, r);
            }
            stats.regionRuns++;
            prevEpoch = mem.mappingEpoch;
            c.pc = r.run(c);
            prev = r.valid ? r : null;
        }
        materializeFlags(c);
        return c.instructions - start;
    }

    /**
     * For a debugger: like {@link #run(long)}, but stops before executing any instruction except the first whose
     * address is in {@code stops}, leaving {@link Cpu#pc} at it. A translated region runs only if no stop lies in the
     * pages it was translated from; code near a stop runs in the interpreter one instruction at a time.
     */
    public long runBreaking(long budget, Breakpoints stops) {
        final Cpu c = cpu;
        final long start = c.instructions;
        while (!c.exitRequest && c.instructions - start < budget) {
            long pc = c.pc;
            if (c.instructions != start && stops.contains(pc)) break;
            Region r = stops.anyIn(pc & ~CpuMemory.PAGE_MASK, CpuMemory.PAGE_SIZE) ? null : find(pc);
            if (r != null && !stops.anyIn(r.pc & ~CpuMemory.PAGE_MASK, r.hostPages.length * CpuMemory.PAGE_SIZE)) {
                stats.regionRuns++;
                c.pc = r.run(c);
            } else {
                materializeFlags(c);
                interpreter.run(1);
            }
        }
        materializeFlags(c);
        return c.instructions - start;
    }

    /** Makes {@link Cpu#nzcv} exact: translated regions hand lazy flags to each other (see {@link Cpu#flagKind}). */
    private static void materializeFlags(Cpu c) {
        if (c.flagKind != DbtRuntime.FLAGS_NZCV) {
            c.nzcv = DbtRuntime.flags(c.flagKind, c.flagA, c.flagB, c.nzcv);
            c.flagKind = DbtRuntime.FLAGS_NZCV;
        }
    }

    private Region find(long pc) {
        int i = (int) (pc >>> 2) & ((1 << RECENT_BITS) - 1);
        Region r = recent[i];
        if (r != null && r.pc == pc && r.valid && (!cpu.mem.remaps() || r.matches(cpu.mem))) {
            stats.cacheHits++;
            return r;
        }
        // Code is looked up in the shared cache only once it is hot here: until then this vCPU interprets it, even if
        // another vCPU has translated it already.
        int h = (int) (pc >>> 2) & ((1 << HEAT_BITS) - 1);
        if (heatPc[h] != pc) {
            heatPc[h] = pc;
            heatCount[h] = 0;
        }
        if (heatCount[h] < hotThreshold && ++heatCount[h] < hotThreshold) {
            stats.cacheMisses++;
            return null;
        }
        r = cache.lookup(pc, cpu.mem);
        if (r != null && r.valid) {
            stats.cacheHits++;
            recent[i] = r;
            return r;
        }
        stats.cacheMisses++;
        long t0 = System.nanoTime();
        long bytesBefore = translator.bytecodeBytes;
        r = translator.translate(cpu, pc);
        stats.translationNanos += System.nanoTime() - t0;
        if (r == null) {
            heatCount[h] = 0; // nothing to translate here now: interpret it for another while before trying again
            return null;
        }
        stats.regionsTranslated++;
        stats.bytecodeBytes += translator.bytecodeBytes - bytesBefore;
        r = cache.install(r, cpu.mem);
        recent[i] = r;
        return r;
    }
}
