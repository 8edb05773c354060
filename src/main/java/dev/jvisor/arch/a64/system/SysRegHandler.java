package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.Cpu;

/**
 * A system register that lives outside the CPU core: the GIC's ICC_* CPU interface, the generic timer's CNT*
 * registers. Registered per encoding with {@link SysRegFile#register}; called on the vCPU's own thread. Throwing
 * {@link dev.jvisor.arch.a64.UndefinedInstruction} makes the access UNDEFINED for the guest.
 */
public interface SysRegHandler {
    long read(Cpu c);

    void write(Cpu c, long value);
}
