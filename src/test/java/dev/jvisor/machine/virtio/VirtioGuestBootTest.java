package dev.jvisor.machine.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.emulator.VirtMachine;
import dev.jvisor.machine.boot.DebianGuest;
import dev.jvisor.machine.fdt.Fdt;
import dev.jvisor.machine.fdt.FdtNode;
import dev.jvisor.machine.gic.InterruptOutputs;
import dev.jvisor.machine.psci.Psci;
import dev.jvisor.machine.virt.VirtBoard;
import dev.jvisor.memory.GuestRam;
import dev.jvisor.memory.RamDma;
import dev.jvisor.testutil.Guests;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's own virtio drivers (virtio_mmio, virtio_blk, virtio_console, virtio_rng, loaded as modules) drive our
 * devices on a two-vCPU emulated virt machine: the disk's size, serial, contents, writes, a large write read back
 * after dropping the page cache, discard, the negotiated features, random bytes, and the console both ways.
 *
 * <p>Until the board wires virtio transports itself, this test maps them on the board's bus and reaches guest RAM
 * through the machine's private field; nothing here runs translated code out of DMA'd pages, so not invalidating
 * the code cache on device writes is safe for this guest.
 */
class VirtioGuestBootTest {
    private static final long VIRTIO_BASE = 0x0a00_0000L;
    private static final int VIRTIO_SPI = 16;
    private static final long RAM_SIZE = 256L << 20;
    private static final String BOOTARGS = "console=ttyAMA0 panic=-1";

    static final String SCRIPT = """
            #!/bin/busybox sh
            /bin/busybox mkdir -p /proc /sys /dev /sbin /usr/bin /usr/sbin
            /bin/busybox --install -s
            mount -t proc proc /proc
            mount -t sysfs sysfs /sys
            mount -t devtmpfs devtmpfs /dev
            for m in $(cat /lib/modules/load-order); do insmod /lib/modules/$m.ko; done
            echo "DEVICES: $(ls /sys/bus/virtio/devices | tr '\\n' ' ')"
            echo "SECTORS: $(cat /sys/block/vda/size)"
            echo "RO: $(cat /sys/block/vda/ro)"
            echo "SERIAL: $(cat /sys/block/vda/serial)"
            echo "FEATURES: $(cat /sys/bus/virtio/devices/virtio0/features)"
            echo "LABEL: $(dd if=/dev/vda bs=512 count=1 2>/dev/null | head -c 16)"
            echo "written by guest" | dd of=/dev/vda bs=512 seek=2 conv=sync,fsync 2>/dev/null
            echo "DISCARD: $(blkdiscard -o 4096 -l 4096 /dev/vda 2>&1; echo $?)"
            dd if=/dev/hwrng of=/tmp/big bs=1024 count=300 2>/dev/null
            dd if=/tmp/big of=/dev/vda bs=4096 seek=64 conv=fsync 2>/dev/null
            echo 3 > /proc/sys/vm/drop_caches
            echo "WROTE: $(md5sum < /tmp/big | cut -d' ' -f1)"
            echo "READ: $(dd if=/dev/vda bs=4096 skip=64 count=75 2>/dev/null | md5sum | cut -d' ' -f1)"
            echo "RNG: $(cat /sys/class/misc/hw_random/rng_current)"
            (read -t 30 line < /dev/hvc0; echo "TYPED: $line") &
            sleep 1
            echo "hello from hvc" > /dev/hvc0
            wait
            poweroff -f
            """;

    @Test
    void debiansDriversUseOurDevices(@TempDir Path dir) throws Exception {
        Path kernel = Guests.debianKernel();
        Path initramfs = dir.resolve("initramfs.cpio");
        Files.write(initramfs, DebianGuest.initramfs(Files.readAllBytes(Guests.busyboxArm64()), SCRIPT,
                DebianGuest.modules(kernel.getParent().getParent())));
        Path dtb = dir.resolve("virt.dtb");
        Files.write(dtb, deviceTree(new VirtBoard.Config(2, RAM_SIZE, BOOTARGS, "arm,arm-v8", "hvc")));
        Path image = dir.resolve("disk.img");
        byte[] disk = new byte[1 << 20];
        Arrays.fill(disk, (byte) 0xAA);
        byte[] label = "jvisor disk 0123".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(label, 0, disk, 0, label.length);
        Files.write(image, disk);

        VirtMachine.Options options = new VirtMachine.Options(VirtMachine.EngineKind.DBT, CpuModel.max(),
                "arm,arm-v8", 2, RAM_SIZE, kernel, initramfs, BOOTARGS, dtb);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ByteArrayOutputStream hvc = new ByteArrayOutputStream();
        VirtMachine.Outcome outcome;
        try (VirtMachine machine = new VirtMachine(options, b -> {
            synchronized (console) {
                console.write(b);
            }
        }); VirtioBlock block = VirtioBlock.open(image, false)) {
            VirtioConsole hvcConsole = new VirtioConsole(b -> {
                synchronized (hvc) {
                    hvc.write(b);
                    hvc.notifyAll();
                }
            });
            VirtBoard board = machine.board();
            Field ramField = VirtMachine.class.getDeclaredField("ram");
            ramField.setAccessible(true);
            RamDma dma = RamDma.of((GuestRam) ramField.get(machine), VirtBoard.RAM);
            VirtioDevice[] devices = {block, hvcConsole, new VirtioRng()};
            for (int n = 0; n < devices.length; n++) {
                int intid = 32 + VIRTIO_SPI + n;
                board.bus().map(VIRTIO_BASE + VirtioMmio.SIZE * n, VirtioMmio.SIZE,
                        new VirtioMmio(devices[n], dma, level -> board.gic().setSpiLevel(intid, level)));
            }
            machine.start(null);
            Thread typist = Thread.ofVirtual().start(() -> {
                try {
                    synchronized (hvc) {
                        while (!hvc.toString(StandardCharsets.US_ASCII).contains("hello from hvc\r\n")) hvc.wait();
                    }
                    hvcConsole.receive("typed line\n".getBytes(StandardCharsets.US_ASCII), 0, 11);
                } catch (InterruptedException e) {
                    // The run ended first.
                }
            });
            CompletableFuture<VirtMachine.Outcome> end = CompletableFuture.supplyAsync(() -> {
                try {
                    return machine.awaitOutcome();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                outcome = end.get(300, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                machine.stop("test timeout");
                fail("no power-off within 300 s; console:\n" + text(console));
                return;
            } finally {
                typist.interrupt();
            }
        }
        String log = text(console);
        assertInstanceOf(VirtMachine.Outcome.PowerOff.class, outcome, log);
        assertEquals("virtio0 virtio1 virtio2", field(log, "DEVICES"));
        assertEquals("2048", field(log, "SECTORS"));
        assertEquals("0", field(log, "RO"));
        assertEquals("disk.img", field(log, "SERIAL"));
        String features = field(log, "FEATURES");
        for (int bit : new int[] {VirtioBlock.F_SEG_MAX, VirtioBlock.F_BLK_SIZE, VirtioBlock.F_FLUSH,
                VirtioBlock.F_DISCARD, VirtioBlock.F_WRITE_ZEROES, VirtioMmio.F_INDIRECT_DESC, VirtioMmio.F_EVENT_IDX,
                VirtioMmio.F_VERSION_1}) {
            assertEquals('1', features.charAt(bit), "feature " + bit + " in " + features);
        }
        assertEquals("jvisor disk 0123", field(log, "LABEL"));
        assertEquals("0", field(log, "DISCARD"));
        assertEquals(field(log, "WROTE"), field(log, "READ"));
        assertEquals("virtio_rng.0", field(log, "RNG"));
        assertEquals("typed line", field(log, "TYPED"));
        for (String bad : new String[] {"Oops", "BUG:", "WARNING:", "Call trace"}) {
            assertTrue(!log.contains(bad), "'" + bad + "' in\n" + log);
        }
        assertTrue(hvc.toString(StandardCharsets.US_ASCII).contains("hello from hvc\r\n"),
                () -> "hvc0 output: " + HexFormat.of().formatHex(hvc.toByteArray()));

        byte[] after = Files.readAllBytes(image);
        byte[] sector2 = Arrays.copyOf("written by guest\n".getBytes(StandardCharsets.US_ASCII), 512);
        assertArrayEquals(sector2, Arrays.copyOfRange(after, 1024, 1536));
        assertArrayEquals(new byte[4096], Arrays.copyOfRange(after, 4096, 8192), "discarded");
        assertEquals((byte) 0xAA, after[8192]);
        byte[] big = Arrays.copyOfRange(after, 64 * 4096, 64 * 4096 + 300 * 1024);
        assertEquals(field(log, "WROTE"), HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(big)));
        assertNotEquals((byte) 0xAA, big[0]);
    }

    /** The board's own tree plus three transports where QEMU's virt puts its first three. */
    private static byte[] deviceTree(VirtBoard.Config config) {
        Psci.Platform power = new Psci.Platform() {
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
        };
        InterruptOutputs lines = new InterruptOutputs() {
            @Override
            public void setIrq(int cpu, boolean asserted) {}

            @Override
            public void setFiq(int cpu, boolean asserted) {}
        };
        try (VirtBoard board = new VirtBoard(config, () -> 0, lines, b -> { }, power)) {
            FdtNode root = Fdt.parse(board.deviceTree(null));
            for (int n = 0; n < 3; n++) {
                root.addChild(VirtioMmio.deviceTreeNode(VIRTIO_BASE + VirtioMmio.SIZE * n, VIRTIO_SPI + n));
            }
            return Fdt.write(root, 0);
        }
    }

    private static String text(ByteArrayOutputStream console) {
        synchronized (console) {
            return console.toString(StandardCharsets.UTF_8);
        }
    }

    private static String field(String log, String name) {
        Matcher m = Pattern.compile("^" + name + ": (.*?)\\s*$", Pattern.MULTILINE).matcher(log);
        assertTrue(m.find(), "no " + name + " line in\n" + log);
        return m.group(1);
    }
}
