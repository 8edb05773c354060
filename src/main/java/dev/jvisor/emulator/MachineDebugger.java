package dev.jvisor.emulator;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.system.Mmu;
import dev.jvisor.arch.a64.system.SysRegFile;
import dev.jvisor.debug.gdb.AllStopTarget;
import dev.jvisor.memory.GuestRam;

import java.util.ArrayList;
import java.util.List;

/**
 * A machine's vCPUs as gdb's threads (thread id = 1 + vCPU index), stopped together. Memory goes through the
 * selected vCPU's current stage-1 translation, as the CPU at EL1 would see it, without touching its TLB or raising
 * anything in the guest; only RAM is read or written, never device registers. The EL1 system registers follow
 * the core and FP/SIMD registers, in gdb's "system" group.
 */
final class MachineDebugger extends AllStopTarget {
    /** The vCPU side the debugger needs; implemented by the machine. */
    interface Vcpus {
        int count();

        /** The vCPU's state while it is powered on, else null. */
        Cpu cpu(int index);

        SysRegFile registers(int index);

        Mmu mmu(int index);

        /** Powered off, or on its way there. */
        boolean leaving(int index);

        /** Blocked in WFI. */
        boolean sleeping(int index);

        void kick(int index);

        void kill();
    }

    private static final List<String> SYSTEM_REGISTERS = List.of("SCTLR_EL1", "TTBR0_EL1", "TTBR1_EL1", "TCR_EL1",
            "MAIR_EL1", "VBAR_EL1", "ESR_EL1", "FAR_EL1", "ELR_EL1", "SPSR_EL1", "SP_EL0", "SP_EL1", "TPIDR_EL1",
            "CONTEXTIDR_EL1", "CurrentEL");

    private final Vcpus vcpus;
    private final GuestRam ram;
    private final long ramBase;

    MachineDebugger(Vcpus vcpus, GuestRam ram, long ramBase, boolean startStopped) {
        super(startStopped, 1);
        this.vcpus = vcpus;
        this.ram = ram;
        this.ramBase = ramBase;
    }

    @Override
    protected boolean isLeaving(int thread) {
        return vcpus.leaving(thread - 1);
    }

    @Override
    protected boolean isQuiescentElsewhere(int thread) {
        return vcpus.leaving(thread - 1) || vcpus.sleeping(thread - 1);
    }

    @Override
    protected void kickAll() {
        for (int i = 0; i < vcpus.count(); i++) vcpus.kick(i);
    }

    @Override
    protected void sendSignal(int thread, int sig) {
        // A machine has no signals: gdb's "signal N" resumes the vCPU as it is.
    }

    @Override
    public List<Integer> threads() {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < vcpus.count(); i++) {
            if (vcpus.cpu(i) != null && !vcpus.leaving(i)) ids.add(i + 1);
        }
        if (ids.isEmpty()) ids.add(1);
        return ids;
    }

    @Override
    public boolean isAlive(int thread) {
        return thread >= 1 && thread <= vcpus.count() && vcpus.cpu(thread - 1) != null;
    }

    @Override
    public Cpu cpu(int thread) {
        Cpu c = thread >= 1 && thread <= vcpus.count() ? vcpus.cpu(thread - 1) : null;
        if (c == null) throw new IllegalArgumentException("vCPU " + (thread - 1) + " is off");
        return c;
    }

    @Override
    public List<String> extraRegisters() {
        return SYSTEM_REGISTERS;
    }

    @Override
    public long readExtraRegister(int thread, int index) {
        SysRegFile r = vcpus.registers(thread - 1);
        Cpu c = cpu(thread);
        return switch (SYSTEM_REGISTERS.get(index)) {
            case "SCTLR_EL1" -> r.sctlr;
            case "TTBR0_EL1" -> r.ttbr0;
            case "TTBR1_EL1" -> r.ttbr1;
            case "TCR_EL1" -> r.tcr;
            case "MAIR_EL1" -> r.mair;
            case "VBAR_EL1" -> r.vbar;
            case "ESR_EL1" -> r.esr;
            case "FAR_EL1" -> r.far;
            case "ELR_EL1" -> r.elr;
            case "SPSR_EL1" -> r.spsr;
            case "SP_EL0" -> c.el == 0 || !c.spSel ? c.x[31] : r.spEl0;
            case "SP_EL1" -> c.el == 1 && c.spSel ? c.x[31] : r.spEl1;
            case "TPIDR_EL1" -> r.tpidrEl1;
            case "CONTEXTIDR_EL1" -> r.contextidr;
            case "CurrentEL" -> (long) c.el << 2;
            default -> throw new IllegalArgumentException(SYSTEM_REGISTERS.get(index));
        };
    }

    @Override
    public int readMemory(int thread, long address, byte[] into, int length) {
        int done = 0;
        while (done < length) {
            long offset = ramOffset(thread, address + done);
            if (offset < 0) break;
            int n = (int) Math.min(length - done, 0x1000 - ((address + done) & 0xFFF));
            n = (int) Math.min(n, ram.size() - offset);
            ram.copyOut(offset, into, done, n);
            done += n;
        }
        return done;
    }

    @Override
    public int writeMemory(int thread, long address, byte[] data) {
        int done = 0;
        Cpu c = cpu(thread);
        while (done < data.length) {
            long offset = ramOffset(thread, address + done);
            if (offset < 0) break;
            int n = (int) Math.min(data.length - done, 0x1000 - ((address + done) & 0xFFF));
            n = (int) Math.min(n, ram.size() - offset);
            ram.copyIn(offset, data, done, n);
            // The bytes bypassed the TLB and so the code cache's write watch.
            c.mem.invalidateCode(address + done, false);
            done += n;
        }
        return done;
    }

    /** The RAM offset {@code va} translates to for the vCPU now, or -1 (unmapped, or not RAM). */
    private long ramOffset(int thread, long va) {
        long par = vcpus.mmu(thread - 1).addressTranslate(va, false, 1);
        if ((par & 1) != 0) return -1;
        long pa = par & 0xFFFF_FFFF_F000L | va & 0xFFF;
        long offset = pa - ramBase;
        return offset >= 0 && offset < ram.size() ? offset : -1;
    }

    @Override
    public void kill() {
        detach();
        vcpus.kill();
    }
}
