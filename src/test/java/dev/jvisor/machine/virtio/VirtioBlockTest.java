package dev.jvisor.machine.virtio;

import static dev.jvisor.machine.virtio.VirtioTestDriver.Buffer.in;
import static dev.jvisor.machine.virtio.VirtioTestDriver.Buffer.out;
import static dev.jvisor.machine.virtio.VirtioTestDriver.RAM_BASE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.UserError;
import dev.jvisor.memory.GuestRam;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtioBlockTest {
    private static final int SECTORS = 64;
    private static final long DRIVER_AREA = RAM_BASE + 0x1000;

    @TempDir
    Path dir;
    private Path image;
    private GuestRam ram;
    private VirtioBlock block;
    private VirtioTestDriver driver;
    private VirtioTestDriver.Queue q;

    @BeforeEach
    void setUp() throws IOException {
        image = dir.resolve("disk.img");
        byte[] content = new byte[SECTORS * 512 + 100];
        for (int i = 0; i < content.length; i++) content[i] = (byte) (i * 7 + i / 512);
        Files.write(image, content);
        ram = GuestRam.reserve(4 << 20);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (block != null) block.close();
        ram.release();
    }

    private void start(boolean readOnly, long features) {
        block = VirtioBlock.open(image, readOnly);
        driver = new VirtioTestDriver(ram, block, DRIVER_AREA, RAM_BASE + (4 << 20));
        driver.init(features, 64);
        q = driver.queues.get(0);
    }

    private long header(int type, long sector) {
        ByteBuffer h = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0, type).putLong(8, sector);
        return driver.buffer(h.array());
    }

    private byte[] fileBytes(long from, int length) throws IOException {
        return Arrays.copyOfRange(Files.readAllBytes(image), (int) from, (int) from + length);
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (seed + i * 31 + (i >> 8));
        return b;
    }

    @Test
    void offersFeaturesAndConfiguration() {
        start(false, 0);
        long offered = driver.offeredFeatures();
        for (int bit : new int[] {VirtioMmio.F_VERSION_1, VirtioMmio.F_INDIRECT_DESC, VirtioMmio.F_EVENT_IDX,
                VirtioBlock.F_SEG_MAX, VirtioBlock.F_BLK_SIZE, VirtioBlock.F_FLUSH, VirtioBlock.F_DISCARD,
                VirtioBlock.F_WRITE_ZEROES}) {
            assertTrue((offered & 1L << bit) != 0, "feature " + bit);
        }
        assertEquals(0, offered & 1L << VirtioBlock.F_RO);
        assertEquals(2, driver.reg(VirtioMmio.DEVICE_ID));
        // The trailing 100 bytes are not a whole sector.
        assertEquals(SECTORS, driver.reg(VirtioMmio.CONFIG));
        assertEquals(0, driver.reg(VirtioMmio.CONFIG + 4));
        assertEquals(254, driver.reg(VirtioMmio.CONFIG + 12));
        assertEquals(512, driver.reg(VirtioMmio.CONFIG + 20));
        assertEquals(VirtioBlock.MAX_ZERO_SECTORS, driver.reg(VirtioMmio.CONFIG + 36));
        assertEquals(VirtioBlock.MAX_ZERO_RANGES, driver.reg(VirtioMmio.CONFIG + 52));
        assertEquals(0x02, driver.transport.read(VirtioMmio.CONFIG + 21, 1));
        assertEquals(0, driver.transport.read(VirtioMmio.CONFIG + 0x80, 4));
    }

    @Test
    void writesThenReadsAcrossSplitBuffers() throws IOException {
        start(false, 0);
        byte[] data = pattern(1024, 5);
        long status = driver.allocate(1, 1);
        // Data in two descriptors that do not follow sector boundaries.
        long a = driver.buffer(Arrays.copyOfRange(data, 0, 300));
        long b = driver.buffer(Arrays.copyOfRange(data, 300, 1024));
        VirtioTestDriver.Used used = driver.request(q, in(header(VirtioBlock.T_OUT, 3), 16), in(a, 300), in(b, 724),
                out(status, 1));
        assertEquals(0, driver.read(status, 1)[0]);
        assertEquals(1, used.length());
        assertArrayEquals(data, fileBytes(3 * 512, 1024));

        long c = driver.allocate(700, 8);
        long d = driver.allocate(324, 8);
        used = driver.request(q, in(header(VirtioBlock.T_IN, 3), 16), out(c, 700), out(d, 324), out(status, 1));
        assertEquals(1025, used.length());
        assertEquals(0, driver.read(status, 1)[0]);
        byte[] back = new byte[1024];
        System.arraycopy(driver.read(c, 700), 0, back, 0, 700);
        System.arraycopy(driver.read(d, 324), 0, back, 700, 324);
        assertArrayEquals(data, back);
    }

    @Test
    void headerDataAndStatusMayShareDescriptors() throws IOException {
        start(false, 0);
        ByteBuffer request = ByteBuffer.allocate(16 + 512).order(ByteOrder.LITTLE_ENDIAN);
        request.putInt(0, VirtioBlock.T_OUT).putLong(8, SECTORS - 1);
        byte[] data = pattern(512, 9);
        request.put(16, data);
        long r = driver.buffer(request.array());
        long inBuffer = driver.allocate(513, 8);
        driver.request(q, in(r, 16 + 512), out(driver.allocate(1, 1), 1));
        assertArrayEquals(data, fileBytes((SECTORS - 1) * 512L, 512));

        driver.request(q, in(header(VirtioBlock.T_IN, SECTORS - 1), 16), out(inBuffer, 513));
        assertArrayEquals(data, Arrays.copyOf(driver.read(inBuffer, 513), 512));
        assertEquals(VirtioBlock.S_OK, driver.read(inBuffer + 512, 1)[0]);
    }

    @Test
    void readsThroughAnIndirectTableReportTheDataAsDeviceWrites() throws IOException {
        start(false, 1L << VirtioMmio.F_INDIRECT_DESC);
        long data = driver.allocate(512, 8);
        long status = driver.allocate(1, 1);
        long header = header(VirtioBlock.T_IN, 7);
        driver.deviceWrites.clear();
        driver.submitIndirect(q, in(header, 16), out(data, 512), out(status, 1));
        driver.kick(q);
        assertEquals(1, driver.used(q).get(0).length() - 512);
        assertArrayEquals(fileBytes(7 * 512, 512), driver.read(data, 512));
        assertTrue(driver.deviceWrites.stream().anyMatch(w -> w[0] == data && w[1] == 512));
        assertTrue(driver.deviceWrites.stream().anyMatch(w -> w[0] == status && w[1] == 1));
    }

    @Test
    void rejectsRangesPastTheEndAndPartialSectors() throws IOException {
        start(false, 0);
        byte[] before = Files.readAllBytes(image);
        long status = driver.allocate(1, 1);
        long buffer = driver.buffer(pattern(1024, 1));
        driver.request(q, in(header(VirtioBlock.T_OUT, SECTORS - 1), 16), in(buffer, 1024), out(status, 1));
        assertEquals(VirtioBlock.S_IOERR, driver.read(status, 1)[0]);
        driver.request(q, in(header(VirtioBlock.T_OUT, 0), 16), in(buffer, 511), out(status, 1));
        assertEquals(VirtioBlock.S_IOERR, driver.read(status, 1)[0]);
        driver.request(q, in(header(VirtioBlock.T_IN, -1L), 16), out(buffer, 512), out(status, 1));
        assertEquals(VirtioBlock.S_IOERR, driver.read(status, 1)[0]);
        driver.request(q, in(header(VirtioBlock.T_IN, SECTORS), 16), out(status, 1));
        assertEquals(VirtioBlock.S_OK, driver.read(status, 1)[0], "an empty read at the end is in range");
        assertArrayEquals(before, Files.readAllBytes(image));
        assertEquals(0, driver.status() & VirtioMmio.STATUS_DEVICE_NEEDS_RESET);
    }

    @Test
    void flushesAndAnswersGetIdAndRejectsUnknownTypes() {
        start(false, 0);
        long status = driver.allocate(1, 1);
        driver.request(q, in(header(VirtioBlock.T_FLUSH, 0), 16), out(status, 1));
        assertEquals(VirtioBlock.S_OK, driver.read(status, 1)[0]);

        long id = driver.allocate(20, 8);
        driver.write32(id, 0x5A5A5A5A);
        VirtioTestDriver.Used used = driver.request(q, in(header(VirtioBlock.T_GET_ID, 0), 16), out(id, 20),
                out(status, 1));
        assertEquals(21, used.length());
        byte[] expected = Arrays.copyOf("disk.img".getBytes(), 20);
        assertArrayEquals(expected, driver.read(id, 20));

        driver.write16(status, 0xFF);
        driver.request(q, in(header(99, 0), 16), out(status, 1));
        assertEquals(VirtioBlock.S_UNSUPP, driver.read(status, 1)[0]);
    }

    private long ranges(long... sectorCountFlags) {
        ByteBuffer b = ByteBuffer.allocate(sectorCountFlags.length / 3 * 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < sectorCountFlags.length; i += 3) {
            b.putLong(sectorCountFlags[i]).putInt((int) sectorCountFlags[i + 1]).putInt((int) sectorCountFlags[i + 2]);
        }
        return driver.buffer(b.array());
    }

    @Test
    void discardAndWriteZeroesLeaveZeroes() throws IOException {
        start(false, 1L << VirtioBlock.F_DISCARD | 1L << VirtioBlock.F_WRITE_ZEROES);
        byte[] before = Files.readAllBytes(image);
        long status = driver.allocate(1, 1);
        driver.request(q, in(header(VirtioBlock.T_DISCARD, 0), 16), in(ranges(2, 2, 0, 10, 1, 0), 32),
                out(status, 1));
        assertEquals(VirtioBlock.S_OK, driver.read(status, 1)[0]);
        byte[] expected = before.clone();
        Arrays.fill(expected, 2 * 512, 4 * 512, (byte) 0);
        Arrays.fill(expected, 10 * 512, 11 * 512, (byte) 0);
        assertArrayEquals(expected, Files.readAllBytes(image));

        driver.request(q, in(header(VirtioBlock.T_WRITE_ZEROES, 0), 16),
                in(ranges(SECTORS - 1, 1, VirtioBlock.FLAG_UNMAP), 16), out(status, 1));
        assertEquals(VirtioBlock.S_OK, driver.read(status, 1)[0]);
        Arrays.fill(expected, (SECTORS - 1) * 512, SECTORS * 512, (byte) 0);
        assertArrayEquals(expected, Files.readAllBytes(image));
        assertNotEquals(0, expected[SECTORS * 512], "the partial sector past the capacity is untouched");
    }

    @Test
    void badDiscardsChangeNothing() throws IOException {
        start(false, 1L << VirtioBlock.F_DISCARD | 1L << VirtioBlock.F_WRITE_ZEROES);
        byte[] before = Files.readAllBytes(image);
        long status = driver.allocate(1, 1);
        // Unmap on a discard, an unknown flag, a range past the end (after a good one), too many sectors.
        Object[][] cases = {
            {VirtioBlock.T_DISCARD, ranges(0, 1, VirtioBlock.FLAG_UNMAP), 16, VirtioBlock.S_UNSUPP},
            {VirtioBlock.T_WRITE_ZEROES, ranges(0, 1, 2), 16, VirtioBlock.S_UNSUPP},
            {VirtioBlock.T_DISCARD, ranges(0, 1, 0, SECTORS - 1, 2, 0), 32, VirtioBlock.S_IOERR},
            {VirtioBlock.T_WRITE_ZEROES, ranges(0, VirtioBlock.MAX_ZERO_SECTORS + 1L, 0), 16, VirtioBlock.S_IOERR},
            {VirtioBlock.T_DISCARD, ranges(0, 1, 0), 12, VirtioBlock.S_IOERR},
        };
        for (Object[] c : cases) {
            driver.request(q, in(header((int) c[0], 0), 16), in((long) c[1], (int) c[2]), out(status, 1));
            assertEquals((int) c[3], driver.read(status, 1)[0], Arrays.toString(c));
        }
        assertArrayEquals(before, Files.readAllBytes(image));
    }

    @Test
    void readOnlyImageRefusesWritesButReads() throws IOException {
        start(true, 1L << VirtioBlock.F_RO);
        long offered = driver.offeredFeatures();
        assertTrue((offered & 1L << VirtioBlock.F_RO) != 0);
        assertEquals(0, offered & (1L << VirtioBlock.F_DISCARD | 1L << VirtioBlock.F_WRITE_ZEROES));
        byte[] before = Files.readAllBytes(image);
        long status = driver.allocate(1, 1);
        driver.request(q, in(header(VirtioBlock.T_OUT, 0), 16), in(driver.buffer(pattern(512, 3)), 512),
                out(status, 1));
        assertEquals(VirtioBlock.S_IOERR, driver.read(status, 1)[0]);
        driver.request(q, in(header(VirtioBlock.T_WRITE_ZEROES, 0), 16), in(ranges(0, 1, 0), 16), out(status, 1));
        assertEquals(VirtioBlock.S_IOERR, driver.read(status, 1)[0]);
        driver.request(q, in(header(VirtioBlock.T_FLUSH, 0), 16), out(status, 1));
        assertEquals(VirtioBlock.S_OK, driver.read(status, 1)[0]);
        assertArrayEquals(before, Files.readAllBytes(image));

        long data = driver.allocate(512, 8);
        driver.request(q, in(header(VirtioBlock.T_IN, 1), 16), out(data, 512), out(status, 1));
        assertEquals(VirtioBlock.S_OK, driver.read(status, 1)[0]);
        assertArrayEquals(Arrays.copyOfRange(before, 512, 1024), driver.read(data, 512));
    }

    @Test
    void requestWithoutStatusByteNeedsReset() {
        start(false, 0);
        driver.acknowledge();
        driver.submit(q, in(header(VirtioBlock.T_FLUSH, 0), 16));
        driver.kick(q);
        assertTrue(driver.used(q).isEmpty());
        assertEquals(VirtioMmio.STATUS_DEVICE_NEEDS_RESET, driver.status() & VirtioMmio.STATUS_DEVICE_NEEDS_RESET);
        assertEquals(VirtioMmio.INTERRUPT_CONFIG_CHANGE, driver.reg(VirtioMmio.INTERRUPT_STATUS));
        assertTrue(driver.line);
        assertTrue(driver.transport.error().contains("status"), driver.transport.error());

        // A reset brings it back.
        driver.init(0, 16);
        q = driver.queues.get(0);
        assertFalse(driver.line);
        long status = driver.allocate(1, 1);
        driver.request(q, in(header(VirtioBlock.T_FLUSH, 0), 16), out(status, 1));
        assertEquals(VirtioBlock.S_OK, driver.read(status, 1)[0]);
    }

    @Test
    void concurrentNotificationsServeEachRequestOnce() throws Exception {
        start(false, 0);
        int requests = 16;
        long[] statuses = new long[requests];
        for (int i = 0; i < requests; i++) {
            statuses[i] = driver.allocate(1, 1);
            driver.write16(statuses[i], 0xFF);
            driver.submit(q, in(header(VirtioBlock.T_OUT, i), 16), in(driver.buffer(pattern(512, i)), 512),
                    out(statuses[i], 1));
        }
        CountDownLatch go = new CountDownLatch(1);
        Thread[] vcpus = new Thread[4];
        for (int t = 0; t < vcpus.length; t++) {
            vcpus[t] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int k = 0; k < 50; k++) driver.kick(q);
            });
            vcpus[t].start();
        }
        go.countDown();
        for (Thread t : vcpus) t.join();
        List<VirtioTestDriver.Used> used = driver.used(q);
        assertEquals(requests, used.size());
        Set<Integer> heads = new HashSet<>();
        for (VirtioTestDriver.Used u : used) assertTrue(heads.add(u.id()));
        for (int i = 0; i < requests; i++) {
            assertEquals(0, driver.read(statuses[i], 1)[0]);
            assertArrayEquals(pattern(512, i), fileBytes(i * 512L, 512));
        }
    }

    @Test
    void badImagesAreUserErrors() throws IOException {
        UserError missing = assertThrows(UserError.class, () -> VirtioBlock.open(dir.resolve("absent.img"), false));
        assertEquals("disk image " + dir.resolve("absent.img") + " does not exist", missing.getMessage());
        assertTrue(assertThrows(UserError.class, () -> VirtioBlock.open(dir, true)).getMessage()
                .endsWith("is a directory"));
        Path tiny = dir.resolve("tiny.img");
        Files.write(tiny, new byte[100]);
        UserError e = assertThrows(UserError.class, () -> VirtioBlock.open(tiny, true));
        assertTrue(e.getMessage().contains("smaller than one 512-byte sector"), e.getMessage());
    }

    @Test
    void aWritableImageIsLockedAgainstASecondUser() throws IOException {
        try (VirtioBlock first = VirtioBlock.open(image, false)) {
            UserError e = assertThrows(UserError.class, () -> VirtioBlock.open(image, true));
            assertTrue(e.getMessage().endsWith("is in use by another machine"), e.getMessage());
        }
        try (VirtioBlock again = VirtioBlock.open(image, false)) {
            assertEquals(SECTORS, again.capacity());
        }
    }
}
