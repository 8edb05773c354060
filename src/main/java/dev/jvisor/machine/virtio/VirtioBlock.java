package dev.jvisor.machine.virtio;

import dev.jvisor.UserError;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A virtio block device (device ID 2) over a raw image file, one request queue, requests served synchronously on
 * the notifying thread. Data moves between the file and guest RAM without copies. The host's page cache is the
 * device's write cache, so the device offers VIRTIO_BLK_F_FLUSH and a flush is an fsync of the image.
 *
 * <p>Discard and write-zeroes both leave zeroes behind. Blocks that already read as zero are not written, so
 * discarding a sparse image keeps it sparse; but no new holes are punched (Java has no portable way to), which is
 * why write_zeroes_may_unmap is clear.
 */
public final class VirtioBlock implements VirtioDevice, Closeable {
    public static final int DEVICE_ID = 2;
    public static final int SECTOR_SIZE = 512;

    public static final int F_SEG_MAX = 2;
    public static final int F_RO = 5;
    public static final int F_BLK_SIZE = 6;
    public static final int F_FLUSH = 9;
    public static final int F_DISCARD = 13;
    public static final int F_WRITE_ZEROES = 14;

    public static final int T_IN = 0;
    public static final int T_OUT = 1;
    public static final int T_FLUSH = 4;
    public static final int T_GET_ID = 8;
    public static final int T_DISCARD = 11;
    public static final int T_WRITE_ZEROES = 13;

    public static final int S_OK = 0;
    public static final int S_IOERR = 1;
    public static final int S_UNSUPP = 2;

    public static final int ID_BYTES = 20;
    static final int FLAG_UNMAP = 1;
    private static final int HEADER_BYTES = 16;
    private static final int RANGE_BYTES = 16;
    private static final int QUEUE_SIZE = 256;
    /** A request spends one descriptor on its header and one on its status; the rest may carry data. */
    private static final int SEG_MAX = QUEUE_SIZE - 2;
    /** Bounds the zeroing one request does on the vCPU that sent it (32 MiB per range, 8 ranges). */
    static final int MAX_ZERO_SECTORS = 1 << 16;
    static final int MAX_ZERO_RANGES = 8;
    private static final int CONFIG_BYTES = 60;
    private static final int ZERO_CHUNK = 64 * 1024;
    private static final byte[] ZEROS = new byte[ZERO_CHUNK];

    private final FileChannel image;
    private final boolean readOnly;
    private final long capacity;
    private final byte[] id;
    private final byte[] config;
    /** Used only by request processing, which the queue's lock serializes. */
    private final ByteBuffer scratch = ByteBuffer.allocate(ZERO_CHUNK);

    /**
     * Serves {@code image}, whose size rounded down to whole sectors is the capacity. {@code serial} is what GET_ID
     * returns (ASCII, at most {@value #ID_BYTES} bytes; a guest shows it as the disk's serial number).
     */
    public VirtioBlock(FileChannel image, boolean readOnly, String serial) throws IOException {
        this.image = image;
        this.readOnly = readOnly;
        this.capacity = image.size() / SECTOR_SIZE;
        byte[] s = serial.getBytes(StandardCharsets.US_ASCII);
        id = new byte[ID_BYTES];
        System.arraycopy(s, 0, id, 0, Math.min(s.length, ID_BYTES));
        config = buildConfig();
    }

    /**
     * Opens a raw image for the device, locked against other writers (shared when read-only, exclusive otherwise)
     * as QEMU locks its images, so two machines cannot corrupt one disk. A missing, unreadable, busy or empty file is
     * the user's mistake.
     */
    public static VirtioBlock open(Path path, boolean readOnly) {
        if (Files.isDirectory(path)) throw new UserError("disk image " + path + " is a directory");
        FileChannel channel;
        try {
            channel = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new UserError("disk image " + path + " does not exist");
        } catch (AccessDeniedException e) {
            throw new UserError("no permission to " + (readOnly ? "read" : "write") + " disk image " + path);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new UserError("cannot open disk image " + path + ": " + e.getMessage());
        }
        try {
            if (channel.tryLock(0, Long.MAX_VALUE, readOnly) == null) throw new OverlappingFileLockException();
            if (channel.size() < SECTOR_SIZE) {
                throw new UserError("disk image " + path + " is smaller than one " + SECTOR_SIZE + "-byte sector");
            }
            return new VirtioBlock(channel, readOnly, path.getFileName().toString());
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new UserError("disk image " + path + " is in use by another machine");
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UserError("cannot read disk image " + path + ": " + e.getMessage());
        } catch (UserError e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Already failing with a clearer message.
        }
    }

    private byte[] buildConfig() {
        ByteBuffer c = ByteBuffer.allocate(CONFIG_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        c.putLong(0, capacity);
        c.putInt(12, SEG_MAX);
        c.putInt(20, SECTOR_SIZE);
        c.putInt(36, MAX_ZERO_SECTORS);
        c.putInt(40, MAX_ZERO_RANGES);
        c.putInt(44, 1);
        c.putInt(48, MAX_ZERO_SECTORS);
        c.putInt(52, MAX_ZERO_RANGES);
        return c.array();
    }

    /** The image's size in 512-byte sectors. */
    public long capacity() {
        return capacity;
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public String name() {
        return "blk";
    }

    @Override
    public long features() {
        long f = 1L << F_SEG_MAX | 1L << F_BLK_SIZE | 1L << F_FLUSH;
        return readOnly ? f | 1L << F_RO : f | 1L << F_DISCARD | 1L << F_WRITE_ZEROES;
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public int maxQueueSize() {
        return QUEUE_SIZE;
    }

    @Override
    public byte[] config() {
        return config;
    }

    @Override
    public void process(Virtqueue queue) throws VirtioException {
        for (DescriptorChain chain; (chain = queue.pop()) != null; ) queue.push(chain, serve(chain));
    }

    /** Serves one request and writes its status byte; returns the bytes written to the request's writable part. */
    private long serve(DescriptorChain request) throws VirtioException {
        if (request.readableLength() < HEADER_BYTES || request.writableLength() < 1) {
            throw new VirtioException("block request without a header or a status byte");
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        request.read(0, header.array(), 0, HEADER_BYTES);
        int type = header.getInt(0);
        long sector = header.getLong(8);
        long dataIn = request.writableLength() - 1;
        long dataOut = request.readableLength() - HEADER_BYTES;
        long written = 0;
        int status;
        switch (type) {
            case T_IN -> {
                status = checkRange(sector, dataIn);
                if (status == S_OK) status = readImage(request, sector * SECTOR_SIZE, dataIn);
                if (status == S_OK) written = dataIn;
            }
            case T_OUT -> {
                status = readOnly ? S_IOERR : checkRange(sector, dataOut);
                if (status == S_OK) status = writeImage(request, sector * SECTOR_SIZE, dataOut);
            }
            case T_FLUSH -> status = readOnly ? S_OK : flush();
            case T_GET_ID -> {
                written = Math.min(ID_BYTES, dataIn);
                request.write(0, id, 0, (int) written);
                status = S_OK;
            }
            case T_DISCARD, T_WRITE_ZEROES -> status = readOnly ? S_IOERR : zeroRanges(request, type == T_DISCARD);
            default -> status = S_UNSUPP;
        }
        request.write(dataIn, new byte[] {(byte) status}, 0, 1);
        return written + 1;
    }

    /** Data must be whole sectors inside the image. */
    private int checkRange(long sector, long bytes) {
        if (bytes % SECTOR_SIZE != 0) return S_IOERR;
        long sectors = bytes / SECTOR_SIZE;
        return Long.compareUnsigned(sector, capacity) <= 0 && sectors <= capacity - sector ? S_OK : S_IOERR;
    }

    private int readImage(DescriptorChain request, long position, long length) throws VirtioException {
        try {
            request.writeVia(0, length, (buffer, offset) -> {
                long at = position + offset;
                while (buffer.hasRemaining()) {
                    if (image.read(buffer, at + buffer.position()) < 0) throw new EOFException("image shrank");
                }
            });
            return S_OK;
        } catch (IOException e) {
            return S_IOERR;
        }
    }

    private int writeImage(DescriptorChain request, long position, long length) throws VirtioException {
        try {
            request.readVia(HEADER_BYTES, length, (buffer, offset) -> {
                long at = position + offset;
                while (buffer.hasRemaining()) image.write(buffer, at + buffer.position());
            });
            return S_OK;
        } catch (IOException e) {
            return S_IOERR;
        }
    }

    private int flush() {
        try {
            image.force(true);
            return S_OK;
        } catch (IOException e) {
            return S_IOERR;
        }
    }

    /**
     * Discard and write-zeroes carry a list of {sector, num_sectors, flags} ranges. All are checked before any is
     * applied, so a bad request changes nothing.
     */
    private int zeroRanges(DescriptorChain request, boolean discard) throws VirtioException {
        long payload = request.readableLength() - HEADER_BYTES;
        if (payload == 0 || payload % RANGE_BYTES != 0 || payload / RANGE_BYTES > MAX_ZERO_RANGES) return S_IOERR;
        int count = (int) (payload / RANGE_BYTES);
        ByteBuffer ranges = ByteBuffer.allocate(count * RANGE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        request.read(HEADER_BYTES, ranges.array(), 0, ranges.capacity());
        for (int i = 0; i < count; i++) {
            int sectors = ranges.getInt(i * RANGE_BYTES + 8);
            int flags = ranges.getInt(i * RANGE_BYTES + 12);
            // Section 5.2.6.2: unknown flags, and unmap on a discard, are unsupported.
            if ((flags & ~FLAG_UNMAP) != 0 || discard && flags != 0) return S_UNSUPP;
            if (Integer.compareUnsigned(sectors, MAX_ZERO_SECTORS) > 0) return S_IOERR;
            if (checkRange(ranges.getLong(i * RANGE_BYTES), (long) sectors * SECTOR_SIZE) != S_OK) return S_IOERR;
        }
        try {
            for (int i = 0; i < count; i++) {
                zero(ranges.getLong(i * RANGE_BYTES) * SECTOR_SIZE,
                        (long) ranges.getInt(i * RANGE_BYTES + 8) * SECTOR_SIZE);
            }
            return S_OK;
        } catch (IOException e) {
            return S_IOERR;
        }
    }

    private void zero(long position, long length) throws IOException {
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(ZERO_CHUNK, length - done);
            scratch.clear().limit(n);
            while (scratch.hasRemaining()) {
                if (image.read(scratch, position + done + scratch.position()) < 0) {
                    throw new EOFException("image shrank");
                }
            }
            if (Arrays.mismatch(scratch.array(), 0, n, ZEROS, 0, n) != -1) {
                ByteBuffer zeros = ByteBuffer.wrap(ZEROS, 0, n);
                while (zeros.hasRemaining()) image.write(zeros, position + done + zeros.position());
            }
            done += n;
        }
    }

    @Override
    public void close() throws IOException {
        image.close();
    }
}
