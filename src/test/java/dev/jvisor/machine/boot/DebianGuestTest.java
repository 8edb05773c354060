package dev.jvisor.machine.boot;

import dev.jvisor.arch.a64.SystemCounter;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.UserError;
import dev.jvisor.machine.gic.InterruptOutputs;
import dev.jvisor.machine.psci.Psci;
import dev.jvisor.machine.virt.VirtBoard;
import dev.jvisor.testutil.Guests;
import dev.jvisor.testutil.HostCommand;
import dev.jvisor.testutil.Prerequisites;
import dev.jvisor.testutil.ProcessResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebianGuestTest {
    @Test
    void findsTheKernelPackageTheMetapackageNames() {
        assertArrayEquals(new String[] {"linux-image-6.1.0-56-arm64", "6.1.158-1"},
                DebianGuest.kernelDependency("linux-image-6.1.0-56-arm64 (= 6.1.158-1)"));
        assertArrayEquals(new String[] {"linux-image-6.1.0-9-arm64", null},
                DebianGuest.kernelDependency("firmware-x, linux-image-6.1.0-9-arm64"));
        assertThrows(UserError.class, () -> DebianGuest.kernelDependency("linux-image-6.1.0-9-amd64"));
    }

    @Test
    void initramfsHoldsBusyboxInitAndTheConsole(@TempDir Path dir) throws Exception {
        Path cpio = Prerequisites.tool("cpio", "apt-get install cpio");
        Path archive = dir.resolve("initramfs.cpio");
        Files.write(archive, DebianGuest.initramfs(new byte[] {0x7F, 'E', 'L', 'F'}));
        ProcessResult list = HostCommand.of(cpio.toString(), "-t", "-F", archive.toString()).run();
        assertEquals(List.of("bin", "bin/busybox", "bin/sh", "dev", "dev/console", "proc", "sys", "tmp", "lib",
                        "lib/modules", "lib/modules/load-order", "init"),
                list.stdoutText().lines().toList());
        assertTrue(DebianGuest.INIT.startsWith("#!/bin/busybox sh\n"));
    }

    /** The modules /init loads come with their dependencies first, from the .modinfo of Debian's own modules. */
    @Test
    void modulesComeWithTheirDependenciesInLoadingOrder() throws Exception {
        Path packageDir = Guests.debianKernel().getParent().getParent();
        List<String> names = DebianGuest.modules(packageDir).stream().map(KernelModules.Module::name).toList();
        for (String m : List.of("virtio_mmio", "virtio_blk", "virtio_console", "virtio_rng", "ext4", "jbd2", "mbcache",
                "crc16", "crc32c_generic")) {
            assertTrue(names.contains(m), m + " missing from " + names);
        }
        assertTrue(names.indexOf("jbd2") < names.indexOf("ext4") && names.indexOf("mbcache") < names.indexOf("ext4")
                && names.indexOf("crc16") < names.indexOf("ext4"), "dependencies first: " + names);
        assertEquals(names.size(), names.stream().distinct().count(), "each module once: " + names);
        assertThrows(UserError.class, () -> new KernelModules(packageDir).withDependencies(List.of("no_such_module"),
                java.util.Set.of()));
    }

    /**
     * The reference machine boots Debian's kernel with our device tree (QEMU's own replaced) and our initramfs to
     * the init script and a PSCI power-off: the tree and the archive are right for a real kernel.
     */
    @Test
    void qemuBootsDebiansKernelWithOurDeviceTreeAndInitramfs(@TempDir Path dir) throws Exception {
        Path qemu = Prerequisites.tool("qemu-system-aarch64", "apt-get install qemu-system-arm");
        Path kernel = Guests.debianKernel();
        Path busybox = Guests.busyboxArm64();
        Path initramfs = dir.resolve("initramfs.cpio");
        Files.write(initramfs, DebianGuest.initramfs(Files.readAllBytes(busybox)));
        Path dtb = dir.resolve("virt.dtb");
        String bootargs = "console=ttyAMA0 panic=-1 jvisor.poweroff";
        try (VirtBoard board = new VirtBoard(new VirtBoard.Config(2, 512L << 20, bootargs, "arm,cortex-a57", "hvc"),
                SystemCounter::ticks, new InterruptOutputs() {
                    @Override
                    public void setIrq(int cpu, boolean asserted) {}

                    @Override
                    public void setFiq(int cpu, boolean asserted) {}
                }, b -> {}, new Psci.Platform() {
                    @Override
                    public void cpuOn(int cpu, long entry, long contextId) {}

                    @Override
                    public void cpuOff(int cpu) {}

                    @Override
                    public void waitForInterrupt(int cpu) {}

                    @Override
                    public void systemOff() {}

                    @Override
                    public void systemReset() {}
                })) {
            Files.write(dtb, board.deviceTree(null));
        }
        ProcessResult boot = HostCommand.of(qemu.toString(), "-M", "virt,gic-version=3", "-cpu", "cortex-a57",
                "-smp", "2", "-m", "512", "-display", "none", "-serial", "stdio", "-monitor", "none",
                "-kernel", kernel.toString(), "-initrd", initramfs.toString(), "-dtb", dtb.toString(),
                "-append", bootargs).timeout(Duration.ofSeconds(120)).run();
        String log = new String(boot.stdout(), StandardCharsets.UTF_8);
        assertTrue(log.contains("psci: PSCIv1.1 detected in firmware."), log);
        assertTrue(log.contains("smp: Brought up 1 node, 2 CPUs"), log);
        assertTrue(log.contains("rtc-pl031 9010000.pl031: registered as rtc0"), log);
        assertTrue(log.contains("jvisor-init: Linux 6.1.0-"), log);
        assertTrue(log.contains("reboot: Power down"), log);
        assertEquals(0, boot.exitStatus(), boot.describe());
    }

    @Test
    void debiansKernelPassesTheImageHeaderCheck() throws Exception {
        byte[] image = Files.readAllBytes(Guests.debianKernel());
        LinuxLoader.ImageHeader header = LinuxLoader.header(image);
        assertEquals(0, header.textOffset(), "modern kernels load at the 2 MiB boundary itself");
        assertTrue(header.imageSize() > image.length, "image_size covers the BSS beyond the file");
    }
}
