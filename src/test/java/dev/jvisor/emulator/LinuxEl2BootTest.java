package dev.jvisor.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.machine.boot.DebianGuest;
import dev.jvisor.testutil.Guests;
import dev.jvisor.testutil.MachineRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Debian's unmodified arm64 kernel started at EL2: with FEAT_VHE (max) it stays there as a host kernel and KVM
 * initialises in VHE mode; without (cortex-a57) it drops to EL1 and KVM installs its own hypervisor at EL2 (nVHE).
 * Either way the kernel reaches a busybox /init, whose script finds /dev/kvm and timer interrupts, then powers off
 * through PSCI over SMC.
 */
class LinuxEl2BootTest {
    static final String SCRIPT = """
            #!/bin/busybox sh
            /bin/busybox mkdir -p /proc /sys /dev
            /bin/busybox mount -t proc proc /proc
            /bin/busybox mount -t sysfs sysfs /sys
            /bin/busybox mount -t devtmpfs devtmpfs /dev
            echo "KVMDEV: $(/bin/busybox ls /dev/kvm)"
            echo "ONLINE: $(/bin/busybox cat /sys/devices/system/cpu/online)"
            /bin/busybox sleep 1
            b=/bin/busybox
            echo "TICKS: $($b grep arch_timer /proc/interrupts | $b tr -s ' ' | $b cut -d' ' -f3)"
            /bin/busybox poweroff -f
            """;

    static Path kernel;
    static Path initramfs;

    @BeforeAll
    static void guest(@TempDir Path dir) throws Exception {
        kernel = Guests.debianKernel();
        initramfs = dir.resolve("initramfs.cpio");
        Files.write(initramfs, DebianGuest.initramfs(Files.readAllBytes(Guests.busyboxArm64()), SCRIPT, List.of()));
    }

    @ParameterizedTest(name = "{0}, {1} vCPU, {2}")
    @CsvSource({"INTERP, 1, max", "DBT, 1, max", "DBT, 2, max", "INTERP, 1, cortex-a57", "DBT, 1, cortex-a57"})
    void kvmInitialisesAndTheKernelReachesInit(VirtMachine.EngineKind engine, int cpus, String model)
            throws Exception {
        boolean max = model.equals("max");
        VirtMachine.Options options = new VirtMachine.Options(engine, max ? CpuModel.max() : CpuModel.cortexA57(),
                max ? "arm,arm-v8" : "arm,cortex-a57", cpus, 256L << 20, kernel, initramfs,
                "console=ttyAMA0 panic=-1", null, List.of(), true);
        MachineRun.Result run = MachineRun.run(options, Duration.ofSeconds(240));
        VirtMachine.Outcome outcome = run.outcome();
        String statistics = run.statistics().toText();
        String log = run.console();
        assertInstanceOf(VirtMachine.Outcome.PowerOff.class, outcome, log);
        String kvm = max ? "kvm [1]: VHE mode initialized successfully" : "kvm [1]: Hyp mode initialized successfully";
        for (String line : List.of("CPU: All CPU(s) started at EL2", kvm, "psci: PSCIv1.1 detected in firmware.",
                "kvm [1]: vgic interrupt IRQ", "Run /init as init process")) {
            assertTrue(log.contains(line), "missing '" + line + "' in\n" + log);
        }
        assertEquals(max, log.contains("CPU features: detected: Virtualization Host Extensions"), log);
        for (String bad : List.of("Oops", "BUG:", "WARNING:", "Unhandled", "undefined instruction", "Call trace",
                "CPUs started in inconsistent modes")) {
            assertTrue(!log.contains(bad), "'" + bad + "' in\n" + log);
        }
        assertEquals("/dev/kvm", field(log, "KVMDEV"), log);
        assertEquals(cpus == 1 ? "0" : "0-" + (cpus - 1), field(log, "ONLINE"), log);
        assertTrue(Long.parseLong(field(log, "TICKS")) > 0, log);
        // A VHE host takes its interrupts at EL2; an nVHE host calls its hypervisor with HVC.
        assertTrue(statistics.contains(max ? "IRQ, to EL2" : "HVC, to EL2"), statistics);
    }


    private static String field(String log, String name) {
        Matcher m = Pattern.compile("^" + name + ": (.*?)\\r?$", Pattern.MULTILINE).matcher(log);
        assertTrue(m.find(), "no " + name + " line in\n" + log);
        return m.group(1);
    }
}
