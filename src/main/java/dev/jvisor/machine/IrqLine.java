package dev.jvisor.machine;

/** A device's interrupt output, wired by the board to an interrupt controller input. Called with the line's level. */
@FunctionalInterface
public interface IrqLine {
    void set(boolean level);
}
