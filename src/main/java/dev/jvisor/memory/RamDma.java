package dev.jvisor.memory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** {@link Dma} over a machine's single RAM segment, which starts at guest-physical {@code ramBase}. */
public final class RamDma implements Dma {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment ram;
    private final long ramBase;
    private final long ramSize;
    private final WriteListener listener;

    public RamDma(MemorySegment ram, long ramBase, WriteListener listener) {
        this.ram = ram;
        this.ramBase = ramBase;
        this.ramSize = ram.byteSize();
        this.listener = listener;
    }

    /** DMA into {@code memory}'s RAM; {@code listener} hears of every device write. */
    public static RamDma of(PhysicalMemory memory, WriteListener listener) {
        return new RamDma(memory.ram(), memory.ramBase(), listener);
    }

    /** DMA into {@code ram} placed at {@code ramBase}, with nobody listening for writes. */
    public static RamDma of(GuestRam ram, long ramBase) {
        return new RamDma(ram.segment(), ramBase, (address, length) -> { });
    }

    @Override
    public boolean contains(long address, long length) {
        long offset = address - ramBase;
        return Long.compareUnsigned(offset, ramSize) <= 0 && Long.compareUnsigned(length, ramSize - offset) <= 0;
    }

    private long offset(long address, long length) throws DmaFault {
        if (!contains(address, length)) throw new DmaFault(address, length);
        return address - ramBase;
    }

    @Override
    public int read16(long address) throws DmaFault {
        return ram.get(U16, offset(address, 2)) & 0xFFFF;
    }

    @Override
    public int read32(long address) throws DmaFault {
        return ram.get(U32, offset(address, 4));
    }

    @Override
    public long read64(long address) throws DmaFault {
        return ram.get(U64, offset(address, 8));
    }

    @Override
    public void read(long address, byte[] dst, int offset, int length) throws DmaFault {
        MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, offset(address, length), dst, offset, length);
    }

    @Override
    public void write16(long address, int value) throws DmaFault {
        ram.set(U16, offset(address, 2), (short) value);
        listener.written(address, 2);
    }

    @Override
    public void write32(long address, int value) throws DmaFault {
        ram.set(U32, offset(address, 4), value);
        listener.written(address, 4);
    }

    @Override
    public void write(long address, byte[] src, int offset, int length) throws DmaFault {
        MemorySegment.copy(src, offset, ram, ValueLayout.JAVA_BYTE, offset(address, length), length);
        listener.written(address, length);
    }

    @Override
    public void readVia(long address, int length, BufferTransfer transfer) throws DmaFault, IOException {
        long at = offset(address, length);
        transfer.transfer(ram.asSlice(at, length).asByteBuffer().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    public void writeVia(long address, int length, BufferTransfer transfer) throws DmaFault, IOException {
        long at = offset(address, length);
        try {
            transfer.transfer(ram.asSlice(at, length).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
        } finally {
            listener.written(address, length);
        }
    }
}
