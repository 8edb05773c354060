package dev.jvisor.engine.interp;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.A64;
import dev.jvisor.arch.a64.decode.DecodeTable;
import dev.jvisor.arch.a64.decode.InsnRow;
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
                    InsnRow row = table.decode(insn);
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
}
