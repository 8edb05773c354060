package dev.jvisor.engine.dbt;

import dev.jvisor.memory.CpuMemory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The translation cache shared by every vCPU of one address space: regions by guest PC, and by the host page their
 * code came from, so that a store into that page (self-modifying code, a JIT, a loader) or an IC IVAU drops them.
 * Bounded: past {@link #MAX_REGIONS} translations the whole cache is flushed, and the hidden classes of regions
 * no longer referenced are unloaded by the JVM.
 */
public final class CodeCache implements CpuMemory.CodeWatcher {
    static final int MAX_REGIONS = 32_768;

    private final Map<Long, Region> byPc = new ConcurrentHashMap<>();
    private final Map<Long, List<Region>> byPage = new ConcurrentHashMap<>();
    private final List<CpuMemory> memories = new CopyOnWriteArrayList<>();
    final AtomicLong invalidations = new AtomicLong();
    final AtomicLong flushes = new AtomicLong();

    /** Makes stores through {@code mem} visible to this cache. */
    public void attach(CpuMemory mem) {
        memories.add(mem);
        mem.setCodeWatcher(this);
    }

    public void detach(CpuMemory mem) {
        memories.remove(mem);
    }

    Region lookup(long pc) {
        return byPc.get(pc);
    }

    /** Adds a fresh translation; returns the one to use (another vCPU may have translated the same PC first). */
    Region install(Region r) {
        if (byPc.size() >= MAX_REGIONS) flushAll();
        Region existing = byPc.putIfAbsent(r.pc, r);
        if (existing != null && existing.valid) return existing;
        if (existing != null) byPc.put(r.pc, r);
        for (long page : r.hostPages) {
            byPage.computeIfAbsent(page, p -> new CopyOnWriteArrayList<>()).add(r);
            for (CpuMemory m : memories) m.protectCodePage(page);
        }
        return r;
    }

    @Override
    public void beforeWrite(long hostPage) {
        invalidatePage(hostPage);
    }

    @Override
    public void invalidate(long hostPage, boolean all) {
        if (all) flushAll();
        else invalidatePage(hostPage);
    }

    private void invalidatePage(long hostPage) {
        List<Region> regions = byPage.remove(hostPage);
        if (regions == null) return;
        for (Region r : regions) {
            r.valid = false;
            byPc.remove(r.pc, r);
            invalidations.incrementAndGet();
        }
    }

    void flushAll() {
        List<Region> all = new ArrayList<>(byPc.values());
        byPc.clear();
        byPage.clear();
        for (Region r : all) r.valid = false;
        flushes.incrementAndGet();
    }

    public int size() {
        return byPc.size();
    }
}
