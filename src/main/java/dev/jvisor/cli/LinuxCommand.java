package dev.jvisor.cli;

import dev.jvisor.machine.boot.DebianGuest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jvisor linux}: Debian's arm64 kernel and busybox, fetched once, booted to a shell. */
@Command(name = "linux", mixinStandardHelpOptions = true, description = {
        "Boot Debian's arm64 Linux kernel with a busybox initramfs to an interactive shell on an emulated virt "
                + "machine (fetched on first use, as 'jvisor guests fetch' does). 'poweroff -f' ends it; Ctrl-A X "
                + "quits."})
public final class LinuxCommand implements Callable<Integer> {
    @Mixin
    MachineOptions machine;

    @Option(names = "--append", paramLabel = "TEXT",
            description = "Extra kernel command-line text (jvisor.poweroff powers off once /init is reached).")
    String append;

    @Override
    public Integer call() throws InterruptedException {
        DebianGuest guest = new DebianGuest(GuestsCommand.cacheDir(), null);
        DebianGuest.GuestFiles files = guest.cached()
                .orElseGet(() -> new DebianGuest(GuestsCommand.cacheDir(), GuestsCommand.fetchDebs()).fetch());
        String bootargs = "console=ttyAMA0 panic=-1" + (append == null ? "" : " " + append);
        return SystemRun.boot(machine.toMachine(files.kernel(), files.initramfs(), bootargs, null), machine);
    }
}
