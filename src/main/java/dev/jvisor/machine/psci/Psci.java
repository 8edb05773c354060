package dev.jvisor.machine.psci;

import dev.jvisor.machine.CpuTopology;
import dev.jvisor.machine.fdt.FdtNode;
import java.util.Arrays;

/**
 * The PSCI 1.1 firmware interface (Arm DEN 0022) the guest reaches through HVC or SMC: the CPU side passes the
 * function ID in w0 and x1..x3, and puts the result in x0. Power management itself (starting a vCPU at an entry
 * point, stopping one, ending the machine) is the board's, through {@link Platform}.
 */
public final class Psci {
    public static final int VERSION = 0x8400_0000;
    public static final int CPU_SUSPEND = 0x8400_0001;
    public static final int CPU_OFF = 0x8400_0002;
    public static final int CPU_ON = 0x8400_0003;
    public static final int AFFINITY_INFO = 0x8400_0004;
    public static final int MIGRATE_INFO_TYPE = 0x8400_0006;
    public static final int SYSTEM_OFF = 0x8400_0008;
    public static final int SYSTEM_RESET = 0x8400_0009;
    public static final int FEATURES = 0x8400_000A;
    /** SMC64 function IDs are the SMC32 ones with bit 30 set. */
    public static final int SMC64 = 0x4000_0000;

    public static final long SUCCESS = 0;
    public static final long NOT_SUPPORTED = -1;
    public static final long INVALID_PARAMETERS = -2;
    public static final long ALREADY_ON = -4;
    public static final long ON_PENDING = -5;

    /** PSCI 1.1: major in bits 31..16, minor in 15..0. */
    public static final long PSCI_1_1 = 0x1_0001;
    /** MIGRATE_INFO_TYPE: no Trusted OS, so nothing needs migrating. */
    private static final long NO_TRUSTED_OS = 2;
    /** CPU_SUSPEND power_state bit 16 (original format): 1 for a powerdown state. */
    private static final long POWERDOWN = 1 << 16;

    /** AFFINITY_INFO results. */
    public enum PowerState { ON, OFF, ON_PENDING }

    /** What the firmware asks the board to do. Called on the vCPU thread that made the call. */
    public interface Platform {
        /** Starts {@code cpu} at {@code entry} (MMU off, at the caller's EL) with x0 = {@code contextId}. */
        void cpuOn(int cpu, long entry, long contextId);

        /** Powers the calling vCPU down; the call does not return to the guest. */
        void cpuOff(int cpu);

        /** Blocks the calling vCPU until an interrupt is pending for it (a standby power state). */
        void waitForInterrupt(int cpu);

        void systemOff();

        void systemReset();
    }

    private final Platform platform;
    private final PowerState[] states;

    /** vCPU 0 starts on, the others off until CPU_ON. */
    public Psci(int cpus, Platform platform) {
        this.platform = platform;
        states = new PowerState[cpus];
        Arrays.fill(states, PowerState.OFF);
        states[0] = PowerState.ON;
    }

    public synchronized PowerState state(int cpu) {
        return states[cpu];
    }

    /** True when {@code functionId} (w0) is in the PSCI range, so the HVC/SMC handler should route it here. */
    public static boolean handles(long functionId) {
        int fn = (int) functionId;
        return (fn & ~SMC64 & 0xFFFF_FFE0) == 0x8400_0000;
    }

    /** Performs the call {@code functionId} from vCPU {@code cpu}; returns the value for x0. */
    public long call(int cpu, long functionId, long x1, long x2, long x3) {
        int fn = (int) functionId;
        boolean smc64 = (fn & SMC64) != 0;
        if (!smc64) {
            // SMC32 calls take 32-bit arguments; the upper halves are not the caller's to rely on.
            x1 &= 0xFFFF_FFFFL;
            x2 &= 0xFFFF_FFFFL;
            x3 &= 0xFFFF_FFFFL;
        }
        int base = fn & ~SMC64;
        if (smc64 && !has64BitForm(base)) return NOT_SUPPORTED;
        return switch (base) {
            case VERSION -> PSCI_1_1;
            case CPU_SUSPEND -> suspend(cpu, x1);
            case CPU_OFF -> {
                synchronized (this) {
                    states[cpu] = PowerState.OFF;
                }
                platform.cpuOff(cpu);
                yield SUCCESS;
            }
            case CPU_ON -> cpuOn(x1, x2, x3);
            case AFFINITY_INFO -> affinityInfo(x1, x2);
            case MIGRATE_INFO_TYPE -> NO_TRUSTED_OS;
            case SYSTEM_OFF -> {
                platform.systemOff();
                yield SUCCESS;
            }
            case SYSTEM_RESET -> {
                platform.systemReset();
                yield SUCCESS;
            }
            case FEATURES -> features(x1);
            default -> NOT_SUPPORTED;
        };
    }

    private static boolean has64BitForm(int base) {
        return base == CPU_SUSPEND || base == CPU_ON || base == AFFINITY_INFO;
    }

    private long suspend(int cpu, long powerState) {
        // The device tree lists no idle states, so only standby is offered: a powerdown request is refused.
        if ((powerState & POWERDOWN) != 0) return INVALID_PARAMETERS;
        platform.waitForInterrupt(cpu);
        return SUCCESS;
    }

    private long cpuOn(long targetAffinity, long entry, long contextId) {
        int target = CpuTopology.cpuOf(targetAffinity, states.length);
        if (target < 0) return INVALID_PARAMETERS;
        synchronized (this) {
            if (states[target] == PowerState.ON) return ALREADY_ON;
            if (states[target] == PowerState.ON_PENDING) return ON_PENDING;
            states[target] = PowerState.ON_PENDING;
        }
        platform.cpuOn(target, entry, contextId);
        synchronized (this) {
            states[target] = PowerState.ON;
        }
        return SUCCESS;
    }

    private synchronized long affinityInfo(long targetAffinity, long lowestLevel) {
        if (lowestLevel != 0) return INVALID_PARAMETERS;
        int target = CpuTopology.cpuOf(targetAffinity, states.length);
        if (target < 0) return INVALID_PARAMETERS;
        return states[target].ordinal();
    }

    private static long features(long queried) {
        int fn = (int) queried;
        if ((queried >>> 32) != 0) return NOT_SUPPORTED;
        int base = fn & ~SMC64;
        if ((fn & SMC64) != 0 && !has64BitForm(base)) return NOT_SUPPORTED;
        return switch (base) {
            // For CPU_SUSPEND the answer is its flags: original power_state format, no OS-initiated mode.
            case VERSION, CPU_SUSPEND, CPU_OFF, CPU_ON, AFFINITY_INFO, MIGRATE_INFO_TYPE, SYSTEM_OFF, SYSTEM_RESET,
                 FEATURES -> SUCCESS;
            default -> NOT_SUPPORTED;
        };
    }

    /** The firmware node: PSCI 1.0 compatible (1.1 adds only optional calls), reached by {@code method}. */
    public static FdtNode deviceTreeNode(String method) {
        if (!method.equals("hvc") && !method.equals("smc")) throw new IllegalArgumentException(method);
        FdtNode node = new FdtNode("psci");
        node.string("compatible", "arm,psci-1.0", "arm,psci-0.2", "arm,psci");
        node.string("method", method);
        return node;
    }
}
