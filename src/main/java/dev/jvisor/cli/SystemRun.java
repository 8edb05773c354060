package dev.jvisor.cli;

import dev.jvisor.UserError;
import dev.jvisor.debug.gdb.GdbServer;
import dev.jvisor.emulator.MachineStatistics;
import dev.jvisor.emulator.MachineTracer;
import dev.jvisor.emulator.VirtMachine;

/** Runs a system-emulated machine on the user's terminal and turns how it ended into an exit status. */
final class SystemRun {
    private SystemRun() {}

    private static void writeJson(java.nio.file.Path file, MachineStatistics figures) {
        try {
            java.nio.file.Files.writeString(file, figures.toJson());
        } catch (java.io.IOException e) {
            System.err.println("jvisor: cannot write --stats-json " + file + ": " + e.getMessage());
        }
    }

    static int boot(VirtMachine.Options options, MachineOptions machineOptions) throws InterruptedException {
        if (machineOptions.gdbWait && machineOptions.gdbPort == null) throw new UserError("--gdb-wait needs --gdb PORT");
        boolean stats = machineOptions.stats;
        VirtMachine.Outcome outcome;
        String statistics;
        try (MachineTracer tracer = machineOptions.trace == null ? null
                     : MachineTracer.open(machineOptions.trace, machineOptions.traceFile);
             HostConsole console = new HostConsole();
             VirtMachine machine = new VirtMachine(options, console.output())) {
            if (tracer != null) machine.trace(tracer);
            if (machineOptions.gdbPort != null) {
                machine.attachDebugger(GdbServer.listen(machineOptions.gdbPort, System.err), machineOptions.gdbWait);
            }
            machine.start(console.input(() -> machine.stop("Ctrl-A X")));
            outcome = machine.awaitOutcome();
            MachineStatistics figures = machine.statistics();
            statistics = stats ? figures.toText() : null;
            if (machineOptions.statsJson != null) writeJson(machineOptions.statsJson, figures);
        }
        if (statistics != null) System.err.print(statistics);
        return switch (outcome) {
            case VirtMachine.Outcome.PowerOff p -> 0;
            case VirtMachine.Outcome.Stopped s -> {
                System.err.println("jvisor: stopped (" + s.why() + ")");
                yield 0;
            }
            case VirtMachine.Outcome.Reset r -> {
                System.err.println("jvisor: the guest reset the machine; jvisor does not reboot, so the run ends");
                yield 0;
            }
            case VirtMachine.Outcome.Panic p -> {
                System.err.println("jvisor: guest kernel panic: " + p.message());
                yield 1;
            }
            case VirtMachine.Outcome.Crashed c -> {
                System.err.printf("jvisor: internal error on vCPU %d at pc 0x%x: %s%n", c.cpu(), c.pc(), c.error());
                if (System.getenv("JVISOR_DEBUG") != null) c.error().printStackTrace();
                yield 70;
            }
        };
    }
}
