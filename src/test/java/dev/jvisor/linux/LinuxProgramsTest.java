package dev.jvisor.linux;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real glibc programs (compiled by aarch64-linux-gnu-gcc -static) exercising the user-mode layer: signals and
 * frames, threads and futexes, files, memory mappings and the ways a process ends. Skipped when the cross compiler
 * or the instruction sections are missing.
 */
class LinuxProgramsTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void requirements() {
        assumeTrue(GuestRun.compilerPresent(), "aarch64-linux-gnu-gcc not installed");
        assumeTrue(GuestRun.isaPresent(), "instruction sections not merged yet");
    }

    @Test
    void signalsFramesAndSigreturn() throws Exception {
        GuestRun r = GuestRun.run(GuestRun.compile(dir, "signals"), "");
        assertEquals("""
                SIGSEGV accerr=1 addr-ok=1
                SIGSEGV maperr=1 addr-ok=1
                SIGUSR1 sig=10 tkill=1 altstack=1 d8=1.25 kept=2.5
                blocked: delivered=0 pending=1
                unblocked: delivered=10
                SIGTRAP sig=5
                ignored SIGUSR2
                """, r.stdout, r.messages);
        assertEquals(0, r.status);
    }

    @Test
    void pthreadsWithFutexes() throws Exception {
        GuestRun r = GuestRun.run(GuestRun.compile(dir, "threads", "-pthread"), "");
        assertEquals("counter=80000 atomic=80000 results=1004 main-tls=7\n", r.stdout, r.messages);
        assertEquals(0, r.status);
    }

    @Test
    void fileSystemCalls() throws Exception {
        Path work = Files.createDirectories(dir.resolve("files-work"));
        GuestRun r = GuestRun.run(GuestRun.compile(dir, "files"), "", work.toString());
        assertEquals("""
                writev=12
                lseek=0
                read=12 'hello world'
                pread=5 'world'
                size=12 reg=1 mode=644
                mmap 'hello' tail-zero=1
                open missing: -1 errno=2
                mkdir=0 rename=0
                stat old=-1 errno=2
                entries=3 found=1
                rmdir non-empty=-1 errno=39
                unlink=0 rmdir=0
                pipe=14 'through a pipe' eof=0
                cwd-ok=1
                """, r.stdout, r.messages);
        assertEquals(0, r.status);
    }

    @Test
    void memoryMappings() throws Exception {
        GuestRun r = GuestRun.run(GuestRun.compile(dir, "memory"), "");
        assertEquals("""
                sbrk grew=1
                noreplace=1 errno-eexist=1
                fixed=1 zeroed=1 kept=x
                mremap kept=xx grown-zero=1
                munmap=0
                bad munmap errno-einval=1
                """, r.stdout, r.messages);
        assertEquals(0, r.status);
    }

    @Test
    void exitStatuses() throws Exception {
        Path exe = GuestRun.compile(dir, "exits");
        assertEquals(3, GuestRun.run(exe, "").status);
        assertEquals(42, GuestRun.run(exe, "", "exit").status);
        assertEquals(128 + 15, GuestRun.run(exe, "", "term").status);
        assertEquals(128 + 6, GuestRun.run(exe, "", "abort").status);
        assertEquals(128 + 11, GuestRun.run(exe, "", "segv").status);
        assertEquals(128 + 13, GuestRun.run(exe, "", "pipe").status);
    }

    @Test
    void undefinedInstructionWithoutHandlerPrintsOneLine() throws Exception {
        GuestRun r = GuestRun.run(GuestRun.compile(dir, "exits"), "", "ill");
        assertEquals(132, r.status);
        String[] lines = r.messages.split("\n");
        assertEquals(1, lines.length, r.messages);
        assertTrue(lines[0].matches("jvisor: illegal instruction 0x00000000 \\(.+\\) at pc 0x[0-9a-f]+"), lines[0]);
    }

    @Test
    void stdinReachesTheGuest() throws Exception {
        Path bb = Path.of("/tmp/jvcache/pkg/busybox-static_arm64/bin/busybox");
        assumeTrue(Files.isRegularFile(bb), "arm64 busybox not unpacked");
        GuestRun r = GuestRun.run(bb, "pear\napple\nfig\n", "sort");
        assertEquals("apple\nfig\npear\n", r.stdout, r.messages);
        GuestRun sh = GuestRun.run(bb, "", "sh", "-c", "echo $((6*7)) >&2; exit 5");
        assertEquals("42\n", sh.stderr);
        assertEquals(5, sh.status);
    }
}
