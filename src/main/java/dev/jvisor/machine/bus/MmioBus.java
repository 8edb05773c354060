package dev.jvisor.machine.bus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The guest-physical MMIO bus: non-overlapping address ranges, each owned by one {@link Device}. Lookups are a floor
 * search in a sorted map. Devices are mapped while the machine is built; after that the bus is read from vCPU
 * threads concurrently, which the copy-on-write map makes safe without locking the access path.
 */
public final class MmioBus {
    /** One mapped range, with the accesses it has served. */
    public record Mapping(long base, long size, Device device, LongAdder reads, LongAdder writes) {
        public long end() {
            return base + size;
        }
    }

    /** Told about every access that reached a device (a tracer); called on the accessing thread. */
    @FunctionalInterface
    public interface AccessListener {
        void access(String device, long base, long offset, int size, long value, boolean write);
    }

    private volatile AccessListener listener;

    public void setListener(AccessListener listener) {
        this.listener = listener;
    }

    private volatile TreeMap<Long, Mapping> ranges = new TreeMap<>(Long::compareUnsigned);

    /** Maps {@code device} at [base, base+size); overlapping an existing range is an error. */
    public synchronized void map(long base, long size, Device device) {
        if (size <= 0) throw new IllegalArgumentException("empty range for " + device.name());
        if (Long.compareUnsigned(base + size - 1, base) < 0) {
            throw new IllegalArgumentException(device.name() + " range wraps around the address space");
        }
        TreeMap<Long, Mapping> next = new TreeMap<>(ranges);
        Map.Entry<Long, Mapping> below = next.floorEntry(base + size - 1);
        if (below != null && Long.compareUnsigned(base, below.getValue().end()) < 0) {
            Mapping other = below.getValue();
            throw new IllegalArgumentException(String.format("%s at 0x%x+0x%x overlaps %s at 0x%x+0x%x",
                    device.name(), base, size, other.device().name(), other.base(), other.size()));
        }
        next.put(base, new Mapping(base, size, device, new LongAdder(), new LongAdder()));
        ranges = next;
    }

    /** The mapping containing {@code address}, or null. */
    public Mapping find(long address) {
        Map.Entry<Long, Mapping> e = ranges.floorEntry(address);
        if (e == null) return null;
        Mapping m = e.getValue();
        return Long.compareUnsigned(address - m.base(), m.size()) < 0 ? m : null;
    }

    public long read(long address, int size) {
        Mapping m = claim(address, size);
        m.reads().increment();
        long value = m.device().read(address - m.base(), size);
        AccessListener l = listener;
        if (l != null) l.access(m.device().name(), m.base(), address - m.base(), size, value, false);
        return value;
    }

    public void write(long address, int size, long value) {
        Mapping m = claim(address, size);
        m.writes().increment();
        AccessListener l = listener;
        if (l != null) l.access(m.device().name(), m.base(), address - m.base(), size, value, true);
        m.device().write(address - m.base(), size, value);
    }

    private Mapping claim(long address, int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new BusAccessException(size + "-byte access at 0x" + Long.toHexString(address), address);
        }
        Mapping m = find(address);
        if (m == null) {
            throw new BusAccessException("no device at 0x" + Long.toHexString(address), address);
        }
        if (Long.compareUnsigned(address - m.base() + size, m.size()) > 0) {
            throw new BusAccessException(String.format("%d-byte access at 0x%x runs past the end of %s", size,
                    address, m.device().name()), address);
        }
        return m;
    }

    /** All mappings in address order. */
    public List<Mapping> mappings() {
        return new ArrayList<>(ranges.values());
    }
}
