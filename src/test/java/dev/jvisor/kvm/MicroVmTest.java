package dev.jvisor.kvm;

import static dev.jvisor.kvm.KvmTestSupport.assumeKvm;
import static dev.jvisor.kvm.KvmTestSupport.guests;
import static dev.jvisor.kvm.KvmTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.kvm.KvmTestSupport.Run;
import dev.jvisor.kvm.microvm.Privilege;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
}
