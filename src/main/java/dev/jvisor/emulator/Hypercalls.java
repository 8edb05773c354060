package dev.jvisor.emulator;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.machine.psci.Psci;
import dev.jvisor.memory.GuestRam;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/**
 * What answers HVC (and SMC) from the guest kernel, following the SMC Calling Convention (Arm DEN 0028): the Arm
 * architecture service (SMCCC_VERSION, SMCCC_ARCH_FEATURES and the Spectre workaround queries), the standard
 * secure service (PSCI), and jvisor's own calls in the vendor-specific hypervisor range: write to the console,
 * read a monotonic clock, and a multicall that performs a batch of these in one trap. Unknown function IDs return
 * NOT_SUPPORTED (-1), as the convention requires. Arguments are x1..x3 (w1..w3 for SMC32 calls); results go to
 * x0 (and x1..x3 for the UID query).
 */
public final class Hypercalls {
    public static final int SMCCC_VERSION = 0x8000_0000;
    public static final int SMCCC_ARCH_FEATURES = 0x8000_0001;
    public static final int ARCH_WORKAROUND_1 = 0x8000_8000;
    public static final int ARCH_WORKAROUND_2 = 0x8000_7FFF;
    public static final int ARCH_WORKAROUND_3 = 0x8000_3FFF;
    public static final int VENDOR_HYP_UID = 0x8600_FF01;
    public static final int VENDOR_HYP_REVISION = 0x8600_FF03;
    /** jvisor's calls: SMC64 fast calls of the vendor-specific hypervisor service (owner 6). */
    public static final int JVISOR_CONSOLE_WRITE = 0xC600_0001;
    public static final int JVISOR_CLOCK = 0xC600_0002;
    public static final int JVISOR_MULTICALL = 0xC600_0003;

    public static final long SUCCESS = 0, NOT_SUPPORTED = -1, INVALID_PARAMETER = -3;
    /** SMCCC_ARCH_FEATURES' answer for a workaround this PE does not need (the emulator does not speculate). */
    static final long WORKAROUND_NOT_REQUIRED = 1;
    /** SMCCC v1.1: ARCH_FEATURES and the workaround calls exist. */
    static final long VERSION_1_1 = 0x1_0001;
    /** The vendor-specific hypervisor service's UID, in the four words the UID query returns: jvisor's own. */
    static final long[] UID = {0x6a76_6973L, 0x6f72_2d68L, 0x7970_6572L, 0x7669_736fL};
    /** Entries of a multicall: function ID, three arguments, and the result the call writes back. */
    public static final int MULTICALL_ENTRY_BYTES = 40;
    /** At most this many entries per multicall, so one trap cannot hold a vCPU for long. */
    public static final int MULTICALL_MAX = 1024;

    /** Told about guest memory a call wrote, so translations of code there can be dropped. */
    @FunctionalInterface
    public interface RamWrites {
        void written(long physicalAddress, long length);
    }

    private final Psci psci;
    private final RamWrites ramWrites;
    private final GuestRam ram;
    private final long ramBase;
    private final IntConsumer console;
    private final long clockOrigin = System.nanoTime();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    public Hypercalls(Psci psci, GuestRam ram, long ramBase, IntConsumer console, RamWrites ramWrites) {
        this.psci = psci;
        this.ramWrites = ramWrites;
        this.ram = ram;
        this.ramBase = ramBase;
        this.console = console;
    }

    /** Told about every call and its result (a tracer). */
    @FunctionalInterface
    public interface Listener {
        void called(int cpuIndex, String name, long result);
    }

    private volatile Listener listener;

    public void setListener(Listener listener) {
        this.listener = listener;
    }

    /** Performs the call in x0..x3 of vCPU {@code cpuIndex}; returns the value for x0. */
    public long call(int cpuIndex, Cpu c) {
        int fid = (int) c.x[0];
        long result = dispatch(cpuIndex, c);
        Listener l = listener;
        if (l != null) l.called(cpuIndex, Psci.handles(fid) ? String.format("PSCI 0x%08x", fid) : name(fid), result);
        return result;
    }

    private long dispatch(int cpuIndex, Cpu c) {
        int fid = (int) c.x[0];
        if (fid == Psci.FEATURES && (int) c.x[1] == SMCCC_VERSION) {
            // The kernel asks PSCI whether SMCCC_VERSION exists before it dares to call it.
            count("PSCI");
            return SUCCESS;
        }
        if (Psci.handles(fid)) {
            count("PSCI");
            return psci.call(cpuIndex, c.x[0], c.x[1], c.x[2], c.x[3]);
        }
        count(name(fid));
        return switch (fid) {
            case SMCCC_VERSION -> VERSION_1_1;
            case SMCCC_ARCH_FEATURES -> archFeatures((int) c.x[1]);
            case ARCH_WORKAROUND_1, ARCH_WORKAROUND_2, ARCH_WORKAROUND_3 -> SUCCESS;
            case VENDOR_HYP_UID -> {
                c.x[1] = UID[1];
                c.x[2] = UID[2];
                c.x[3] = UID[3];
                yield UID[0];
            }
            case VENDOR_HYP_REVISION -> {
                c.x[1] = 0;
                yield 1;
            }
            case JVISOR_CONSOLE_WRITE, JVISOR_CLOCK -> perform(fid, c.x[1], c.x[2]);
            case JVISOR_MULTICALL -> multicall(c.x[1], c.x[2]);
            default -> NOT_SUPPORTED;
        };
    }

    private static long archFeatures(int queried) {
        return switch (queried) {
            case SMCCC_VERSION, SMCCC_ARCH_FEATURES -> SUCCESS;
            case ARCH_WORKAROUND_1, ARCH_WORKAROUND_2, ARCH_WORKAROUND_3 -> WORKAROUND_NOT_REQUIRED;
            default -> NOT_SUPPORTED;
        };
    }

    /** The calls a multicall may batch. */
    private long perform(int fid, long a1, long a2) {
        return switch (fid) {
            case JVISOR_CONSOLE_WRITE -> consoleWrite(a1, a2);
            case JVISOR_CLOCK -> System.nanoTime() - clockOrigin;
            default -> NOT_SUPPORTED;
        };
    }

    /** Writes {@code length} bytes at guest-physical {@code address} to the console; returns the count. */
    private long consoleWrite(long address, long length) {
        if (!inRam(address, length) || length > 1 << 16) return INVALID_PARAMETER;
        byte[] bytes = new byte[(int) length];
        ram.copyOut(address - ramBase, bytes, 0, bytes.length);
        for (byte b : bytes) console.accept(b & 0xFF);
        return length;
    }

    /**
     * Runs {@code count} entries at guest-physical {@code address}, writing each result into its entry; returns the
     * number performed. A malformed entry's result is its error; the batch goes on, as each call stands alone.
     */
    private long multicall(long address, long count) {
        if (count < 0 || count > MULTICALL_MAX || !inRam(address, count * MULTICALL_ENTRY_BYTES)) {
            return INVALID_PARAMETER;
        }
        long offset = address - ramBase;
        for (int i = 0; i < count; i++, offset += MULTICALL_ENTRY_BYTES) {
            int fid = (int) ram.read64(offset);
            count(name(fid) + " (batched)");
            long result = fid == JVISOR_MULTICALL ? INVALID_PARAMETER
                    : perform(fid, ram.read64(offset + 8), ram.read64(offset + 16));
            ram.write64(offset + 32, result);
        }
        ramWrites.written(address, count * MULTICALL_ENTRY_BYTES);
        return count;
    }

    private boolean inRam(long address, long length) {
        long offset = address - ramBase;
        return length >= 0 && offset >= 0 && offset <= ram.size() && length <= ram.size() - offset;
    }

    private void count(String what) {
        counts.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    /** Calls made so far, by name. */
    public Map<String, Long> counts() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    static String name(int fid) {
        return switch (fid) {
            case SMCCC_VERSION -> "SMCCC_VERSION";
            case SMCCC_ARCH_FEATURES -> "SMCCC_ARCH_FEATURES";
            case ARCH_WORKAROUND_1 -> "ARCH_WORKAROUND_1";
            case ARCH_WORKAROUND_2 -> "ARCH_WORKAROUND_2";
            case ARCH_WORKAROUND_3 -> "ARCH_WORKAROUND_3";
            case VENDOR_HYP_UID -> "VENDOR_HYP_UID";
            case VENDOR_HYP_REVISION -> "VENDOR_HYP_REVISION";
            case JVISOR_CONSOLE_WRITE -> "JVISOR_CONSOLE_WRITE";
            case JVISOR_CLOCK -> "JVISOR_CLOCK";
            case JVISOR_MULTICALL -> "JVISOR_MULTICALL";
            default -> String.format("unknown 0x%08x", fid);
        };
    }
}
