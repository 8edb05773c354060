package dev.jvisor.kvm.microvm;

import java.nio.file.Path;

/** Lets tests outside the package call the detection with fake system files. */
public final class HostVirtualizationProbe {
    private HostVirtualizationProbe() {}

    public static HostVirtualization detect(Path sysModule, Path procModules, Path cpuinfo) {
        return HostVirtualization.detect(sysModule, procModules, cpuinfo);
    }
}
