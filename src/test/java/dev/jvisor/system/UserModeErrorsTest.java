package dev.jvisor.system;

import dev.jvisor.testutil.CrossCompiler;
import dev.jvisor.testutil.HostCommand;
import dev.jvisor.testutil.Jvisor;
import dev.jvisor.testutil.Prerequisites;
import dev.jvisor.testutil.ProcessResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user sees when a program cannot run or dies of an instruction jvisor does not know: one line on stderr,
 * never a Java stack trace, and the exit status a shell would show (2 for jvisor's own refusal, 132 = 128 + SIGILL
 * for the guest's illegal instruction).
 */
class UserModeErrorsTest {
    private static final Path SOURCES = Path.of(System.getProperty("basedir", "."), "tests", "asm");

    @TempDir
    Path dir;

    @Test
    void undefinedInstructionKillsTheGuestWithSigill() {
        Path program = CrossCompiler.compile(SOURCES.resolve("undefined_instruction.S"), List.of("-nostdlib", "-static"));
        long udfAddress = symbolAddress(program, "undefined_here");

        ProcessResult r = Jvisor.cli("user", "--engine", Jvisor.engine(), program.toString()).cwd(dir).run();

        assertEquals(132, r.exitStatus(), r.describe());
        assertEquals("before the undefined instruction\n", r.stdoutText(), r.describe());
        String line = oneLine(r);
        Matcher m = Pattern.compile("jvisor: illegal instruction 0x00000000 \\((.+)\\) at pc 0x([0-9a-f]+)").matcher(line);
        assertTrue(m.matches(), "unexpected diagnostic: " + line);
        assertEquals(Long.toHexString(udfAddress), m.group(2), "the reported pc is not the UDF's address: " + line);
    }

    @Test
    void missingProgram() {
        Path missing = dir.resolve("no-such-program");
        ProcessResult r = refused(missing);
        assertTrue(oneLine(r).contains(missing.getFileName().toString()), "the message does not name the file: " + r.describe());
    }

    @Test
    void notAnElfFile() throws IOException {
        Path text = Files.writeString(dir.resolve("script.txt"), "#!/bin/sh\necho this is not an ELF file\n");
        assertNamesProblem(refused(text), "(?i).*(elf|magic|format).*");
    }

    @Test
    void emptyFile() throws IOException {
        assertNamesProblem(refused(Files.createFile(dir.resolve("empty"))), "(?i).*(elf|magic|format|short|truncat|empty).*");
    }

    @Test
    void truncatedElfHeader() throws IOException {
        Path program = CrossCompiler.compile(SOURCES.resolve("undefined_instruction.S"), List.of("-nostdlib", "-static"));
        Path truncated = dir.resolve("truncated");
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(program), 40));
        assertNamesProblem(refused(truncated), "(?i).*(truncat|short|header|elf|malformed).*");
    }

    @Test
    void programForAnotherArchitecture() throws IOException {
        Path host = Path.of("/bin/true").toRealPath();  // an x86-64 ELF on every machine this project runs on
        assertNamesProblem(refused(host), "(?i).*(aarch64|arm64|architecture|machine|x86).*");
    }

    @Test
    void dynamicallyLinkedProgram() {
        Path program = CrossCompiler.compile(SOURCES.resolve("dynamic_hello.c"), List.of("-O2"));
        assertNamesProblem(refused(program), "(?i).*(dynamic|interpreter|static).*");
    }

    /** Runs jvisor on a program it must refuse: exit status 2, nothing on stdout, one line on stderr. */
    private ProcessResult refused(Path program) {
        ProcessResult r = Jvisor.cli("user", "--engine", Jvisor.engine(), program.toString()).cwd(dir).run();
        assertEquals(2, r.exitStatus(), r.describe());
        assertEquals("", r.stdoutText(), r.describe());
        assertTrue(oneLine(r).startsWith("jvisor: "), r.describe());
        return r;
    }

    private static void assertNamesProblem(ProcessResult r, String regex) {
        String line = oneLine(r);
        assertTrue(line.matches(regex), "the message does not say what is wrong (" + regex + "): " + line);
    }

    /** The single line stderr must consist of, without its newline. */
    private static String oneLine(ProcessResult r) {
        String err = r.stderrText();
        assertTrue(err.endsWith("\n") && err.indexOf('\n') == err.length() - 1,
                "stderr is not exactly one line: " + r.describe());
        return err.substring(0, err.length() - 1);
    }

    private static long symbolAddress(Path program, String symbol) {
        Path nm = Prerequisites.tool("aarch64-linux-gnu-nm", "apt-get install gcc-aarch64-linux-gnu");
        ProcessResult r = HostCommand.of(nm.toString(), program.toString()).run();
        return r.stdoutText().lines().map(l -> l.split(" ")).filter(f -> f.length == 3 && f[2].equals(symbol))
                .mapToLong(f -> Long.parseUnsignedLong(f[0], 16)).findFirst()
                .orElseThrow(() -> new AssertionError("no symbol " + symbol + " in " + program));
    }
}
