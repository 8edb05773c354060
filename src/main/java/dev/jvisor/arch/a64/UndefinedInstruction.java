package dev.jvisor.arch.a64;

/**
 * Thrown by an instruction's semantics when the encoding is unallocated, not implemented by this CPU model, or not
 * permitted at the current exception level. Engines hand it to {@link SystemHooks#undefined}. Carries no stack trace:
 * it is a guest event, not a host error.
 */
public final class UndefinedInstruction extends RuntimeException {
    public UndefinedInstruction() {
        super(null, null, false, false);
    }

    public UndefinedInstruction(String why) {
        super(why, null, false, false);
    }
}
