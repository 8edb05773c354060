package dev.jvisor.cli;

import dev.jvisor.UserError;
import picocli.CommandLine.Command;

/** Placeholder: runs the arm64 program embedded in jvisor. */
@Command(name = "demo", description = "Run the small arm64 program embedded in jvisor.")
public final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserError("demo: not built yet");
    }
}
