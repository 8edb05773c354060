package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.Cpu;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exceptions one vCPU has taken, by kind: synchronous ones by exception class (ESR.EC), then IRQ, FIQ and SError.
 * Written by the vCPU's own thread only; readers on other threads may see a count a few events behind.
 */
public final class ExceptionCounts {
    /** Told about every exception as it is taken (a tracer); called on the vCPU's thread. */
    @FunctionalInterface
    public interface Listener {
        void taken(Cpu c, String kind, long esr, long returnAddress);
    }

    private static final int IRQ = 64, FIQ = 65, SERROR = 66;
    private final long[] counts = new long[67];
    private Listener listener;

    public void setListener(Listener listener) {
        this.listener = listener;
    }

    void taken(Cpu c, int vector, long esr, long returnAddress) {
        int index = switch (vector) {
            case Exceptions.IRQ -> IRQ;
            case Exceptions.FIQ -> FIQ;
            case Exceptions.SERROR -> SERROR;
            default -> (int) (esr >>> 26 & 63);
        };
        counts[index]++;
        if (listener != null) listener.taken(c, name(index), vector == Exceptions.SYNC ? esr | Exceptions.IL : 0, returnAddress);
    }

    /** Adds these counts to {@code into}, keyed by a readable name ("SVC", "data abort, same EL", "IRQ"). */
    public void addTo(Map<String, Long> into) {
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) into.merge(name(i), counts[i], Long::sum);
        }
    }

    /** All counts by name, in class order. */
    public Map<String, Long> byName() {
        Map<String, Long> m = new LinkedHashMap<>();
        addTo(m);
        return m;
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
