package dev.jvisor.kvm;

import static dev.jvisor.kvm.KvmTestSupport.assumeKvm;
import static dev.jvisor.kvm.KvmTestSupport.guests;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code jvisor kvm} end to end, in-process: exit statuses and what lands on stdout and stderr. */
class KvmCliTest {
    record Result(int status, String out, String err) {}

    private static synchronized Result jvisor(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.run(args);
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void noKvmDeviceIsOneLineAndStatus2() {
        Result r = jvisor("kvm", "--device", "/nonexistent/kvm", "guest");
        assertEquals(2, r.status());
        assertEquals("jvisor: kvm: /nonexistent/kvm does not exist (no KVM on this host, or the kvm module is not "
                + "loaded)\n", r.err());
    }

    @Test
    void aMissingGuestIsOneLineAndStatus2() {
        assumeKvm();
        Result r = jvisor("kvm", "/nonexistent/guest");
        assertEquals(2, r.status());
        assertEquals("jvisor: /nonexistent/guest: no such file\n", r.err());
    }

    @Test
    void aGuestThatIsNotAnX8664ExecutableIsRejected() {
        assumeKvm();
        Result r = jvisor("kvm", "pom.xml");
        assertEquals(2, r.status());
        assertEquals("jvisor: pom.xml: not an ELF file\n", r.err());
    }

    @Test
    void badOptionsAreStatus2() {
        assertEquals(2, jvisor("kvm", "--memory", "lots", "x").status());
        assertEquals(2, jvisor("kvm", "--privilege", "ring1", "x").status());
        assumeKvm();
        Result r = jvisor("kvm", "--memory", "3M", guests().resolve("hello").toString());
        assertEquals(2, r.status());
        assertEquals("jvisor: guest memory must be a multiple of 2 MiB between 4 MiB and 3 GiB\n", r.err());
    }

    @Test
    void vcpuCountAndRepeatAreChecked() {
        assumeKvm();
        String hello = guests().resolve("hello").toString();
        Result none = jvisor("kvm", "--vcpus", "0", hello);
        assertEquals(2, none.status());
        assertTrue(none.err().startsWith("jvisor: vCPU count must be between 1 and "), none.err());
        assertEquals(2, jvisor("kvm", "--repeat", "0", hello).status());
        Result twice = jvisor("kvm", "--repeat", "2", "--stats", hello);
        assertEquals(0, twice.status(), twice.err());
        assertEquals(2, twice.out().split("hello from a jvisor KVM guest", -1).length - 1, twice.out());
        assertTrue(twice.err().contains("JVM start to command: (JVM already running)"), twice.err());
    }

    @Test
    void runsAGuestAndPassesItsExitStatusThrough() {
        assumeKvm();
        Result hello = jvisor("kvm", guests().resolve("hello").toString(), "x");
        assertEquals(0, hello.status(), hello.err());
        assertTrue(hello.out().startsWith("hello from a jvisor KVM guest\nargc=2 vcpus=1\n"), hello.out());
        assertEquals("", hello.err());
        Result survivor = jvisor("kvm", guests().resolve("fault").toString(), "none");
        assertEquals(3, survivor.status());
        assertEquals("about to fault: none\nstill alive\n", survivor.out());
    }

    @Test
    void statsReportModeExitsAndRoundTripCost() {
        assumeKvm();
        Result r = jvisor("kvm", "--stats", "--memory", "32M", guests().resolve("exits").toString(), "500");
        assertEquals(0, r.status(), r.err());
        assertEquals("hypercalls: 500\n", r.out());
        String[] lines = r.err().split("\n");
        assertEquals(4, lines.length, r.err());
        assertTrue(lines[0].startsWith("kvm: host "), lines[0]);
        assertTrue(lines[0].contains("guest at CPL"), lines[0]);
        assertTrue(lines[1].contains("VMM start to guest entry: "), lines[1]);
        assertTrue(lines[2].contains("hypercalls 506"), lines[2]);
        assertTrue(lines[3].matches("kvm: exit round trip \\d+ ns .*"), lines[3]);
    }

    @Test
    void aCrashIsOneLineOfReasonThenARegisterDumpAndStatus125() {
        assumeKvm();
        Result r = jvisor("kvm", guests().resolve("fault").toString(), "ud");
        assertEquals(125, r.status());
        String[] lines = r.err().split("\n");
        assertTrue(lines[0].startsWith("jvisor: kvm: guest crashed: vCPU 0: triple fault"), lines[0]);
        assertTrue(lines[0].contains("ud2"), lines[0]);
        assertTrue(lines[1].startsWith("rax="), lines[1]);
        assertTrue(r.err().contains("rip=00000000004"), r.err());
    }
}
