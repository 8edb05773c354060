package dev.jvisor.engine.interp;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.A64;
import dev.jvisor.arch.a64.decode.DecodeTable;
import dev.jvisor.arch.a64.decode.InsnRow;
import dev.jvisor.arch.a64.decode.Section;
import dev.jvisor.engine.Breakpoints;
import dev.jvisor.engine.DebugRunner;
import dev.jvisor.memory.MemoryFault;

/**
 * The first technique: fetch, decode, execute, one guest instruction at a time, over guest state kept in a
 * {@link Cpu}. Decoding goes through the shared table's memo, so a hot loop costs a fetch, a memo probe and a call.
 */
public final class Interpreter {
    private final DecodeTable table = A64.TABLE;
    private final Cpu cpu;
    /** Optional per-instruction observer (--trace); null when off, so the loop pays one null check. */
    private final InstructionTracer tracer;

    public interface InstructionTracer {
        void before(Cpu cpu, long pc, int insn, InsnRow row);
    }

    public Interpreter(Cpu cpu, InstructionTracer tracer) {
        this.cpu = cpu;
        this.tracer = tracer;
    }

    /**
     * Runs until {@link Cpu#exitRequest} is set (checked every instruction) or at most {@code budget} instructions
     * have retired. Returns the number retired.
     */
    public long run(long budget) {
        final Cpu c = cpu;
        long pc = c.pc;
        long n = 0;
        try {
            while (n < budget && !c.exitRequest) {
                long next;
                int insn = 0;
                try {
                    insn = c.mem.fetch32(pc);
                    InsnRow row = decode(pc, insn);
                    if (tracer != null) tracer.before(c, pc, insn, row);
                    next = row == null ? c.hooks.undefined(c, insn, pc) : row.exec.exec(c, insn, pc);
                } catch (UndefinedInstruction e) {
                    c.pc = pc;
                    next = c.hooks.undefined(c, insn, pc);
                } catch (MemoryFault f) {
                    c.pc = pc;
                    next = c.hooks.memoryFault(c, f, pc);
                }
                pc = next;
                n++;
            }
        } finally {
            c.pc = pc;
            c.instructions += n;
        }
        return n;
    }

    private static final int DECODED_BITS = 12;
    /**
     * This vCPU's recently decoded instructions, direct-mapped by PC: sequential code hits sequential entries of a
     * small table of its own instead of random ones of the shared decode memo. An entry holds the word it decoded, so
     * code that changed under the same PC simply misses.
     */
    private final long[] decodedPc = new long[1 << DECODED_BITS];
    private final int[] decodedWord = new int[1 << DECODED_BITS];
    private final InsnRow[] decodedRow = new InsnRow[1 << DECODED_BITS];

    private InsnRow decode(long pc, int insn) {
        int i = (int) (pc >>> 2) & ((1 << DECODED_BITS) - 1);
        InsnRow row = decodedRow[i];
        if (decodedPc[i] == pc && decodedWord[i] == insn && row != null) return row;
        row = table.decode(insn);
        decodedPc[i] = pc;
        decodedWord[i] = insn;
        decodedRow[i] = row;
        return row;
    }

    /** This interpreter as a debugger drives it: a step is one interpreted instruction. */
    public DebugRunner asDebugRunner() {
        return new DebugRunner() {
            @Override
            public long run(long budget) {
                return Interpreter.this.run(budget);
            }

            @Override
            public long runBreaking(long budget, Breakpoints stops) {
                return Interpreter.this.runBreaking(budget, stops);
            }

            @Override
            public long step() {
                return Interpreter.this.run(1);
            }
        };
    }

    /**
     * For a debugger: like {@link #run}, but stops before executing any instruction except the first whose address
     * is in {@code stops}, leaving {@link Cpu#pc} at it. Kept apart from {@link #run} so that the loop that runs
     * without a debugger pays nothing for breakpoints.
     */
    public long runBreaking(long budget, Breakpoints stops) {
        long n = 0;
        while (n < budget && !cpu.exitRequest && (n == 0 || !stops.contains(cpu.pc))) n += run(1);
        return n;
    }

    /**
     * Executes one basic block: instructions until one of the BRANCH or SYSTEM section has executed, one was
     * undefined or faulted, or {@code max} have retired. The translator's first tier, for code not yet hot.
     * Returns the number retired; {@code rowCounts}, when not null, counts executions per row id.
     */
    public int runBlock(int max, long[] rowCounts) {
        final Cpu c = cpu;
        long pc = c.pc;
        int n = 0;
        try {
            boolean end = false;
            while (!end && n < max) {
                long next;
                int insn = 0;
                try {
                    insn = c.mem.fetch32(pc);
                    InsnRow row = decode(pc, insn);
                    if (tracer != null) tracer.before(c, pc, insn, row);
                    if (row == null) {
                        end = true;
                        next = c.hooks.undefined(c, insn, pc);
                    } else {
                        if (rowCounts != null) rowCounts[row.id()]++;
                        end = row.section == Section.BRANCH || row.section == Section.SYSTEM;
                        next = row.exec.exec(c, insn, pc);
                    }
                } catch (UndefinedInstruction e) {
                    end = true;
                    next = c.hooks.undefined(c, insn, pc);
                } catch (MemoryFault f) {
                    end = true;
                    next = c.hooks.memoryFault(c, f, pc);
                }
                pc = next;
                n++;
            }
        } finally {
            c.pc = pc;
            c.instructions += n;
        }
        return n;
    }
}
