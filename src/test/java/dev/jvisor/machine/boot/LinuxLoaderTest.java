package dev.jvisor.machine.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.UserError;
import dev.jvisor.machine.fdt.Fdt;
import dev.jvisor.machine.fdt.FdtNode;
import dev.jvisor.machine.virt.VirtBoard;
import dev.jvisor.memory.GuestRam;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxLoaderTest {
    static final long RAM_BASE = 0x4000_0000L;
    static final GuestRam RAM = GuestRam.reserve(16L << 20);

    /** An Image of {@code length} bytes declaring {@code imageSize}; the payload is a counting pattern. */
    static byte[] image(int length, long textOffset, long imageSize, long flags) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 64; i < length; i++) b.put(i, (byte) i);
        b.putInt(0, 0x14000010);
        b.putLong(0x08, textOffset);
        b.putLong(0x10, imageSize);
        b.putLong(0x18, flags);
        b.putInt(0x38, LinuxLoader.IMAGE_MAGIC);
        return b.array();
    }

    static byte[] tree(VirtBoard.Initrd initrd) {
        FdtNode root = new FdtNode("");
        FdtNode chosen = root.addChild("chosen");
        if (initrd != null) chosen.cells64("linux,initrd-start", initrd.start());
        return Fdt.write(root, 0);
    }

    static byte[] guest(long pa, int length) {
        byte[] out = new byte[length];
        RAM.copyOut(pa - RAM_BASE, out, 0, length);
        return out;
    }

    @Test
    void placesKernelDeviceTreeAndInitrdByTheBootProtocol() {
        byte[] kernel = image(100_000, 0, 3L << 20, 0b1010);
        byte[] initrd = {1, 2, 3, 4, 5};
        LinuxLoader.Placement p = LinuxLoader.load(RAM, RAM_BASE, kernel, initrd, null, LinuxLoaderTest::tree);
        assertEquals(RAM_BASE, p.entry());
        assertEquals(RAM_BASE + (3L << 20), p.kernelEnd(), "image_size, not the file size, bounds the kernel");
        assertEquals(RAM_BASE + (4L << 20), p.deviceTree(), "the next 2 MiB block after the kernel");
        assertEquals(new VirtBoard.Initrd(RAM_BASE + (6L << 20), RAM_BASE + (6L << 20) + 5), p.initrd());
        assertArrayEquals(kernel, guest(p.entry(), kernel.length));
        assertArrayEquals(initrd, guest(p.initrd().start(), 5));
        FdtNode loaded = Fdt.parse(guest(p.deviceTree(), 4096));
        assertArrayEquals(new long[] {0, RAM_BASE + (6L << 20)}, loaded.find("/chosen").cellsOf("linux,initrd-start"));
    }

    @Test
    void honoursTextOffsetAndDecompressesGzip() throws Exception {
        byte[] kernel = image(70_000, 0x80000, 1L << 20, 0);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(kernel);
        }
        LinuxLoader.Placement p = LinuxLoader.load(RAM, RAM_BASE, gz.toByteArray(), null, null, LinuxLoaderTest::tree);
        assertEquals(RAM_BASE + 0x80000, p.entry());
        assertEquals(RAM_BASE + (2L << 20), p.deviceTree());
        assertArrayEquals(kernel, guest(p.entry(), kernel.length));
        assertEquals(null, p.initrd());
    }

    @Test
    void userDeviceTreeGetsTheInitrdInChosen() {
        FdtNode root = new FdtNode("");
        root.string("model", "mine");
        byte[] dtb = Fdt.write(root, 5);
        LinuxLoader.Placement p = LinuxLoader.load(RAM, RAM_BASE, image(4096, 0, 1L << 20, 0), new byte[10], dtb,
                initrd -> {
                    throw new AssertionError("the user's tree replaces the board's");
                });
        FdtNode loaded = Fdt.parse(guest(p.deviceTree(), 4096));
        assertEquals("mine", loaded.stringOf("model"));
        assertEquals(5, Fdt.bootCpu(guest(p.deviceTree(), 4096)));
        assertArrayEquals(new long[] {0, p.initrd().end()}, loaded.find("/chosen").cellsOf("linux,initrd-end"));
    }

    @Test
    void badKernelsAreOneLineUserErrors() {
        assertMessage("not an arm64 Image", () -> LinuxLoader.header(new byte[4096]));
        assertMessage("only 10 bytes", () -> LinuxLoader.header(new byte[10]));
        assertMessage("big-endian", () -> LinuxLoader.header(image(4096, 0, 8192, 1)));
        assertMessage("image_size is 0", () -> LinuxLoader.header(image(4096, 0, 0, 0)));
        assertMessage("text_offset", () -> LinuxLoader.header(image(4096, 0x123, 8192, 0)));
        byte[] notGzip = {0x1F, (byte) 0x8B, 8, 0, 1, 2, 3};
        assertMessage("does not decompress", () -> LinuxLoader.load(RAM, RAM_BASE, notGzip, null, null,
                LinuxLoaderTest::tree));
        assertMessage("not a flattened device tree", () -> LinuxLoader.load(RAM, RAM_BASE, image(4096, 0, 8192, 0),
                null, new byte[64], LinuxLoaderTest::tree));
    }

    @Test
    void tooLittleRamSaysHowMuchIsNeeded() {
        assertMessage("16 MiB of RAM is too little: the kernel, device tree and initrd need 17 MiB",
                () -> LinuxLoader.load(RAM, RAM_BASE, image(4096, 0, 13L << 20, 0), new byte[1 << 20], null,
                        LinuxLoaderTest::tree));
    }

    @Test
    void missingFilesAreNamed(@TempDir Path dir) throws Exception {
        Path kernel = dir.resolve("Image");
        Files.write(kernel, image(4096, 0, 8192, 0));
        assertMessage("initrd " + dir.resolve("nope") + " does not exist", () -> LinuxLoader.loadFiles(RAM, RAM_BASE,
                kernel, dir.resolve("nope"), null, LinuxLoaderTest::tree));
        LinuxLoader.Placement p = LinuxLoader.loadFiles(RAM, RAM_BASE, kernel, null, null, LinuxLoaderTest::tree);
        assertEquals(RAM_BASE, p.entry());
    }

    static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        UserError e = assertThrows(UserError.class, call);
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }
}
