package dev.jvisor.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.machine.boot.DebianGuest;
import dev.jvisor.machine.virtio.VirtioBlock;
import dev.jvisor.machine.virtio.VirtioMmio;
import dev.jvisor.testutil.Guests;
import dev.jvisor.testutil.MachineRun;
import dev.jvisor.testutil.HostCommand;
import dev.jvisor.testutil.Prerequisites;
import dev.jvisor.testutil.ProcessResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's own virtio drivers (virtio_mmio, virtio_blk, virtio_console, virtio_rng, loaded as modules) drive the
 * machine's virtio devices: a disk's size, serial, contents, writes, discard and the negotiated features; random
 * bytes; hvc0 both ways; and an ext2 file system made, filled and read back across two boots, checked from the host
 * with e2fsprogs' debugfs.
 */
class VirtioGuestTest {
    private static final String PROLOGUE = """
            #!/bin/busybox sh
            /bin/busybox mkdir -p /proc /sys /dev /sbin /usr/bin /usr/sbin /mnt
            /bin/busybox --install -s
            mount -t proc proc /proc
            mount -t sysfs sysfs /sys
            mount -t devtmpfs devtmpfs /dev
            for m in $(cat /lib/modules/load-order); do insmod /lib/modules/$m.ko; done
            """;

    static final String DEVICES = PROLOGUE + """
            echo "DEVICES: $(ls /sys/bus/virtio/devices | tr '\\n' ' ')"
            echo "SECTORS: $(cat /sys/block/vda/size)"
            echo "RO: $(cat /sys/block/vda/ro) $(cat /sys/block/vdb/ro)"
            echo "SERIAL: $(cat /sys/block/vda/serial)"
            echo "FEATURES: $(cat /sys/block/vda/device/features)"
            echo "LABEL: $(dd if=/dev/vda bs=512 count=1 2>/dev/null | head -c 16)"
            echo "written by guest" | dd of=/dev/vda bs=512 seek=2 conv=sync,fsync 2>/dev/null
            echo "READONLY WRITE: $(echo x | dd of=/dev/vdb conv=fsync 2>&1 >/dev/null | head -n 1)"
            echo "DISCARD: $(blkdiscard -o 4096 -l 4096 /dev/vda 2>&1; echo $?)"
            dd if=/dev/hwrng of=/tmp/big bs=1024 count=1024 2>/dev/null
            echo "RNG BYTES: $(wc -c < /tmp/big)"
            dd if=/tmp/big of=/dev/vda bs=4096 seek=64 count=75 conv=fsync 2>/dev/null
            echo 3 > /proc/sys/vm/drop_caches
            echo "WROTE: $(head -c 307200 /tmp/big | md5sum | cut -d' ' -f1)"
            echo "READ: $(dd if=/dev/vda bs=4096 skip=64 count=75 2>/dev/null | md5sum | cut -d' ' -f1)"
            echo "RNG: $(cat /sys/class/misc/hw_random/rng_current)"
            (read -t 60 line < /dev/hvc0; echo "TYPED: $line") &
            sleep 1
            echo "hello from hvc" > /dev/hvc0
            wait
            poweroff -f
            """;

    /** 10 MiB of a known text, written through ext2 on the first boot. */
    static final String MAKE_FILE_SYSTEM = PROLOGUE + """
            mke2fs -q /dev/vda && echo MKFS OK
            mount -t ext2 /dev/vda /mnt && echo MOUNT OK
            yes jvisor-block-test | head -c 10485760 > /mnt/file
            sync
            echo "SIZE: $(wc -c < /mnt/file)"
            umount /mnt && echo UMOUNT OK
            poweroff -f
            """;

    static final String READ_FILE_SYSTEM = PROLOGUE + """
            mount -t ext2 -o ro /dev/vda /mnt && echo MOUNT OK
            echo "MD5: $(md5sum < /mnt/file | cut -d' ' -f1)"
            poweroff -f
            """;

    @TempDir
    Path dir;

    @Test
    void debiansDriversUseTheDisksTheRandomSourceAndTheConsole() throws Exception {
        Path image = dir.resolve("disk.img");
        byte[] disk = new byte[1 << 20];
        Arrays.fill(disk, (byte) 0xAA);
        byte[] label = "jvisor disk 0123".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(label, 0, disk, 0, label.length);
        Files.write(image, disk);
        Path second = Files.write(dir.resolve("second.img"), new byte[64 << 10]);
        List<VirtMachine.Drive> drives = List.of(new VirtMachine.Drive(image, false),
                new VirtMachine.Drive(second, true));

        String log = boot(DEVICES, drives, machine -> Thread.ofVirtual().start(() -> {
            try {
                machine.awaitConsole("hello from hvc\r\n");
                byte[] typed = "typed line\n".getBytes(StandardCharsets.US_ASCII);
                machine.virtioConsole().receive(typed, 0, typed.length);
            } catch (InterruptedException e) {
                // The run ended first.
            }
        }));
        assertEquals("virtio0 virtio1 virtio2 virtio3", field(log, "DEVICES").strip(), log);
        assertEquals("2048", field(log, "SECTORS"));
        assertEquals("0 1", field(log, "RO"), "vda writable, vdb read-only");
        assertEquals("disk.img", field(log, "SERIAL"));
        String features = field(log, "FEATURES");
        for (int bit : new int[] {VirtioBlock.F_SEG_MAX, VirtioBlock.F_BLK_SIZE, VirtioBlock.F_FLUSH,
                VirtioBlock.F_DISCARD, VirtioBlock.F_WRITE_ZEROES, VirtioMmio.F_INDIRECT_DESC, VirtioMmio.F_EVENT_IDX,
                VirtioMmio.F_VERSION_1}) {
            assertEquals('1', features.charAt(bit), "feature " + bit + " in " + features);
        }
        assertEquals("jvisor disk 0123", field(log, "LABEL"));
        assertTrue(field(log, "READONLY WRITE").startsWith("dd: error writing '/dev/vdb'"), log);
        assertEquals("0", field(log, "DISCARD"));
        assertEquals("1048576", field(log, "RNG BYTES"), "1 MiB from /dev/hwrng");
        assertEquals(field(log, "WROTE"), field(log, "READ"));
        assertEquals("virtio_rng.0", field(log, "RNG"));
        assertEquals("typed line", field(log, "TYPED"));

        byte[] after = Files.readAllBytes(image);
        assertArrayEquals(Arrays.copyOf("written by guest\n".getBytes(StandardCharsets.US_ASCII), 512),
                Arrays.copyOfRange(after, 1024, 1536));
        assertArrayEquals(new byte[4096], Arrays.copyOfRange(after, 4096, 8192), "discarded");
        assertEquals((byte) 0xAA, after[8192]);
        byte[] big = Arrays.copyOfRange(after, 64 * 4096, 64 * 4096 + 300 * 1024);
        assertEquals(field(log, "WROTE"), md5(big));
        assertNotEquals((byte) 0xAA, big[0]);
        assertArrayEquals(new byte[64 << 10], Files.readAllBytes(second), "the read-only disk is untouched");
    }

    @Test
    void anExt2FileSystemMadeInTheGuestHoldsItsFileAcrossBoots() throws Exception {
        Path debugfs = Prerequisites.tool("debugfs", "apt-get install e2fsprogs");
        Path image = dir.resolve("ext2.img");
        try (var f = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.truncate(0).position((64 << 20) - 1).write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
        List<VirtMachine.Drive> drive = List.of(new VirtMachine.Drive(image, false));
        byte[] expected = "jvisor-block-test\n".repeat(10485760 / 18 + 1).substring(0, 10485760)
                .getBytes(StandardCharsets.US_ASCII);

        String first = boot(MAKE_FILE_SYSTEM, drive, m -> { });
        for (String ok : List.of("MKFS OK", "MOUNT OK", "UMOUNT OK")) assertTrue(first.contains(ok), ok + "\n" + first);
        assertEquals("10485760", field(first, "SIZE"));

        Path dumped = dir.resolve("dumped");
        ProcessResult r = HostCommand.of(debugfs.toString(), "-R", "dump /file " + dumped, image.toString()).run();
        assertEquals(0, r.exitStatus(), r.describe());
        assertTrue(Arrays.equals(expected, Files.readAllBytes(dumped)), "the host reads the guest's file intact");

        String second = boot(READ_FILE_SYSTEM, drive, m -> { });
        assertTrue(second.contains("MOUNT OK"), second);
        assertEquals(md5(expected), field(second, "MD5"), "the guest reads its file back on a second boot");
    }

    /** Boots the Debian kernel with {@code script} as /init and the virtio modules; returns the console output. */
    private String boot(String script, List<VirtMachine.Drive> drives, Consumer<VirtMachine> whileRunning)
            throws Exception {
        Path kernel = Guests.debianKernel();
        Path initramfs = dir.resolve("initramfs-" + script.hashCode() + ".cpio");
        Files.write(initramfs, DebianGuest.initramfs(Files.readAllBytes(Guests.busyboxArm64()), script,
                DebianGuest.modules(kernel.getParent().getParent())));
        VirtMachine.Options options = new VirtMachine.Options(VirtMachine.EngineKind.DBT, CpuModel.max(),
                "arm,arm-v8", 2, 256L << 20, kernel, initramfs, "console=ttyAMA0 panic=-1", null, drives);
        MachineRun.Result run = MachineRun.run(options, Duration.ofSeconds(300), whileRunning);
        VirtMachine.Outcome outcome = run.outcome();
        String log = run.console();
        assertInstanceOf(VirtMachine.Outcome.PowerOff.class, outcome, log);
        for (String bad : List.of("Oops", "BUG:", "WARNING:", "Call trace", "I/O error")) {
            assertTrue(!log.contains(bad) || bad.equals("I/O error") && script == DEVICES,
                    "'" + bad + "' in\n" + log);
        }
        return log;
    }

    private static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }


    private static String field(String log, String name) {
        Matcher m = Pattern.compile("^" + name + ": (.*?)\\r?$", Pattern.MULTILINE).matcher(log);
        assertTrue(m.find(), "no " + name + " line in\n" + log);
        return m.group(1);
    }
}
