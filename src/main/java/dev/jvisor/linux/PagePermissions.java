package dev.jvisor.linux;

/**
 * A permission byte per guest page, stored in 1 GiB chunks allocated on first use: a process touches a few GiB of
 * its 64 GiB space, so creating and forking address spaces costs kilobytes, not the 16 MiB a flat table would.
 */
final class PagePermissions {
    private static final int CHUNK_BITS = 18;
    private static final int CHUNK_MASK = (1 << CHUNK_BITS) - 1;

    private final byte[][] chunks;

    PagePermissions(long pages) {
        chunks = new byte[(int) ((pages + CHUNK_MASK) >>> CHUNK_BITS)][];
    }

    int get(long page) {
        byte[] c = chunks[(int) (page >>> CHUNK_BITS)];
        return c == null ? 0 : c[(int) page & CHUNK_MASK];
    }

    void set(long page, int value) {
        chunk(page)[(int) page & CHUNK_MASK] = (byte) value;
    }

    void fill(long first, long last, int value) {
        for (long p = first; p < last; ) {
            long chunkEnd = Math.min(last, ((p >>> CHUNK_BITS) + 1) << CHUNK_BITS);
            byte[] c = value == 0 ? chunks[(int) (p >>> CHUNK_BITS)] : chunk(p);
            if (c != null) java.util.Arrays.fill(c, (int) p & CHUNK_MASK, (int) (chunkEnd - 1 & CHUNK_MASK) + 1,
                    (byte) value);
            p = chunkEnd;
        }
    }

    PagePermissions copy() {
        PagePermissions c = new PagePermissions((long) chunks.length << CHUNK_BITS);
        for (int i = 0; i < chunks.length; i++) if (chunks[i] != null) c.chunks[i] = chunks[i].clone();
        return c;
    }

    private byte[] chunk(long page) {
        int i = (int) (page >>> CHUNK_BITS);
        byte[] c = chunks[i];
        if (c == null) chunks[i] = c = new byte[1 << CHUNK_BITS];
        return c;
    }
}
