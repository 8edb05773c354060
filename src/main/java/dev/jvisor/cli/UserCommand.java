package dev.jvisor.cli;

import dev.jvisor.UserError;
import dev.jvisor.debug.gdb.GdbServer;
import dev.jvisor.linux.Engine;
import dev.jvisor.linux.LinuxProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** `jvisor user`: runs a static AArch64 Linux program, like qemu-aarch64. Its exit status is the guest's. */
@Command(name = "user", mixinStandardHelpOptions = true,
        description = "Run a static AArch64 Linux program (ET_EXEC or static-pie) in user mode.",
        footer = {"", "The program sees the host's files (guest / is host /), jvisor's environment and standard "
                + "streams, and the signals sent to jvisor. It may fork and execve other static AArch64 programs; "
                + "the exit status is the program's, or 128 + the number of the signal that killed it."})
public final class UserCommand implements java.util.concurrent.Callable<Integer> {
    /** The execution engines: the binary translator (with the interpreter as its first tier), or the interpreter alone. */
    enum EngineChoice { interp, dbt }

    @Option(names = "--engine", defaultValue = "dbt", paramLabel = "ENGINE",
            description = "Execution engine: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    EngineChoice engine;

    @Option(names = "--stats", description = "At exit, print instructions executed, wall time and MIPS to stderr.")
    boolean stats;

    @Option(names = "--trace", description = "Print every instruction (pc, word, disassembly) to stderr.")
    boolean trace;

    @Option(names = "--gdb", paramLabel = "PORT",
            description = "Let gdb debug the program: listen on localhost:PORT (0: any free port, printed on stderr) "
                    + "for `target remote`.")
    Integer gdbPort;

    @Option(names = "--gdb-wait", description = "With --gdb: stop before the first instruction until gdb connects.")
    boolean gdbWait;

    @Parameters(index = "0", paramLabel = "PROGRAM", description = "The AArch64 ELF executable.")
    Path program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for the program.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        List<String> argv = new ArrayList<>();
        argv.add(program.toString());
        argv.addAll(args);
        LinuxProcess.Options options = LinuxProcess.Options.host(engineFor(engine), trace, stats);
        if (gdbPort == null) {
            if (gdbWait) throw new UserError("--gdb-wait needs --gdb PORT");
            return LinuxProcess.run(program, argv, options);
        }
        return LinuxProcess.runDebugged(program, argv, options, GdbServer.listen(gdbPort, options.messages()), gdbWait);
    }

    static Engine engineFor(EngineChoice choice) {
        return switch (choice) {
            case interp -> Engine.INTERPRETER;
            case dbt -> Engine.translator();
        };
    }
}
