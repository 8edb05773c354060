package dev.jvisor.machine.virtio;

import static dev.jvisor.machine.virtio.VirtioTestDriver.Buffer.in;
import static dev.jvisor.machine.virtio.VirtioTestDriver.Buffer.out;
import static dev.jvisor.machine.virtio.VirtioTestDriver.RAM_BASE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.memory.GuestRam;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VirtioConsoleTest {
    private GuestRam ram;
    private final ByteArrayOutputStream host = new ByteArrayOutputStream();
    private VirtioConsole console;
    private VirtioTestDriver driver;

    @BeforeEach
    void setUp() {
        ram = GuestRam.reserve(1 << 20);
        console = new VirtioConsole(b -> {
            synchronized (host) {
                host.write(b);
            }
        });
        driver = new VirtioTestDriver(ram, console, RAM_BASE + 0x1000, RAM_BASE + (1 << 20));
    }

    @AfterEach
    void tearDown() {
        ram.release();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void identifiesAsAConsoleWithTwoQueues() {
        assertEquals(3, driver.reg(VirtioMmio.DEVICE_ID));
        assertEquals(1L << VirtioMmio.F_VERSION_1, driver.offeredFeatures() & 0xFFFF_FFFF_0000_0000L);
        assertEquals(0, driver.offeredFeatures() & 0xFF_FFFFL, "no console features: one port, no size");
        driver.setReg(VirtioMmio.QUEUE_SEL, 1);
        assertEquals(128, driver.reg(VirtioMmio.QUEUE_NUM_MAX));
        driver.setReg(VirtioMmio.QUEUE_SEL, 2);
        assertEquals(0, driver.reg(VirtioMmio.QUEUE_NUM_MAX));
    }

    @Test
    void transmitsGuestOutputInOrder() {
        driver.init(0, 16, 16);
        VirtioTestDriver.Queue tx = driver.queues.get(VirtioConsole.TRANSMIT_QUEUE);
        long hello = driver.buffer(ascii("hello, "));
        long world = driver.buffer(ascii("world\n"));
        VirtioTestDriver.Used used = driver.request(tx, in(hello, 7), in(world, 6));
        assertEquals(0, used.length());
        assertEquals("hello, world\n", host.toString(StandardCharsets.US_ASCII));
        assertTrue(driver.line);
    }

    @Test
    void inputWaitsForReceiveBuffersAndFillsThemInOrder() throws InterruptedException {
        driver.init(0, 16, 16);
        VirtioTestDriver.Queue rx = driver.queues.get(VirtioConsole.RECEIVE_QUEUE);
        console.receive(ascii("xabc"), 1, 3);
        assertTrue(driver.used(rx).isEmpty());
        long first = driver.allocate(2, 8);
        long second = driver.allocate(16, 8);
        int a = driver.submit(rx, out(first, 2));
        int b = driver.submit(rx, out(second, 16));
        driver.kick(rx);
        List<VirtioTestDriver.Used> used = driver.used(rx);
        assertEquals(List.of(new VirtioTestDriver.Used(a, 2), new VirtioTestDriver.Used(b, 1)), used);
        assertArrayEquals(ascii("ab"), driver.read(first, 2));
        assertArrayEquals(ascii("c"), driver.read(second, 1));
        assertEquals(VirtioMmio.INTERRUPT_USED_BUFFER, driver.acknowledge());

        // A buffer already waiting takes input as soon as it arrives, and raises the interrupt.
        long third = driver.allocate(8, 8);
        int c = driver.submit(rx, out(third, 8));
        driver.kick(rx);
        assertTrue(driver.used(rx).isEmpty());
        console.receive(ascii("de"), 0, 2);
        assertEquals(List.of(new VirtioTestDriver.Used(c, 2)), driver.used(rx));
        assertArrayEquals(ascii("de"), driver.read(third, 2));
        assertTrue(driver.line);
    }

    @Test
    void receiveBuffersQueuedBeforeDriverOkTakeInputAfterIt() throws InterruptedException {
        assertTrue(driver.negotiate(1L << VirtioMmio.F_VERSION_1));
        VirtioTestDriver.Queue rx = driver.setUpQueue(0, 8);
        driver.setUpQueue(1, 8);
        long buffer = driver.allocate(4, 8);
        driver.submit(rx, out(buffer, 4));
        driver.kick(rx);
        console.receive(ascii("early"), 0, 5);
        assertTrue(driver.used(rx).isEmpty(), "nothing is delivered before DRIVER_OK");
        driver.setReg(VirtioMmio.STATUS, driver.status() | VirtioMmio.STATUS_DRIVER_OK);
        assertEquals(4, driver.used(rx).get(0).length());
        assertArrayEquals(ascii("earl"), driver.read(buffer, 4));
    }

    @Test
    void inputThreadFeedsTheGuest() throws InterruptedException {
        driver.init(0, 16, 16);
        VirtioTestDriver.Queue rx = driver.queues.get(VirtioConsole.RECEIVE_QUEUE);
        long buffer = driver.allocate(64, 8);
        driver.submit(rx, out(buffer, 64));
        driver.kick(rx);
        Thread t = console.startInput(new ByteArrayInputStream(ascii("typed")));
        t.join(5000);
        int total = 0;
        for (VirtioTestDriver.Used u : driver.used(rx)) total += u.length();
        assertEquals(5, total);
        assertArrayEquals(ascii("typed"), driver.read(buffer, 5));
    }

    @Test
    void readOnlyReceiveBufferNeedsReset() throws InterruptedException {
        driver.init(0, 16, 16);
        VirtioTestDriver.Queue rx = driver.queues.get(VirtioConsole.RECEIVE_QUEUE);
        VirtioTestDriver.Queue tx = driver.queues.get(VirtioConsole.TRANSMIT_QUEUE);
        driver.submit(rx, in(driver.allocate(8, 8), 8));
        driver.kick(rx);
        console.receive(ascii("x"), 0, 1);
        assertEquals(VirtioMmio.STATUS_DEVICE_NEEDS_RESET, driver.status() & VirtioMmio.STATUS_DEVICE_NEEDS_RESET);
        // A device that needs a reset ignores notifications.
        driver.submit(tx, in(driver.buffer(ascii("lost")), 4));
        driver.kick(tx);
        assertEquals("", host.toString(StandardCharsets.US_ASCII));
    }
}
