package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.decode.InsnRow;

/** A64 section: to be filled. */
public final class FloatingPoint {
    private FloatingPoint() {}

    public static void rows(InsnRow.Builder b) {
    }
}
