package dev.jvisor.memory;

import java.lang.foreign.MemorySegment;

/**
 * A machine's guest-physical address space as a vCPU's MMU sees it: one RAM segment at {@link #ramBase()}, and
 * everything else handed to the machine's MMIO bus. The board implements it; the CPU side never learns which devices
 * exist.
 */
public interface PhysicalMemory {
    /** Guest RAM; guest-physical address {@code ramBase() + i} is byte {@code i} of it. */
    MemorySegment ram();

    long ramBase();

    /**
     * Reads {@code size} bytes (1, 2, 4 or 8) of device memory at {@code pa}, zero-extended. Throws
     * {@link MemoryFault} of kind {@link MemoryFault.Kind#EXTERNAL} when nothing answers there.
     */
    long mmioRead(long pa, int size);

    /** Writes device memory; see {@link #mmioRead}. */
    void mmioWrite(long pa, int size, long value);
}
