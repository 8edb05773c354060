package dev.jvisor;

/**
 * A problem with what the user gave us (a missing file, a broken image, a bad option). The CLI prints its message as
 * one line and exits with status 2; it never shows a stack trace.
 */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message, null, false, false);
    }
}
