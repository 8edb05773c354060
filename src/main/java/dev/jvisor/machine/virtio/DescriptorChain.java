package dev.jvisor.machine.virtio;

import dev.jvisor.memory.Dma;
import dev.jvisor.memory.DmaFault;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One buffer the driver made available: a device-readable part followed by a device-writable part, each a list of
 * guest-physical segments already checked to lie inside RAM. Devices address both parts as one flat byte range
 * each, never assuming how the driver split a request into descriptors (virtio 1.x gives no framing guarantee).
 */
public final class DescriptorChain {
    /** Moves one piece of a part to or from a buffer over guest memory; {@code offset} is where the piece starts. */
    @FunctionalInterface
    public interface PieceTransfer {
        void transfer(ByteBuffer buffer, long offset) throws IOException;
    }

    /** ByteBuffers index with ints, so long segments travel in pieces of at most this many bytes. */
    private static final int MAX_PIECE = 1 << 30;

    private final Dma dma;
    private final int head;
    private long[] addresses = new long[4];
    private long[] lengths = new long[4];
    private int segments;
    private int readableSegments;
    private long readableLength;
    private long writableLength;

    DescriptorChain(Dma dma, int head) {
        this.dma = dma;
        this.head = head;
    }

    /** Appends a segment; the walk checked that it is inside RAM and that no readable one follows a writable one. */
    void add(long address, long length, boolean writable) {
        if (segments == addresses.length) {
            addresses = Arrays.copyOf(addresses, segments * 2);
            lengths = Arrays.copyOf(lengths, segments * 2);
        }
        addresses[segments] = address;
        lengths[segments] = length;
        segments++;
        if (writable) {
            writableLength += length;
        } else {
            readableSegments++;
            readableLength += length;
        }
    }

    boolean hasWritable() {
        return readableSegments < segments;
    }

    /** The index of the chain's head descriptor, which the used ring reports back. */
    public int head() {
        return head;
    }

    public long readableLength() {
        return readableLength;
    }

    public long writableLength() {
        return writableLength;
    }

    /** Copies {@code length} bytes from offset {@code from} of the readable part. */
    public void read(long from, byte[] dst, int dstOffset, int length) throws VirtioException {
        check(from, length, readableLength);
        int[] done = {dstOffset};
        walk(0, readableSegments, from, length, (address, n, offset) -> {
            dma.read(address, dst, done[0], n);
            done[0] += n;
        });
    }

    /** Copies {@code length} bytes to offset {@code to} of the writable part. */
    public void write(long to, byte[] src, int srcOffset, int length) throws VirtioException {
        check(to, length, writableLength);
        int[] done = {srcOffset};
        walk(readableSegments, segments, to, length, (address, n, offset) -> {
            dma.write(address, src, done[0], n);
            done[0] += n;
        });
    }

    /** Hands {@code transfer} read-only buffers over {@code [from, from + length)} of the readable part, in order. */
    public void readVia(long from, long length, PieceTransfer transfer) throws VirtioException, IOException {
        check(from, length, readableLength);
        walk(0, readableSegments, from, length, (address, n, offset) ->
                dma.readVia(address, n, buffer -> transfer.transfer(buffer, offset)));
    }

    /** Hands {@code transfer} writable buffers over {@code [to, to + length)} of the writable part, in order. */
    public void writeVia(long to, long length, PieceTransfer transfer) throws VirtioException, IOException {
        check(to, length, writableLength);
        walk(readableSegments, segments, to, length, (address, n, offset) ->
                dma.writeVia(address, n, buffer -> transfer.transfer(buffer, offset)));
    }

    private static void check(long offset, long length, long partLength) {
        // Devices size their accesses from the part lengths, so a bad range here is a bug in the device, not the guest.
        if (offset < 0 || length < 0 || length > partLength - offset) {
            throw new IllegalArgumentException("[" + offset + ", +" + length + ") outside a part of " + partLength);
        }
    }

    /** One contiguous piece of a part; X is what the piece's I/O may throw besides a DMA fault. */
    @FunctionalInterface
    private interface Piece<X extends Exception> {
        void run(long address, int length, long offset) throws DmaFault, X;
    }

    private <X extends Exception> void walk(int first, int end, long from, long length, Piece<X> piece)
            throws VirtioException, X {
        long skip = from;
        long offset = 0;
        for (int s = first; s < end && offset < length; s++) {
            if (skip >= lengths[s]) {
                skip -= lengths[s];
                continue;
            }
            long address = addresses[s] + skip;
            long available = lengths[s] - skip;
            skip = 0;
            while (available > 0 && offset < length) {
                int n = (int) Math.min(Math.min(available, length - offset), MAX_PIECE);
                try {
                    piece.run(address, n, offset);
                } catch (DmaFault e) {
                    // The walk checked every segment against RAM, and RAM does not move.
                    throw new VirtioException(e.getMessage());
                }
                address += n;
                available -= n;
                offset += n;
            }
        }
    }
}
