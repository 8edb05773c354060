package dev.jvisor.cli;

import dev.jvisor.UserError;
import picocli.CommandLine.Command;

/** Placeholder for Linux user mode (issue 2). */
@Command(name = "user", description = "Run a static AArch64 Linux program.")
public final class UserCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserError("user: not built yet");
    }
}
