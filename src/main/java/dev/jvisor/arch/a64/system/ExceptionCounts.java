package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.Cpu;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exceptions one vCPU has taken, by kind: synchronous ones by exception class (ESR.EC), then IRQ, FIQ and SError;
 * those taken to EL2 (a hypervisor's traps and interrupts) apart from those taken to EL1. Written by the vCPU's own
 * thread only; readers on other threads may see a count a few events behind.
 */
public final class ExceptionCounts {
    /** Told about every exception as it is taken (a tracer); called on the vCPU's thread. */
    @FunctionalInterface
    public interface Listener {
        void taken(Cpu c, String kind, long esr, long returnAddress);
    }

    private static final int IRQ = 64, FIQ = 65, SERROR = 66;
    private final long[] counts = new long[67];
    private final long[] toEl2 = new long[67];
    private Listener listener;

    public void setListener(Listener listener) {
        this.listener = listener;
    }

    void taken(Cpu c, int vector, long esr, long returnAddress, int target) {
        int index = switch (vector) {
            case Exceptions.IRQ -> IRQ;
            case Exceptions.FIQ -> FIQ;
            case Exceptions.SERROR -> SERROR;
            default -> (int) (esr >>> 26 & 63);
        };
        (target == 2 ? toEl2 : counts)[index]++;
        if (listener != null) {
            listener.taken(c, name(index, target == 2), vector == Exceptions.SYNC ? esr | Exceptions.IL : 0,
                returnAddress);
        }
    }

    /** Exceptions of class {@code ec} (or 64, 65, 66 for IRQ, FIQ, SError) taken to EL2. */
    public long toEl2(int ec) {
        return toEl2[ec];
    }

    /** Adds these counts to {@code into}, keyed by a readable name ("SVC", "data abort, same EL", "IRQ"). */
    public void addTo(Map<String, Long> into) {
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) into.merge(name(i, false), counts[i], Long::sum);
            if (toEl2[i] != 0) into.merge(name(i, true), toEl2[i], Long::sum);
        }
    }

    /** All counts by name, in class order. */
    public Map<String, Long> byName() {
        Map<String, Long> m = new LinkedHashMap<>();
        addTo(m);
        return m;
    }

    private static String name(int index, boolean el2) {
        return el2 ? name(index) + ", to EL2" : name(index);
    }

    static String name(int index) {
        return switch (index) {
            case IRQ -> "IRQ";
            case FIQ -> "FIQ";
            case SERROR -> "SError";
            case Exceptions.EC_UNKNOWN -> "undefined instruction";
            case Exceptions.EC_WFX -> "WFI/WFE trap";
            case Exceptions.EC_ILLEGAL_STATE -> "illegal execution state";
            case Exceptions.EC_SVC -> "SVC";
            case Exceptions.EC_HVC -> "HVC";
            case Exceptions.EC_SMC -> "SMC";
            case Exceptions.EC_SYSREG -> "MSR/MRS/SYS trap";
            case Exceptions.EC_INSN_ABORT_LOWER -> "instruction abort, lower EL";
            case Exceptions.EC_INSN_ABORT_SAME -> "instruction abort, same EL";
            case Exceptions.EC_PC_ALIGNMENT -> "PC alignment";
            case Exceptions.EC_DATA_ABORT_LOWER -> "data abort, lower EL";
            case Exceptions.EC_DATA_ABORT_SAME -> "data abort, same EL";
            case Exceptions.EC_BRK -> "BRK";
            default -> String.format("EC 0x%02x", index);
        };
    }
}
