package dev.jvisor.kvm.microvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.jvisor.UserError;
import dev.jvisor.kvm.Fpu;
import dev.jvisor.kvm.Kvm;
import dev.jvisor.kvm.KvmAbi;
import dev.jvisor.kvm.Regs;
import dev.jvisor.kvm.Sregs;
import dev.jvisor.kvm.Vcpu;
import dev.jvisor.kvm.VcpuExit;
import dev.jvisor.kvm.Vm;
import dev.jvisor.machine.bus.BusAccessException;
import dev.jvisor.machine.bus.MmioBus;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An x86-64 micro-VM: one freestanding ELF program in identity-mapped long mode, no firmware and no guest kernel.
 * The VMM does what a kernel would: it sets up paging and segments, passes argv, and serves the program's hypercalls
 * (console, host files named on the command line, time, starting vCPUs, exit). Each vCPU runs on its own platform
 * thread; the first to end the VM (an exit hypercall or a crash) wins, the others are kicked out of KVM_RUN, and the
 * VM is torn down completely before {@link #run} returns.
 */
public final class MicroVm implements AutoCloseable {
    /**
     * What to run and how. {@code privilege} null means the fastest level for this host. {@code irqchip} asks for
     * KVM's in-kernel PIC/IOAPIC/local APICs and PIT: these guests take no interrupts, and on KVM-PVM the irqchip
     * makes every exit measurably slower, so it is off unless wanted.
     */
    public record Config(Path guest, List<String> args, long memoryBytes, int vcpus, Privilege privilege,
            boolean irqchip, OutputStream console) {
        public Config {
            args = List.copyOf(args);
        }
    }

    /** How the VM ended. */
    public sealed interface Outcome {
        /** The guest asked to exit with this status. */
        record Exited(int status) implements Outcome {}

        /** The guest could not go on; {@code reason} is one line, {@code state} a register dump (may be empty). */
        record Crashed(int vcpu, String reason, String state) implements Outcome {}
    }

    /** Counters and timings for --stats. */
    public record Stats(HostVirtualization host, Privilege privilege, boolean portTransport, int vcpus,
            boolean irqchip, boolean pit, long[] exitsByReason, long totalExits, long runLoopNanos,
            long vmmStartToGuestEntryNanos, long hypercalls, long kvmRunNanos, long vcpuCpuNanos) {
        /** Mean wall time per exit in the run loops: guest time between exits plus the full round trip. */
        public double nanosPerExit() {
            return totalExits == 0 ? 0 : (double) runLoopNanos / totalExits;
        }

        /** Mean time per exit spent in the VMM itself, outside KVM_RUN: decoding and handling the exit. */
        public double vmmNanosPerExit() {
            return totalExits == 0 ? 0 : (double) (runLoopNanos - kvmRunNanos) / totalExits;
        }
    }

    private static final long MIN_MEMORY = 4L << 20;

    private final Config config;
    private final HostVirtualization host;
    private final Privilege privilege;
    private final boolean portTransport;
    private final Vm vm;
    private final MemorySegment ram;
    private final MmioBus bus = new MmioBus();
    private final Console console;
    private final VcpuState[] cpus;
    private final FileChannel[] files;
    private final long createdAt;
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private volatile long guestEntryAt;

    /** One vCPU and the thread that runs it. */
    private static final class VcpuState {
        final Vcpu vcpu;
        Thread thread;
        long loopNanos;
        long kvmRunNanos;
        long cpuNanos;
        long hypercalls;

        VcpuState(Vcpu vcpu) {
            this.vcpu = vcpu;
        }
    }

    private MicroVm(Config config, Vm vm, HostVirtualization host, Privilege privilege, long createdAt) {
        this.config = config;
        this.vm = vm;
        this.host = host;
        this.privilege = privilege;
        this.portTransport = privilege == Privilege.KERNEL || host.userPortIoExits();
        this.createdAt = createdAt;
        this.console = new Console(config.console());
        this.cpus = new VcpuState[config.vcpus()];
        this.files = new FileChannel[config.args().size() + 1];
        this.ram = vm.addMemory(0, config.memoryBytes()).memory();
    }

    /**
     * Builds the VM: memory, tables, program, vCPUs with their registers. Host-side problems (a bad program, too
     * little memory, too many vCPUs) are {@link UserError}s; nothing is left open when this throws.
     */
    public static MicroVm create(Kvm kvm, Config config) {
        long start = System.nanoTime();
        if (config.memoryBytes() < MIN_MEMORY || config.memoryBytes() > LongMode.MAX_RAM
                || config.memoryBytes() % (2 << 20) != 0) {
            throw new UserError("guest memory must be a multiple of 2 MiB between 4 MiB and 3 GiB");
        }
        if (config.vcpus() < 1 || config.vcpus() > kvm.maxVcpus()) {
            throw new UserError("vCPU count must be between 1 and " + kvm.maxVcpus());
        }
        ElfImage image = ElfImage.read(config.guest());
        HostVirtualization host = HostVirtualization.detect();
        Privilege privilege = config.privilege() != null ? config.privilege() : host.fastestPrivilege();
        Vm vm = kvm.createVm();
        MicroVm micro = null;
        try {
            if (config.irqchip()) vm.createIrqchipIfOffered();
            micro = new MicroVm(config, vm, host, privilege, start);
            micro.build(kvm, image);
            return micro;
        } catch (RuntimeException | Error e) {
            if (micro != null) micro.close();
            else vm.close();
            throw e;
        }
    }

    private void build(Kvm kvm, ElfImage image) {
        LongMode.buildTables(ram);
        image.loadInto(ram);
        bus.map(Hypercall.CONSOLE, MmioConsole.SIZE, new MmioConsole(console));

        List<String> argv = new ArrayList<>();
        argv.add(config.guest().toString());
        argv.addAll(config.args());
        long top = ram.byteSize();
        long[] pointers = new long[argv.size()];
        for (int i = argv.size() - 1; i >= 0; i--) {
            byte[] s = argv.get(i).getBytes(StandardCharsets.UTF_8);
            top -= s.length + 1;
            MemorySegment.copy(s, 0, ram, JAVA_BYTE, top, s.length);
            ram.set(JAVA_BYTE, top + s.length, (byte) 0);
            pointers[i] = top;
        }
        long argvAddress = (top - 8L * (argv.size() + 1)) & ~15L;
        for (int i = 0; i < pointers.length; i++) ram.set(JAVA_LONG, argvAddress + 8L * i, pointers[i]);
        ram.set(JAVA_LONG, argvAddress + 8L * pointers.length, 0);
        if (argvAddress - image.end() < 64 * 1024) throw new UserError("the program's arguments do not fit");

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cpuid = kvm.supportedCpuid(arena);
            for (int i = 0; i < cpus.length; i++) {
                Vcpu vcpu = vm.createVcpu(i);
                cpus[i] = new VcpuState(vcpu);
                vcpu.setCpuid(cpuid);
                Sregs sregs = vcpu.getSregs();
                LongMode.configure(sregs, privilege);
                vcpu.setSregs(sregs);
                Fpu fpu = new Fpu();
                fpu.fcw = Fpu.FCW_DEFAULT;
                fpu.mxcsr = Fpu.MXCSR_DEFAULT;
                vcpu.setFpu(fpu);
            }
        }
        Regs regs = new Regs();
        regs.rip = image.entry();
        regs.rsp = argvAddress - 16;
        regs.rdi = argv.size();
        regs.rsi = argvAddress;
        regs.rdx = cpus.length;
        regs.rcx = portTransport ? Hypercall.TRANSPORT_PORT : Hypercall.TRANSPORT_MMIO;
        regs.rflags = LongMode.initialRflags(privilege);
        cpus[0].vcpu.setRegs(regs);
    }

    /** The bus the guest's MMIO accesses go to; add devices before {@link #run}. */
    public MmioBus bus() {
        return bus;
    }

    /** Runs the guest to its end and tears the VM down. */
    public Outcome run() {
        startVcpu(0);
        Outcome result = outcome.join();
        stopAll();
        console.flush();
        close();
        return result;
    }

    private void startVcpu(int index) {
        VcpuState state = cpus[index];
        synchronized (state) {
            state.thread = Thread.ofPlatform().name("jvisor-vcpu-" + index).daemon(true)
                    .unstarted(() -> loop(state));
            state.thread.start();
        }
    }

    /**
     * Kicks every vCPU out of the guest and joins its thread. A vCPU thread may be starting another one at this
     * very moment (HC_CPU_START), so passes repeat until one finds no thread left to join: once every vCPU thread
     * has ended, nobody can start a new one.
     */
    private void stopAll() {
        boolean[] joined = new boolean[cpus.length];
        boolean interrupted = false;
        for (boolean found = true; found; ) {
            found = false;
            for (int i = 0; i < cpus.length; i++) {
                VcpuState s = cpus[i];
                Thread t;
                synchronized (s) {
                    t = s.thread;
                }
                if (t == null || joined[i]) continue;
                found = true;
                s.vcpu.kick();
                while (true) {
                    try {
                        t.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                joined[i] = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void loop(VcpuState state) {
        Vcpu vcpu = state.vcpu;
        long start = System.nanoTime();
        try {
            vcpu.bindToCurrentThread();
            if (vcpu.id() == 0) {
                start = System.nanoTime();
                guestEntryAt = start;
            }
            boolean running = true;
            long inKvmRun = 0;
            while (running && !outcome.isDone()) {
                long entered = System.nanoTime();
                VcpuExit exit = vcpu.run();
                inKvmRun += System.nanoTime() - entered;
                state.kvmRunNanos = inKvmRun;
                running = switch (exit) {
                    case VcpuExit.Mmio m -> mmio(vcpu, m);
                    case VcpuExit.Io io -> portIo(vcpu, io);
                    case VcpuExit.Interrupted i -> !outcome.isDone();
                    case VcpuExit.Shutdown s -> crash(vcpu, "triple fault: the guest raised an exception it has no "
                            + "handler for" + faultingInstruction(vcpu));
                    case VcpuExit.Hlt h -> crash(vcpu, "HLT with interrupts off: the vCPU would sleep forever");
                    case VcpuExit.FailEntry f -> crash(vcpu, String.format(
                            "KVM could not enter the guest (hardware reason 0x%x): invalid vCPU state",
                            f.hardwareReason()));
                    case VcpuExit.InternalError e -> crash(vcpu, "KVM internal error, suberror " + e.suberror()
                            + (e.suberror() == 1 ? " (instruction emulation failed)" : "")
                            + faultingInstruction(vcpu));
                    case VcpuExit.Exception e -> crash(vcpu, "unhandled exception vector " + e.vector()
                            + " error code 0x" + Integer.toHexString(e.errorCode()));
                    case VcpuExit.SystemEvent e -> crash(vcpu, "system event " + e.type());
                    case VcpuExit.Other o -> crash(vcpu, "unexpected exit " + KvmAbi.exitReasonName(o.reason()));
                };
            }
        } catch (RuntimeException | Error e) {
            finish(new Outcome.Crashed(vcpu.id(), "VMM error on vCPU " + vcpu.id() + ": " + e, ""));
        } finally {
            state.loopNanos = System.nanoTime() - start;
            state.cpuNanos = Vcpu.currentThreadCpuNanos();
            vcpu.unbindFromCurrentThread();
        }
    }

    private boolean mmio(Vcpu vcpu, VcpuExit.Mmio m) {
        if (m.address() == Hypercall.DOORBELL && m.write() && m.length() == 4) {
            return hypercall(vcpu, m.data() & 0xffffffffL);
        }
        try {
            if (m.write()) {
                bus.write(m.address(), m.length(), m.data());
            } else {
                vcpu.completeMmioRead(bus.read(m.address(), m.length()));
            }
            return true;
        } catch (BusAccessException e) {
            return crash(vcpu, String.format("MMIO %s of %d bytes at 0x%x: %s", m.write() ? "write" : "read",
                    m.length(), m.address(), e.getMessage()));
        }
    }

    private boolean portIo(Vcpu vcpu, VcpuExit.Io io) {
        if (io.port() == Hypercall.PORT && io.out() && io.size() == 4 && io.count() == 1) {
            return hypercall(vcpu, io.data().get(JAVA_INT_UNALIGNED, 0) & 0xffffffffL);
        }
        // No device answers other ports: as on a PC, reads float to all ones and writes go nowhere.
        if (!io.out()) io.data().fill((byte) 0xff);
        return true;
    }

    private boolean hypercall(Vcpu vcpu, long block) {
        cpus[vcpu.id()].hypercalls++;
        if (block > ram.byteSize() - Hypercall.BLOCK_SIZE) {
            return crash(vcpu, String.format("hypercall block at 0x%x is outside guest RAM", block));
        }
        long nr = ram.get(JAVA_LONG_UNALIGNED, block + Hypercall.NR);
        long a0 = ram.get(JAVA_LONG_UNALIGNED, block + Hypercall.ARG0);
        long a1 = ram.get(JAVA_LONG_UNALIGNED, block + Hypercall.ARG0 + 8);
        long a2 = ram.get(JAVA_LONG_UNALIGNED, block + Hypercall.ARG0 + 16);
        long a3 = ram.get(JAVA_LONG_UNALIGNED, block + Hypercall.ARG0 + 24);
        long ret;
        switch ((int) nr) {
            case Hypercall.NOP -> ret = a0;
            case Hypercall.EXIT -> {
                finish(new Outcome.Exited((int) a0));
                return false;
            }
            case Hypercall.WRITE -> ret = consoleWrite(a0, a1);
            case Hypercall.TIME -> ret = System.nanoTime();
            case Hypercall.FILE_SIZE -> ret = fileSize(a0);
            case Hypercall.FILE_READ -> ret = fileRead(a0, a1, a2, a3);
            case Hypercall.CPU_START -> ret = cpuStart(a0, a1, a2, a3);
            case Hypercall.CPU_STOP -> {
                if (vcpu.id() != 0) return false;
                ret = -1; // the boot vCPU ends the VM with EXIT instead
            }
            default -> ret = -1;
        }
        ram.set(JAVA_LONG_UNALIGNED, block + Hypercall.RET, ret);
        return true;
    }

    private boolean inRam(long address, long length) {
        return address >= 0 && length >= 0 && address <= ram.byteSize() - length;
    }

    private long consoleWrite(long buffer, long length) {
        if (!inRam(buffer, length)) return -1;
        byte[] bytes = new byte[(int) Math.min(length, 1 << 16)];
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(bytes.length, length - done);
            MemorySegment.copy(ram, JAVA_BYTE, buffer + done, bytes, 0, n);
            console.write(bytes, 0, n);
            done += n;
        }
        return length;
    }

    private synchronized FileChannel file(long argIndex) {
        if (argIndex < 1 || argIndex >= files.length) return null;
        int i = (int) argIndex;
        if (files[i] == null) {
            try {
                files[i] = FileChannel.open(Path.of(config.args().get(i - 1)), StandardOpenOption.READ);
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        return files[i];
    }

    private long fileSize(long argIndex) {
        FileChannel f = file(argIndex);
        try {
            return f == null ? -1 : f.size();
        } catch (IOException e) {
            return -1;
        }
    }

    private long fileRead(long argIndex, long offset, long buffer, long length) {
        FileChannel f = file(argIndex);
        if (f == null || offset < 0 || !inRam(buffer, length)) return -1;
        // A short read is allowed, and a ByteBuffer cannot span more than 2 GiB.
        ByteBuffer target = ram.asSlice(buffer, Math.min(length, 1L << 30)).asByteBuffer();
        try {
            long done = 0;
            while (target.hasRemaining()) {
                int n = f.read(target, offset + done);
                if (n < 0) break;
                done += n;
            }
            return done;
        } catch (IOException e) {
            return -1;
        }
    }

    private long cpuStart(long index, long entry, long stack, long argument) {
        if (index < 1 || index >= cpus.length || !inRam(entry, 1) || entry < LongMode.LOAD_BASE
                || !inRam(stack - 16, 16) || stack < LongMode.LOAD_BASE) {
            return -1;
        }
        VcpuState state = cpus[(int) index];
        synchronized (state) {
            if (state.thread != null || outcome.isDone()) return -1;
            Regs regs = new Regs();
            regs.rip = entry;
            regs.rsp = stack;
            regs.rdi = argument;
            regs.rsi = index;
            regs.rcx = portTransport ? Hypercall.TRANSPORT_PORT : Hypercall.TRANSPORT_MMIO;
            regs.rflags = LongMode.initialRflags(privilege);
            state.vcpu.setRegs(regs);
            // The in-kernel local APIC parks application processors until INIT/SIPI; this VMM starts them directly.
            if (vm.hasIrqchip()) state.vcpu.setMpState(KvmAbi.KVM_MP_STATE_RUNNABLE);
            startVcpu((int) index);
        }
        return 0;
    }

    /** Ends the VM with a crash report taken from this vCPU; returns false so the exit loop stops. */
    private boolean crash(Vcpu vcpu, String reason) {
        String state;
        try {
            Regs regs = vcpu.getRegs();
            Sregs sregs = vcpu.getSregs();
            state = regs + System.lineSeparator() + sregs;
        } catch (RuntimeException e) {
            state = "(registers unavailable: " + e.getMessage() + ")";
        }
        finish(new Outcome.Crashed(vcpu.id(), "vCPU " + vcpu.id() + ": " + reason, state));
        return false;
    }

    /** The bytes at the guest's rip, and what they are when that is obvious: a crash report's best clue. */
    private String faultingInstruction(Vcpu vcpu) {
        try {
            long rip = vcpu.getRegs().rip;
            if (!inRam(rip, 1)) return String.format(" (rip 0x%x is outside guest RAM)", rip);
            StringBuilder bytes = new StringBuilder();
            int n = (int) Math.min(8, ram.byteSize() - rip);
            for (int i = 0; i < n; i++) bytes.append(String.format(" %02x", ram.get(JAVA_BYTE, rip + i)));
            String what = describeInstruction(ram.asSlice(rip, n));
            return String.format("; at rip 0x%x:%s%s", rip, bytes, what.isEmpty() ? "" : " (" + what + ")");
        } catch (RuntimeException e) {
            return "";
        }
    }

    private String describeInstruction(MemorySegment code) {
        int b0 = Byte.toUnsignedInt(code.get(JAVA_BYTE, 0));
        int b1 = code.byteSize() > 1 ? Byte.toUnsignedInt(code.get(JAVA_BYTE, 1)) : -1;
        if (b0 == 0x0f && b1 == 0x0b) return "ud2: invalid opcode";
        if (b0 == 0xf4) return "hlt: privileged at CPL3";
        if (b0 == 0xfa || b0 == 0xfb) return "cli/sti";
        if (b0 == 0xcc) return "int3: breakpoint";
        if ((b0 & 0xf4) == 0xe4) { // IN/OUT with an immediate or DX port
            return privilege == Privilege.USER && !portTransport ? "port I/O, which faults at CPL3 on this host"
                    : "port I/O";
        }
        return "";
    }

    private void finish(Outcome result) {
        if (outcome.complete(result)) {
            for (VcpuState s : cpus) {
                if (s != null) s.vcpu.kick();
            }
        }
    }

    /** Counters for --stats; complete once {@link #run} has returned. */
    public Stats stats() {
        long[] byReason = new long[KvmAbi.EXIT_REASON_LIMIT + 1];
        long total = 0, loop = 0, calls = 0, inKvmRun = 0, cpu = 0;
        for (VcpuState s : cpus) {
            if (s == null) continue;
            long[] c = s.vcpu.exitCounts();
            for (int i = 0; i < c.length; i++) {
                byReason[i] += c[i];
                total += c[i];
            }
            loop += s.loopNanos;
            calls += s.hypercalls;
            inKvmRun += s.kvmRunNanos;
            cpu += s.cpuNanos;
        }
        long entry = guestEntryAt == 0 ? 0 : guestEntryAt - createdAt;
        return new Stats(host, privilege, portTransport, cpus.length, vm.hasIrqchip(), vm.hasPit(), byReason, total,
                loop, entry, calls, inKvmRun, cpu);
    }

    /** Closes every file, vCPU and descriptor and unmaps guest memory; vCPU threads must have stopped. */
    @Override
    public synchronized void close() {
        for (int i = 0; i < files.length; i++) {
            if (files[i] == null) continue;
            try {
                files[i].close();
            } catch (IOException ignored) {
                // Nothing to do: the channel is gone either way.
            }
            files[i] = null;
        }
        vm.close();
    }
}
