package dev.jvisor.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The stack a new arm64 Linux process starts with: strings at the top (the executable name first, then argument and
 * environment strings, the platform name and AT_RANDOM's 16 bytes), then, 16-byte aligned at SP, argc, the argv and
 * envp pointer arrays with their NULLs and the auxiliary vector ending in AT_NULL.
 */
final class InitialStack {
    static final int AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
            AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16,
            AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31, AT_MINSIGSTKSZ = 51;

    private InitialStack() {}

    /** Writes the initial stack below {@code top}; returns the SP to start with. */
    static long build(AddressSpace space, long top, List<String> argv, List<String> envp, String execfn,
                      ElfLoader.Image image, long hwcap, Random random) {
        long p = top - 8;
        long execfnAt = p = pushString(space, p, execfn);
        List<Long> envAt = new ArrayList<>(), argAt = new ArrayList<>();
        for (int i = envp.size() - 1; i >= 0; i--) envAt.addFirst(p = pushString(space, p, envp.get(i)));
        for (int i = argv.size() - 1; i >= 0; i--) argAt.addFirst(p = pushString(space, p, argv.get(i)));
        long platformAt = p = pushString(space, p, "aarch64");
        byte[] rnd = new byte[16];
        random.nextBytes(rnd);
        p = (p - 16) & ~15L;
        long randomAt = p;
        space.write(randomAt, rnd);

        long[][] aux = {
            {AT_PHDR, image.phdr()}, {AT_PHENT, 56}, {AT_PHNUM, image.phnum()}, {AT_PAGESZ, AddressSpace.PAGE},
            {AT_BASE, 0}, {AT_FLAGS, 0}, {AT_ENTRY, image.entry()}, {AT_UID, Identity.UID}, {AT_EUID, Identity.UID},
            {AT_GID, Identity.GID}, {AT_EGID, Identity.GID}, {AT_SECURE, 0}, {AT_RANDOM, randomAt},
            {AT_HWCAP, hwcap}, {AT_HWCAP2, 0}, {AT_CLKTCK, 100}, {AT_PLATFORM, platformAt}, {AT_EXECFN, execfnAt},
            {AT_MINSIGSTKSZ, LinuxProcess.MINSIGSTKSZ}, {AT_NULL, 0},
        };
        int words = 1 + argv.size() + 1 + envp.size() + 1 + 2 * aux.length;
        long sp = (p - 8L * words) & ~15L;
        ByteBuffer b = ByteBuffer.allocate(8 * words).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(argv.size());
        for (long a : argAt) b.putLong(a);
        b.putLong(0);
        for (long e : envAt) b.putLong(e);
        b.putLong(0);
        for (long[] pair : aux) b.putLong(pair[0]).putLong(pair[1]);
        space.write(sp, b.array());
        return sp;
    }

    private static long pushString(AddressSpace space, long p, String s) {
        byte[] bytes = LinuxProcess.utf8(s);
        long at = p - bytes.length - 1;
        space.write(at, java.util.Arrays.copyOf(bytes, bytes.length + 1));
        return at;
    }
}
