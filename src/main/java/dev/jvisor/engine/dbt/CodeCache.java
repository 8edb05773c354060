package dev.jvisor.engine.dbt;

import dev.jvisor.memory.CpuMemory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The translation cache shared by every vCPU of one address space or machine: regions by guest PC, and by the host
 * page their code came from, so that a store into that page (self-modifying code, a JIT, a loader) or an IC IVAU
 * drops them. A translation depends on the virtual PC (PC-relative addresses, branch targets) and on the physical
 * code, so under a system MMU several regions may share a PC, one per physical page that PC has been seen mapped to
 * (two processes' programs at the same address); a lookup picks the one whose pages the CPU fetches from now.
 * Nothing else of the translation regime shapes the code: permissions and the exception level are checked when
 * the code runs.
 * Bounded: past {@link #MAX_REGIONS} translations the whole cache is flushed, and the hidden classes of regions
 * no longer referenced are unloaded by the JVM.
 */
public final class CodeCache implements CpuMemory.CodeWatcher {
    static final int MAX_REGIONS = 32_768;

    /** Per PC, the regions translated there, newest first; a new array replaces the old on every change. */
    private final Map<Long, Region[]> byPc = new ConcurrentHashMap<>();
    private final AtomicInteger regions = new AtomicInteger();
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

    /** The valid region at {@code pc} whose code {@code mem} fetches there now, or null. */
    Region lookup(long pc, CpuMemory mem) {
        Region[] at = byPc.get(pc);
        if (at == null) return null;
        boolean check = mem.remaps();
        for (Region r : at) {
            if (r.valid && (!check || r.matches(mem))) return r;
        }
        return null;
    }

    /**
     * Adds a fresh translation, made from the code {@code mem} fetches now; returns the one to use (another vCPU
     * may have translated the same code first).
     */
    Region install(Region r, CpuMemory mem) {
        if (regions.get() >= MAX_REGIONS) flushAll();
        Region[] chosen = new Region[1];
        byPc.compute(r.pc, (pc, at) -> {
            List<Region> keep = new ArrayList<>();
            if (at != null) {
                for (Region old : at) {
                    if (!old.valid) continue;
                    if (chosen[0] == null && (!mem.remaps() || old.matches(mem))) chosen[0] = old;
                    keep.add(old);
                }
            }
            if (chosen[0] != null) return at;
            chosen[0] = r;
            keep.addFirst(r);
            regions.addAndGet(keep.size() - (at == null ? 0 : at.length));
            return keep.toArray(Region[]::new);
        });
        if (chosen[0] != r) return chosen[0];
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
            byPc.computeIfPresent(r.pc, (pc, at) -> {
                Region[] rest = Arrays.stream(at).filter(x -> x != r).toArray(Region[]::new);
                this.regions.addAndGet(rest.length - at.length);
                return rest.length == 0 ? null : rest;
            });
            invalidations.incrementAndGet();
        }
    }

    void flushAll() {
        List<Region[]> all = new ArrayList<>(byPc.values());
        byPc.clear();
        byPage.clear();
        regions.set(0);
        for (Region[] at : all) {
            for (Region r : at) r.valid = false;
        }
        flushes.incrementAndGet();
    }

    /** Regions dropped because their code was written or IC IVAU named it. */
    public long invalidationCount() {
        return invalidations.get();
    }

    /** Times the whole cache was dropped (IC IALLU, or full). */
    public long flushCount() {
        return flushes.get();
    }

    public int size() {
        return regions.get();
    }
}
