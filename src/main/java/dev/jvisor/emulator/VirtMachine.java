package dev.jvisor.emulator;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.arch.a64.SystemCounter;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.system.Mmu;
import dev.jvisor.arch.a64.system.SysRegFile;
import dev.jvisor.arch.a64.system.SysRegHandler;
import dev.jvisor.arch.a64.system.SystemMode;
import dev.jvisor.arch.a64.system.VcpuRunner;
import dev.jvisor.debug.gdb.DebugTarget;
import dev.jvisor.debug.gdb.GdbServer;
import dev.jvisor.engine.DebugRunner;
import dev.jvisor.engine.dbt.CodeCache;
import dev.jvisor.engine.dbt.DbtEngine;
import dev.jvisor.engine.interp.Interpreter;
import dev.jvisor.machine.CpuTopology;
import dev.jvisor.machine.boot.LinuxLoader;
import dev.jvisor.machine.bus.BusAccessException;
import dev.jvisor.machine.bus.MmioBus;
import dev.jvisor.machine.gic.CpuRegister;
import dev.jvisor.machine.gic.InterruptOutputs;
import dev.jvisor.machine.psci.Psci;
import dev.jvisor.machine.virt.VirtBoard;
import dev.jvisor.machine.virtio.VirtioBlock;
import dev.jvisor.machine.virtio.VirtioConsole;
import dev.jvisor.machine.virtio.VirtioRng;
import dev.jvisor.memory.Dma;
import dev.jvisor.memory.RamDma;
import dev.jvisor.memory.Access;
import dev.jvisor.memory.GuestRam;
import dev.jvisor.memory.MemoryFault;
import dev.jvisor.memory.PhysicalMemory;

import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * A complete system-emulated {@code virt} machine: guest RAM off-heap, the board's devices, and one platform thread
 * per powered-on vCPU, each running its own engine over a translation cache the vCPUs share. The board's devices
 * see only bus accesses and interrupt lines; the vCPUs see the board only through their physical memory, their
 * system-register table and PSCI.
 *
 * <p>vCPU 0 starts at the kernel's entry at EL1, or EL2 with {@link Options#el2} (x0 = the device tree, MMU off,
 * DAIF masked); the others wait for PSCI CPU_ON, which starts them at the same level, as firmware does. The machine
 * ends on SYSTEM_OFF, SYSTEM_RESET (there is no reboot: like Firecracker, a reset ends the run), {@link #stop}, or an
 * internal error on a vCPU thread.
 */
public final class VirtMachine implements AutoCloseable {
    public enum EngineKind { DBT, INTERP }

    /** {@code el2}: the vCPUs have EL2 and start there, with PSCI reached by SMC. */
    public record Options(EngineKind engine, CpuModel model, String cpuCompatible, int cpus, long ramSize,
                          Path kernel, Path initrd, String bootargs, Path deviceTree, List<Drive> drives,
                          boolean el2) {
        public Options {
            drives = List.copyOf(drives);
        }

        /** Without disks, and without EL2. */
        public Options(EngineKind engine, CpuModel model, String cpuCompatible, int cpus, long ramSize, Path kernel,
                       Path initrd, String bootargs, Path deviceTree) {
            this(engine, model, cpuCompatible, cpus, ramSize, kernel, initrd, bootargs, deviceTree, List.of());
        }

        /** Without EL2: the vCPUs start at EL1. */
        public Options(EngineKind engine, CpuModel model, String cpuCompatible, int cpus, long ramSize, Path kernel,
                       Path initrd, String bootargs, Path deviceTree, List<Drive> drives) {
            this(engine, model, cpuCompatible, cpus, ramSize, kernel, initrd, bootargs, deviceTree, drives, false);
        }
    }

    /** A raw disk image behind a virtio-blk device. */
    public record Drive(Path file, boolean readOnly) {}

    /** How a run ended. */
    public sealed interface Outcome {
        record PowerOff() implements Outcome {}

        record Reset() implements Outcome {}

        /** The guest kernel said it panicked (and then reset or stopped). */
        record Panic(String message) implements Outcome {}

        record Stopped(String why) implements Outcome {}

        record Crashed(int cpu, long pc, Throwable error) implements Outcome {}
    }

    /**
     * Executions of a block before the vCPUs translate it. Far above user mode's: a kernel runs a great deal of code a
     * few hundred times (boot, module loading, initcalls), for which translating and JIT-compiling costs more than
     * interpreting; a Debian boot to /init took half the time at 5,000 than at 24 (bench/boot, 2026-11-25).
     */
    static final int SYSTEM_HOT_THRESHOLD = 5_000;

    private final Options options;
    private final GuestRam ram;
    private final VirtBoard board;
    private final CodeCache codeCache = new CodeCache();
    private final Vcpu[] vcpus;
    private final Mmu[] mmus;
    private final LinuxLoader.Placement placement;
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private final ConsoleMonitor console;
    private final Hypercalls hypercalls;
    private final VirtioConsole virtioConsole;
    private final long startNanos = System.nanoTime();
    private volatile Thread inputThread;
    private volatile MachineDebugger debugger;
    private volatile MachineTracer tracer;
    private GdbServer gdbServer;

    /** Builds the machine and loads the kernel; nothing runs until {@link #start}. */
    public VirtMachine(Options options, IntConsumer consoleOutput) {
        this.options = options;
        console = new ConsoleMonitor(consoleOutput);
        ram = GuestRam.reserve(options.ramSize());
        vcpus = new Vcpu[options.cpus()];
        mmus = new Mmu[options.cpus()];
        board = new VirtBoard(new VirtBoard.Config(options.cpus(), options.ramSize(), options.bootargs(),
                options.cpuCompatible(), options.el2() ? "smc" : "hvc", options.el2()), SystemCounter::ticks,
                interruptOutputs(), console, new Power());
        hypercalls = new Hypercalls(board.psci(), ram, VirtBoard.RAM, console, this::ramWritten);
        try {
            PhysicalMemory phys = physicalMemory(ram, board.bus());
            for (int i = 0; i < vcpus.length; i++) mmus[i] = new Mmu(phys, options.el2());
            for (int i = 0; i < vcpus.length; i++) vcpus[i] = new Vcpu(i);
            Dma dma = RamDma.of(phys, this::ramWritten);
            for (Drive d : options.drives()) board.addVirtio(VirtioBlock.open(d.file(), d.readOnly()), dma);
            virtioConsole = new VirtioConsole(console);
            board.addVirtio(virtioConsole, dma);
            board.addVirtio(new VirtioRng(), dma);
            placement = LinuxLoader.loadFiles(ram, VirtBoard.RAM, options.kernel(), options.initrd(),
                    options.deviceTree(), board::deviceTree);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private int bootEl() {
        return options.el2() ? 2 : 1;
    }

    public VirtBoard board() {
        return board;
    }

    /**
     * Waits until the guest's console output (UART and hvc0) shows {@code text}, which must appear within 4 KiB of
     * output from when this is called: an "expect" for tests and scripts driving the guest.
     */
    public void awaitConsole(String text) throws InterruptedException {
        console.await(text);
    }

    /** hvc0: its output shares the machine's console output; its input is the caller's to feed. */
    public VirtioConsole virtioConsole() {
        return virtioConsole;
    }

    /**
     * Lets gdb debug the machine through {@code server}: call before {@link #start}. With {@code waitForDebugger}
     * no instruction runs until gdb has connected and continued.
     */
    public void attachDebugger(GdbServer server, boolean waitForDebugger) {
        MachineDebugger d = new MachineDebugger(new MachineDebugger.Vcpus() {
            @Override
            public int count() {
                return vcpus.length;
            }

            @Override
            public Cpu cpu(int index) {
                return vcpus[index].cpu;
            }

            @Override
            public SysRegFile registers(int index) {
                return vcpus[index].system.regs;
            }

            @Override
            public Mmu mmu(int index) {
                return mmus[index];
            }

            @Override
            public boolean leaving(int index) {
                VcpuRunner r = vcpus[index].runner;
                return r == null || r.stopped() || outcome.isDone();
            }

            @Override
            public boolean sleeping(int index) {
                VcpuRunner r = vcpus[index].runner;
                return r != null && r.sleeping();
            }

            @Override
            public void kick(int index) {
                VcpuRunner r = vcpus[index].runner;
                if (r != null) r.kick();
            }

            @Override
            public void kill() {
                stop("killed by gdb");
            }
        }, ram, VirtBoard.RAM, waitForDebugger);
        debugger = d;
        gdbServer = server;
    }

    /** Writes the events {@code t} asks for as they happen: call before {@link #start}; the caller closes it. */
    public void trace(MachineTracer t) {
        tracer = t;
        if (t.traces(MachineTracer.Event.MMIO)) board.bus().setListener(t.mmio());
        if (t.traces(MachineTracer.Event.HYPERCALLS)) hypercalls.setListener(t::hypercall);
    }

    /** Starts vCPU 0 at the kernel and feeds {@code consoleInput} (may be null) to the UART. */
    public void start(InputStream consoleInput) {
        vcpus[0].powerOn(placement.entry(), placement.deviceTree(), bootEl());
        // Only now is there a vCPU for gdb to look at.
        if (gdbServer != null) gdbServer.start(debugger);
        if (consoleInput != null) inputThread = board.uart().startInput(consoleInput);
    }

    /** Waits for the end of the run. */
    public Outcome awaitOutcome() throws InterruptedException {
        try {
            return outcome.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Ends the run from outside the guest (the console's quit key, a test's timeout). */
    public void stop(String why) {
        end(new Outcome.Stopped(why));
    }

    private void end(Outcome o) {
        if (o instanceof Outcome.Reset && console.panic() != null) o = new Outcome.Panic(console.panic());
        if (!outcome.complete(o)) return;
        for (Vcpu v : vcpus) {
            if (v != null) v.stop();
        }
        MachineDebugger d = debugger;
        if (d != null) {
            d.ended(o instanceof Outcome.Panic || o instanceof Outcome.Crashed
                    ? new DebugTarget.Stop(DebugTarget.Stop.Kind.KILLED, 0, 6 /* SIGABRT */)
                    : new DebugTarget.Stop(DebugTarget.Stop.Kind.EXITED, 0, 0));
        }
    }

    /** The machine's figures now: instructions, exceptions, hypercalls, MMIO and the translator's counts. */
    public MachineStatistics statistics() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        List<Long> instructions = new ArrayList<>();
        List<Double> idle = new ArrayList<>();
        DbtEngine.Stats dbt = new DbtEngine.Stats();
        Map<String, Long> exceptions = new TreeMap<>();
        for (Vcpu v : vcpus) {
            instructions.add(v.retired());
            idle.add(v.idleNanos() / 1e9);
            for (DbtEngine e : v.dbtEngines) dbt.add(e.stats);
            for (SysRegFile r : v.registerFiles) r.exceptions.addTo(exceptions);
        }
        Map<String, MachineStatistics.Device> mmio = new TreeMap<>();
        for (MmioBus.Mapping m : board.bus().mappings()) {
            long reads = m.reads().sum(), writes = m.writes().sum();
            if (reads + writes > 0) {
                mmio.put(String.format("%s@0x%x", m.device().name(), m.base()),
                        new MachineStatistics.Device(reads, writes));
            }
        }
        Map<String, Long> translator = new java.util.LinkedHashMap<>();
        if (options.engine() == EngineKind.DBT) {
            translator.put("regions translated", dbt.regionsTranslated);
            translator.put("translation ms", dbt.translationNanos / 1_000_000);
            translator.put("bytecode bytes", dbt.bytecodeBytes);
            translator.put("region runs", dbt.regionRuns);
            translator.put("chained", dbt.chained);
            translator.put("cache hits", dbt.cacheHits);
            translator.put("cache misses", dbt.cacheMisses);
            translator.put("invalidations", codeCache.invalidationCount());
            translator.put("flushes", codeCache.flushCount());
            translator.put("interpreted instructions", dbt.interpretedInstructions);
        }
        return new MachineStatistics(seconds, instructions, idle, exceptions, hypercalls.counts(), mmio, translator);
    }

    /** Guest RAM a device or a hypercall wrote behind the vCPUs' backs: translations of code there must go. */
    void ramWritten(long physicalAddress, long length) {
        long first = (physicalAddress - VirtBoard.RAM) & ~0xFFFL;
        for (long page = first; page < physicalAddress - VirtBoard.RAM + length; page += 0x1000) {
            codeCache.invalidate(page, false);
        }
    }

    @Override
    public void close() {
        end(new Outcome.Stopped("closed"));
        for (Vcpu v : vcpus) {
            if (v != null) v.join();
        }
        if (inputThread != null) inputThread.interrupt();
        if (gdbServer != null) {
            try {
                gdbServer.finish(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        board.close();
    }

    private InterruptOutputs interruptOutputs() {
        return new InterruptOutputs() {
            @Override
            public void setIrq(int cpu, boolean asserted) {
                vcpus[cpu].setLine(Cpu.IRQ_LINE, asserted);
            }

            @Override
            public void setFiq(int cpu, boolean asserted) {
                vcpus[cpu].setLine(Cpu.FIQ_LINE, asserted);
            }

            @Override
            public void setVirtualIrq(int cpu, boolean asserted) {
                vcpus[cpu].setLine(Cpu.VIRQ_LINE, asserted);
            }

            @Override
            public void setVirtualFiq(int cpu, boolean asserted) {
                vcpus[cpu].setLine(Cpu.VFIQ_LINE, asserted);
            }
        };
    }

    /**
     * A virt machine's physical address space: {@code ram} at {@link VirtBoard#RAM}, everything else {@code bus},
     * where an address nothing answers is a synchronous external abort for the vCPU.
     */
    public static PhysicalMemory physicalMemory(GuestRam ram, MmioBus bus) {
        MemorySegment segment = ram.segment();
        return new PhysicalMemory() {
            @Override
            public MemorySegment ram() {
                return segment;
            }

            @Override
            public long ramBase() {
                return VirtBoard.RAM;
            }

            @Override
            public long mmioRead(long pa, int size) {
                try {
                    return bus.read(pa, size);
                } catch (BusAccessException e) {
                    throw new MemoryFault(MemoryFault.Kind.EXTERNAL, pa, Access.READ);
                }
            }

            @Override
            public void mmioWrite(long pa, int size, long value) {
                try {
                    bus.write(pa, size, value);
                } catch (BusAccessException e) {
                    throw new MemoryFault(MemoryFault.Kind.EXTERNAL, pa, Access.WRITE);
                }
            }
        };
    }

    /** PSCI's requests, arriving on the thread of the vCPU that made the call. */
    private final class Power implements Psci.Platform {
        @Override
        public void cpuOn(int cpu, long entry, long contextId) {
            vcpus[cpu].powerOn(entry, contextId, bootEl());
        }

        @Override
        public void cpuOff(int cpu) {
            vcpus[cpu].stop();
        }

        @Override
        public void waitForInterrupt(int cpu) {
            vcpus[cpu].system.enterStandby(Vcpu.current());
        }

        @Override
        public void systemOff() {
            end(new Outcome.PowerOff());
        }

        @Override
        public void systemReset() {
            end(new Outcome.Reset());
        }
    }

    /**
     * One vCPU: its MMU lives as long as the machine (other vCPUs' broadcast TLB maintenance reaches it), while
     * the architectural state, registers and engine are made anew at each power-on, as a reset would leave them.
     */
    private final class Vcpu {
        private static final ThreadLocal<Cpu> CURRENT = new ThreadLocal<>();

        final int index;
        final Mmu mmu;
        final List<DbtEngine> dbtEngines = new ArrayList<>();
        /** The register files of every power-on period, for their exception counts. */
        final List<SysRegFile> registerFiles = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile SystemMode system;
        volatile VcpuRunner runner;
        private volatile Cpu cpu;
        private Thread thread;
        /** Instructions retired and WFI time in earlier power-on periods. */
        private long retiredBefore, idleBefore;
        /** Interrupt lines as the GIC last drove them, kept across power cycles. */
        private int lines;

        Vcpu(int index) {
            this.index = index;
            this.mmu = mmus[index];
        }

        static Cpu current() {
            return CURRENT.get();
        }

        synchronized void powerOn(long entry, long contextId, int el) {
            if (outcome.isDone()) return;
            join();
            SysRegFile regs = new SysRegFile(options.model(), CpuTopology.affinityOf(index), options.el2());
            registerFiles.add(regs);
            MachineTracer t = tracer;
            if (t != null && t.traces(MachineTracer.Event.EXCEPTIONS)) regs.exceptions.setListener(t.exceptions(index));
            Interpreter.InstructionTracer insnTracer = t != null && t.traces(MachineTracer.Event.INSN)
                    ? t.instructions(index) : null;
            for (CpuRegister r : board.systemRegisters()) regs.register(r.encoding(), systemRegister(r, index));
            SystemMode sys = new SystemMode(regs, mmu, this::firmware, mmus);
            Cpu c = new Cpu(mmu, options.model(), sys);
            c.el = el;
            c.spSel = true;
            c.daif = 0x3C0;
            c.pc = entry;
            c.x[0] = contextId;
            mmu.attach(c, regs);
            DebugRunner engine = switch (options.engine()) {
                case INTERP -> new Interpreter(c, insnTracer).asDebugRunner();
                case DBT -> {
                    // Every instruction must be seen by a tracer, so nothing is translated then.
                    DbtEngine dbt = new DbtEngine(c, codeCache, insnTracer,
                            insnTracer == null ? SYSTEM_HOT_THRESHOLD : Integer.MAX_VALUE);
                    dbtEngines.add(dbt);
                    yield dbt.asDebugRunner();
                }
            };
            VcpuRunner r = new VcpuRunner(c, sys, engine::run);
            MachineDebugger d = debugger;
            if (d != null) {
                int thread = index + 1;
                r.setSupervisor(new VcpuRunner.Supervisor() {
                    @Override
                    public boolean hold() {
                        return d.hold(thread);
                    }

                    @Override
                    public void runSlice(long budget) {
                        d.runSlice(thread, c, engine, budget);
                    }
                });
            }
            if (lines != 0) r.setInterruptLine(lines, true);
            system = sys;
            cpu = c;
            runner = r;
            thread = Thread.ofPlatform().name("vcpu" + index).start(() -> run(c, r));
        }

        private void run(Cpu c, VcpuRunner r) {
            CURRENT.set(c);
            try {
                r.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                end(new Outcome.Crashed(index, c.pc, t));
            }
        }

        private long firmware(Cpu c, boolean smc, int imm) {
            return hypercalls.call(index, c);
        }

        synchronized void setLine(int line, boolean asserted) {
            MachineTracer t = tracer;
            if (t != null && t.traces(MachineTracer.Event.IRQ) && ((lines & line) != 0) != asserted) {
                t.interruptLine(index, line == Cpu.IRQ_LINE ? "IRQ" : "FIQ", asserted);
            }
            lines = asserted ? lines | line : lines & ~line;
            VcpuRunner r = runner;
            if (r != null) r.setInterruptLine(line, asserted);
        }

        void stop() {
            VcpuRunner r = runner;
            if (r != null) r.stop();
        }

        /** Waits for the vCPU's thread, unless called on it (CPU_OFF ends it once the call returns). */
        void join() {
            Thread t = thread;
            if (t == null || t == Thread.currentThread()) return;
            boolean interrupted = false;
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            Cpu c = cpu;
            if (c != null && thread == t) {
                retiredBefore += c.instructions;
                if (runner != null) idleBefore += runner.idleNanos();
                cpu = null;
            }
        }

        /** WFI time of this and earlier power-on periods. */
        long idleNanos() {
            VcpuRunner r = runner;
            return idleBefore + (r == null ? 0 : r.idleNanos());
        }

        long retired() {
            Cpu c = cpu;
            return retiredBefore + (c == null ? 0 : c.instructions);
        }
    }

    /** A board register as vCPU {@code cpuIndex}'s system register; a missing direction is UNDEFINED. */
    public static SysRegHandler systemRegister(CpuRegister r, int cpuIndex) {
        return new SysRegHandler() {
            @Override
            public long read(Cpu c) {
                if (!r.readable()) throw new UndefinedInstruction("MRS of write-only " + r.name());
                return r.read(cpuIndex);
            }

            @Override
            public void write(Cpu c, long value) {
                if (!r.writable()) throw new UndefinedInstruction("MSR to read-only " + r.name());
                r.write(cpuIndex, value);
            }
        };
    }

    /**
     * The guest's console output on its way to the user, watched for the kernel's panic line so that the end of a
     * panicked run can say why.
     */
    private static final class ConsoleMonitor implements IntConsumer {
        private static final String PANIC = "Kernel panic - not syncing: ";
        private final IntConsumer out;
        private final StringBuilder line = new StringBuilder();
        /** The last few KiB of output, for {@link #await}. */
        private final StringBuilder recent = new StringBuilder();
        private volatile String panic;

        ConsoleMonitor(IntConsumer out) {
            this.out = out;
        }

        @Override
        public synchronized void accept(int b) {
            out.accept(b);
            recent.append((char) (b & 0xFF));
            if (recent.length() > 8192) recent.delete(0, 4096);
            notifyAll();
            if (b == '\n') {
                int at = line.indexOf(PANIC);
                if (at >= 0 && panic == null) panic = line.substring(at + PANIC.length()).strip();
                line.setLength(0);
            } else if (line.length() < 512) {
                line.append((char) (b & 0xFF));
            }
        }

        String panic() {
            return panic;
        }

        synchronized void await(String text) throws InterruptedException {
            int from = 0;
            while (recent.indexOf(text, from) < 0) {
                from = Math.max(0, recent.length() - text.length());
                wait();
            }
        }
    }
}
