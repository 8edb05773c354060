package dev.jvisor.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.testutil.CrossCompiler;
import dev.jvisor.testutil.HostCommand;
import dev.jvisor.testutil.Jvisor;
import dev.jvisor.testutil.Prerequisites;
import dev.jvisor.testutil.ProcessResult;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tests/baremetal/paravirt.c under {@code jvisor run --el2}: one guest workload at EL1 under the project's own
 * hypervisor at EL2, with its sensitive operations done by trapping instructions, by one hypercall each, and by
 * multicalls. The hypervisor's exit counts must be exactly what each technique costs, jvisor's own count of
 * exceptions taken to EL2 must agree with them, and the batched variant must be the cheapest. The table is printed.
 */
class ParavirtGuestTest {
    private static final int ITERATIONS = 1000, OPERATIONS = 3 * ITERATIONS;
    private static final Pattern ROW = Pattern.compile("(?m)^(trap|hypercall|multicall)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"interp", "dbt"})
    void trapsHypercallsAndMulticallsCostWhatTheyShould(String engine, @TempDir Path dir) {
        Path elf = CrossCompiler.compile(Path.of("tests/baremetal/paravirt.c"), List.of("-O2", "-ffreestanding",
                "-nostdlib", "-static", "-mgeneral-regs-only", "-Wl,-N", "-Wl,-Ttext=0x40000000",
                "-Wl,--section-start=.guest=0x40200000", "-Wl,--build-id=none"));
        Path objcopy = Prerequisites.tool("aarch64-linux-gnu-objcopy", "apt-get install binutils-aarch64-linux-gnu");
        Path image = dir.resolve("paravirt.img");
        assertEquals(0, HostCommand.of(objcopy.toString(), "-O", "binary", elf.toString(), image.toString()).run()
                .exitStatus());

        ProcessResult r = Jvisor.cli("run", "--engine", engine, "--el2", "--cpu", "cortex-a57", "--kernel",
                image.toString(), "--stats").cwd(dir).run();
        String out = r.stdoutText(), stats = r.stderrText();
        System.out.print(engine + ":\n" + out);
        assertEquals(0, r.exitStatus(), r.describe());

        long[] exits = new long[3], perThousand = new long[3], nanos = new long[3];
        Matcher m = ROW.matcher(out);
        for (int i = 0; i < 3; i++) {
            assertTrue(m.find(), "row " + i + " of the table in\n" + out);
            exits[i] = Long.parseLong(m.group(2));
            perThousand[i] = Long.parseLong(m.group(3));
            nanos[i] = Long.parseLong(m.group(4));
        }
        assertEquals(OPERATIONS, exits[0], "trap: every operation is an exit\n" + out);
        assertEquals(OPERATIONS, exits[1], "hypercall: every operation is one HVC\n" + out);
        assertEquals((ITERATIONS + 31) / 32, exits[2], "multicall: one HVC per 32 iterations\n" + out);
        assertEquals(List.of(1000L, 1000L, 10L), List.of(perThousand[0], perThousand[1], perThousand[2]), out);
        assertTrue(nanos[2] < nanos[0] && nanos[2] < nanos[1], "batching is the cheapest per operation\n" + out);

        long sum = 0;
        for (int i = 0; i < ITERATIONS; i++) sum += 3 * ('a' + i % 26);
        assertTrue(out.contains("console: " + OPERATIONS + " bytes, sum " + sum + ", ttbr0 " + (7 << 12)),
                "every console byte and register write arrived, in order:\n" + out);

        // jvisor's side: 2,000 TVM traps and 1,000 stage-2 aborts in the trap variant, and the HVCs of the others
        // (3,000 + 32, plus four phase markers and the final report).
        assertTrue(stats.matches("(?s).*MSR/MRS/SYS trap, to EL2\\s+2,000\n.*"), stats);
        assertTrue(stats.matches("(?s).*data abort, lower EL, to EL2\\s+1,000\n.*"), stats);
        assertTrue(stats.matches("(?s).*HVC, to EL2\\s+3,037\n.*"), stats);
    }
}
