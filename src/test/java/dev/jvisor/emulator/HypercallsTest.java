package dev.jvisor.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.machine.psci.Psci;
import dev.jvisor.memory.GuestRam;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HypercallsTest {
    static final long BASE = 0x4000_0000L;
    final GuestRam ram = GuestRam.reserve(1 << 20);
    final ByteArrayOutputStream console = new ByteArrayOutputStream();
    final List<long[]> written = new ArrayList<>();
    final List<String> power = new ArrayList<>();
    final Psci psci = new Psci(1, new Psci.Platform() {
        @Override public void cpuOn(int cpu, long entry, long contextId) { power.add("on"); }
        @Override public void cpuOff(int cpu) { power.add("off"); }
        @Override public void waitForInterrupt(int cpu) { power.add("standby"); }
        @Override public void systemOff() { power.add("system off"); }
        @Override public void systemReset() { power.add("reset"); }
    });
    final Hypercalls calls = new Hypercalls(psci, ram, BASE, console::write,
            (pa, length) -> written.add(new long[] {pa, length}));
    final Cpu cpu = new A64Harness().cpu;

    long call(long fid, long... args) {
        cpu.x[0] = fid;
        for (int i = 0; i < 3; i++) cpu.x[i + 1] = i < args.length ? args[i] : 0;
        return calls.call(0, cpu);
    }

    @Test
    void smcccVersionAndArchitectureFeatures() {
        assertEquals(0x1_0001, call(Hypercalls.SMCCC_VERSION), "SMCCC v1.1");
        assertEquals(0, call(Hypercalls.SMCCC_ARCH_FEATURES, Hypercalls.SMCCC_ARCH_FEATURES));
        for (int workaround : new int[] {Hypercalls.ARCH_WORKAROUND_1, Hypercalls.ARCH_WORKAROUND_2,
                Hypercalls.ARCH_WORKAROUND_3}) {
            assertEquals(1, call(Hypercalls.SMCCC_ARCH_FEATURES, workaround), "not required on this PE");
        }
        assertEquals(-1, call(Hypercalls.SMCCC_ARCH_FEATURES, 0x8000_0002L), "SOC_ID is not implemented");
        assertEquals(-1, call(0xC500_0000L), "an unknown function is NOT_SUPPORTED");
    }

    @Test
    void psciGoesToTheFirmware() {
        assertEquals(Psci.PSCI_1_1, call(Psci.VERSION));
        assertEquals(0, call(Psci.FEATURES, Hypercalls.SMCCC_VERSION), "SMCCC_VERSION is announced through PSCI");
        assertEquals(-1, call(Psci.FEATURES, 0x8400_0012L), "PSCI_STAT_COUNT is not");
        call(Psci.SYSTEM_OFF);
        assertEquals(List.of("system off"), power);
    }

    @Test
    void vendorUidIsJvisorsOwn() {
        assertEquals(Hypercalls.UID[0], call(Hypercalls.VENDOR_HYP_UID));
        assertArrayEquals(new long[] {Hypercalls.UID[1], Hypercalls.UID[2], Hypercalls.UID[3]},
                new long[] {cpu.x[1], cpu.x[2], cpu.x[3]});
        assertEquals(1, call(Hypercalls.VENDOR_HYP_REVISION));
    }

    @Test
    void consoleWriteReadsGuestMemoryWithinRamOnly() {
        byte[] text = "hello, hypervisor\n".getBytes(StandardCharsets.US_ASCII);
        ram.copyIn(0x100, text, 0, text.length);
        assertEquals(text.length, call(Hypercalls.JVISOR_CONSOLE_WRITE, BASE + 0x100, text.length));
        assertEquals("hello, hypervisor\n", console.toString(StandardCharsets.US_ASCII));
        assertEquals(-3, call(Hypercalls.JVISOR_CONSOLE_WRITE, BASE - 8, 16), "starts below RAM");
        assertEquals(-3, call(Hypercalls.JVISOR_CONSOLE_WRITE, BASE + (1 << 20) - 4, 8), "runs past its end");
        assertEquals(-3, call(Hypercalls.JVISOR_CONSOLE_WRITE, BASE, -1), "negative length");
    }

    @Test
    void clockIsMonotonic() throws InterruptedException {
        long a = call(Hypercalls.JVISOR_CLOCK);
        Thread.sleep(2);
        long b = call(Hypercalls.JVISOR_CLOCK);
        assertTrue(b - a >= 2_000_000, a + " then " + b);
    }

    @Test
    void multicallRunsEveryEntryAndWritesResultsBack() {
        byte[] text = "ab".getBytes(StandardCharsets.US_ASCII);
        ram.copyIn(0x800, text, 0, 2);
        long table = 0x1000;
        long[][] entries = {
            {Hypercalls.JVISOR_CONSOLE_WRITE, BASE + 0x800, 2},
            {Hypercalls.JVISOR_CLOCK, 0, 0},
            {Hypercalls.JVISOR_MULTICALL, BASE + table, 1},
            {0x1234, 0, 0},
            {Hypercalls.JVISOR_CONSOLE_WRITE, BASE + 0x800, 1},
        };
        for (int i = 0; i < entries.length; i++) {
            for (int j = 0; j < 3; j++) ram.write64(table + 40L * i + 8 * j, entries[i][j]);
            ram.write64(table + 40L * i + 32, 0x5555);
        }
        assertEquals(5, call(Hypercalls.JVISOR_MULTICALL, BASE + table, entries.length));
        assertEquals("aba", console.toString(StandardCharsets.US_ASCII));
        assertEquals(2, ram.read64(table + 32));
        assertTrue(ram.read64(table + 40 + 32) > 0, "the clock");
        assertEquals(-3, ram.read64(table + 80 + 32), "no multicall inside a multicall");
        assertEquals(-1, ram.read64(table + 120 + 32), "an unknown call in the batch");
        assertEquals(1, ram.read64(table + 160 + 32));
        assertEquals(1, written.size());
        assertArrayEquals(new long[] {BASE + table, 200}, written.get(0), "the result words were written");
        assertEquals(-3, call(Hypercalls.JVISOR_MULTICALL, BASE + (1 << 20) - 40, 2), "table past RAM's end");
        assertEquals(-3, call(Hypercalls.JVISOR_MULTICALL, BASE, Hypercalls.MULTICALL_MAX + 1), "too many");
        assertEquals(3L, calls.counts().get("JVISOR_MULTICALL"), "two of them refused");
        assertEquals(2L, calls.counts().get("JVISOR_CONSOLE_WRITE (batched)"));
    }
}
