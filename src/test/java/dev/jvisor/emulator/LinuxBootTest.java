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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Debian's unmodified arm64 kernel boots on the emulated virt machine to a busybox /init, which runs a script
 * whose output is checked, then powers off through PSCI. Every engine, one and two vCPUs, both CPU models.
 */
class LinuxBootTest {
    /** What the guest runs as /init: facts about the machine as the guest sees them, then power-off. */
    static final String SCRIPT = """
            #!/bin/busybox sh
            /bin/busybox mkdir -p /proc /sys /dev /sbin /usr/bin /usr/sbin
            /bin/busybox --install -s
            mount -t proc proc /proc
            mount -t sysfs sysfs /sys
            mount -t devtmpfs devtmpfs /dev
            for m in $(cat /lib/modules/load-order); do insmod /lib/modules/$m.ko || echo "INSMOD FAILED: $m"; done
            echo "MODULES: $(cut -d' ' -f1 /proc/modules | sort | tr '\\n' ' ')"
            echo "UNAME: $(uname -a)"
            echo "PROCESSORS: $(grep -c ^processor /proc/cpuinfo)"
            echo "ONLINE: $(cat /sys/devices/system/cpu/online)"
            echo "CPUINFO: $(grep -m1 Features /proc/cpuinfo)"
            echo "TICKS1: $(grep arch_timer /proc/interrupts | tr -s ' ' | cut -d' ' -f3)"
            i=0
            while [ $i -lt 300 ]; do i=$((i + 1)); done
            sleep 1
            echo "LOOP: $i"
            echo "TICKS2: $(grep arch_timer /proc/interrupts | tr -s ' ' | cut -d' ' -f3)"
            echo "DATE: $(date -u +%Y)"
            poweroff -f
            """;

    static Path kernel;
    static Path initramfs;

    @BeforeAll
    static void guest(@TempDir Path dir) throws Exception {
        kernel = Guests.debianKernel();
        initramfs = dir.resolve("initramfs.cpio");
        Files.write(initramfs, DebianGuest.initramfs(Files.readAllBytes(Guests.busyboxArm64()), SCRIPT,
                DebianGuest.modules(kernel.getParent().getParent())));
    }

    @ParameterizedTest(name = "{0}, {1} vCPU, {2}")
    @CsvSource({"INTERP, 1, max", "DBT, 1, max", "INTERP, 2, max", "DBT, 2, max", "DBT, 1, cortex-a57"})
    void bootsToInitRunsTheScriptAndPowersOff(VirtMachine.EngineKind engine, int cpus, String model)
            throws Exception {
        boolean max = model.equals("max");
        VirtMachine.Options options = new VirtMachine.Options(engine, max ? CpuModel.max() : CpuModel.cortexA57(),
                max ? "arm,arm-v8" : "arm,cortex-a57", cpus, 256L << 20, kernel, initramfs,
                "console=ttyAMA0 panic=-1", null);
        MachineRun.Result run = MachineRun.run(options, Duration.ofSeconds(240));
        VirtMachine.Outcome outcome = run.outcome();
        MachineStatistics stats = run.statistics();
        String log = run.console();
        assertInstanceOf(VirtMachine.Outcome.PowerOff.class, outcome, log);

        for (String line : List.of("psci: PSCIv1.1 detected in firmware.",
                "arch_timer: cp15 timer(s) running at 62.50MHz (virt).", "Run /init as init process",
                "GICv3: CPU0: found redistributor 0 region 0:0x00000000080a0000")) {
            assertTrue(log.contains(line), "missing '" + line + "' in\n" + log);
        }
        for (String bad : List.of("Oops", "BUG:", "WARNING:", "Unhandled", "undefined instruction", "Call trace")) {
            assertTrue(!log.contains(bad), "'" + bad + "' in\n" + log);
        }
        assertTrue(field(log, "UNAME").matches("Linux \\(none\\) 6\\.1\\.\\S+-arm64 #1 SMP .* aarch64 GNU/Linux"),
                log);
        assertEquals(String.valueOf(cpus), field(log, "PROCESSORS"), log);
        assertTrue(!log.contains("INSMOD FAILED"), log);
        for (String module : List.of("ext4", "jbd2", "virtio_blk", "virtio_mmio", "virtio_rng", "virtio_console")) {
            assertTrue((" " + field(log, "MODULES")).contains(" " + module + " "), module + " not loaded:\n" + log);
        }
        assertEquals(cpus == 1 ? "0" : "0-" + (cpus - 1), field(log, "ONLINE"), log);
        assertEquals(max, field(log, "CPUINFO").contains(" atomics"), "LSE only on max: " + field(log, "CPUINFO"));
        assertTrue(field(log, "CPUINFO").contains(" crc32"), log);
        assertEquals("300", field(log, "LOOP"), log);
        long before = Long.parseLong(field(log, "TICKS1"));
        long after = Long.parseLong(field(log, "TICKS2"));
        assertTrue(after > before, "timer interrupts on CPU0 count: " + before + " then " + after);
        int year = Integer.parseInt(field(log, "DATE"));
        assertTrue(year >= 2025, "the RTC gives the host's date: " + year);
        checkStatistics(stats, log, after, cpus, engine);
    }

    /** The run's figures agree with each other and with what the guest itself saw. */
    private static void checkStatistics(MachineStatistics stats, String log, long timerTicks, int cpus,
                                        VirtMachine.EngineKind engine) {
        String text = stats.toText();
        assertEquals(cpus, stats.instructionsPerVcpu().size(), text);
        for (long n : stats.instructionsPerVcpu()) assertTrue(n > 0, "every vCPU ran: " + text);
        assertTrue(stats.exceptions().getOrDefault("IRQ", 0L) >= timerTicks,
                "at least the timer interrupts CPU0's /proc/interrupts counted were taken: " + text);
        assertTrue(stats.exceptions().getOrDefault("SVC", 0L) > 100, "the shell's system calls: " + text);
        assertTrue(stats.hypercalls().getOrDefault("PSCI", 0L) >= cpus + 1, "PSCI probes, CPU_ON, SYSTEM_OFF: " + text);
        MachineStatistics.Device uart = stats.mmio().get("pl011@0x9000000");
        assertTrue(uart.writes() >= log.length(), "every console byte was a PL011 write: " + text);
        if (engine == VirtMachine.EngineKind.DBT) {
            Map<String, Long> t = stats.translator();
            assertEquals(t.get("region runs"), t.get("chained") + t.get("cache hits") + t.get("regions translated"),
                    "each region run came through a chain, a cache hit or a fresh translation: " + text);
        }
        String json = stats.toJson();
        assertTrue(json.contains("\"instructions\": " + stats.instructions() + ","), json);
        assertTrue(json.contains("\"exceptions\": {\"total\": " + MachineStatistics.total(stats.exceptions())), json);
        assertTrue(json.contains("\"mmio\": {\"total\": " + stats.mmioTotal()), json);
    }


    private static String field(String log, String name) {
        Matcher m = Pattern.compile("^" + name + ": (.*?)\\r?$", Pattern.MULTILINE).matcher(log);
        assertTrue(m.find(), "no " + name + " line in\n" + log);
        return m.group(1);
    }
}
