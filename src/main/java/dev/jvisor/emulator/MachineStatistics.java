package dev.jvisor.emulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A machine's figures at one moment, as --stats prints them and --stats-json writes them: instructions per vCPU,
 * exceptions taken by class, hypercalls by function, MMIO accesses by device, and the translator's counts. Every
 * table's total is the sum of its rows.
 */
public record MachineStatistics(double seconds, List<Long> instructionsPerVcpu, List<Double> idleSecondsPerVcpu,
                                Map<String, Long> exceptions,
                                Map<String, Long> hypercalls, Map<String, Device> mmio, Map<String, Long> translator) {
    /** One device's MMIO accesses. */
    public record Device(long reads, long writes) {
        public long total() {
            return reads + writes;
        }
    }

    public long instructions() {
        return instructionsPerVcpu.stream().mapToLong(Long::longValue).sum();
    }

    public static long total(Map<String, Long> table) {
        return table.values().stream().mapToLong(Long::longValue).sum();
    }

    public long mmioTotal() {
        return mmio.values().stream().mapToLong(Device::total).sum();
    }

    public String toText() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < instructionsPerVcpu.size(); i++) {
            sb.append(String.format("vcpu%d: %,d instructions, %.2f s idle in WFI%n", i, instructionsPerVcpu.get(i),
                    idleSecondsPerVcpu.get(i)));
        }
        sb.append(String.format("total: %,d instructions in %.2f s (%.0f MIPS)%n", instructions(), seconds,
                instructions() / seconds / 1e6));
        table(sb, "exceptions taken", exceptions);
        table(sb, "hypercalls", hypercalls);
        if (!mmio.isEmpty()) {
            sb.append(String.format("MMIO accesses (%,d):%n", mmioTotal()));
            mmio.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().total(), a.getValue().total()))
                    .forEach(e -> sb.append(String.format("  %-30s %,12d reads %,12d writes%n", e.getKey(),
                            e.getValue().reads(), e.getValue().writes())));
        }
        if (!translator.isEmpty()) {
            sb.append("translator:").append(System.lineSeparator());
            translator.forEach((k, v) -> sb.append(String.format("  %-30s %,d%n", k, v)));
        }
        return sb.toString();
    }

    private static void table(StringBuilder sb, String title, Map<String, Long> counts) {
        if (counts.isEmpty()) return;
        sb.append(String.format("%s (%,d):%n", title, total(counts)));
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sb.append(String.format("  %-44s %,d%n", e.getKey(), e.getValue())));
    }

    public String toJson() {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"seconds\": ").append(String.format("%.3f", seconds)).append(",\n");
        sb.append("  \"instructions\": ").append(instructions()).append(",\n");
        sb.append("  \"instructions_per_vcpu\": ").append(instructionsPerVcpu).append(",\n");
        sb.append("  \"idle_seconds_per_vcpu\": ").append(idleSecondsPerVcpu.stream()
                .map(d -> String.format("%.3f", d)).toList()).append(",\n");
        object(sb, "exceptions", exceptions, total(exceptions));
        object(sb, "hypercalls", hypercalls, total(hypercalls));
        Map<String, Long> reads = new LinkedHashMap<>(), writes = new LinkedHashMap<>();
        mmio.forEach((k, v) -> {
            reads.put(k, v.reads());
            writes.put(k, v.writes());
        });
        sb.append("  \"mmio\": {\"total\": ").append(mmioTotal()).append(", \"reads\": ");
        map(sb, reads);
        sb.append(", \"writes\": ");
        map(sb, writes);
        sb.append("},\n  \"translator\": ");
        map(sb, translator);
        return sb.append("\n}\n").toString();
    }

    private static void object(StringBuilder sb, String name, Map<String, Long> counts, long total) {
        sb.append("  \"").append(name).append("\": {\"total\": ").append(total).append(", \"by_kind\": ");
        map(sb, counts);
        sb.append("},\n");
    }

    private static void map(StringBuilder sb, Map<String, Long> counts) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            if (!first) sb.append(", ");
            first = false;
            sb.append('"').append(e.getKey().replace("\\", "\\\\").replace("\"", "\\\"")).append("\": ")
                    .append(e.getValue());
        }
        sb.append('}');
    }
}
