package dev.jvisor.kvm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.kvm.microvm.MicroVm;
import dev.jvisor.kvm.microvm.Privilege;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Shared by the KVM tests: skip cleanly without /dev/kvm, build the guest programs once, run one. */
public final class KvmTestSupport {
    private KvmTestSupport() {}

    private static Path guests;

    /** Skips the calling test when this host has no usable /dev/kvm. */
    public static void assumeKvm() {
        assumeTrue(Kvm.available(), "skipped: /dev/kvm is missing or not readable and writable by this user");
    }

    /** Builds guests/kvm with the host gcc into target/kvm-guests (once per JVM) and returns that directory. */
    public static synchronized Path guests() {
        if (guests != null) return guests;
        Path out = Path.of("target", "kvm-guests").toAbsolutePath();
        try {
            int gcc = new ProcessBuilder("gcc", "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            assumeTrue(gcc == 0, "skipped: the host gcc that builds the guest programs does not run");
            Process p = new ProcessBuilder("sh", Path.of("guests", "kvm", "build.sh").toString(), out.toString(),
                    "native").redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("building the KVM guests failed:\n" + log);
            }
        } catch (IOException e) {
            assumeTrue(false, "skipped: no host gcc to build the guest programs: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        guests = out;
        return out;
    }

    /** The result of running one guest: how it ended, what it printed, and the VM's statistics. */
    public record Run(MicroVm.Outcome outcome, String output, MicroVm.Stats stats) {
        public int exitStatus() {
            if (outcome instanceof MicroVm.Outcome.Exited e) return e.status();
            throw new AssertionError("guest crashed: " + outcome + "\noutput:\n" + output);
        }

        public MicroVm.Outcome.Crashed crash() {
            if (outcome instanceof MicroVm.Outcome.Crashed c) return c;
            throw new AssertionError("guest did not crash: " + outcome + "\noutput:\n" + output);
        }
    }

    public static Run run(String guest, int vcpus, Privilege privilege, String... args) {
        return run(guest, vcpus, privilege, false, args);
    }

    public static Run run(String guest, int vcpus, Privilege privilege, boolean irqchip, String... args) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (Kvm kvm = Kvm.open()) {
            MicroVm vm = MicroVm.create(kvm, new MicroVm.Config(guests().resolve(guest), List.of(args), 64L << 20,
                    vcpus, privilege, irqchip, console));
            MicroVm.Outcome outcome = vm.run();
            return new Run(outcome, console.toString(StandardCharsets.UTF_8), vm.stats());
        }
    }

    public static Run run(String guest, String... args) {
        return run(guest, 1, null, args);
    }

    /** How many file descriptors this process has open. */
    public static int openDescriptors() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
