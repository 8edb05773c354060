package dev.jvisor.cli;

import dev.jvisor.emulator.VirtMachine;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jvisor run}: system emulation of a {@code virt} machine booting a Linux kernel. */
@Command(name = "run", mixinStandardHelpOptions = true, description = {
        "Boot an arm64 Linux kernel on an emulated virt machine (GICv3, generic timer, PL011 console, PL031 RTC, "
                + "PSCI). The console is this terminal; Ctrl-A X quits.",
        "Exit status: 0 after the guest powers off, 1 after a guest kernel panic, 2 for bad input, 70 for an "
                + "internal error."})
public final class RunCommand implements Callable<Integer> {
    @Mixin
    MachineOptions machine;

    @Option(names = "--kernel", required = true, paramLabel = "FILE", description = "arm64 Image, raw or gzip'd.")
    Path kernel;

    @Option(names = "--initrd", paramLabel = "FILE", description = "Initial RAM disk (e.g. a cpio archive).")
    Path initrd;

    @Option(names = "--append", defaultValue = "console=ttyAMA0", paramLabel = "TEXT",
            description = "Kernel command line (default: ${DEFAULT-VALUE}).")
    String append;

    @Option(names = "--dtb", paramLabel = "FILE",
            description = "Device tree blob to pass instead of the generated one (its /chosen gets the initrd).")
    Path dtb;

    @Override
    public Integer call() throws InterruptedException {
        return SystemRun.boot(machine.toMachine(kernel, initrd, append, dtb), machine);
    }
}
