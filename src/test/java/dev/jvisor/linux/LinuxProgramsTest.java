package dev.jvisor.linux;

import dev.jvisor.arch.a64.CpuModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real glibc programs, on every engine, (compiled by aarch64-linux-gnu-gcc -static) exercising the user-mode layer: signals and
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

    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void signalsFramesAndSigreturn(GuestRun.Kind engine) throws Exception {
        GuestRun r = GuestRun.run(engine, GuestRun.compile(dir, "signals"), "");
        assertEquals("""
                SIGSEGV accerr=1 addr-ok=1 esr-ec=0x24 wnr=1
                SIGSEGV maperr=1 addr-ok=1 esr-ec=0x24 wnr=0
                SIGUSR1 sig=10 tkill=1 altstack=1 d8=1.25 kept=2.5
                blocked: delivered=0 pending=1
                unblocked: delivered=10
                SIGTRAP sig=5
                ignored SIGUSR2
                """, r.stdout, r.messages);
        assertEquals(0, r.status);
    }

    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void pthreadsWithFutexes(GuestRun.Kind engine) throws Exception {
        GuestRun r = GuestRun.run(engine, GuestRun.compile(dir, "threads", "-pthread"), "");
        assertEquals("counter=80000 atomic=80000 results=1004 main-tls=7\n", r.stdout, r.messages);
        assertEquals(0, r.status);
    }

    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void fileSystemCalls(GuestRun.Kind engine) throws Exception {
        Path work = Files.createDirectories(dir.resolve("files-work"));
        GuestRun r = GuestRun.run(engine, GuestRun.compile(dir, "files"), "", work.toString());
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
                select empty=0
                poll empty=0
                select data=1 isset=1
                poll data=1 revents=0x1
                pipe=14 'through a pipe' eof=0
                cwd-ok=1
                """, r.stdout, r.messages);
        assertEquals(0, r.status);
    }

    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void memoryMappings(GuestRun.Kind engine) throws Exception {
        GuestRun r = GuestRun.run(engine, GuestRun.compile(dir, "memory"), "");
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

    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void exitStatuses(GuestRun.Kind engine) throws Exception {
        Path exe = GuestRun.compile(dir, "exits");
        assertEquals(3, GuestRun.run(engine, exe, "").status);
        assertEquals(42, GuestRun.run(engine, exe, "", "exit").status);
        assertEquals(128 + 15, GuestRun.run(engine, exe, "", "term").status);
        assertEquals(128 + 6, GuestRun.run(engine, exe, "", "abort").status);
        assertEquals(128 + 11, GuestRun.run(engine, exe, "", "segv").status);
        assertEquals(128 + 13, GuestRun.run(engine, exe, "", "pipe").status);
    }

    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void undefinedInstructionWithoutHandlerPrintsOneLine(GuestRun.Kind engine) throws Exception {
        GuestRun r = GuestRun.run(engine, GuestRun.compile(dir, "exits"), "", "ill");
        assertEquals(132, r.status);
        String[] lines = r.messages.split("\n");
        assertEquals(1, lines.length, r.messages);
        assertTrue(lines[0].matches("jvisor: illegal instruction 0x00000000 \\(.+\\) at pc 0x[0-9a-f]+"), lines[0]);
    }

    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void initialProcessStateAndIdRegisters(GuestRun.Kind engine) throws Exception {
        GuestRun r = GuestRun.run(engine, GuestRun.compile(dir, "process"), "");
        CpuModel m = CpuModel.max();
        assertEquals(String.format("""
                pagesz=4096 phent=56 base=0 secure=0 clktck=100
                platform=aarch64 execfn-is-argv0=1 random=1
                hwcap=%#x hwcap2=0 minsigstksz=%d
                phdr-loads=2 entry-ok=1
                env=yes
                midr=%#x mpidr=0x80000000 isar0=%#x pfr0=%#x mmfr2=0
                sysname=Linux machine=aarch64
                tcgetattr=-1 enotty=1
                ids=1 pid=1
                slept-enough=1
                proc exe-ok=1
                proc cmdline-ok=1
                proc maps stack=1 exe-lines>=2=1
                main stack contains locals=1
                unimplemented=-1 enosys=1
                """, m.linuxHwcap(), LinuxProcess.MINSIGSTKSZ, m.midr, m.idAa64Isar0(), m.idAa64Pfr0()),
                r.stdout, r.messages);
        // One warning per unimplemented number, however often it is called.
        assertEquals("jvisor: warning: unimplemented syscall 447 (memfd_secret)\n", r.messages);
        assertEquals(0, r.status);
    }

    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void signalsBetweenThreadsRestartsAndHandlerFlags(GuestRun.Kind engine) throws Exception {
        GuestRun r = GuestRun.run(engine, GuestRun.compile(dir, "async", "-pthread"), "");
        assertEquals("""
                no-restart: read=-1 eintr=1 hits=1
                restart: read=1 byte=z hits=2
                nanosleep=-1 eintr=1 rem-ok=1 hits=3
                sigsuspend=-1 eintr=1 hits=4 still-blocked=1
                nodefer: calls=3 max-depth=3
                defer: calls=3 max-depth=1
                resethand: default-now=1 hits=5
                alarm: pause=-1 eintr=1 woke=1
                SIGBUS adraln=1 addr-ok=1
                """, r.stdout, r.messages);
        assertEquals(0, r.status);
    }

    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void futexOperations(GuestRun.Kind engine) throws Exception {
        GuestRun r = GuestRun.run(engine, GuestRun.compile(dir, "futex", "-pthread"), "");
        assertEquals("""
                wait wrong value: -1 eagain=1
                wait timeout: -1 etimedout=1
                wake nobody: 0
                cmp_requeue: 3
                wake word1 after requeue: 0
                wake word2: 2
                requeued threads woke: 3
                wake bitset 2: 1
                wake bitset 1: 1
                wake_op: 0 word2=5
                """, r.stdout, r.messages);
        assertEquals(0, r.status);
    }

    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void forkExecveSpawnAndWait(GuestRun.Kind engine) throws Exception {
        GuestRun r = GuestRun.run(engine, GuestRun.compile(dir, "spawn"), "");
        assertEquals("""
                child sees global=2 ppid-ok=1; parent global=1 waited-right=1 exited=1 code=5
                signaled=1 sig=15
                exec'd child: argc=3 arg=from-execve env=yes
                execve child exit=9
                exec'd child: argc=3 arg=from-posix_spawn env=spawned
                posix_spawn rc=0 exit=9
                spawn /dev/null: failed
                no more children=1
                shared=42 11 private=1
                partial munmap keeps the rest=11
                child group=1 own-group=1
                group kill sig=15
                setsid ok=1
                stopped=1 sig=19
                quiet while stopped=1
                continued=1
                runs again=1
                killed sig=9
                children cpu >= 60ms=1
                ignored SIGCHLD: wait=-1 echild=1
                """, r.stdout, r.messages);
        assertEquals(0, r.status);
    }

    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void busyboxShellPipelinesAndJobs(GuestRun.Kind engine) throws Exception {
        Path bb = Path.of("/tmp/jvcache/pkg/busybox-static_arm64/bin/busybox");
        assumeTrue(Files.isRegularFile(bb), "arm64 busybox not unpacked");
        GuestRun r = GuestRun.run(engine, bb, "", "sh", "-c",
                "printf 'b\\na\\nc\\n' | sort | head -2; x=$(echo sub | tr a-z A-Z); echo $x; "
                        + "(exit 3) & wait $!; echo \"bg=$?\"; trap 'echo usr1' USR1; kill -USR1 $$; echo end");
        assertEquals("a\nb\nSUB\nbg=3\nusr1\nend\n", r.stdout, r.messages);
        assertEquals(0, r.status);
    }

    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void scriptsRunTheirInterpreter(GuestRun.Kind engine) throws Exception {
        Path bb = Path.of("/tmp/jvcache/pkg/busybox-static_arm64/bin/busybox");
        assumeTrue(Files.isRegularFile(bb), "arm64 busybox not unpacked");
        Path script = dir.resolve("show-me.sh");
        Files.writeString(script, "#!" + bb + " cat\necho this is printed, not run\n");
        script.toFile().setExecutable(true);
        GuestRun r = GuestRun.run(engine, bb, "", "sh", "-c", script + "; echo rc=$?");
        assertEquals(Files.readString(script) + "rc=0\n", r.stdout, r.messages);
    }

    /** Programs that exec and exit at once used to race their own pre-exec thread and leave pipes open. */
    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void manyShortLivedExecsInCommandSubstitutions(GuestRun.Kind engine) {
        Path bb = Path.of("/tmp/jvcache/pkg/busybox-static_arm64/bin/busybox");
        assumeTrue(Files.isRegularFile(bb), "arm64 busybox not unpacked");
        GuestRun r = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> GuestRun.run(engine, bb, "", "sh", "-c",
                "i=0; while [ $i -lt 40 ]; do x=$(echo $i | cat); i=$((i+1)); done; echo $x"));
        assertEquals("39\n", r.stdout, r.messages);
        assertEquals(0, r.status);
    }

    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void staticPieRunsAtItsChosenBase(GuestRun.Kind engine) throws Exception {
        Path exe = GuestRun.compile(dir, "exits", "-static-pie");
        assertEquals(42, GuestRun.run(engine, exe, "", "exit").status);
        assertEquals(128 + 11, GuestRun.run(engine, exe, "", "segv").status);
    }

    @ParameterizedTest
    @EnumSource(GuestRun.Kind.class)
    void stdinReachesTheGuest(GuestRun.Kind engine) throws Exception {
        Path bb = Path.of("/tmp/jvcache/pkg/busybox-static_arm64/bin/busybox");
        assumeTrue(Files.isRegularFile(bb), "arm64 busybox not unpacked");
        GuestRun r = GuestRun.run(engine, bb, "pear\napple\nfig\n", "sort");
        assertEquals("apple\nfig\npear\n", r.stdout, r.messages);
        GuestRun sh = GuestRun.run(engine, bb, "", "sh", "-c", "echo $((6*7)) >&2; exit 5");
        assertEquals("42\n", sh.stderr);
        assertEquals(5, sh.status);
    }
}
