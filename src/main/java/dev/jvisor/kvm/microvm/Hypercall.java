package dev.jvisor.kvm.microvm;

/** The hypercall ABI shared with the guest runtime (guests/kvm/jv.h): numbers, block layout, transports. */
final class Hypercall {
    private Hypercall() {}

    static final int EXIT = 0, WRITE = 1, FILE_SIZE = 2, FILE_READ = 3, TIME = 4, NOP = 5, CPU_START = 6,
            CPU_STOP = 7;

    /** Port-I/O transport: a 32-bit OUT of the block's address. */
    static final int PORT = 0x510;
    /** MMIO transport: a 32-bit store of the block's address. */
    static final long DOORBELL = LongMode.MMIO_BASE;
    /** Where the MMIO console sits, after the doorbell page. */
    static final long CONSOLE = LongMode.MMIO_BASE + 0x1000;

    /** Values of rcx at entry telling the runtime which transport to use. */
    static final long TRANSPORT_MMIO = 0, TRANSPORT_PORT = 1;

    /** struct hc_block: nr, a[4], ret. */
    static final long BLOCK_SIZE = 48, NR = 0, ARG0 = 8, RET = 40;
}
