package dev.jvisor.arch.a64.decode;

import dev.jvisor.arch.a64.Cpu;

/**
 * The semantics of one decode-table row: executes {@code insn}, located at {@code pc}, on {@code cpu} and returns the
 * address of the next instruction. Implementations are static methods of the {@code arch.a64.isa} classes, so the
 * interpreter calls them through the row and the translator can call the same code with {@code insn} and {@code pc}
 * as constants, letting HotSpot fold the field extraction away.
 */
@FunctionalInterface
public interface Exec {
    long exec(Cpu cpu, int insn, long pc);
}
