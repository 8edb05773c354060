package dev.jvisor.kvm;

import static dev.jvisor.kvm.KvmTestSupport.assumeKvm;
import static dev.jvisor.kvm.KvmTestSupport.guests;
import static dev.jvisor.kvm.KvmTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.kvm.KvmTestSupport.Run;
import dev.jvisor.kvm.microvm.MicroVm;
import dev.jvisor.kvm.microvm.Privilege;
import dev.jvisor.machine.bus.Device;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Runs the guest programs in guests/kvm and checks their output and how their VMs end. */
class MicroVmTest {
    @BeforeEach
    void needKvm() {
        assumeKvm();
        guests();
    }

    @Test
    void helloPrintsThroughHypercallsAndTheMmioConsole() {
        Run r = run("hello", "one", "two words");
        String argv0 = guests().resolve("hello").toString();
        assertEquals("hello from a jvisor KVM guest\nargc=3 vcpus=1\nargv[0]=" + argv0 + "\nargv[1]=one\n"
                + "argv[2]=two words\nhello through the MMIO console\n", r.output());
        assertEquals(0, r.exitStatus());
        // Each MMIO console byte is one MMIO exit, as is each hypercall under the doorbell transport.
        assertTrue(r.stats().totalExits() >= r.stats().hypercalls() + "hello through the MMIO console\n".length());
    }

    @Test
    void catCopiesHostFilesNamedOnTheCommandLine(@TempDir Path dir) throws IOException {
        byte[] big = new byte[200_000]; // more than the guest's 64 KiB buffer: several reads at rising offsets
        for (int i = 0; i < big.length; i++) big[i] = (byte) ('a' + i % 26);
        Path first = Files.writeString(dir.resolve("first.txt"), "first file\n");
        Path second = Files.write(dir.resolve("second.txt"), big);
        Run r = run("cat", first.toString(), second.toString());
        assertEquals(0, r.exitStatus());
        assertEquals("first file\n" + new String(big, StandardCharsets.US_ASCII), r.output());
    }

    @Test
    void catReportsAFileItCannotRead(@TempDir Path dir) {
        Run r = run("cat", dir.resolve("missing").toString());
        assertEquals(1, r.exitStatus());
        assertEquals("cat: cannot read " + dir.resolve("missing") + "\n", r.output());
    }

    @Test
    void computeMatchesAnIndependentSha256AndPrimeCount() {
        // Digest of the guest's 1 MiB xorshift stream, computed separately with Python's hashlib.
        Run r = run("compute", "1");
        assertEquals("sha256(1 MiB) = f29fb072131fcfc725b5ec446ad19960b2b1b4fd78a3cbf5867009111fe602e0\n"
                + "primes below 10000001: 664579\n", r.output());
        assertEquals(0, r.exitStatus());
        // Every exit is one of its 40 console hypercalls: the compute itself runs without leaving the guest.
        assertEquals(r.stats().hypercalls(), r.stats().exitsByReason()[KvmAbi.KVM_EXIT_MMIO]);
        assertTrue(r.stats().hypercalls() < 50, "hypercalls: " + r.stats().hypercalls());
    }

    @Test
    void computeAgreesWithTheSameCodeRunNatively() throws Exception {
        Process p = new ProcessBuilder(guests().resolve("compute-native").toString(), "16").start();
        String nativeOutput = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertEquals(nativeOutput, run("compute", "16").output());
    }

    @Test
    void exitHeavyGuestMakesEveryHypercallOnce() {
        Run r = run("exits", "3000");
        assertEquals("hypercalls: 3000\n", r.output());
        assertEquals(0, r.exitStatus());
        // 3000 NOPs, two clock reads, the three writes of the result line, and the exit.
        assertEquals(3006, r.stats().hypercalls());
    }

    @Test
    void severalVcpusRunInParallelAndShareMemoryCoherently() {
        for (int vcpus : new int[] {2, 3}) {
            Run r = run("smp", vcpus, null);
            StringBuilder expected = new StringBuilder();
            for (int cpu = 0; cpu < vcpus; cpu++) {
                expected.append(String.format("cpu %d: %016x%n", cpu, smpResult(cpu)));
            }
            expected.append("counter: ").append(vcpus * 1_000_000L).append('\n');
            assertEquals(expected.toString(), r.output());
            assertEquals(0, r.exitStatus());
        }
    }

    @Test
    void applicationProcessorsStartUnderTheInKernelIrqchipToo() {
        Run r = run("smp", 2, null, true);
        assertTrue(r.stats().irqchip(), "this host offers an in-kernel irqchip");
        assertTrue(r.output().endsWith("counter: 2000000\n"), r.output());
        assertEquals(0, r.exitStatus());
    }

    /** What smp.c's work() computes for one CPU. */
    private static long smpResult(long cpu) {
        long h = cpu;
        for (long i = 0; i < 1_000_000; i++) {
            long x = h + i;
            x ^= x >>> 33;
            x *= 0xff51afd7ed558ccdL;
            x ^= x >>> 33;
            x *= 0xc4ceb9fe1a85ec53L;
            h = x ^ (x >>> 33);
        }
        return h;
    }

    @ParameterizedTest
    @CsvSource({
        "ud, 'triple fault', ': 0f 0b '",
        "ud, 'triple fault', '(ud2: invalid opcode)'",
        "pf, 'triple fault', 'at rip 0x4'",
        "sv, 'triple fault', 'at rip 0x4'",
        "gp, 'triple fault', ': f4 '",
        "gp, 'triple fault', '(hlt: privileged at CPL3)'",
        "mmio, 'MMIO write of 4 bytes at 0xd00f0000', 'no device at 0xd00f0000'",
    })
    void aFaultingGuestEndsItsVmWithOneLineAndARegisterDump(String how, String reason, String detail) {
        int before = KvmTestSupport.openDescriptors();
        Run r = run("fault", how);
        MicroVm.Outcome.Crashed crash = r.crash();
        assertEquals("about to fault: " + how + "\n", r.output());
        assertTrue(crash.reason().startsWith("vCPU 0: "), crash.reason());
        assertTrue(crash.reason().contains(reason), crash.reason());
        assertTrue(crash.reason().contains(detail), crash.reason());
        assertFalse(crash.reason().contains("\n"), "the reason is one line");
        assertTrue(crash.state().contains("rip=00000000004"), crash.state());
        assertTrue(crash.state().contains("cs: sel=0023"), crash.state());
        assertEquals(before, KvmTestSupport.openDescriptors(), "every descriptor of the VM is closed");
    }

    @Test
    void aDeviceMappedOnTheBusReceivesTheGuestsMmioWrites() {
        List<String> accesses = new CopyOnWriteArrayList<>();
        Device recorder = new Device() {
            @Override
            public String name() {
                return "recorder";
            }

            @Override
            public long read(long offset, int size) {
                accesses.add("read " + offset + "/" + size);
                return 0;
            }

            @Override
            public void write(long offset, int size, long value) {
                accesses.add("write " + offset + "/" + size + " = " + value);
            }
        };
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (Kvm kvm = Kvm.open()) {
            MicroVm vm = MicroVm.create(kvm, new MicroVm.Config(guests().resolve("fault"), List.of("mmio"), 32L << 20,
                    1, null, false, console));
            vm.bus().map(0xd00f0000L, 0x1000, recorder);
            assertEquals(new MicroVm.Outcome.Exited(3), vm.run());
        }
        assertEquals(List.of("write 0/4 = 1"), accesses);
        assertEquals("about to fault: mmio\nstill alive\n", console.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aCrashOnOneVcpuStopsTheOthersStillRunningGuestCode() {
        int before = KvmTestSupport.openDescriptors();
        Run r = run("smp", 3, null, "crash");
        MicroVm.Outcome.Crashed crash = r.crash();
        assertEquals(0, crash.vcpu());
        assertTrue(crash.reason().contains("ud2"), crash.reason());
        assertEquals("secondaries spinning; crashing the boot vCPU\n", r.output());
        assertEquals(before, KvmTestSupport.openDescriptors());
        // The JVM is fine and the next VM runs normally.
        assertEquals(0, run("hello").exitStatus());
    }

    @Test
    void severalVmsRunAtOnceInOneJvm() throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            Future<Run> compute = pool.submit(() -> run("compute", "4"));
            Future<Run> crash = pool.submit(() -> run("fault", "ud"));
            Future<Run> smp = pool.submit(() -> run("smp", 2, null));
            assertTrue(crash.get().crash().reason().contains("ud2"));
            assertTrue(compute.get().output().endsWith("primes below 10000001: 664579\n"));
            assertEquals(0, compute.get().exitStatus());
            assertTrue(smp.get().output().endsWith("counter: 2000000\n"), smp.get().output());
        }
    }

    @Test
    void kernelPrivilegeUsesPortIoHypercalls() {
        Run r = run("hello", 1, Privilege.KERNEL);
        assertEquals(0, r.exitStatus());
        assertTrue(r.output().endsWith("hello through the MMIO console\n"), r.output());
        assertTrue(r.stats().portTransport());
        assertEquals(Privilege.KERNEL, r.stats().privilege());
        assertEquals(r.stats().hypercalls(), r.stats().exitsByReason()[KvmAbi.KVM_EXIT_IO]);
    }

    @Test
    void aVmStartsWithinFiftyMillisecondsInARunningJvm() {
        run("hello"); // class loading and linking happen once per JVM
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) best = Math.min(best, run("hello").stats().vmmStartToGuestEntryNanos());
        assertTrue(best > 0 && best < 50_000_000L, "VMM start to guest entry: " + best / 1e6 + " ms");
    }
}
