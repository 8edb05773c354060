package dev.jvisor.machine.virtio;

import static dev.jvisor.machine.virtio.VirtioTestDriver.Buffer.out;
import static dev.jvisor.machine.virtio.VirtioTestDriver.RAM_BASE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.memory.GuestRam;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each way a split ring can be malformed, one at a time, on the entropy device (which wants writable buffers). */
class VirtioVirtqueueTest {
    private static final long RAM_SIZE = 1 << 20;
    private static final long RAM_END = RAM_BASE + RAM_SIZE;
    private static final int SIZE = 8;
    private static final int NEXT = Virtqueue.DESC_F_NEXT;
    private static final int WRITE = Virtqueue.DESC_F_WRITE;
    private static final int INDIRECT = Virtqueue.DESC_F_INDIRECT;

    private GuestRam ram;
    private VirtioTestDriver driver;
    private VirtioTestDriver.Queue q;
    private long buffer;

    @BeforeEach
    void setUp() {
        ram = GuestRam.reserve(RAM_SIZE);
        driver = new VirtioTestDriver(ram, new VirtioRng(), RAM_BASE + 0x1000, RAM_END);
    }

    @AfterEach
    void tearDown() {
        ram.release();
    }

    private void start(boolean indirect) {
        driver.init(indirect ? 1L << VirtioMmio.F_INDIRECT_DESC : 0, SIZE);
        q = driver.queues.get(0);
        buffer = driver.allocate(64, 16);
    }

    /** Writes descriptor {@code i} of {@code table}. */
    private void desc(long table, int i, long address, int length, int flags, int next) {
        driver.writeDescriptor(table, i, address, length, flags, next);
    }

    private long table(int entries) {
        return driver.allocate(16L * entries, 16);
    }

    static Stream<Arguments> malformedRings() {
        return Stream.of(
            malformed("head past the queue", "names descriptor 8 of 8", (t, d) -> t.publishHead(SIZE)),
            malformed("available index more than a queue ahead", "more than a queue ahead", (t, d) -> {
                t.desc(d, 0, t.buffer, 8, WRITE, 0);
                t.driver.write16(t.q.available + 2, SIZE + 1);
            }),
            malformed("two-descriptor loop", "loops", (t, d) -> {
                t.desc(d, 0, t.buffer, 8, WRITE | NEXT, 1);
                t.desc(d, 1, t.buffer + 8, 8, WRITE | NEXT, 0);
                t.publishHead(0);
            }),
            malformed("self loop", "loops", (t, d) -> {
                t.desc(d, 0, t.buffer, 8, WRITE | NEXT, 0);
                t.publishHead(0);
            }),
            malformed("next past the table", "next descriptor 8 of 8", (t, d) -> {
                t.desc(d, 0, t.buffer, 8, WRITE | NEXT, SIZE);
                t.publishHead(0);
            }),
            malformed("buffer running past the end of RAM", "outside RAM", (t, d) -> {
                t.desc(d, 0, RAM_END - 4, 8, WRITE, 0);
                t.publishHead(0);
            }),
            malformed("buffer wrapping the address space", "outside RAM", (t, d) -> {
                t.desc(d, 0, -16, 0x20, WRITE, 0);
                t.publishHead(0);
            }),
            malformed("buffer below RAM", "outside RAM", (t, d) -> {
                t.desc(d, 0, RAM_BASE - 0x100, 8, WRITE, 0);
                t.publishHead(0);
            }),
            malformed("huge length", "outside RAM", (t, d) -> {
                t.desc(d, 0, t.buffer, -1, WRITE, 0);
                t.publishHead(0);
            }),
            malformed("readable after writable", "readable descriptor after a writable one", (t, d) -> {
                t.desc(d, 0, t.buffer, 8, WRITE | NEXT, 1);
                t.desc(d, 1, t.buffer + 8, 8, 0, 0);
                t.publishHead(0);
            }),
            malformed("indirect with NEXT", "indirect descriptor with NEXT", (t, d) -> {
                long table = t.table(1);
                t.desc(table, 0, t.buffer, 8, WRITE, 0);
                t.desc(d, 0, table, 16, INDIRECT | NEXT, 1);
                t.desc(d, 1, t.buffer + 8, 8, WRITE, 0);
                t.publishHead(0);
            }),
            malformed("indirect table of 24 bytes", "indirect table of 24 bytes", (t, d) -> {
                long table = t.table(2);
                t.desc(table, 0, t.buffer, 8, WRITE, 0);
                t.desc(d, 0, table, 24, INDIRECT, 0);
                t.publishHead(0);
            }),
            malformed("empty indirect table", "indirect table of 0 bytes", (t, d) -> {
                t.desc(d, 0, t.table(1), 0, INDIRECT, 0);
                t.publishHead(0);
            }),
            malformed("indirect table longer than the queue", "indirect table of 144 bytes", (t, d) -> {
                long table = t.table(SIZE + 1);
                for (int i = 0; i <= SIZE; i++) t.desc(table, i, t.buffer, 1, WRITE | (i < SIZE ? NEXT : 0), i + 1);
                t.desc(d, 0, table, 16 * (SIZE + 1), INDIRECT, 0);
                t.publishHead(0);
            }),
            malformed("indirect table outside RAM", "indirect table outside RAM", (t, d) -> {
                t.desc(d, 0, RAM_END - 16, 32, INDIRECT, 0);
                t.publishHead(0);
            }),
            malformed("indirect inside an indirect table", "indirect descriptor inside", (t, d) -> {
                long inner = t.table(1);
                t.desc(inner, 0, t.buffer, 8, WRITE, 0);
                long outer = t.table(1);
                t.desc(outer, 0, inner, 16, INDIRECT, 0);
                t.desc(d, 0, outer, 16, INDIRECT, 0);
                t.publishHead(0);
            }),
            malformed("loop inside an indirect table", "loops", (t, d) -> {
                long table = t.table(2);
                t.desc(table, 0, t.buffer, 8, WRITE | NEXT, 1);
                t.desc(table, 1, t.buffer + 8, 8, WRITE | NEXT, 0);
                t.desc(d, 0, table, 32, INDIRECT, 0);
                t.publishHead(0);
            }),
            malformed("next past an indirect table", "next descriptor 2 of 2", (t, d) -> {
                long table = t.table(2);
                t.desc(table, 0, t.buffer, 8, WRITE | NEXT, 2);
                t.desc(d, 0, table, 32, INDIRECT, 0);
                t.publishHead(0);
            }),
            malformed("indirect in the middle of a chain", "indirect descriptor inside", (t, d) -> {
                long table = t.table(1);
                t.desc(table, 0, t.buffer, 8, WRITE, 0);
                t.desc(d, 0, t.buffer + 8, 8, WRITE | NEXT, 1);
                t.desc(d, 1, table, 16, INDIRECT, 0);
                t.publishHead(0);
            }));
    }

    private static Arguments malformed(String name, String reason, BiConsumer<VirtioVirtqueueTest, Long> build) {
        return Arguments.of(name, reason, build);
    }

    private void publishHead(int head) {
        driver.publish(q, head);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRings")
    void malformedRingNeedsResetAndWritesNothing(String name, String reason,
                                                 BiConsumer<VirtioVirtqueueTest, Long> build) {
        start(true);
        build.accept(this, q.descriptors);
        driver.acknowledge();
        driver.kick(q);
        assertTrue(driver.used(q).isEmpty(), name);
        assertEquals(VirtioMmio.STATUS_DEVICE_NEEDS_RESET, driver.status() & VirtioMmio.STATUS_DEVICE_NEEDS_RESET,
                name);
        assertTrue(driver.transport.error().contains(reason), driver.transport.error());
        assertEquals(VirtioMmio.INTERRUPT_CONFIG_CHANGE, driver.reg(VirtioMmio.INTERRUPT_STATUS));
        assertArrayEquals(new byte[64], driver.read(buffer, 64), "no partial work on a broken chain");
        // Further notifications are ignored until the driver resets the device.
        driver.kick(q);
        assertTrue(driver.used(q).isEmpty());
    }

    @Test
    void indirectDescriptorWithoutTheFeatureNeedsReset() {
        start(false);
        long table = table(1);
        desc(table, 0, buffer, 8, WRITE, 0);
        desc(q.descriptors, 0, table, 16, INDIRECT, 0);
        publishHead(0);
        driver.kick(q);
        assertEquals(VirtioMmio.STATUS_DEVICE_NEEDS_RESET, driver.status() & VirtioMmio.STATUS_DEVICE_NEEDS_RESET);
        assertTrue(driver.transport.error().contains("INDIRECT"), driver.transport.error());
    }

    @Test
    void chainsAsLongAsTheQueueAndEmptyDescriptorsAreFine() {
        start(true);
        for (int i = 0; i < SIZE; i++) {
            desc(q.descriptors, i, buffer + i, i == 3 ? 0 : 1, WRITE | (i < SIZE - 1 ? NEXT : 0), i + 1);
        }
        publishHead(0);
        driver.kick(q);
        assertEquals(List.of(new VirtioTestDriver.Used(0, SIZE - 1)), driver.used(q));

        long table = table(SIZE);
        for (int i = 0; i < SIZE; i++) {
            desc(table, i, buffer + 16 + 2 * i, 2, WRITE | (i < SIZE - 1 ? NEXT : 0), i + 1);
        }
        desc(q.descriptors, 5, table, 16 * SIZE, INDIRECT | WRITE, 0);
        publishHead(5);
        driver.kick(q);
        assertEquals(List.of(new VirtioTestDriver.Used(5, 2 * SIZE)), driver.used(q));
        assertEquals(0, driver.status() & VirtioMmio.STATUS_DEVICE_NEEDS_RESET);
    }

    @Test
    void ringIndicesWrapAt65536() {
        start(false);
        driver.write16(q.available, Virtqueue.AVAIL_F_NO_INTERRUPT);
        for (int i = 0; i < 70_000; i++) {
            // Lengths cycle with a period prime to the queue size, so a stale used element cannot pass for a new one.
            VirtioTestDriver.Used used = driver.request(q, out(buffer, 1 + i % 7));
            assertEquals(1 + i % 7, used.length());
        }
        assertEquals(70_000 & 0xFFFF, driver.read16(q.used + 2));
        assertFalse(driver.line);
    }
}
