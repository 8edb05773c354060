package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.decode.Disassembler;

/** Test shorthand for the shared disassembler. */
final class DisassemblyOf {
    private DisassemblyOf() {}

    static String text(int insn, long pc) {
        return Disassembler.disassemble(insn, pc);
    }
}
