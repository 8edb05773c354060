package dev.jvisor.machine.gic;

import java.util.function.IntToLongFunction;

/**
 * A system register a device implements for the vCPU that accesses it (the GIC's ICC_* registers, the timer's CNT*
 * registers). {@code encoding} is op0:op1:CRn:CRm:op2 as arch.a64.SysReg numbers it, so the CPU side can register
 * each one with its per-encoding handler table, passing the accessing vCPU's index. A null reader or writer marks a
 * write-only or read-only register: the architecture makes the other direction UNDEFINED.
 */
public record CpuRegister(String name, int encoding, IntToLongFunction reader, Writer writer) {
    /** Receives an MSR to the register from vCPU {@code cpu}. */
    @FunctionalInterface
    public interface Writer {
        void write(int cpu, long value);
    }

    public boolean readable() {
        return reader != null;
    }

    public boolean writable() {
        return writer != null;
    }

    public long read(int cpu) {
        if (reader == null) throw new IllegalStateException(name + " is write-only");
        return reader.applyAsLong(cpu);
    }

    public void write(int cpu, long value) {
        if (writer == null) throw new IllegalStateException(name + " is read-only");
        writer.write(cpu, value);
    }

    /** op0:op1:CRn:CRm:op2 packed the way arch.a64.SysReg does (bits 15..0). */
    public static int encode(int op0, int op1, int crn, int crm, int op2) {
        return op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2;
    }
}
