package dev.jvisor.emulator;

import dev.jvisor.UserError;
import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.decode.Disassembler;
import dev.jvisor.arch.a64.decode.InsnRow;
import dev.jvisor.arch.a64.system.ExceptionCounts;
import dev.jvisor.engine.interp.Interpreter;
import dev.jvisor.machine.bus.MmioBus;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A readable trace of what a machine does, one event a line with the microseconds since the start and the vCPU:
 * exceptions taken, interrupt lines, MMIO accesses, hypercalls, and (slowly) every instruction. With tracing off no
 * listener is installed anywhere, so the cost is a null check on paths that are slow already (an exception entry,
 * a device access, a hypercall); the instruction trace keeps the translator in its interpreter tier.
 */
public final class MachineTracer implements AutoCloseable {
    public enum Event { EXCEPTIONS, IRQ, MMIO, HYPERCALLS, INSN }

    private final Set<Event> events;
    private final BufferedWriter out;
    private final long start = System.nanoTime();

    private MachineTracer(Set<Event> events, BufferedWriter out) {
        this.events = events;
        this.out = out;
    }

    /** {@code spec}: comma-separated event names ("exceptions,irq,mmio,hypercalls,insn", or "all"). */
    public static MachineTracer open(String spec, Path file) {
        Set<Event> events = EnumSet.noneOf(Event.class);
        for (String name : spec.split(",")) {
            String n = name.strip().toUpperCase(Locale.ROOT);
            if (n.equals("ALL")) {
                events.addAll(EnumSet.allOf(Event.class));
                continue;
            }
            if (n.equals("EXITS")) n = "EXCEPTIONS";
            try {
                events.add(Event.valueOf(n));
            } catch (IllegalArgumentException e) {
                throw new UserError("--trace: unknown event '" + name.strip()
                        + "' (exceptions, irq, mmio, hypercalls, insn, all)");
            }
        }
        try {
            return new MachineTracer(events, Files.newBufferedWriter(file));
        } catch (IOException e) {
            throw new UserError("--trace-file " + file + ": " + e.getMessage());
        }
    }

    public boolean traces(Event e) {
        return events.contains(e);
    }

    private synchronized void line(int vcpu, String text) {
        try {
            out.write(String.format("%12d %s %s%n", (System.nanoTime() - start) / 1000,
                    vcpu < 0 ? "     " : "vcpu" + vcpu, text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Exceptions taken by vCPU {@code vcpu}. */
    ExceptionCounts.Listener exceptions(int vcpu) {
        return (c, kind, esr, returnAddress) -> line(vcpu, String.format("exception %s esr 0x%x from el%d pc 0x%x",
                kind, esr, c.el, returnAddress));
    }

    void interruptLine(int vcpu, String line, boolean asserted) {
        line(vcpu, "irq line " + line + (asserted ? " asserted" : " deasserted"));
    }

    MmioBus.AccessListener mmio() {
        return (device, base, offset, size, value, write) -> line(-1, String.format("mmio %s %s+0x%x size %d %s 0x%x",
                write ? "write" : "read ", device, offset, size, write ? "<-" : "->", value));
    }

    void hypercall(int vcpu, String name, long result) {
        line(vcpu, String.format("hypercall %s -> 0x%x", name, result));
    }

    Interpreter.InstructionTracer instructions(int vcpu) {
        return (Cpu c, long pc, int insn, InsnRow row) -> line(vcpu, String.format("insn el%d 0x%016x %08x  %s",
                c.el, pc, insn, Disassembler.disassemble(insn, pc)));
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            // The trace file is incomplete; the run itself is not affected.
        }
    }
}
