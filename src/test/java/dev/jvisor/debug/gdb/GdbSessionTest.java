package dev.jvisor.debug.gdb;

import dev.jvisor.testutil.CrossCompiler;
import dev.jvisor.testutil.Guests;
import dev.jvisor.testutil.HostCommand;
import dev.jvisor.testutil.Jvisor;
import dev.jvisor.testutil.Prerequisites;
import dev.jvisor.testutil.ProcessResult;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's gdb-multiarch, in batch mode, debugging programs that {@code jvisor user --gdb 0 --gdb-wait} runs, on each
 * engine: the stub as a real gdb uses it (target description, registers, memory, breakpoints, steps, exit).
 */
class GdbSessionTest {
    private static final Pattern PORT = Pattern.compile("jvisor: gdb: listening on localhost:(\\d+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** Stripped busybox: stopped at the ELF entry point, one step, a breakpoint by address, then to the exit. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"interp", "dbt"})
    void busyboxFromItsEntryPointToItsExit(String engine, @TempDir Path dir) throws Exception {
        Path busybox = Guests.busyboxArm64();
        long entry = executableEntry(busybox);
        long later = entry + 16;
        Session s = debug(engine, dir, busybox, List.of("false"),
                "info registers",
                "stepi",
                "print/x $pc",
                String.format("break *0x%x", later),
                "continue",
                "print/x $pc",
                "continue");
        String out = s.gdb.stdoutText();
        // "info registers" lists the core registers of the target description, pc at the entry point.
        assertTrue(finds("(?m)^pc\\s+0x" + Long.toHexString(entry) + "\\s", out), s.describe());
        for (String reg : List.of("x0", "x30", "sp", "cpsr", "fpsr", "fpcr")) {
            assertTrue(finds("(?m)^" + reg + "\\s+0x", out), reg + " missing: " + s.describe());
        }
        // The first instruction of busybox's _start is a NOP, so one step is 4 bytes on.
        assertEquals(List.of(entry + 4, later), printedValues(out), s.describe());
        assertTrue(out.contains("exited with code 01"), s.describe());
        assertEquals(1, s.exitStatus, s.describe());
    }

    /** A program with symbols: breakpoints on functions, a global, memory, a step, a backtrace, the exit status. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"interp", "dbt"})
    void cProgramWithSymbols(String engine, @TempDir Path dir) throws Exception {
        Path program = CrossCompiler.compile(Path.of(System.getProperty("basedir", "."), "tests/c/debuggee.c"),
                List.of("-O0", "-g", "-static"));
        Session s = debug(engine, dir, program, List.of(),
                "break checkpoint",
                "continue",
                "print/x counter",
                "x/4xw &table",
                "break bump",
                "continue",
                "print/x $pc",
                "stepi",
                "print/x $pc",
                "backtrace",
                "print/x table[0]=0x41",
                "delete",
                "continue");
        String out = s.gdb.stdoutText();
        assertTrue(out.contains("Breakpoint 1, checkpoint () at"), s.describe());
        // bump() ran 1000 times before checkpoint (translated, on the translator): counter grew by 1 + ... + 1000.
        long counter = 0x1122334455667788L + 500_500;
        List<Long> values = printedValues(out);
        assertEquals(counter, values.get(0), s.describe());
        assertTrue(out.contains("<table>:\t0x00000011\t0x00000022\t0x00000033\t0x00000044"), s.describe());
        assertTrue(out.contains("Breakpoint 2, bump (by=1) at"), s.describe());
        assertEquals(values.get(1) + 4, values.get(2), "stepi: " + s.describe());
        assertTrue(Pattern.compile("#1  0x[0-9a-f]+ in main \\(argc=1, .*\\) at").matcher(out).find(), s.describe());
        assertTrue(out.contains("exited with code 07"), s.describe());
        assertEquals(7, s.exitStatus, s.describe());
        // gdb's write reached the program, which prints table[0] at its end.
        assertTrue(s.programOutput.contains("table 41"), s.describe());
    }

    /**
     * Watchpoints (Z2, Z3) stop the program at the access: gdb shows the old and new value of a write, and the value
     * a read finds, in bump() which the translator has translated by then.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"interp", "dbt"})
    void watchpointsStopAtTheAccess(String engine, @TempDir Path dir) throws Exception {
        Path program = CrossCompiler.compile(Path.of(System.getProperty("basedir", "."), "tests/c/debuggee.c"),
                List.of("-O0", "-g", "-static"));
        Session s = debug(engine, dir, program, List.of(),
                "break checkpoint",
                "continue",
                "watch table[0]",
                "continue",
                "delete",
                "rwatch counter",
                "continue",
                "backtrace 1",
                "delete",
                "continue");
        String out = s.gdb.stdoutText();
        assertTrue(finds("Hardware watchpoint 2: table\\[0\\]\\n\\nOld value = 17\\nNew value = 18\\n"
                + "checkpoint \\(\\) at ", out), s.describe());
        assertTrue(finds("Hardware read watchpoint 3: counter\\n\\nValue = 1234605616437009052\\n", out), s.describe());
        assertTrue(finds("#0  0x[0-9a-f]+ in bump \\(by=1\\) at", out), s.describe());
        assertTrue(out.contains("exited with code 07"), s.describe());
        assertEquals(7, s.exitStatus, s.describe());
    }

    /** A hardware breakpoint (Z1) stops like a software one; after detach the program runs on to its own end. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"interp", "dbt"})
    void hardwareBreakpointThenDetach(String engine, @TempDir Path dir) throws Exception {
        Path program = CrossCompiler.compile(Path.of(System.getProperty("basedir", "."), "tests/c/debuggee.c"),
                List.of("-O0", "-g", "-static"));
        Session s = debug(engine, dir, program, List.of(),
                "hbreak checkpoint",
                "continue",
                "info breakpoints",
                "detach");
        String out = s.gdb.stdoutText();
        assertTrue(out.contains("Breakpoint 1, checkpoint () at"), s.describe());
        assertTrue(finds("1\\s+hw breakpoint\\s+keep y.*\\n\\s+breakpoint already hit 1 time", out), s.describe());
        assertTrue(out.contains("detached"), s.describe());
        assertEquals(7, s.exitStatus, s.describe());
        assertTrue(s.programOutput.endsWith("counter 11223344556e1aa2 table 12\ndone\n"), s.describe());
    }

    /**
     * A fault stops the program at the faulting instruction with the signal, as under ptrace; gdb's "signal 0" makes
     * it run again (and fault again), and continuing passes the signal on, which kills the program.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"interp", "dbt"})
    void faultsStopTheProgramBeforeTheSignalActs(String engine, @TempDir Path dir) throws Exception {
        Path program = CrossCompiler.compile(Path.of(System.getProperty("basedir", "."), "tests/c/debuggee.c"),
                List.of("-O0", "-g", "-static"));
        Session s = debug(engine, dir, program, List.of("crash"),
                "continue",
                "print/x $pc",
                "signal 0",
                "print/x $pc",
                "continue");
        String out = s.gdb.stdoutText();
        Pattern stop = Pattern.compile("Program received signal SIGSEGV, Segmentation fault.\n"
                + "0x[0-9a-f]+ in crash \\(\\) at");
        assertEquals(2, stop.matcher(out).results().count(), s.describe());
        List<Long> pcs = printedValues(out);
        assertEquals(pcs.get(0), pcs.get(1), "the faulting instruction runs again: " + s.describe());
        assertTrue(out.contains("Program terminated with signal SIGSEGV, Segmentation fault."), s.describe());
        assertEquals(128 + 11, s.exitStatus, s.describe());
    }

    /** abort() raises SIGABRT, whose default action would end the process at once: gdb sees it first. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"interp", "dbt"})
    void abortStopsInRaiseBeforeTheProcessDies(String engine, @TempDir Path dir) throws Exception {
        Path program = CrossCompiler.compile(Path.of(System.getProperty("basedir", "."), "tests/c/debuggee.c"),
                List.of("-O0", "-g", "-static"));
        Session s = debug(engine, dir, program, List.of("abort"),
                "continue",
                "backtrace",
                "continue");
        String out = s.gdb.stdoutText();
        assertTrue(out.contains("Program received signal SIGABRT, Aborted."), s.describe());
        assertTrue(Pattern.compile("#\\d+  0x[0-9a-f]+ in abort \\(\\)").matcher(out).find(), s.describe());
        assertTrue(Pattern.compile("in main \\(argc=2, .*\\) at").matcher(out).find(), s.describe());
        assertTrue(out.contains("Program terminated with signal SIGABRT, Aborted."), s.describe());
        assertEquals(128 + 6, s.exitStatus, s.describe());
    }

    /**
     * Guest threads are gdb's threads, stopped together: a breakpoint in the thread function stops the new thread and
     * the main thread, both listed; the program still computes exactly what it does undebugged.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"interp", "dbt"})
    void threadsStopTogether(String engine, @TempDir Path dir) throws Exception {
        Path program = CrossCompiler.compile(Path.of(System.getProperty("basedir", "."), "tests/c/threads.c"));
        Session s = debug(engine, dir, program, List.of(),
                "break worker",
                "continue",
                "info threads",
                "delete",
                "continue");
        String out = s.gdb.stdoutText();
        assertTrue(Pattern.compile("Thread \\d+ hit Breakpoint 1, 0x[0-9a-f]+ in worker \\(\\)").matcher(out).find(),
                s.describe());
        long listed = out.lines().filter(l -> l.matches("\\*?\\s+\\d+\\s+Thread \\d+ .*")).count();
        assertTrue(listed >= 2, "expected the main thread and a worker: " + s.describe());
        assertTrue(out.contains("exited normally"), s.describe());
        assertEquals(0, s.exitStatus, s.describe());
        assertTrue(s.programOutput.contains("tls total 50000 joined 80984"), s.describe());
    }

    /**
     * Without --gdb-wait the program runs at once; connecting stops it, Ctrl-C (0x03) interrupts it while it runs, and
     * 'k' kills it. Spoken in raw protocol, since gdb in batch mode cannot type Ctrl-C.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"interp", "dbt"})
    void attachToARunningProgramInterruptItAndKillIt(String engine, @TempDir Path dir) throws Exception {
        Path err = dir.resolve("jvisor.err");
        Process jvisor = startWithoutWaiting(engine, dir, "sh", "-c", "while :; do :; done");
        try (java.net.Socket socket = connect(jvisor, err)) {
            java.io.OutputStream out = socket.getOutputStream();
            RspChannel gdb = new RspChannel(new java.io.BufferedInputStream(socket.getInputStream()), out);
            gdb.send("?");
            String attached = gdb.readPacket();
            assertTrue(attached.matches("T05thread:[0-9a-f]+;"), attached);
            gdb.send("g");
            long pc = Aarch64Registers.parseLe(gdb.readPacket(), 32 * 16, 8);
            gdb.send("vCont;c");
            Thread.sleep(300);
            assertTrue(jvisor.isAlive());
            out.write(RspChannel.INTERRUPT);
            out.flush();
            String interrupted = gdb.readPacket();
            assertTrue(interrupted.matches("T02thread:[0-9a-f]+;"), interrupted);
            gdb.send("g");
            long later = Aarch64Registers.parseLe(gdb.readPacket(), 32 * 16, 8);
            // Both stops are inside busybox's text.
            assertTrue(pc >= 0x400000 && later >= 0x400000, Long.toHexString(pc) + " " + Long.toHexString(later));
            gdb.send("k");
            assertTrue(jvisor.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), Files.readString(err));
            assertEquals(128 + 9, jvisor.exitValue(), Files.readString(err));
        } finally {
            jvisor.destroyForcibly();
        }
    }

    /**
     * A thread blocked in a system call counts as stopped: a program sleeping for a minute is interrupted at once,
     * with its pc at the SVC, and kill ends it without waiting for the sleep.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"interp", "dbt"})
    void interruptAProgramBlockedInASystemCall(String engine, @TempDir Path dir) throws Exception {
        Path err = dir.resolve("jvisor.err");
        Process jvisor = startWithoutWaiting(engine, dir, "sleep", "60");
        try (java.net.Socket socket = connect(jvisor, err)) {
            java.io.OutputStream out = socket.getOutputStream();
            RspChannel gdb = new RspChannel(new java.io.BufferedInputStream(socket.getInputStream()), out);
            long start = System.nanoTime();
            assertTrue(askRaw(gdb, "?").startsWith("T05"));
            boolean inSvc = false;
            // Connecting stopped it wherever it was; let it run into its nanosleep, however long start-up takes.
            for (int attempt = 0; attempt < 40 && !inSvc; attempt++) {
                gdb.send("vCont;c");
                Thread.sleep(250);
                out.write(RspChannel.INTERRUPT);
                out.flush();
                String stop = gdb.readPacket();
                assertTrue(stop.matches("T02thread:[0-9a-f]+;"), stop);
                long pc = Aarch64Registers.parseLe(askRaw(gdb, "g"), 32 * 16, 8);
                byte[] insn = java.util.HexFormat.of().parseHex(askRaw(gdb, String.format("m%x,4", pc)));
                inSvc = ByteBuffer.wrap(insn).order(ByteOrder.LITTLE_ENDIAN).getInt() == 0xd4000001; // svc #0
            }
            assertTrue(inSvc, "never stopped in the sleep's system call");
            gdb.send("k");
            assertTrue(jvisor.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), Files.readString(err));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(45).toNanos(), "waited for the sleep");
            assertEquals(128 + 9, jvisor.exitValue(), Files.readString(err));
        } finally {
            jvisor.destroyForcibly();
        }
    }

    private static String askRaw(RspChannel gdb, String packet) throws IOException {
        gdb.send(packet);
        return gdb.readPacket();
    }

    /** {@code jvisor user --gdb 0 busybox ARGS}: the program runs at once, with no debugger yet. */
    private static Process startWithoutWaiting(String engine, Path dir, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("user", "--engine", engine, "--gdb", "0",
                Guests.busyboxArm64().toString()));
        argv.addAll(List.of(args));
        return new ProcessBuilder(Jvisor.cli(argv.toArray(String[]::new)).command())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(dir.resolve("jvisor.out").toFile()).redirectError(dir.resolve("jvisor.err").toFile())
                .start();
    }

    private static java.net.Socket connect(Process jvisor, Path err) throws IOException, InterruptedException {
        java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), awaitPort(jvisor, err));
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        return socket;
    }

    private record Session(ProcessResult gdb, int exitStatus, String programOutput, String jvisorErr) {
        String describe() {
            return gdb.describe() + "\n  gdb stdout:\n" + gdb.stdoutText().indent(4) + "  jvisor exit " + exitStatus
                    + ", stdout:\n" + programOutput.indent(4) + "  jvisor stderr:\n" + jvisorErr.indent(4);
        }
    }

    /**
     * Runs {@code program} under {@code jvisor user --gdb 0 --gdb-wait}, and gdb (with the program's symbols, if it
     * has any) through {@code commands}.
     */
    private static Session debug(String engine, Path dir, Path program, List<String> args, String... commands)
            throws IOException, InterruptedException {
        Path gdb = Prerequisites.tool("gdb-multiarch", "apt-get install gdb-multiarch");
        List<String> argv = new ArrayList<>(List.of("user", "--engine", engine, "--gdb", "0", "--gdb-wait",
                program.toString()));
        argv.addAll(args);
        Path out = dir.resolve("jvisor.out"), err = dir.resolve("jvisor.err");
        Process jvisor = new ProcessBuilder(Jvisor.cli(argv.toArray(String[]::new)).command())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            int port = awaitPort(jvisor, err);
            List<String> cmd = new ArrayList<>(List.of(gdb.toString(), "-batch", "-nx", program.toString(),
                    "-ex", "set architecture aarch64", "-ex", "target remote :" + port));
            for (String c : commands) cmd.addAll(List.of("-ex", c));
            ProcessResult r = new HostCommand(cmd).cwd(dir).timeout(TIMEOUT).run();
            assertTrue(jvisor.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "jvisor did not end: " + r.describe()
                    + "\n" + Files.readString(err));
            return new Session(r, jvisor.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            jvisor.destroyForcibly();
        }
    }

    private static int awaitPort(Process jvisor, Path err) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = PORT.matcher(Files.readString(err));
            if (m.find()) return Integer.parseInt(m.group(1));
            if (!jvisor.isAlive()) break;
            Thread.sleep(50);
        }
        throw new AssertionError("jvisor never said where it listens; stderr:\n" + Files.readString(err));
    }

    private static boolean finds(String regex, String text) {
        return Pattern.compile(regex).matcher(text).find();
    }

    /** The values of gdb's "$N = 0x..." lines, in order. */
    private static List<Long> printedValues(String gdbOut) {
        List<Long> values = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\$\\d+ = 0x([0-9a-f]+)$").matcher(gdbOut);
        while (m.find()) values.add(Long.parseUnsignedLong(m.group(1), 16));
        return values;
    }

    /** e_entry of an ET_EXEC ELF file (where a position-dependent program starts, with no load bias). */
    private static long executableEntry(Path elf) throws IOException {
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(elf), 0, 64).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2, header.getShort(16), elf + " is not ET_EXEC: its entry point would move");
        return header.getLong(24);
    }
}
