package dev.jvisor.cli;

import dev.jvisor.linux.Engine;
import dev.jvisor.linux.LinuxProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** `jvisor demo` (and plain `jvisor`): runs the small arm64 program built into the jar, from guests/demo. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the small arm64 Linux program embedded in jvisor.")
public final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    static final String RESOURCE = "/dev/jvisor/demo/demo";

    @Option(names = "--stats", description = "At exit, print instructions executed, wall time and MIPS to stderr.")
    boolean stats;

    @Option(names = "--trace", description = "Print every instruction (pc, word, disassembly) to stderr.")
    boolean trace;

    @Override
    public Integer call() {
        return LinuxProcess.run("demo", image(), List.of("demo"), LinuxProcess.Options.host(Engine.INTERPRETER, trace, stats));
    }

    /** The embedded ELF. */
    public static byte[] image() {
        try (InputStream in = DemoCommand.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("the demo program is missing from the jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
