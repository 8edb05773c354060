package dev.jvisor.arch.a64.decode;

/** Prints one decoded instruction in the usual assembler syntax. */
@FunctionalInterface
public interface Disasm {
    String text(InsnRow row, int insn, long pc);
}
