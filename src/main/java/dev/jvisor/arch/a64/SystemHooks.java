package dev.jvisor.arch.a64;

/**
 * What the world outside the CPU does with the instructions that leave it: exception-generating instructions,
 * system-register accesses the CPU model does not hold itself, and undefined instructions. Linux user mode answers
 * them as the kernel would for a process; system mode turns them into exceptions taken to EL1 or EL2.
 * Each method returns the address of the next instruction to execute.
 */
public interface SystemHooks {
    /** SVC #imm at {@code pc}. */
    long svc(Cpu cpu, int imm, long pc);

    /** HVC #imm at {@code pc}. */
    default long hvc(Cpu cpu, int imm, long pc) {
        throw new UndefinedInstruction();
    }

    /** SMC #imm at {@code pc}. */
    default long smc(Cpu cpu, int imm, long pc) {
        throw new UndefinedInstruction();
    }

    /** BRK #imm at {@code pc}. */
    long brk(Cpu cpu, int imm, long pc);

    /**
     * An instruction at {@code pc} that is not allocated, not implemented or not allowed here (it threw
     * {@link UndefinedInstruction}).
     */
    long undefined(Cpu cpu, int insn, long pc);

    /** A memory fault raised by the instruction at {@code pc}. */
    long memoryFault(Cpu cpu, dev.jvisor.memory.MemoryFault fault, long pc);

    /** Reads a system register the CPU model does not answer itself; {@code encoding} is op0:op1:CRn:CRm:op2. */
    default long readSysReg(Cpu cpu, int encoding) {
        throw new UndefinedInstruction();
    }

    /** Writes a system register the CPU model does not hold itself. */
    default void writeSysReg(Cpu cpu, int encoding, long value) {
        throw new UndefinedInstruction();
    }

    /**
     * MRS of a register the CPU core answers itself (CTR_EL0, DCZID_EL0, CNTFRQ_EL0, CNTPCT_EL0, CNTVCT_EL0 and their
     * self-synchronised forms), with {@code value} the core's answer: system mode may trap the access to a
     * hypervisor or, for the virtual counter, apply its offset. Returns the value the register reads as.
     */
    default long readCoreRegister(Cpu cpu, int encoding, long value) {
        return value;
    }

    /**
     * Whether DC ZVA at the current level is trapped (to a hypervisor, by HCR_EL2.TDZ); system mode then records
     * where the trap goes, and the instruction throws {@link UndefinedInstruction} to take it.
     */
    default boolean trapsDataCacheZero(Cpu cpu) {
        return false;
    }

    /**
     * IC IVAU ({@code all} false: the line holding {@code va}) or IC IALLU/IALLUIS ({@code all} true, {@code va}
     * unused). The memory view forwards it to whatever translator watches it, which drops the translations of the
     * affected page; with the interpreter alone nothing is cached and nothing happens.
     */
    default void instructionCacheInvalidate(Cpu cpu, long va, boolean all) {
        cpu.mem.invalidateCode(va, all);
    }

    /** WFI/WFE at {@code pc}: the engine's thread may block here until something happens. */
    default long waitForInterrupt(Cpu cpu, long pc) {
        Thread.onSpinWait();
        return pc + 4;
    }

    /** WFE at {@code pc}. Without a modelled event register, completing at once is always correct. */
    default long waitForEvent(Cpu cpu, long pc) {
        return waitForInterrupt(cpu, pc);
    }

    /** ERET at {@code pc}; returns where execution continues. UNDEFINED at EL0. */
    default long exceptionReturn(Cpu cpu, long pc) {
        throw new UndefinedInstruction("ERET");
    }

    /**
     * MSR (immediate) to the PSTATE field selected by {@code op1} and {@code op2}, with the 4-bit immediate
     * {@code crm}: DAIFSet/DAIFClr, SPSel, PAN, UAO. Nothing a user process may do.
     */
    default void writePstateField(Cpu cpu, int op1, int op2, int crm) {
        throw new UndefinedInstruction("MSR (immediate)");
    }

    /**
     * A SYS instruction (op0 1) other than the cache maintenance user mode allows: AT, TLBI, DC by set/way,
     * DC IVAC. {@code encoding} is op0:op1:CRn:CRm:op2 as for system registers; {@code value} is Xt.
     */
    default void systemInstruction(Cpu cpu, int encoding, long value) {
        throw new UndefinedInstruction("SYS");
    }
}
