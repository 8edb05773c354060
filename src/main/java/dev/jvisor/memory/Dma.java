package dev.jvisor.memory;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A device's view of guest-physical memory: reads and writes of byte ranges and little-endian values, each checked
 * to lie entirely inside RAM. Addresses and lengths are unsigned 64-bit values; a range that wraps or leaves RAM
 * throws {@link DmaFault} and touches nothing. The accesses are plain (unordered): devices that share rings with
 * vCPUs put the fences the protocol needs around them.
 */
public interface Dma {
    /** Hears of every range a device wrote, once the bytes are in place: a translator drops code built from them. */
    @FunctionalInterface
    interface WriteListener {
        void written(long address, long length);
    }

    /** Moves bytes between a buffer over guest memory and somewhere else (a file); it must consume the whole buffer. */
    @FunctionalInterface
    interface BufferTransfer {
        void transfer(ByteBuffer buffer) throws IOException;
    }

    /** Whether {@code [address, address + length)} lies inside RAM (false when it wraps past 2^64). */
    boolean contains(long address, long length);

    int read16(long address) throws DmaFault;

    int read32(long address) throws DmaFault;

    long read64(long address) throws DmaFault;

    void read(long address, byte[] dst, int offset, int length) throws DmaFault;

    void write16(long address, int value) throws DmaFault;

    void write32(long address, int value) throws DmaFault;

    void write(long address, byte[] src, int offset, int length) throws DmaFault;

    /**
     * Hands {@code transfer} a read-only little-endian buffer over guest memory {@code [address, address + length)}:
     * zero-copy output to a file.
     */
    void readVia(long address, int length, BufferTransfer transfer) throws DmaFault, IOException;

    /**
     * Hands {@code transfer} a writable buffer over guest memory {@code [address, address + length)} to fill, then
     * reports the range to the write listener, also when the transfer failed part way.
     */
    void writeVia(long address, int length, BufferTransfer transfer) throws DmaFault, IOException;
}
