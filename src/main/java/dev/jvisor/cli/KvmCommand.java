package dev.jvisor.cli;

import dev.jvisor.UserError;
import picocli.CommandLine.Command;

/** Placeholder for the KVM front end (issue 7). */
@Command(name = "kvm", description = "Run an x86-64 guest program under Linux KVM (/dev/kvm).")
public final class KvmCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserError("kvm: not built yet");
    }
}
