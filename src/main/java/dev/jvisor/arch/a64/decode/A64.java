package dev.jvisor.arch.a64.decode;

import dev.jvisor.arch.a64.isa.Branches;
import dev.jvisor.arch.a64.isa.DataProcessing;
import dev.jvisor.arch.a64.isa.FloatingPoint;
import dev.jvisor.arch.a64.isa.LoadStore;
import dev.jvisor.arch.a64.isa.Simd;
import dev.jvisor.arch.a64.isa.SimdFloat;
import dev.jvisor.arch.a64.isa.SystemInsns;

/**
 * The one A64 decode table every engine and the disassembler use. Its rows are declared section by section, next
 * to the semantics they name, in the classes of {@code arch.a64.isa}; this class only puts the sections together.
 */
public final class A64 {
    public static final DecodeTable TABLE = build();

    private A64() {}

    private static DecodeTable build() {
        InsnRow.Builder b = new InsnRow.Builder();
        Branches.rows(b.section(Section.BRANCH));
        DataProcessing.rows(b.section(Section.DATA));
        LoadStore.rows(b.section(Section.MEMORY));
        SystemInsns.rows(b.section(Section.SYSTEM));
        FloatingPoint.rows(b.section(Section.DATA));
        Simd.rows(b.section(Section.DATA));
        SimdFloat.rows(b.section(Section.DATA));
        return new DecodeTable(b.rows());
    }
}
