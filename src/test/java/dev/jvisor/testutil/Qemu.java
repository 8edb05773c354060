package dev.jvisor.testutil;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs an arm64 Linux program under Debian's qemu-aarch64: the oracle jvisor's user mode is compared with. */
public final class Qemu {
    private Qemu() {}

    public static HostCommand user(Path program, String... args) {
        Path qemu = Prerequisites.tool("qemu-aarch64", "apt-get install qemu-user");
        List<String> cmd = new ArrayList<>(List.of(qemu.toString(), program.toString()));
        cmd.addAll(List.of(args));
        return new HostCommand(cmd);
    }
}
