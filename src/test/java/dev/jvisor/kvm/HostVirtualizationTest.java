package dev.jvisor.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jvisor.kvm.microvm.HostVirtualization;
import dev.jvisor.kvm.microvm.HostVirtualizationProbe;
import dev.jvisor.kvm.microvm.Privilege;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host detection from fake /sys/module, /proc/modules and /proc/cpuinfo. */
class HostVirtualizationTest {
    @TempDir
    Path dir;

    private HostVirtualization detect(String module, String cpuFlags) throws IOException {
        Path sys = Files.createDirectories(dir.resolve("sys"));
        if (module != null) Files.createDirectories(sys.resolve(module));
        Path modules = Files.writeString(dir.resolve("modules"), "kvm 1 0 - Live 0x0\n");
        Path cpuinfo = Files.writeString(dir.resolve("cpuinfo"), "processor\t: 0\nflags\t\t: " + cpuFlags + "\n");
        return HostVirtualizationProbe.detect(sys, modules, cpuinfo);
    }

    @Test
    void pvmModuleWinsAndMeansUserModeGuests() throws IOException {
        HostVirtualization h = detect("kvm_pvm", "fpu vme lm hypervisor");
        assertEquals(HostVirtualization.PVM, h);
        assertEquals(Privilege.USER, h.fastestPrivilege());
        assertEquals(false, h.userPortIoExits());
    }

    @Test
    void hardwareExtensionsMeanKernelModeGuests() throws IOException {
        assertEquals(HostVirtualization.VMX, detect(null, "fpu vmx lm"));
        assertEquals(HostVirtualization.SVM, detect(null, "fpu svm lm"));
        assertEquals(Privilege.KERNEL, HostVirtualization.VMX.fastestPrivilege());
        assertEquals(HostVirtualization.UNKNOWN, detect(null, "fpu lm vmxnotreally"));
    }
}
