package dev.jvisor.memory;

/**
 * A guest memory access that the guest's own rules forbid: no mapping, wrong permission, misalignment, or a
 * physical address with nothing behind it. Engines turn it into what the guest expects (SIGSEGV/SIGBUS in user
 * mode, a data or instruction abort in system mode). Thrown on the slow path only, so it carries no stack trace.
 */
public final class MemoryFault extends RuntimeException {
    public enum Kind { TRANSLATION, PERMISSION, ALIGNMENT, EXTERNAL }

    public final Kind kind;
    public final long address;
    public final Access access;
    /** Level of the page-table walk that failed, or -1 where it has no meaning (user mode). */
    public final int level;
    /**
     * The architectural fault status code (DFSC/IFSC, 6 bits) when the system-mode MMU knows it more precisely than
     * {@link #kind} says (access flag and address size faults), else -1.
     */
    public final int statusCode;
    /**
     * A fault of stage-2 translation (the hypervisor's): {@link #address} is still the virtual address, {@link #ipa}
     * the intermediate physical address stage 2 failed on, and {@link #s1ptw} says whether the failing access was
     * stage 1's own table walk.
     */
    public final boolean stage2, s1ptw;
    public final long ipa;

    public MemoryFault(Kind kind, long address, Access access) {
        this(kind, address, access, -1);
    }

    public MemoryFault(Kind kind, long address, Access access, int level) {
        this(kind, address, access, level, -1);
    }

    public MemoryFault(Kind kind, long address, Access access, int level, int statusCode) {
        this(kind, address, access, level, statusCode, false, false, 0);
    }

    /** A stage-2 fault on {@code ipa} while accessing {@code address}. */
    public MemoryFault(Kind kind, long address, Access access, int level, int statusCode, boolean s1ptw, long ipa) {
        this(kind, address, access, level, statusCode, true, s1ptw, ipa);
    }

    private MemoryFault(Kind kind, long address, Access access, int level, int statusCode, boolean stage2,
                        boolean s1ptw, long ipa) {
        super(kind + " fault at 0x" + Long.toHexString(address) + " (" + access + ")", null, false, false);
        this.kind = kind;
        this.address = address;
        this.access = access;
        this.level = level;
        this.statusCode = statusCode;
        this.stage2 = stage2;
        this.s1ptw = s1ptw;
        this.ipa = ipa;
    }
}
