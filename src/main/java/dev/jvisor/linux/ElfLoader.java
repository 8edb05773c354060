package dev.jvisor.linux;

import dev.jvisor.UserError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Loads a static AArch64 ELF64 executable (ET_EXEC, or ET_DYN without an interpreter: static-pie) into an
 * {@link AddressSpace} the way the kernel's binfmt_elf does for such files: each PT_LOAD's file pages are copied
 * in (from the page-aligned file offset, so headers that share the first page are visible), the part of the last
 * file page past p_filesz is zeroed when the segment has a bss, and the rest of p_memsz is fresh zero pages.
 * Everything wrong with the file is a {@link UserError} naming the problem.
 */
public final class ElfLoader {
    static final int PT_LOAD = 1, PT_INTERP = 3, PT_PHDR = 6;
    static final int ET_EXEC = 2, ET_DYN = 3;
    static final int EM_AARCH64 = 183, EM_X86_64 = 62;
    private static final int EHDR_SIZE = 64, PHDR_SIZE = 56;

    /** What the initial stack's auxiliary vector needs to know about the loaded program. */
    public record Image(long entry, long phdr, int phnum, long loadBias, long end) {}

    private ElfLoader() {}

    public static Image load(Path path, AddressSpace space) {
        return load(path.toString(), readFile(path), space);
    }

    /** Loads an image already in memory; {@code name} is what error messages call it. */
    public static Image load(String name, byte[] file, AddressSpace space) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < 4 || b.getInt(0) != 0x464C457F) throw new UserError(name + ": not an ELF file");
        if (file.length < EHDR_SIZE) throw new UserError(name + ": truncated ELF header");
        if (file[4] != 2) throw new UserError(name + ": not a 64-bit ELF file (only AArch64 ELF64 is supported)");
        if (file[5] != 1) throw new UserError(name + ": not a little-endian ELF file");
        int type = b.getShort(16) & 0xFFFF, machine = b.getShort(18) & 0xFFFF;
        if (machine != EM_AARCH64) {
            throw new UserError(name + ": ELF for " + machineName(machine) + ", not AArch64");
        }
        if (type != ET_EXEC && type != ET_DYN) throw new UserError(name + ": not an executable (ELF type " + type + ")");
        long entry = b.getLong(24), phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xFFFF, phnum = b.getShort(56) & 0xFFFF;
        if (phentsize != PHDR_SIZE) throw new UserError(name + ": malformed ELF (program header size " + phentsize + ")");
        if (phnum == 0) throw new UserError(name + ": malformed ELF (no program headers)");
        if (phoff < 0 || phoff > file.length || (long) phnum * PHDR_SIZE > file.length - phoff) {
            throw new UserError(name + ": truncated ELF (program headers past the end of the file)");
        }

        long low = Long.MAX_VALUE, high = 0, phdrVaddr = -1;
        int loads = 0;
        for (int i = 0; i < phnum; i++) {
            int at = (int) phoff + i * PHDR_SIZE;
            int ptype = b.getInt(at);
            long offset = b.getLong(at + 8), vaddr = b.getLong(at + 16), filesz = b.getLong(at + 32),
                    memsz = b.getLong(at + 40);
            if (ptype == PT_INTERP) {
                throw new UserError(name + ": dynamically linked (needs an ELF interpreter); only static programs "
                        + "are supported");
            }
            if (ptype == PT_PHDR) phdrVaddr = vaddr;
            if (ptype != PT_LOAD) continue;
            loads++;
            if (filesz < 0 || memsz < 0 || filesz > memsz) {
                throw new UserError(name + ": malformed ELF (segment " + i + " has p_filesz > p_memsz)");
            }
            if (filesz > 0 && (offset < 0 || offset > file.length || filesz > file.length - offset)) {
                throw new UserError(name + ": truncated ELF (segment " + i + " extends past the end of the file)");
            }
            if (((vaddr - offset) & (AddressSpace.PAGE - 1)) != 0) {
                throw new UserError(name + ": malformed ELF (segment " + i + " p_vaddr and p_offset disagree modulo "
                        + "the page size)");
            }
            if (vaddr < 0 || memsz > Long.MAX_VALUE - vaddr) {
                throw new UserError(name + ": malformed ELF (segment " + i + " address out of range)");
            }
            low = Math.min(low, vaddr);
            high = Math.max(high, vaddr + memsz);
        }
        if (loads == 0) throw new UserError(name + ": malformed ELF (nothing to load)");

        long bias = type == ET_DYN ? AddressSpace.PIE_BASE - AddressSpace.pageDown(low) : 0;
        long lowMapped = AddressSpace.pageDown(low) + bias, highMapped = AddressSpace.pageUp(high) + bias;
        if (lowMapped < AddressSpace.MIN_ADDR || highMapped > space.size() - AddressSpace.STACK_SIZE * 2) {
            throw new UserError(name + String.format(": segments at 0x%x..0x%x do not fit the guest address space",
                    lowMapped, highMapped));
        }
        boolean entryLoaded = false;
        for (int i = 0; i < phnum; i++) {
            int at = (int) phoff + i * PHDR_SIZE;
            if (b.getInt(at) != PT_LOAD) continue;
            int flags = b.getInt(at + 4);
            long offset = b.getLong(at + 8), vaddr = b.getLong(at + 16) + bias, filesz = b.getLong(at + 32),
                    memsz = b.getLong(at + 40);
            if (memsz == 0) continue;
            loadSegment(space, file, offset, vaddr, filesz, memsz, protOf(flags));
            if (entry + bias >= vaddr && entry + bias < vaddr + memsz && (flags & 1) != 0) entryLoaded = true;
            if (phdrVaddr < 0 && phoff >= offset && phoff + (long) phnum * PHDR_SIZE <= offset + filesz) {
                phdrVaddr = vaddr - bias + (phoff - offset);
            }
        }
        if (!entryLoaded) {
            throw new UserError(name + String.format(": malformed ELF (entry point 0x%x is not in an executable "
                    + "segment)", entry));
        }
        return new Image(entry + bias, phdrVaddr < 0 ? 0 : phdrVaddr + bias, phnum, bias, high + bias);
    }

    private static void loadSegment(AddressSpace space, byte[] file, long offset, long vaddr, long filesz, long memsz,
                                    int prot) {
        long start = AddressSpace.pageDown(vaddr);
        long end = AddressSpace.pageUp(vaddr + memsz);
        space.mapZero(start, end - start, prot);
        // A segment with nothing from the file (a lone .bss) is plain zero pages, whatever its p_offset says.
        if (filesz == 0) return;
        // Like a file mapping: the page starts at the page-aligned file offset, and when there is no bss the last
        // page shows the file's following bytes too; with a bss, they are zero.
        long fileFrom = offset - (vaddr - start);
        long fileTo = memsz > filesz ? offset + filesz : Math.min(file.length, AddressSpace.pageUp(offset + filesz));
        space.ram().copyIn(start, file, (int) fileFrom, (int) (fileTo - fileFrom));
    }

    private static int protOf(int pflags) {
        int prot = 0;
        if ((pflags & 4) != 0) prot |= AddressSpace.PROT_READ;
        if ((pflags & 2) != 0) prot |= AddressSpace.PROT_WRITE;
        if ((pflags & 1) != 0) prot |= AddressSpace.PROT_EXEC;
        return prot;
    }

    private static String machineName(int machine) {
        return switch (machine) {
            case EM_X86_64 -> "x86-64";
            case 3 -> "i386";
            case 40 -> "32-bit ARM";
            case 243 -> "RISC-V";
            case 8 -> "MIPS";
            case 21 -> "PowerPC64";
            default -> "machine " + machine;
        };
    }

    private static byte[] readFile(Path path) {
        try {
            if (Files.isDirectory(path)) throw new UserError(path + ": is a directory");
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new UserError(path + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UserError(path + ": permission denied");
        } catch (IOException e) {
            throw new UserError(path + ": cannot read: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new UserError(path + ": too large to load");
        }
    }
}
