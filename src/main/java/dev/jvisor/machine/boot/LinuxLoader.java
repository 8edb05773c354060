package dev.jvisor.machine.boot;

import dev.jvisor.UserError;
import dev.jvisor.machine.fdt.Fdt;
import dev.jvisor.machine.fdt.FdtNode;
import dev.jvisor.machine.virt.VirtBoard;
import dev.jvisor.memory.GuestRam;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * Places an arm64 Linux kernel, its initrd and its device tree in guest RAM following the arm64 boot protocol
 * (Documentation/arch/arm64/booting.rst): the Image at a 2 MiB aligned address plus its text_offset with image_size
 * bytes free, the device tree 8-byte aligned, at most 2 MiB and alone in its 2 MiB block, the initrd after it. The
 * boot CPU then starts at the Image's first byte with x0 holding the device tree's address.
 */
public final class LinuxLoader {
    public static final int IMAGE_MAGIC = 0x644D5241;
    private static final long ALIGN_2M = 2L << 20;
    private static final long MAX_DTB = 2L << 20;
    private static final int HEADER_SIZE = 64;
    private static final long FLAG_BIG_ENDIAN = 1;

    private LinuxLoader() {}

    /** Where things went: enter at {@code entry} with x0 = {@code deviceTree}. */
    public record Placement(long entry, long kernelEnd, long deviceTree, VirtBoard.Initrd initrd) {}

    /** The checked header fields of an Image. */
    public record ImageHeader(long textOffset, long imageSize) {}

    /** Reads the files, then {@link #load}; a missing or unreadable file is a UserError naming it. */
    public static Placement loadFiles(GuestRam ram, long ramBase, Path kernel, Path initrd, Path deviceTree,
                                      Function<VirtBoard.Initrd, byte[]> generateDeviceTree) {
        return load(ram, ramBase, read(kernel, "kernel"), initrd == null ? null : read(initrd, "initrd"),
                deviceTree == null ? null : read(deviceTree, "device tree"), generateDeviceTree);
    }

    private static byte[] read(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UserError(what + " " + file + " does not exist");
        } catch (IOException e) {
            throw new UserError("cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }

    /**
     * Loads {@code kernel} (raw or gzip'd Image), the optional {@code initrd}, and either {@code deviceTree} (a DTB
     * the user gave, whose /chosen gets the initrd's location) or the board's tree from {@code generateDeviceTree}.
     * RAM must be freshly reserved (zero): only the loaded ranges are written.
     */
    public static Placement load(GuestRam ram, long ramBase, byte[] kernel, byte[] initrd, byte[] deviceTree,
                                 Function<VirtBoard.Initrd, byte[]> generateDeviceTree) {
        if (ramBase % ALIGN_2M != 0) throw new IllegalArgumentException("RAM base must be 2 MiB aligned");
        byte[] image = isGzip(kernel) ? gunzip(kernel, ram.size()) : kernel;
        ImageHeader header = header(image);
        long kernelStart = header.textOffset();
        long kernelEnd = kernelStart + Math.max(header.imageSize(), image.length);
        long dtbOffset = alignUp(kernelEnd, ALIGN_2M);
        long initrdOffset = dtbOffset + ALIGN_2M;
        long initrdEnd = initrdOffset + (initrd == null ? 0 : initrd.length);
        if (initrdEnd > ram.size()) {
            String what = initrd == null ? "kernel and device tree" : "kernel, device tree and initrd";
            throw new UserError(String.format("%d MiB of RAM is too little: the %s need %d MiB", ram.size() >> 20,
                    what, alignUp(initrdEnd, 1 << 20) >> 20));
        }
        VirtBoard.Initrd initrdRange = initrd == null ? null
                : new VirtBoard.Initrd(ramBase + initrdOffset, ramBase + initrdEnd);
        byte[] dtb = deviceTree == null ? generateDeviceTree.apply(initrdRange) : withInitrd(deviceTree, initrdRange);
        if (dtb.length > MAX_DTB) throw new UserError("device tree is " + dtb.length + " bytes; at most 2 MiB boots");

        ram.copyIn(kernelStart, image, 0, image.length);
        ram.copyIn(dtbOffset, dtb, 0, dtb.length);
        if (initrd != null) ram.copyIn(initrdOffset, initrd, 0, initrd.length);
        return new Placement(ramBase + kernelStart, ramBase + kernelEnd, ramBase + dtbOffset, initrdRange);
    }

    /** Checks an (uncompressed) Image's header; anything else is a UserError saying what is wrong. */
    public static ImageHeader header(byte[] image) {
        if (image.length < HEADER_SIZE) {
            throw new UserError("kernel is not an arm64 Image: only " + image.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0x38) != IMAGE_MAGIC) {
            throw new UserError("kernel is not an arm64 Image (no ARM\\x64 magic at 0x38)");
        }
        long textOffset = b.getLong(0x08);
        long imageSize = b.getLong(0x10);
        long flags = b.getLong(0x18);
        if (imageSize == 0) {
            throw new UserError("kernel Image predates Linux 3.17 (image_size is 0): its load offset is unknown");
        }
        if ((flags & FLAG_BIG_ENDIAN) != 0) {
            throw new UserError("kernel is a big-endian Image; only little-endian boots");
        }
        if (textOffset < 0 || textOffset >= ALIGN_2M || textOffset % 4096 != 0) {
            throw new UserError(String.format("kernel Image has an unusable text_offset 0x%x", textOffset));
        }
        if (imageSize < 0 || imageSize > 1L << 40) throw new UserError("kernel Image has an unusable image_size");
        return new ImageHeader(textOffset, imageSize);
    }

    private static boolean isGzip(byte[] data) {
        return data.length >= 2 && (data[0] & 0xFF) == 0x1F && (data[1] & 0xFF) == 0x8B;
    }

    private static byte[] gunzip(byte[] data, long limit) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            byte[] out = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            if (out.length > limit) throw new UserError("decompressed kernel is larger than RAM");
            return out;
        } catch (IOException e) {
            throw new UserError("kernel looks gzip-compressed but does not decompress: " + e.getMessage());
        }
    }

    /**
     * The user's tree with the initrd announced in /chosen. Rewriting keeps the nodes and the boot CPU but drops
     * the memory reservation block, which device trees for virt machines leave empty.
     */
    private static byte[] withInitrd(byte[] deviceTree, VirtBoard.Initrd initrd) {
        FdtNode root = Fdt.parse(deviceTree);
        if (initrd == null) return deviceTree;
        FdtNode chosen = root.child("chosen");
        if (chosen == null) chosen = root.addChild("chosen");
        chosen.cells64("linux,initrd-start", initrd.start());
        chosen.cells64("linux,initrd-end", initrd.end());
        return Fdt.write(root, Fdt.bootCpu(deviceTree));
    }

    private static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
