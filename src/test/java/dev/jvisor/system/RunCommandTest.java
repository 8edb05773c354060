package dev.jvisor.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.testutil.CrossCompiler;
import dev.jvisor.testutil.HostCommand;
import dev.jvisor.testutil.Jvisor;
import dev.jvisor.testutil.Prerequisites;
import dev.jvisor.testutil.ProcessResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jvisor run} as a user meets it: a small Image of the project's own boots, powers off, panics or takes an
 * external abort, with the exit status and the one-line diagnostics the command promises; bad input is refused with
 * exit 2 and one line.
 */
class RunCommandTest {
    @TempDir
    Path dir;

    @Test
    void powerOffEndsTheRunWithStatusZero() throws IOException {
        ProcessResult r = run(image(0));
        assertEquals(0, r.exitStatus(), r.describe());
        assertEquals("hello from EL1\n", r.stdoutText(), r.describe());
        assertEquals("", r.stderrText(), r.describe());
    }

    @Test
    void aGuestKernelPanicIsOneLineAndStatusOne() throws IOException {
        ProcessResult r = run(image(1));
        assertEquals(1, r.exitStatus(), r.describe());
        assertEquals("jvisor: guest kernel panic: test panic\n", r.stderrText(), r.describe());
    }

    @Test
    void anUnmappedPhysicalAddressIsAnExternalAbortInTheGuest() throws IOException {
        ProcessResult r = run(image(2));
        assertEquals(0, r.exitStatus(), r.describe());
        assertEquals("hello from EL1\ndata abort (EC 0x25)\n", r.stdoutText(), r.describe());
    }

    @Test
    void statsArePrintedAtExit() throws IOException {
        ProcessResult r = run(image(0), "--stats");
        assertEquals(0, r.exitStatus(), r.describe());
        assertTrue(r.stderrText().matches("(?s)vcpu0: [0-9,]+ instructions, [0-9.]+ s idle in WFI\ntotal: .*MIPS.*"), r.describe());
    }

    @Test
    void traceWritesTheEventsAskedFor() throws IOException {
        Path trace = dir.resolve("trace.txt");
        ProcessResult r = run(image(2), "--trace", "exceptions,mmio,hypercalls,insn", "--trace-file", trace.toString(),
                "--stats-json", dir.resolve("stats.json").toString());
        assertEquals(0, r.exitStatus(), r.describe());
        String text = Files.readString(trace);
        assertTrue(text.matches("(?s).*vcpu0 insn el1 0x0000000040000000 14000010 .*"), "the first instruction:\n" + text);
        assertTrue(text.contains("vcpu0 exception data abort, same EL esr 0x96000010 from el1 pc 0x"), text);
        assertTrue(text.contains("mmio write pl011+0x0 size 4 <- 0x68"), "the 'h' of hello:\n" + text);
        assertTrue(text.contains("vcpu0 hypercall PSCI 0x84000008 -> 0x0"), text);
        String json = Files.readString(dir.resolve("stats.json"));
        assertTrue(json.contains("\"exceptions\": {\"total\": 1, \"by_kind\": {\"data abort, same EL\": 1}}"), json);
        assertTrue(refused("--kernel", image(0).toString(), "--trace", "everything").contains("unknown event"));
    }

    @Test
    void aFileThatIsNotAnImageIsRefused() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a kernel\n".repeat(10));
        assertTrue(refused("--kernel", text.toString()).contains("not an arm64 Image"));
    }

    @Test
    void aMissingKernelOrInitrdIsNamed() throws IOException {
        Path missing = dir.resolve("no-such-file");
        assertTrue(refused("--kernel", missing.toString()).contains(missing.toString()));
        Path image = image(0);
        assertTrue(refused("--kernel", image.toString(), "--initrd", missing.toString()).contains(missing.toString()));
    }

    @Test
    void tooLittleMemoryForTheKernelIsRefused() throws IOException {
        byte[] image = Files.readAllBytes(image(0));
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putLong(0x10, 64L << 20); // image_size: 64 MiB
        Path big = Files.write(dir.resolve("big-image"), image);
        assertTrue(refused("--kernel", big.toString(), "--memory", "32M").contains("too little"));
    }

    @Test
    void badMachineOptionsAreRefused() throws IOException {
        Path image = image(0);
        refused("--kernel", image.toString(), "--memory", "lots");
        refused("--kernel", image.toString(), "--smp", "0");
        refused("--kernel", image.toString(), "--cpu", "pentium");
    }

    private ProcessResult run(Path image, String... extra) {
        List<String> argv = new ArrayList<>(List.of("run", "--engine", Jvisor.engine(), "--kernel", image.toString()));
        argv.addAll(List.of(extra));
        return Jvisor.cli(argv.toArray(String[]::new)).cwd(dir).run();
    }

    /** Runs {@code jvisor run ARGS}, which must fail with status 2 and say why in its first line; returns that line. */
    private String refused(String... args) {
        List<String> argv = new ArrayList<>(List.of("run"));
        argv.addAll(List.of(args));
        ProcessResult r = Jvisor.cli(argv.toArray(String[]::new)).cwd(dir).run();
        assertEquals(2, r.exitStatus(), r.describe());
        assertEquals("", r.stdoutText(), r.describe());
        String err = r.stderrText();
        assertTrue(err.startsWith("jvisor: ") && !err.contains("Exception") && !err.contains("\tat "), r.describe());
        return err.lines().findFirst().orElseThrow();
    }

    /** tests/baremetal/image.S built with MODE {@code mode} and turned into a raw Image. */
    private Path image(int mode) throws IOException {
        Path elf = CrossCompiler.compile(Path.of("tests/baremetal/image.S"), List.of("-DMODE=" + mode,
                "-ffreestanding", "-nostdlib", "-static", "-Wl,-N", "-Wl,-Ttext=0x40000000", "-Wl,--build-id=none"));
        Path objcopy = Prerequisites.tool("aarch64-linux-gnu-objcopy", "apt-get install binutils-aarch64-linux-gnu");
        Path image = dir.resolve("image-" + mode);
        ProcessResult r = HostCommand.of(objcopy.toString(), "-O", "binary", elf.toString(), image.toString()).run();
        assertEquals(0, r.exitStatus(), r.describe());
        return image;
    }
}
