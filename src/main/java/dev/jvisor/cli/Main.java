package dev.jvisor.cli;

import dev.jvisor.UserError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The jvisor command line: one subcommand per front end. */
@Command(name = "jvisor", mixinStandardHelpOptions = true, version = "jvisor 0.1.0",
        description = "Processor virtualization on the JVM: AArch64 interpretation and binary translation, "
                + "Linux user mode, system emulation of a virt machine, and a VMM over /dev/kvm.",
        subcommands = {DemoCommand.class, UserCommand.class, RunCommand.class, LinuxCommand.class, KvmCommand.class,
                GuestsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status, so tests can call it in-process. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        // Everything after the guest program's name belongs to the guest, options included.
        cl.getSubcommands().get("user").setStopAtPositional(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof UserError ue) {
                cmd.getErr().println("jvisor: " + ue.getMessage());
                return 2;
            }
            cmd.getErr().println("jvisor: internal error: " + ex);
            if (System.getenv("JVISOR_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return 70;
        });
        cl.setParameterExceptionHandler((ex, argv) -> {
            ex.getCommandLine().getErr().println("jvisor: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try 'jvisor " + ex.getCommandLine().getCommandName() + " --help'.");
            return 2;
        });
        if (args.length == 0) args = new String[] {"demo"};
        return cl.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
