package dev.jvisor.cli;

import dev.jvisor.UserError;
import dev.jvisor.kvm.Kvm;
import dev.jvisor.kvm.KvmAbi;
import dev.jvisor.kvm.KvmException;
import dev.jvisor.kvm.microvm.MicroVm;
import dev.jvisor.kvm.microvm.Privilege;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvisor kvm}: runs a freestanding x86-64 program in a KVM micro-VM. */
@Command(name = "kvm", mixinStandardHelpOptions = true, description = {"Run a freestanding x86-64 ELF program in a micro-VM under Linux KVM (/dev/kvm).",
        "Put -- before GUEST when its arguments start with '-'.",
        "Exit status: the guest's, 2 for a problem with the host or the command line, 125 when the guest crashed."})
public final class KvmCommand implements java.util.concurrent.Callable<Integer> {
    /** Exit status of a VM that ended in a crash rather than an exit hypercall. */
    public static final int CRASH_STATUS = 125;

    @Option(names = "--stats", description = "Print exits by reason, exit round-trip cost and start-up times.")
    boolean stats;

    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "64M",
            description = "Guest RAM, e.g. 64M or 1G (default ${DEFAULT-VALUE}).")
    String memory;

    @Option(names = "--vcpus", paramLabel = "N", defaultValue = "1", description = "vCPUs (default ${DEFAULT-VALUE}).")
    int vcpus;

    @Option(names = "--privilege", paramLabel = "LEVEL",
            description = "Guest privilege: user (CPL3) or kernel (CPL0); default: the fastest on this host.")
    String privilege;

    @Option(names = "--irqchip", description = "Give the VM KVM's in-kernel interrupt controllers and PIT.")
    boolean irqchip;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1",
            description = "Run the guest N times in this JVM, one VM after another, to measure warm start-up "
                    + "(default ${DEFAULT-VALUE}); the exit status is the last run's.")
    int repeat;

    @Option(names = "--device", paramLabel = "PATH", defaultValue = "/dev/kvm",
            description = "The KVM device node (default ${DEFAULT-VALUE}).")
    Path device;

    @Parameters(index = "0", paramLabel = "GUEST", description = "The guest program (static x86-64 ELF).")
    Path guest;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments passed to the guest.")
    List<String> args = new ArrayList<>();

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private long jvmUptimeAtCommand;

    @Override
    public Integer call() {
        Instant commandStart = Instant.now();
        if (stats) jvmUptimeAtCommand = ManagementFactory.getRuntimeMXBean().getUptime();
        MicroVm.Config config = new MicroVm.Config(guest, args, parseSize(memory), vcpus, parsePrivilege(privilege),
                irqchip, out);
        if (repeat < 1) throw new UserError("--repeat must be at least 1");
        MicroVm.Outcome outcome = null;
        try (Kvm kvm = Kvm.open(device)) {
            for (int i = 0; i < repeat; i++) {
                MicroVm vm = MicroVm.create(kvm, config);
                outcome = vm.run();
                out.flush();
                if (outcome instanceof MicroVm.Outcome.Crashed c) {
                    err.println("jvisor: kvm: guest crashed: " + c.reason());
                    if (!c.state().isEmpty()) err.println(c.state());
                }
                if (stats) printStats(vm.stats(), commandStart, i == 0);
            }
        } catch (KvmException e) {
            throw new UserError("kvm: " + e.getMessage());
        }
        return switch (outcome) {
            case MicroVm.Outcome.Exited e -> e.status() & 0xff;
            case MicroVm.Outcome.Crashed c -> CRASH_STATUS;
        };
    }

    private void printStats(MicroVm.Stats s, Instant commandStart, boolean firstRun) {
        // The launcher script exec()s the JVM, so the process started before the JVM did: report both.
        String jvmStart = !firstRun ? "(JVM already running)" : String.format(Locale.ROOT,
                "%d ms (process start to command: %s)", jvmUptimeAtCommand,
                ProcessHandle.current().info().startInstant()
                        .map(t -> Duration.between(t, commandStart).toMillis() + " ms").orElse("unknown"));
        err.printf(Locale.ROOT, "kvm: host %s; guest at %s; hypercalls by %s; %d vCPU%s; in-kernel irqchip %s, PIT %s%n",
                s.host(), s.privilege() == Privilege.USER ? "CPL3 (user)" : "CPL0 (kernel)",
                s.portTransport() ? "port I/O" : "MMIO doorbell", s.vcpus(), s.vcpus() == 1 ? "" : "s",
                s.irqchip() ? "yes" : "no", s.pit() ? "yes" : "no");
        err.printf(Locale.ROOT, "kvm: JVM start to command: %s; VMM start to guest entry: %.2f ms%n", jvmStart,
                s.vmmStartToGuestEntryNanos() / 1e6);
        StringBuilder reasons = new StringBuilder();
        long[] byReason = s.exitsByReason();
        for (int r = 0; r < byReason.length; r++) {
            if (byReason[r] == 0) continue;
            reasons.append(reasons.isEmpty() ? "" : ", ").append(r == KvmAbi.EXIT_REASON_LIMIT ? "other"
                    : KvmAbi.exitReasonName(r)).append(' ').append(byReason[r]);
        }
        err.printf(Locale.ROOT, "kvm: exits %d (%s); hypercalls %d; vCPU threads' CPU time %.3f s%n",
                s.totalExits(), reasons, s.hypercalls(), s.vcpuCpuNanos() / 1e9);
        err.printf(Locale.ROOT, "kvm: exit round trip %.0f ns (run-loop time per exit, guest time included), "
                + "of which %.0f ns in the VMM outside KVM_RUN%n", s.nanosPerExit(), s.vmmNanosPerExit());
    }

    static Privilege parsePrivilege(String text) {
        if (text == null) return null;
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "user", "cpl3" -> Privilege.USER;
            case "kernel", "cpl0" -> Privilege.KERNEL;
            default -> throw new UserError("--privilege must be user or kernel, not '" + text + "'");
        };
    }

    static long parseSize(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("IB")) t = t.substring(0, t.length() - 2);
        else if (t.endsWith("B")) t = t.substring(0, t.length() - 1);
        if (t.endsWith("K")) unit = 1L << 10;
        else if (t.endsWith("M")) unit = 1L << 20;
        else if (t.endsWith("G")) unit = 1L << 30;
        if (unit != 1) t = t.substring(0, t.length() - 1);
        try {
            long n = Long.parseLong(t);
            if (n <= 0 || n > Long.MAX_VALUE / unit) throw new NumberFormatException();
            return n * unit;
        } catch (NumberFormatException e) {
            throw new UserError("--memory: '" + text + "' is not a size like 64M or 1G");
        }
    }
}
