package dev.jvisor.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.testutil.CrossCompiler;
import dev.jvisor.testutil.HostCommand;
import dev.jvisor.testutil.Jvisor;
import dev.jvisor.testutil.Prerequisites;
import dev.jvisor.testutil.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Debian's gdb-multiarch, in batch mode, debugging a bare-metal system guest that {@code jvisor run --gdb 0
 * --gdb-wait} boots (tests/baremetal/image.S): the first instruction at the load address, EL1 system registers,
 * a breakpoint, a step, guest memory read and written through the vCPU's translation, and the power-off.
 */
class SystemGdbTest {
    private static final Pattern PORT = Pattern.compile("jvisor: gdb: listening on localhost:(\\d+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"interp", "dbt"})
    void gdbDebugsABareMetalGuest(String engine, @TempDir Path dir) throws Exception {
        Path gdb = Prerequisites.tool("gdb-multiarch", "apt-get install gdb-multiarch");
        Path elf = CrossCompiler.compile(Path.of("tests/baremetal/image.S"), List.of("-DMODE=0", "-ffreestanding",
                "-nostdlib", "-static", "-Wl,-N", "-Wl,-Ttext=0x40000000", "-Wl,--build-id=none"));
        Path objcopy = Prerequisites.tool("aarch64-linux-gnu-objcopy", "apt-get install binutils-aarch64-linux-gnu");
        Path image = dir.resolve("image");
        assertEquals(0, HostCommand.of(objcopy.toString(), "-O", "binary", elf.toString(), image.toString()).run()
                .exitStatus());

        Path out = dir.resolve("jvisor.out"), err = dir.resolve("jvisor.err");
        Process jvisor = new ProcessBuilder(Jvisor.cli("run", "--engine", engine, "--gdb", "0", "--gdb-wait",
                "--kernel", image.toString()).command())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            int port = awaitPort(jvisor, err);
            List<String> cmd = new ArrayList<>(List.of(gdb.toString(), "-batch", "-nx", elf.toString(),
                    "-ex", "set architecture aarch64", "-ex", "target remote :" + port));
            for (String c : List.of("print/x $pc", "print/x $CurrentEL", "break *puts", "continue", "print/x $pc",
                    "x/s $x1", "stepi", "print/x $pc", "set var *(char *) $x1 = 'H'", "print/x $VBAR_EL1",
                    "print/x $SCTLR_EL1", "info threads", "delete", "continue")) {
                cmd.addAll(List.of("-ex", c));
            }
            ProcessResult r = new HostCommand(cmd).cwd(dir).timeout(TIMEOUT).run();
            assertTrue(jvisor.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "jvisor did not end: " + r.describe());
            String gdbOut = r.stdoutText();
            String describe = r.describe() + "\ngdb stdout:\n" + gdbOut + "\njvisor stderr:\n" + Files.readString(err);
            List<Long> values = printed(gdbOut);
            long puts = symbol(elf, "puts"), vectors = symbol(elf, "vectors");
            assertEquals(6, values.size(), "six values printed: " + describe);
            assertEquals(0x4000_0000L, values.get(0), "stopped before the first instruction: " + describe);
            assertEquals(0x4, values.get(1), "CurrentEL: EL1 " + describe);
            assertEquals(puts, values.get(2), "at the breakpoint: " + describe);
            assertTrue(gdbOut.contains("\"hello from EL1\\n\""), "x/s reads guest memory: " + describe);
            assertEquals(puts + 4, values.get(3), "stepi: " + describe);
            assertEquals(vectors, values.get(4), "VBAR_EL1 as the guest set it: " + describe);
            assertEquals(0x3050_0800L, values.get(5), "SCTLR_EL1 out of reset: RES1 bits only, MMU off: " + describe);
            assertTrue(gdbOut.contains("exited normally"), "the power-off ends gdb's session: " + describe);
            assertEquals(0, jvisor.exitValue(), describe);
            assertEquals("Hello from EL1\n", Files.readString(out), "gdb's write reached the guest: " + describe);
        } finally {
            jvisor.destroyForcibly();
        }
    }

    private static int awaitPort(Process jvisor, Path err) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = PORT.matcher(Files.readString(err));
            if (m.find()) return Integer.parseInt(m.group(1));
            if (!jvisor.isAlive()) break;
            Thread.sleep(50);
        }
        throw new AssertionError("jvisor never said where it listens; stderr:\n" + Files.readString(err));
    }

    private static List<Long> printed(String gdbOut) {
        List<Long> values = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\$\\d+ = 0x([0-9a-f]+)$").matcher(gdbOut);
        while (m.find()) values.add(Long.parseUnsignedLong(m.group(1), 16));
        return values;
    }

    private static long symbol(Path elf, String name) {
        Path nm = Prerequisites.tool("aarch64-linux-gnu-nm", "apt-get install binutils-aarch64-linux-gnu");
        return HostCommand.of(nm.toString(), elf.toString()).run().stdoutText().lines().map(l -> l.split(" "))
                .filter(f -> f.length == 3 && f[2].equals(name)).mapToLong(f -> Long.parseUnsignedLong(f[0], 16))
                .findFirst().orElseThrow(() -> new AssertionError("no symbol " + name));
    }
}
