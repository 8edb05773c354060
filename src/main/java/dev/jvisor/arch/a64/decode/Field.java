package dev.jvisor.arch.a64.decode;

/** A named bit field of an encoding: {@code width} bits starting at bit {@code lsb}. */
public record Field(String name, int lsb, int width) {
    public int extract(int insn) {
        return (insn >>> lsb) & ((1 << width) - 1);
    }

    public int extractSigned(int insn) {
        return (insn << (32 - lsb - width)) >> (32 - width);
    }
}
