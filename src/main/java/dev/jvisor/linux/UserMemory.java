package dev.jvisor.linux;

import dev.jvisor.memory.Access;
import dev.jvisor.memory.CpuMemory;
import dev.jvisor.memory.MemoryFault;

/**
 * One guest thread's view of its process's {@link AddressSpace}: translation is the identity (addend 0) behind the
 * per-page permission check, and the TLB is flushed whenever the space's mapping epoch moved on.
 */
public final class UserMemory extends CpuMemory {
    private final AddressSpace space;
    private long seenEpoch;

    public UserMemory(AddressSpace space) {
        super(space.ram().segment());
        this.space = space;
        this.seenEpoch = space.epoch();
    }

    public AddressSpace space() {
        return space;
    }

    @Override
    protected long translatePage(long va, Access access) {
        int p = space.pagePerms(va);
        if ((p & AddressSpace.MAPPED) == 0) throw new MemoryFault(MemoryFault.Kind.TRANSLATION, va, access);
        int need = switch (access) {
            case READ -> AddressSpace.PROT_READ;
            case WRITE -> AddressSpace.PROT_WRITE;
            case EXECUTE -> AddressSpace.PROT_EXEC;
        };
        if ((p & need) == 0) throw new MemoryFault(MemoryFault.Kind.PERMISSION, va, access);
        return 0;
    }

    /** Drops stale translations if any thread changed the mappings since this view last looked. */
    public void sync() {
        long now = space.epoch();
        if (now != seenEpoch) {
            seenEpoch = now;
            flushTlb();
        }
    }
}
