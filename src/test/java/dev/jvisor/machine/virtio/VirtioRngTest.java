package dev.jvisor.machine.virtio;

import static dev.jvisor.machine.virtio.VirtioTestDriver.Buffer.in;
import static dev.jvisor.machine.virtio.VirtioTestDriver.Buffer.out;
import static dev.jvisor.machine.virtio.VirtioTestDriver.RAM_BASE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.memory.GuestRam;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VirtioRngTest {
    private GuestRam ram;
    private VirtioTestDriver driver;
    private VirtioTestDriver.Queue q;

    @BeforeEach
    void setUp() {
        ram = GuestRam.reserve(1 << 20);
        driver = new VirtioTestDriver(ram, new VirtioRng(), RAM_BASE + 0x1000, RAM_BASE + (1 << 20));
        driver.init(0, 16);
        q = driver.queues.get(0);
    }

    @AfterEach
    void tearDown() {
        ram.release();
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    @Test
    void fillsBuffersWithRandomBytes() {
        long a = driver.allocate(40, 8);
        long b = driver.allocate(24, 8);
        long guard = driver.allocate(8, 8);
        assertEquals(64, driver.request(q, out(a, 40), out(b, 24)).length());
        byte[] first = new byte[64];
        System.arraycopy(driver.read(a, 40), 0, first, 0, 40);
        System.arraycopy(driver.read(b, 24), 0, first, 40, 24);
        assertFalse(allZero(Arrays.copyOfRange(first, 0, 32)));
        assertFalse(allZero(Arrays.copyOfRange(first, 40, 64)));
        assertTrue(allZero(driver.read(guard, 8)), "nothing past the buffers");

        long c = driver.allocate(64, 8);
        driver.request(q, out(c, 64));
        assertFalse(Arrays.equals(first, driver.read(c, 64)));
    }

    @Test
    void largeRequestsGetAtMostFourKibibytes() {
        long big = driver.allocate(10000, 8);
        assertEquals(4096, driver.request(q, out(big, 10000)).length());
        assertTrue(allZero(driver.read(big + 4096, 10000 - 4096)));
    }

    @Test
    void requestWithoutWritableBufferNeedsReset() {
        driver.submit(q, in(driver.allocate(16, 8), 16));
        driver.kick(q);
        assertTrue(driver.used(q).isEmpty());
        assertEquals(VirtioMmio.STATUS_DEVICE_NEEDS_RESET, driver.status() & VirtioMmio.STATUS_DEVICE_NEEDS_RESET);
        assertEquals(VirtioMmio.INTERRUPT_CONFIG_CHANGE, driver.reg(VirtioMmio.INTERRUPT_STATUS));
    }
}
