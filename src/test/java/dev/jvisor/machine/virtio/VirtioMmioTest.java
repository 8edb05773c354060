package dev.jvisor.machine.virtio;

import static dev.jvisor.machine.virtio.VirtioTestDriver.Buffer.out;
import static dev.jvisor.machine.virtio.VirtioTestDriver.RAM_BASE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.machine.bus.BusAccessException;
import dev.jvisor.machine.fdt.FdtNode;
import dev.jvisor.memory.GuestRam;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The transport: identity, negotiation, the status state machine, queue setup, interrupts and their suppression. */
class VirtioMmioTest {
    private static final int NEEDS_RESET = VirtioMmio.STATUS_DEVICE_NEEDS_RESET;
    private GuestRam ram;
    private VirtioTestDriver driver;

    @BeforeEach
    void setUp() {
        ram = GuestRam.reserve(1 << 20);
        driver = new VirtioTestDriver(ram, new VirtioRng(), RAM_BASE + 0x1000, RAM_BASE + (1 << 20));
    }

    @AfterEach
    void tearDown() {
        ram.release();
    }

    @Test
    void identifiesAsAVersion2Transport() {
        assertEquals(0x74726976, driver.reg(VirtioMmio.MAGIC_VALUE));
        assertEquals(2, driver.reg(VirtioMmio.VERSION));
        assertEquals(VirtioRng.DEVICE_ID, driver.reg(VirtioMmio.DEVICE_ID));
        assertEquals(0x5253564A, driver.reg(VirtioMmio.VENDOR_ID));
        assertEquals(1L << VirtioMmio.F_VERSION_1 | 1L << VirtioMmio.F_INDIRECT_DESC | 1L << VirtioMmio.F_EVENT_IDX,
                driver.offeredFeatures());
        driver.setReg(VirtioMmio.DEVICE_FEATURES_SEL, 2);
        assertEquals(0, driver.reg(VirtioMmio.DEVICE_FEATURES));
        assertEquals(-1, driver.reg(VirtioMmio.SHM_LEN_LOW));
        assertEquals(-1, driver.reg(VirtioMmio.SHM_LEN_HIGH));
        assertEquals(0, driver.reg(VirtioMmio.CONFIG_GENERATION));
        assertEquals("virtio-rng", driver.transport.name());
    }

    @Test
    void controlRegistersTakeOnlyAligned32BitAccesses() {
        assertThrows(BusAccessException.class, () -> driver.transport.read(VirtioMmio.MAGIC_VALUE, 8));
        assertThrows(BusAccessException.class, () -> driver.transport.read(VirtioMmio.MAGIC_VALUE, 1));
        assertThrows(BusAccessException.class, () -> driver.transport.write(VirtioMmio.STATUS + 2, 4, 1));
        assertThrows(BusAccessException.class, () -> driver.transport.read(VirtioMmio.CONFIG, 8));
        assertThrows(BusAccessException.class, () -> driver.transport.read(VirtioMmio.CONFIG + 2, 4));
        assertEquals(0, driver.transport.read(VirtioMmio.CONFIG + 1, 1));
    }

    @Test
    void refusesFeatureSetsWithoutVersion1OrWithUnofferedBits() {
        assertFalse(driver.negotiate(1L << VirtioMmio.F_EVENT_IDX));
        assertFalse(driver.negotiate(1L << VirtioMmio.F_VERSION_1 | 1L << 33));
        assertTrue(driver.negotiate(1L << VirtioMmio.F_VERSION_1));
        // Once FEATURES_OK is set the features are fixed: the device keeps using what it accepted.
        driver.setReg(VirtioMmio.DRIVER_FEATURES_SEL, 0);
        driver.setReg(VirtioMmio.DRIVER_FEATURES, 1 << VirtioMmio.F_EVENT_IDX);
        VirtioTestDriver.Queue q = driver.setUpQueue(0, 8);
        driver.setReg(VirtioMmio.STATUS, driver.status() | VirtioMmio.STATUS_DRIVER_OK);
        driver.write16(q.available + 4 + 2 * 8, 5);
        driver.request(q, out(driver.allocate(8, 8), 8));
        assertEquals(VirtioMmio.INTERRUPT_USED_BUFFER, driver.reg(VirtioMmio.INTERRUPT_STATUS),
                "without EVENT_IDX used_event is not consulted");
    }

    @Test
    void driverOkWithoutFeaturesOkIsAnError() {
        driver.setReg(VirtioMmio.STATUS, VirtioMmio.STATUS_ACKNOWLEDGE | VirtioMmio.STATUS_DRIVER);
        driver.setReg(VirtioMmio.STATUS, 7);
        assertEquals(NEEDS_RESET | 3, driver.status());
        assertTrue(driver.transport.error().contains("FEATURES_OK"));
    }

    @Test
    void badQueueLayoutsNeedAReset() {
        long[][] layouts = {
            {3, RAM_BASE + 0x2000, RAM_BASE + 0x3000, RAM_BASE + 0x4000},   // not a power of two
            {256, RAM_BASE + 0x2000, RAM_BASE + 0x3000, RAM_BASE + 0x4000}, // above QueueNumMax
            {8, RAM_BASE + 0x2008, RAM_BASE + 0x3000, RAM_BASE + 0x4000},   // descriptor table misaligned
            {8, RAM_BASE + 0x2000, RAM_BASE + 0x3000, RAM_BASE + 0x4002},   // used ring misaligned
            {8, RAM_BASE + 0x2000, RAM_BASE + 0x3000, RAM_BASE + (1 << 20) - 8}, // used ring leaves RAM
            {8, 0x1000, RAM_BASE + 0x3000, RAM_BASE + 0x4000},              // below RAM
        };
        for (long[] l : layouts) {
            assertTrue(driver.negotiate(1L << VirtioMmio.F_VERSION_1));
            driver.setReg(VirtioMmio.QUEUE_SEL, 0);
            driver.setReg(VirtioMmio.QUEUE_NUM, (int) l[0]);
            driver.setReg(VirtioMmio.QUEUE_DESC_LOW, (int) l[1]);
            driver.setReg(VirtioMmio.QUEUE_DRIVER_LOW, (int) l[2]);
            driver.setReg(VirtioMmio.QUEUE_DEVICE_LOW, (int) l[3]);
            driver.setReg(VirtioMmio.QUEUE_READY, 1);
            assertEquals(0, driver.reg(VirtioMmio.QUEUE_READY));
            assertEquals(NEEDS_RESET, driver.status() & NEEDS_RESET, java.util.Arrays.toString(l));
            assertEquals(0, driver.reg(VirtioMmio.INTERRUPT_STATUS), "no interrupt before DRIVER_OK");
            driver.setReg(VirtioMmio.STATUS, driver.status() | VirtioMmio.STATUS_DRIVER_OK);
            assertEquals(VirtioMmio.INTERRUPT_CONFIG_CHANGE, driver.reg(VirtioMmio.INTERRUPT_STATUS));
        }
    }

    @Test
    void queueBeforeFeaturesOkIsAnError() {
        driver.setReg(VirtioMmio.STATUS, VirtioMmio.STATUS_ACKNOWLEDGE | VirtioMmio.STATUS_DRIVER);
        driver.setReg(VirtioMmio.QUEUE_NUM, 8);
        driver.setReg(VirtioMmio.QUEUE_DESC_LOW, (int) (RAM_BASE + 0x2000));
        driver.setReg(VirtioMmio.QUEUE_DRIVER_LOW, (int) (RAM_BASE + 0x3000));
        driver.setReg(VirtioMmio.QUEUE_DEVICE_LOW, (int) (RAM_BASE + 0x4000));
        driver.setReg(VirtioMmio.QUEUE_READY, 1);
        assertEquals(0, driver.reg(VirtioMmio.QUEUE_READY));
        assertEquals(NEEDS_RESET, driver.status() & NEEDS_RESET);
    }

    @Test
    void absentQueuesReadAsUnavailable() {
        driver.setReg(VirtioMmio.QUEUE_SEL, 1);
        assertEquals(0, driver.reg(VirtioMmio.QUEUE_NUM_MAX));
        driver.setReg(VirtioMmio.QUEUE_READY, 1);
        assertEquals(0, driver.reg(VirtioMmio.QUEUE_READY));
        driver.setReg(VirtioMmio.QUEUE_SEL, 0);
        assertEquals(64, driver.reg(VirtioMmio.QUEUE_NUM_MAX));
        driver.setReg(VirtioMmio.QUEUE_NOTIFY, 7);
        assertEquals(0, driver.status());
    }

    @Test
    void interruptFollowsStatusUntilAcknowledged() {
        driver.init(0, 8);
        VirtioTestDriver.Queue q = driver.queues.get(0);
        assertFalse(driver.line);
        driver.request(q, out(driver.allocate(16, 8), 16));
        assertTrue(driver.line);
        assertEquals(VirtioMmio.INTERRUPT_USED_BUFFER, driver.reg(VirtioMmio.INTERRUPT_STATUS));
        driver.setReg(VirtioMmio.INTERRUPT_ACK, VirtioMmio.INTERRUPT_CONFIG_CHANGE);
        assertTrue(driver.line, "acknowledging another event leaves this one pending");
        assertEquals(VirtioMmio.INTERRUPT_USED_BUFFER, driver.acknowledge());
        assertFalse(driver.line);
        driver.request(q, out(driver.allocate(16, 8), 16));
        assertTrue(driver.line);
        assertEquals(2, driver.risingEdges);
    }

    @Test
    void resetStopsEverything() {
        driver.init(0, 8);
        VirtioTestDriver.Queue q = driver.queues.get(0);
        driver.request(q, out(driver.allocate(16, 8), 16));
        assertTrue(driver.line);
        driver.setReg(VirtioMmio.STATUS, 0);
        assertEquals(0, driver.status());
        assertEquals(0, driver.reg(VirtioMmio.INTERRUPT_STATUS));
        assertFalse(driver.line);
        driver.setReg(VirtioMmio.QUEUE_SEL, 0);
        assertEquals(0, driver.reg(VirtioMmio.QUEUE_READY));
        // The old rings are not looked at any more.
        driver.submit(q, out(driver.allocate(16, 8), 16));
        driver.kick(q);
        assertTrue(driver.used(q).isEmpty());
        assertNull(driver.transport.error());
    }

    @Test
    void queueReadyZeroStopsTheQueue() {
        driver.init(0, 8);
        VirtioTestDriver.Queue q = driver.queues.get(0);
        driver.setReg(VirtioMmio.QUEUE_SEL, 0);
        driver.setReg(VirtioMmio.QUEUE_READY, 0);
        assertEquals(0, driver.reg(VirtioMmio.QUEUE_READY));
        driver.submit(q, out(driver.allocate(16, 8), 16));
        driver.kick(q);
        assertTrue(driver.used(q).isEmpty());
    }

    @Test
    void buffersMadeAvailableBeforeDriverOkAreUsedOnlyAfterIt() {
        assertTrue(driver.negotiate(1L << VirtioMmio.F_VERSION_1));
        VirtioTestDriver.Queue q = driver.setUpQueue(0, 8);
        driver.submit(q, out(driver.allocate(32, 8), 32));
        driver.kick(q);
        assertTrue(driver.used(q).isEmpty());
        driver.setReg(VirtioMmio.STATUS, driver.status() | VirtioMmio.STATUS_DRIVER_OK);
        List<VirtioTestDriver.Used> used = driver.used(q);
        assertEquals(1, used.size());
        assertEquals(32, used.get(0).length());
    }

    @Test
    void noInterruptFlagSuppressesUsedBufferInterrupts() {
        driver.init(0, 8);
        VirtioTestDriver.Queue q = driver.queues.get(0);
        driver.write16(q.available, Virtqueue.AVAIL_F_NO_INTERRUPT);
        driver.request(q, out(driver.allocate(16, 8), 16));
        assertEquals(0, driver.reg(VirtioMmio.INTERRUPT_STATUS));
        assertFalse(driver.line);
        driver.write16(q.available, 0);
        driver.request(q, out(driver.allocate(16, 8), 16));
        assertTrue(driver.line);
    }

    @Test
    void eventIndexSuppressesInterruptsUntilUsedEventIsPassed() {
        long features = driver.init(1L << VirtioMmio.F_EVENT_IDX, 8);
        assertTrue((features & 1L << VirtioMmio.F_EVENT_IDX) != 0);
        VirtioTestDriver.Queue q = driver.queues.get(0);
        long usedEvent = q.available + 4 + 2 * 8;
        long availEvent = q.used + 4 + 8 * 8;
        // Interrupt only once the used index moves past 2, that is, with the third buffer.
        driver.write16(usedEvent, 2);
        driver.write16(q.available, Virtqueue.AVAIL_F_NO_INTERRUPT); // ignored with EVENT_IDX
        for (int i = 0; i < 2; i++) {
            driver.request(q, out(driver.allocate(16, 8), 16));
            assertEquals(0, driver.reg(VirtioMmio.INTERRUPT_STATUS), "buffer " + i);
            assertEquals(i + 1, driver.read16(availEvent), "the device asks to hear of the next buffer");
        }
        driver.request(q, out(driver.allocate(16, 8), 16));
        assertEquals(VirtioMmio.INTERRUPT_USED_BUFFER, driver.acknowledge());
        // Two buffers used in one go that both pass used_event still interrupt once.
        driver.write16(usedEvent, 3);
        driver.submit(q, out(driver.allocate(16, 8), 16));
        driver.submit(q, out(driver.allocate(16, 8), 16));
        driver.kick(q);
        assertEquals(2, driver.used(q).size());
        assertEquals(VirtioMmio.INTERRUPT_USED_BUFFER, driver.acknowledge());
        assertEquals(5, driver.read16(availEvent));
        assertEquals(2, driver.risingEdges);
        // A used_event left behind (the driver is not keeping up) means no interrupt at all.
        driver.request(q, out(driver.allocate(16, 8), 16));
        assertEquals(0, driver.reg(VirtioMmio.INTERRUPT_STATUS));
    }

    @Test
    void deviceTreeNodeMatchesQemusVirt() {
        FdtNode node = VirtioMmio.deviceTreeNode(0x0a000000L + 3 * 0x200, 16 + 3);
        assertEquals("virtio_mmio@a000600", node.name());
        assertEquals("virtio,mmio", node.stringOf("compatible"));
        assertArrayEquals(new long[] {0, 0x0a000600L, 0, 0x200}, node.cellsOf("reg"));
        assertArrayEquals(new long[] {0, 19, 1}, node.cellsOf("interrupts"));
        assertTrue(node.has("dma-coherent"));
        assertEquals(0, node.property("dma-coherent").length);
    }
}
