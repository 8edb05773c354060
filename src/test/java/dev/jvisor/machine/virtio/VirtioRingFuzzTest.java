package dev.jvisor.machine.virtio;

import static dev.jvisor.machine.virtio.VirtioTestDriver.Buffer.out;
import static dev.jvisor.machine.virtio.VirtioTestDriver.RAM_BASE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jvisor.machine.bus.BusAccessException;
import dev.jvisor.memory.GuestRam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random malformed rings against all three devices, with a fixed seed. RAM is laid out so that the fuzzed device may
 * legitimately write only its used rings and a buffer area at the top of RAM: everything else (a random canary, its
 * own descriptor tables and available rings, the memory of a second, well-behaved device) must come through
 * unchanged, no exception may escape, and the second device must keep working.
 */
class VirtioRingFuzzTest {
    private static final long RAM_SIZE = 256 << 10;
    private static final long RAM_END = RAM_BASE + RAM_SIZE;
    private static final long CANARY_END = RAM_BASE + 0x8000;
    private static final long GOOD_AREA = CANARY_END;
    private static final long GOOD_END = RAM_BASE + 0x10000;
    private static final long RINGS = RAM_BASE + 0x10000;
    private static final long RING_STRIDE = 0x8000;
    private static final long BUFFERS = RAM_BASE + 0x20000;
    private static final long TABLES = BUFFERS;
    private static final int TABLES_SIZE = 0x4000;
    private static final long HEADER = BUFFERS + TABLES_SIZE;
    private static final long DATA = HEADER + 0x100;
    private static final int ITERATIONS = 10_000;

    @TempDir
    Path dir;
    private GuestRam ram;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void setUp() {
        ram = GuestRam.reserve(RAM_SIZE);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing) c.close();
        ram.release();
    }

    /** The fuzzed device's rings: queue i at RINGS + i * RING_STRIDE, each with room for 256 entries. */
    private static long descriptors(int queue) {
        return RINGS + queue * RING_STRIDE;
    }

    private static long available(int queue) {
        return descriptors(queue) + 0x1000;
    }

    private static long used(int queue) {
        return descriptors(queue) + 0x2000;
    }

    private static boolean allowed(long address, long length, int queues, int size) {
        if (address >= BUFFERS && address + length <= RAM_END) return true;
        for (int q = 0; q < queues; q++) {
            if (address >= used(q) && address + length <= used(q) + 6 + 8L * size) return true;
        }
        return false;
    }

    private long randomAddress(Random r, int size) {
        int pick = r.nextInt(100);
        if (pick < 50) return BUFFERS + r.nextInt((int) (RAM_END - BUFFERS));
        if (pick < 60) return HEADER;
        if (pick < 70) return TABLES + 16L * r.nextInt(TABLES_SIZE / 16);
        if (pick < 78) return RAM_END - r.nextInt(64);
        if (pick < 86) return RAM_BASE - 1 - r.nextInt(4096);
        if (pick < 90) return -16L * (1 + r.nextInt(8));
        return r.nextLong();
    }

    private static int randomLength(Random r, int size) {
        int pick = r.nextInt(100);
        if (pick < 45) return r.nextInt(2048);
        if (pick < 55) return 0;
        if (pick < 70) return 16 * (1 + r.nextInt(size + 2));
        if (pick < 75) return 16 + 512 * r.nextInt(3);
        if (pick < 85) return -1;
        return r.nextInt();
    }

    private void randomDescriptor(VirtioTestDriver d, Random r, long table, int index, int size) {
        int flags = r.nextInt(100) < 80 ? r.nextInt(8) : r.nextInt(0x10000);
        int next = r.nextInt(100) < 85 ? r.nextInt(size) : r.nextInt(0x10000);
        d.writeDescriptor(table, index, randomAddress(r, size), randomLength(r, size), flags, next);
    }

    private int tablesUsed;

    /** A buffer of up to 1 KiB somewhere in the data area. */
    private static long dataAddress(Random r, int length) {
        return DATA + r.nextInt((int) (RAM_END - DATA) - length);
    }

    /**
     * Chains of one to four descriptors (readable ones first, the first often the request header), some through
     * indirect tables, all made available: a ring a correct driver could have written.
     */
    private void wellFormedRing(VirtioTestDriver d, Random r, int q, int size, boolean indirect, int deviceId) {
        int chains = 0;
        for (int next = 0; next < size; chains++) {
            int length = 1 + r.nextInt(Math.min(4, size - next));
            long table = descriptors(q);
            int first = next;
            int head = next;
            if (indirect && r.nextInt(3) == 0 && tablesUsed + length <= TABLES_SIZE / 16) {
                table = TABLES + 16L * tablesUsed;
                first = 0;
                d.writeDescriptor(descriptors(q), head, table, 16 * length, Virtqueue.DESC_F_INDIRECT, 0);
                tablesUsed += length;
                next++;
            } else {
                next += length;
            }
            // Mostly the split the device expects, sometimes any split.
            int readable = r.nextInt(10) < 3 ? r.nextInt(length + 1) : switch (deviceId) {
                case VirtioBlock.DEVICE_ID -> length - 1;
                case VirtioConsole.DEVICE_ID -> q == VirtioConsole.TRANSMIT_QUEUE ? length : 0;
                default -> 0;
            };
            for (int i = 0; i < length; i++) {
                boolean writable = i >= readable;
                boolean header = i == 0 && !writable && (deviceId == VirtioBlock.DEVICE_ID || r.nextBoolean());
                int bytes = header ? 16 * (1 + r.nextInt(3)) : 1 + r.nextInt(1024);
                long address = header ? HEADER : dataAddress(r, bytes);
                int flags = (writable ? Virtqueue.DESC_F_WRITE : 0) | (i + 1 < length ? Virtqueue.DESC_F_NEXT : 0);
                d.writeDescriptor(table, first + i, address, bytes, flags, first + i + 1);
            }
            d.write16(available(q) + 4 + 2L * chains, head);
        }
        d.write16(available(q), r.nextInt(4) == 0 ? Virtqueue.AVAIL_F_NO_INTERRUPT : 0);
        d.write16(available(q) + 4 + 2L * size, r.nextInt(0x10000));
        d.write16(available(q) + 2, chains);
    }

    /** One way a driver can get a ring wrong. */
    private void mutate(VirtioTestDriver d, Random r, int q, int size) {
        long table = descriptors(q);
        int victim = r.nextInt(size);
        long at = table + 16L * victim;
        switch (r.nextInt(8)) {
            case 0 -> randomDescriptor(d, r, table, victim, size);
            case 1 -> d.write16(at + 12, d.read16(at + 12) ^ 1 << r.nextInt(3));
            case 2 -> {
                // Point a descriptor back into its own chain.
                d.write16(at + 12, d.read16(at + 12) | Virtqueue.DESC_F_NEXT);
                d.write16(at + 14, Math.max(0, victim - r.nextInt(3)));
            }
            case 3 -> d.write16(available(q) + 2, r.nextInt(0x10000));
            case 4 -> d.write16(available(q) + 4 + 2L * r.nextInt(size), r.nextBoolean() ? size : r.nextInt(0x10000));
            case 5 -> d.write32(at + 8, r.nextBoolean() ? -1 : r.nextInt());
            case 6 -> {
                long address = randomAddress(r, size);
                d.write32(at, (int) address);
                d.write32(at + 4, (int) (address >>> 32));
            }
            default -> randomDescriptor(d, r, TABLES, r.nextInt(Math.max(1, tablesUsed)), size);
        }
    }

    private static byte[] header(Random r) {
        int[] types = {VirtioBlock.T_IN, VirtioBlock.T_OUT, VirtioBlock.T_FLUSH, VirtioBlock.T_GET_ID,
            VirtioBlock.T_DISCARD, VirtioBlock.T_WRITE_ZEROES, r.nextInt()};
        byte[] h = new byte[48];
        r.nextBytes(h);
        int type = types[r.nextInt(types.length)];
        long sector = r.nextInt(100) < 80 ? r.nextInt(140) : r.nextLong();
        for (int i = 0; i < 4; i++) h[i] = (byte) (type >>> 8 * i);
        for (int i = 0; i < 8; i++) h[8 + i] = (byte) (sector >>> 8 * i);
        // Plausible discard ranges follow the header.
        for (int i = 0; i < 8; i++) h[16 + i] = (byte) ((r.nextInt(140) & 0xFF) >>> 8 * i);
        return h;
    }

    @Test
    @Timeout(120)
    void malformedRingsNeverEscapeTheirBuffers() throws IOException, InterruptedException {
        Random r = new Random(0x5EED_F022L);
        byte[] canary = new byte[(int) (CANARY_END - RAM_BASE)];
        r.nextBytes(canary);
        ram.copyIn(0, canary, 0, canary.length);
        byte[] buffers = new byte[(int) (RAM_END - BUFFERS)];
        r.nextBytes(buffers);
        ram.copyIn(BUFFERS - RAM_BASE, buffers, 0, buffers.length);

        Path image = dir.resolve("fuzz.img");
        Files.write(image, new byte[64 * 1024]);
        VirtioBlock block = VirtioBlock.open(image, false);
        closing.add(block);
        long[] consoleBytes = {0};
        VirtioConsole console = new VirtioConsole(b -> consoleBytes[0]++);
        VirtioDevice[] devices = {block, new VirtioRng(), console};
        VirtioTestDriver[] fuzzed = new VirtioTestDriver[devices.length];
        for (int i = 0; i < devices.length; i++) {
            fuzzed[i] = new VirtioTestDriver(ram, devices[i], BUFFERS, RAM_END);
        }
        VirtioTestDriver good = new VirtioTestDriver(ram, new VirtioRng(), GOOD_AREA, GOOD_END);
        good.init(0, 8);

        int needsReset = 0;
        int completed = 0;
        byte[] before = new byte[(int) (BUFFERS - RAM_BASE)];
        byte[] after = new byte[before.length];
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            int which = iteration % devices.length;
            VirtioDevice device = devices[which];
            VirtioTestDriver d = fuzzed[which];
            long features = 1L << VirtioMmio.F_VERSION_1;
            if (r.nextBoolean()) features |= 1L << VirtioMmio.F_INDIRECT_DESC;
            if (r.nextBoolean()) features |= 1L << VirtioMmio.F_EVENT_IDX;
            assertTrue(d.negotiate(features));
            int size = 1 << r.nextInt(Integer.numberOfTrailingZeros(device.maxQueueSize()) + 1);
            int queues = device.queueCount();
            List<VirtioTestDriver.Queue> qs = new ArrayList<>();
            for (int q = 0; q < queues; q++) {
                // A driver hands the device zeroed rings.
                ram.zero(descriptors(q) - RAM_BASE, RING_STRIDE);
                qs.add(d.setUpQueueAt(q, size, descriptors(q), available(q), used(q)));
            }
            d.setReg(VirtioMmio.STATUS, d.status() | VirtioMmio.STATUS_DRIVER_OK);

            tablesUsed = 0;
            boolean indirect = (features & 1L << VirtioMmio.F_INDIRECT_DESC) != 0;
            for (int q = 0; q < queues; q++) wellFormedRing(d, r, q, size, indirect, device.deviceId());
            for (int m = r.nextInt(4); m > 0; m--) mutate(d, r, r.nextInt(queues), size);
            byte[] h = header(r);
            ram.copyIn(HEADER - RAM_BASE, h, 0, h.length);

            ram.copyOut(0, before, 0, before.length);
            d.deviceWrites.clear();
            if (device == console) console.receive(new byte[] {(byte) iteration}, 0, 1);
            for (int kick = 0; kick < 1 + r.nextInt(3); kick++) d.kick(qs.get(r.nextInt(queues)));
            ram.copyOut(0, after, 0, after.length);

            for (long[] w : d.deviceWrites) {
                if (!allowed(w[0], w[1], queues, size)) {
                    fail("iteration " + iteration + ": device wrote [0x" + Long.toHexString(w[0]) + ", +" + w[1] + ")");
                }
            }
            // Below the buffers, only the used rings may change.
            long from = RAM_BASE;
            for (int q = 0; q <= queues; q++) {
                long to = q < queues ? used(q) : BUFFERS;
                int at = Arrays.mismatch(before, (int) (from - RAM_BASE), (int) (to - RAM_BASE),
                        after, (int) (from - RAM_BASE), (int) (to - RAM_BASE));
                if (at >= 0) fail("iteration " + iteration + ": byte at 0x" + Long.toHexString(from + at) + " changed");
                if (q < queues) from = used(q) + 6 + 8L * size;
            }
            boolean anyUsed = false;
            for (VirtioTestDriver.Queue q : qs) {
                for (VirtioTestDriver.Used u : d.used(q)) {
                    assertTrue(u.id() >= 0 && u.id() < size, "used id " + u.id());
                    anyUsed = true;
                }
            }
            if (anyUsed) completed++;
            if ((d.status() & VirtioMmio.STATUS_DEVICE_NEEDS_RESET) != 0) {
                needsReset++;
                assertTrue(d.transport.error() != null);
                assertTrue((d.reg(VirtioMmio.INTERRUPT_STATUS) & VirtioMmio.INTERRUPT_CONFIG_CHANGE) != 0);
            }
            if (iteration % 500 == 0) {
                long buffer = good.allocate(16, 8);
                assertEquals(16, good.request(good.queues.get(0), out(buffer, 16)).length());
                assertFalse(Arrays.equals(new byte[16], good.read(buffer, 16)));
            }
        }
        byte[] canaryAfter = new byte[canary.length];
        ram.copyOut(0, canaryAfter, 0, canaryAfter.length);
        assertTrue(Arrays.equals(canary, canaryAfter));
        // Both outcomes must be common, or the fuzzer tests less than it claims.
        assertTrue(needsReset > ITERATIONS / 4, "device errors: " + needsReset);
        assertTrue(completed > ITERATIONS / 4, "iterations that used buffers: " + completed);
        assertEquals(0, good.status() & VirtioMmio.STATUS_DEVICE_NEEDS_RESET);
        // And after all that, each fuzzed device works again once reset.
        for (int i = 0; i < devices.length; i++) {
            int[] sizes = new int[devices[i].queueCount()];
            Arrays.fill(sizes, 8);
            fuzzed[i].init(0, sizes);
        }
        long status = fuzzed[0].allocate(1, 1);
        fuzzed[0].write16(status, 0xFF);
        long flush = fuzzed[0].buffer(new byte[] {VirtioBlock.T_FLUSH, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        fuzzed[0].request(fuzzed[0].queues.get(0), VirtioTestDriver.Buffer.in(flush, 16), out(status, 1));
        assertEquals(VirtioBlock.S_OK, fuzzed[0].read(status, 1)[0]);
        long random = fuzzed[1].allocate(16, 8);
        assertEquals(16, fuzzed[1].request(fuzzed[1].queues.get(0), out(random, 16)).length());
        long printed = consoleBytes[0];
        long text = fuzzed[2].buffer(new byte[] {'o', 'k'});
        fuzzed[2].request(fuzzed[2].queues.get(VirtioConsole.TRANSMIT_QUEUE), VirtioTestDriver.Buffer.in(text, 2));
        assertEquals(printed + 2, consoleBytes[0]);
    }

    @Test
    void randomRegisterWritesNeverEscape() {
        Random r = new Random(42);
        VirtioTestDriver d = new VirtioTestDriver(ram, new VirtioRng(), RAM_BASE + 0x1000, RAM_END);
        int[] sizes = {1, 2, 4, 8};
        int rejected = 0;
        for (int i = 0; i < 50_000; i++) {
            int size = r.nextInt(10) < 8 ? 4 : sizes[r.nextInt(4)];
            long offset = r.nextInt(10) < 8 ? 4L * r.nextInt(0x80) : r.nextInt(0x200);
            long value = switch (r.nextInt(4)) {
                case 0 -> r.nextInt(16);
                case 1 -> RAM_BASE + r.nextInt((int) RAM_SIZE);
                case 2 -> RAM_BASE >>> 32;
                default -> r.nextLong();
            };
            try {
                if (r.nextBoolean()) d.transport.write(offset, size, value);
                else d.transport.read(offset, size);
            } catch (BusAccessException e) {
                rejected++;
            }
        }
        assertTrue(rejected > 0);
        d.init(0, 8);
        long buffer = d.allocate(16, 8);
        assertEquals(16, d.request(d.queues.get(0), out(buffer, 16)).length());
    }
}
