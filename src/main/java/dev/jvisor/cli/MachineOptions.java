package dev.jvisor.cli;

import dev.jvisor.UserError;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.emulator.VirtMachine;
import dev.jvisor.machine.virt.VirtBoard;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every system-emulation command shares: what machine to build and how to run it. */
final class MachineOptions {
    enum CpuChoice { max, cortex_a57 }

    @Option(names = "--engine", defaultValue = "dbt", paramLabel = "ENGINE",
            description = "Execution engine: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    UserCommand.EngineChoice engine;

    @Option(names = "--cpu", defaultValue = "max", paramLabel = "MODEL", converter = CpuConverter.class,
            description = "CPU model: max (everything jvisor implements) or cortex-a57 (ARMv8.0) "
                    + "(default: ${DEFAULT-VALUE}).")
    CpuChoice cpu;

    @Option(names = "--smp", defaultValue = "1", paramLabel = "N", description = "vCPUs (default: ${DEFAULT-VALUE}).")
    int smp;

    @Option(names = "--memory", defaultValue = "512M", paramLabel = "SIZE",
            description = "Guest RAM, in MiB or with a K, M or G suffix (default: ${DEFAULT-VALUE}).")
    String memory;

    @Option(names = "--el2", description = "Give the vCPUs EL2 (the virtualization extensions; VHE with --cpu max) "
            + "and start the kernel there, with PSCI reached by SMC.")
    boolean el2;

    @Option(names = "--drive", paramLabel = "file=PATH[,readonly=on]",
            description = "A raw disk image as a virtio-blk device (vda, vdb, ... in order); repeatable.")
    List<String> drives = new ArrayList<>();

    @Option(names = "--stats-json", paramLabel = "FILE",
            description = "At exit, write the figures --stats prints to FILE as JSON, for tools.")
    java.nio.file.Path statsJson;

    @Option(names = "--trace", paramLabel = "EVENTS",
            description = "Write a trace of EVENTS (comma-separated: exceptions, irq, mmio, hypercalls, insn, all) "
                    + "to the --trace-file.")
    String trace;

    @Option(names = "--trace-file", paramLabel = "FILE", defaultValue = "jvisor-trace.txt",
            description = "Where --trace writes (default: ${DEFAULT-VALUE}).")
    java.nio.file.Path traceFile;

    @Option(names = "--gdb", paramLabel = "PORT",
            description = "Let gdb debug the machine: listen on localhost:PORT (0: any free port, printed on stderr) "
                    + "for `target remote`; vCPUs are gdb's threads.")
    Integer gdbPort;

    @Option(names = "--gdb-wait", description = "With --gdb: stop before the first instruction until gdb connects.")
    boolean gdbWait;

    @Option(names = "--stats", description = "At exit, print instructions per vCPU, MIPS and the translator's "
            + "figures (and, with --el2, the exceptions taken to EL2 by class) to stderr.")
    boolean stats;

    static final class CpuConverter implements picocli.CommandLine.ITypeConverter<CpuChoice> {
        @Override
        public CpuChoice convert(String value) {
            return switch (value) {
                case "max" -> CpuChoice.max;
                case "cortex-a57" -> CpuChoice.cortex_a57;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "unknown CPU model '" + value + "' (max, cortex-a57)");
            };
        }
    }

    VirtMachine.Options toMachine(java.nio.file.Path kernel, java.nio.file.Path initrd, String bootargs,
                                  java.nio.file.Path dtb) {
        if (smp < 1 || smp > VirtBoard.MAX_CPUS) throw new UserError("--smp must be 1.." + VirtBoard.MAX_CPUS);
        CpuModel model = cpu == CpuChoice.max ? CpuModel.max() : CpuModel.cortexA57();
        String compatible = cpu == CpuChoice.max ? "arm,arm-v8" : "arm,cortex-a57";
        VirtMachine.EngineKind kind = engine == UserCommand.EngineChoice.dbt
                ? VirtMachine.EngineKind.DBT : VirtMachine.EngineKind.INTERP;
        return new VirtMachine.Options(kind, model, compatible, smp, memoryBytes(memory), kernel, initrd, bootargs,
                dtb, drives.stream().map(MachineOptions::drive).toList(), el2);
    }

    static VirtMachine.Drive drive(String spec) {
        String file = null;
        boolean readOnly = false;
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq), value = eq < 0 ? "" : part.substring(eq + 1);
            switch (key) {
                case "file" -> file = value;
                case "readonly" -> readOnly = switch (value) {
                    case "on", "true", "yes", "" -> true;
                    case "off", "false", "no" -> false;
                    default -> throw new UserError("--drive readonly=" + value + ": use on or off");
                };
                default -> throw new UserError("--drive " + spec + ": unknown key '" + key + "' (file, readonly)");
            }
        }
        if (file == null || file.isEmpty()) throw new UserError("--drive " + spec + " names no file=");
        return new VirtMachine.Drive(java.nio.file.Path.of(file), readOnly);
    }

    static long memoryBytes(String text) {
        String t = text.strip().toUpperCase(java.util.Locale.ROOT);
        long unit = 1L << 20;
        if (t.endsWith("K")) unit = 1L << 10;
        else if (t.endsWith("G")) unit = 1L << 30;
        if (t.endsWith("K") || t.endsWith("M") || t.endsWith("G")) t = t.substring(0, t.length() - 1);
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(t), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UserError("--memory " + text + " is not a size such as 512M or 2G");
        }
        if (bytes < 16L << 20 || bytes > VirtBoard.MAX_RAM || bytes % (1 << 20) != 0) {
            throw new UserError("--memory must be a whole number of MiB from 16M to 255G");
        }
        return bytes;
    }
}
