package dev.jvisor.kvm.microvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jvisor.UserError;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A freestanding, statically linked x86-64 ELF executable, checked and ready to copy into guest RAM. It knows
 * nothing of KVM: it loads into any segment that stands for guest-physical memory from address 0.
 */
public final class ElfImage {
    /** A PT_LOAD segment: file bytes [offset, offset+fileSize) at physical address, zero-filled to memSize. */
    record Load(long address, long offset, long fileSize, long memSize) {}

    private static final int PT_LOAD = 1, ET_EXEC = 2, EM_X86_64 = 62;

    private final String name;
    private final byte[] file;
    private final long entry;
    private final List<Load> loads;
    private final long end;

    private ElfImage(String name, byte[] file, long entry, List<Load> loads, long end) {
        this.name = name;
        this.file = file;
        this.entry = entry;
        this.loads = loads;
        this.end = end;
    }

    /** Reads and validates a guest program; anything wrong with it is a {@link UserError}. */
    public static ElfImage read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new UserError(path + ": no such file");
        } catch (IOException e) {
            throw new UserError(path + ": cannot read: " + e.getMessage());
        }
        return parse(path.toString(), bytes);
    }

    static ElfImage parse(String name, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 64 || b.getInt(0) != 0x464c457f) throw bad(name, "not an ELF file");
        if (bytes[4] != 2 || bytes[5] != 1) throw bad(name, "not a 64-bit little-endian ELF file");
        if (b.getShort(18) != EM_X86_64) throw bad(name, "not an x86-64 program");
        if (b.getShort(16) != ET_EXEC) throw bad(name, "not a statically linked executable (ET_EXEC)");
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        if (phentsize < 56 || phoff < 0 || phoff + (long) phnum * phentsize > bytes.length) {
            throw bad(name, "program headers lie outside the file");
        }
        List<Load> loads = new ArrayList<>();
        long end = 0;
        boolean entryLoaded = false;
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            if (b.getInt(at) != PT_LOAD) continue;
            long offset = b.getLong(at + 8), paddr = b.getLong(at + 24);
            long fileSize = b.getLong(at + 32), memSize = b.getLong(at + 40);
            if (offset < 0 || fileSize < 0 || offset + fileSize > bytes.length || fileSize > memSize) {
                throw bad(name, "segment " + i + " lies outside the file");
            }
            if (paddr < LongMode.LOAD_BASE || memSize > LongMode.MAX_RAM || paddr + memSize > LongMode.MAX_RAM) {
                throw bad(name, String.format("segment %d at 0x%x is outside the guest load area (0x%x and up)", i,
                        paddr, LongMode.LOAD_BASE));
            }
            loads.add(new Load(paddr, offset, fileSize, memSize));
            end = Math.max(end, paddr + memSize);
            entryLoaded |= entry >= paddr && entry < paddr + memSize;
        }
        if (loads.isEmpty()) throw bad(name, "has nothing to load");
        if (!entryLoaded) throw bad(name, String.format("entry point 0x%x is not in a loaded segment", entry));
        return new ElfImage(name, bytes, entry, List.copyOf(loads), end);
    }

    private static UserError bad(String name, String why) {
        return new UserError(name + ": " + why);
    }

    public long entry() {
        return entry;
    }

    /** One past the highest guest-physical byte the program occupies. */
    public long end() {
        return end;
    }

    /** Copies the program into guest memory, which must be large enough (see {@link #end}). */
    public void loadInto(MemorySegment guestPhysical) {
        if (end > guestPhysical.byteSize()) {
            throw new UserError(String.format("%s needs %d MiB of guest memory", name, (end + (1 << 20) - 1) >> 20));
        }
        for (Load l : loads) {
            MemorySegment.copy(file, (int) l.offset(), guestPhysical, JAVA_BYTE, l.address(), (int) l.fileSize());
            guestPhysical.asSlice(l.address() + l.fileSize(), l.memSize() - l.fileSize()).fill((byte) 0);
        }
    }
}
