package dev.jvisor.cli;

import dev.jvisor.UserError;
import dev.jvisor.machine.boot.DebianGuest;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code jvisor guests}: prepares the Debian guests the system emulator boots. */
@Command(name = "guests", mixinStandardHelpOptions = true, description = "Manage guest kernels and root file systems.",
        subcommands = GuestsCommand.Fetch.class)
public final class GuestsCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    static Path cacheDir() {
        return Fetch.cacheDir();
    }

    static Path fetchDebs() {
        return Fetch.fetchDebs();
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true, description = {
            "Download Debian's arm64 kernel and static busybox by package name (a private apt state; the host's apt "
                    + "and dpkg setup is left alone), build a busybox initramfs, and print the paths.",
            "Cache: $JVISOR_CACHE, else ~/.cache/jvisor."})
    static final class Fetch implements Runnable {
        @Override
        public void run() {
            DebianGuest.GuestFiles files = new DebianGuest(cacheDir(), fetchDebs()).fetch();
            System.out.println("kernel: " + files.kernel());
            System.out.println("initramfs: " + files.initramfs());
        }

        static Path cacheDir() {
            String dir = System.getenv("JVISOR_CACHE");
            if (dir == null || dir.isBlank()) dir = System.getProperty("user.home") + "/.cache/jvisor";
            return Path.of(dir);
        }

        /** tools/fetch-debs of the checkout this jar was built in (target/jvisor.jar or target/classes). */
        static Path fetchDebs() {
            try {
                Path code = Path.of(GuestsCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                for (Path dir = code.getParent(); dir != null; dir = dir.getParent()) {
                    Path tool = dir.resolve("tools/fetch-debs");
                    if (Files.isExecutable(tool)) return tool;
                }
            } catch (URISyntaxException | SecurityException e) {
                // Fall through to the error below: the location is unknown.
            }
            throw new UserError("tools/fetch-debs not found next to this jvisor build");
        }
    }
}
