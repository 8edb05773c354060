package dev.jvisor.kvm.microvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What implements /dev/kvm on this host. It decides the guest's privilege level and how it makes hypercalls:
 * KVM-PVM runs CPL3 guest code natively but emulates CPL0 code, and it turns a CPL3 OUT into a guest #GP.
 */
public enum HostVirtualization {
    /** Intel VT-x. */
    VMX,
    /** AMD-V. */
    SVM,
    /** KVM-PVM: pagetable-based virtualization without hardware extensions (kvm_pvm module). */
    PVM,
    /** Something else; treated like PVM, the choice that works everywhere. */
    UNKNOWN;

    /** Detects the host from the loaded modules and the CPU flags. */
    public static HostVirtualization detect() {
        return detect(Path.of("/sys/module"), Path.of("/proc/modules"), Path.of("/proc/cpuinfo"));
    }

    static HostVirtualization detect(Path sysModule, Path procModules, Path cpuinfo) {
        if (Files.isDirectory(sysModule.resolve("kvm_pvm")) || fileHasWord(procModules, "kvm_pvm")) return PVM;
        String flags = cpuFlags(cpuinfo);
        if (flags.contains(" vmx ")) return VMX;
        if (flags.contains(" svm ")) return SVM;
        return UNKNOWN;
    }

    /** The privilege level that runs guest code fastest here. */
    public Privilege fastestPrivilege() {
        return this == VMX || this == SVM ? Privilege.KERNEL : Privilege.USER;
    }

    /** Whether an OUT from guest CPL3 with IOPL=3 reaches the VMM as KVM_EXIT_IO on this host. */
    public boolean userPortIoExits() {
        return this == VMX || this == SVM;
    }

    private static boolean fileHasWord(Path file, String word) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(word + " ")) return true;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    private static String cpuFlags(Path cpuinfo) {
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (line.startsWith("flags")) return " " + line.substring(line.indexOf(':') + 1).trim() + " ";
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
        return "";
    }
}
