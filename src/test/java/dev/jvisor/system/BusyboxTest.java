package dev.jvisor.system;

import dev.jvisor.testutil.Guests;
import dev.jvisor.testutil.HostCommand;
import dev.jvisor.testutil.Jvisor;
import dev.jvisor.testutil.ProcessResult;
import dev.jvisor.testutil.Transcripts;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's static arm64 busybox under {@code jvisor user} must write byte-identical stdout and exit with the same
 * status as Debian's static amd64 busybox of the same version, run natively on the same input files, in the same
 * directory, with the same environment. Shell scripts use only builtins and redirections: an applet that is not
 * a builtin makes ash fork and exec /proc/self/exe, which is beyond this issue's user mode.
 */
class BusyboxTest {
    @TempDir
    static Path scratch;

    /**
     * One applet invocation: a name for the report, the arguments after "busybox", what stdin holds, and the exit
     * status the reference must give (checked first, so a case that does not test what it says is caught).
     */
    record Case(String name, List<String> args, String stdin, int status) {
        static Case of(String name, String... args) {
            return new Case(name, List.of(args), "", 0);
        }

        Case withStdin(String input) {
            return new Case(name, args, input, status);
        }

        Case exits(int expected) {
            return new Case(name, args, stdin, expected);
        }
    }

    static List<Case> cases() {
        String someText = GuestWorkspace.sampleText(60);
        String sortedWords = Arrays.stream(someText.split("\\s+")).sorted().map(w -> w + "\n").collect(Collectors.joining());
        List<Case> c = new ArrayList<>();
        c.add(Case.of("busybox --list", "--list"));
        c.add(Case.of("echo", "echo", "-e", "tab\\there", "back\\\\slash", "  spaced  ", "\\x41\\0102"));
        c.add(Case.of("echo -n", "echo", "-n", "no newline"));
        c.add(Case.of("printf", "printf", "%5d|%-5s|%x|%o|%e|%.3f|%c|%%|%s\\n", "42", "ab", "255", "8", "12345.678",
                "3.14159", "Z", "a b"));
        c.add(Case.of("printf negative and wide", "printf", "%+d %08.3f %-8x| %u\\n", "-17", "-2.5", "3054", "4294967295"));
        c.add(Case.of("seq", "seq", "1", "3", "100"));
        c.add(Case.of("seq -w", "seq", "-w", "-s", ",", "8", "12"));
        c.add(Case.of("seq fractional", "seq", "0.5", "0.25", "2"));
        c.add(Case.of("expr arithmetic", "expr", "7", "*", "6", "+", "1"));
        c.add(Case.of("expr string", "expr", "length", "hello", "+", "1"));
        c.add(Case.of("expr match", "expr", "abc123", ":", "[a-z]*\\([0-9]*\\)"));
        c.add(Case.of("expr false (exit 1)", "expr", "0", "&", "1").exits(1));
        c.add(Case.of("expr division by zero (exit 2)", "expr", "10", "/", "0").exits(2));
        c.add(Case.of("sh loop", "sh", "-c",
                "i=0; s=0; while [ $i -lt 60 ]; do s=$((s + i * i)); i=$((i + 1)); done; echo $i $s"));
        c.add(Case.of("sh arithmetic", "sh", "-c",
                "echo $((7 << 3)) $((-17 / 5)) $((-17 % 5)) $((0x7fffffffffffffff + 1)) $((3 ** 4)) "
                        + "$(( (5 > 3) && (2 != 2) )) $((~0 >> 60)) $((1 ? 2 : 3)) $((0x10 | 010))"));
        c.add(Case.of("sh redirections", "sh", "-c",
                "for w in alpha beta gamma; do echo $w >> out.txt; done; echo one > two.txt; echo two >> two.txt; "
                        + "while read line; do echo \"got $line\"; done < out.txt; while read l; do echo $l; done < two.txt; "
                        + "echo err 1>&2; exit 3").exits(3));
        c.add(Case.of("sh functions and strings", "sh", "-c",
                "f() { local x=$1; echo ${#x} ${x%.*} ${x#*.} ${x%%o*}; return $(( $# + 4 )); }; "
                        + "f hello.world.txt extra; echo status $?; case abc in a*c) echo match;; *) echo no;; esac; "
                        + "set -- a 'b c' d; for a in \"$@\"; do printf '[%s]' \"$a\"; done; echo"));
        c.add(Case.of("sh read from file", "sh", "-c",
                "n=0; while IFS=, read a b rest; do n=$((n + b)); done < csv.txt; echo total $n"));
        c.add(Case.of("cat", "cat", "text.txt", "csv.txt"));
        c.add(Case.of("cat -n", "cat", "-n", "text.txt"));
        c.add(Case.of("wc", "wc", "text.txt", "numbers.txt", "data.bin"));
        c.add(Case.of("wc -l -w -c", "wc", "-l", "-w", "-c", "text.txt"));
        c.add(Case.of("sort", "sort", "text.txt"));
        c.add(Case.of("sort -n -r", "sort", "-n", "-r", "numbers.txt"));
        c.add(Case.of("sort -t, -k2n -u", "sort", "-t", ",", "-k", "2n", "-u", "csv.txt"));
        c.add(Case.of("uniq -c", "uniq", "-c").withStdin(sortedWords));
        c.add(Case.of("cut -d, -f2,3", "cut", "-d", ",", "-f", "2,3", "csv.txt"));
        c.add(Case.of("cut -c", "cut", "-c", "3-7,10", "text.txt"));
        c.add(Case.of("tr a-z A-Z", "tr", "a-z", "A-Z").withStdin(someText));
        c.add(Case.of("tr -d -s", "tr", "-s", " aeiou").withStdin(someText));
        c.add(Case.of("sed", "sed", "-e", "s/\\([a-z]*\\) \\([a-z]*\\)/\\2 \\1/", "-e", "/^q/d", "-e", "5,10p", "-e",
                "$a\\", "-e", "the end", "text.txt"));
        c.add(Case.of("sed -n", "sed", "-n", "-e", "/fox/{s/o/0/g;p}", "-e", "$=", "text.txt"));
        c.add(Case.of("awk", "awk", "-F", ",",
                "{ s += $2 * 1.5; n[$1]++; if (length($3) > m) m = length($3) } "
                        + "END { for (k in n) c++; printf \"%d %.4f %d %d\\n\", NR, s, c, m; "
                        + "print substr(\"abcdef\", 2, 3), toupper(\"x\"), int(-3.7), 7 % 3, 1/3, 2 * 2 * 2 * 2 * 1024, "
                        + "sprintf(\"%5.2e|%x|%c\", 1234.5, 255, 65), index(\"hello\", \"ll\") }",
                "csv.txt"));
        c.add(Case.of("awk fields", "awk", "NF > 3 { print NR\": \"$NF, $1 } END { print NR }", "text.txt"));
        c.add(Case.of("grep -E", "grep", "-E", "-n", "^(th|qu)[a-z]+ +[a-z]{3,}$", "text.txt"));
        c.add(Case.of("grep -E -c -v -i", "grep", "-E", "-c", "-v", "-i", "FOX|DOG", "text.txt"));
        c.add(Case.of("grep no match (exit 1)", "grep", "-E", "xyzzy+", "text.txt").exits(1));
        c.add(Case.of("od", "od", "-t", "x2", "data.bin"));
        c.add(Case.of("od -c -A x", "od", "-c", "-A", "x", "-N", "100", "text.txt"));
        c.add(Case.of("od -t d4", "od", "-t", "d4", "-N", "256", "data.bin"));
        c.add(Case.of("hexdump -C", "hexdump", "-C", "data.bin"));
        c.add(Case.of("base64", "base64", "data.bin"));
        c.add(Case.of("base64 -d", "base64", "-d").withStdin("SGVsbG8sIGp2aXNvciEK\nAAEC/w==\n"));
        c.add(Case.of("md5sum", "md5sum", "data.bin", "text.txt", "tree/src/main/big.bin"));
        c.add(Case.of("sha1sum", "sha1sum", "data.bin", "text.txt"));
        c.add(Case.of("sha256sum", "sha256sum", "data.bin", "text.txt", "tree/src/main/big.bin"));
        c.add(Case.of("sha512sum", "sha512sum", "data.bin", "text.txt"));
        c.add(Case.of("gzip -c", "gzip", "-c", "text.txt"));
        c.add(Case.of("gzip -9 -c binary", "gzip", "-9", "-c", "tree/src/main/big.bin"));
        c.add(Case.of("bzip2 -c", "bzip2", "-c", "text.txt"));
        c.add(Case.of("tar cf -", "tar", "cf", "-", "tree"));
        c.add(Case.of("find", "find", "tree"));
        c.add(Case.of("find -type f -name", "find", "tree", "-type", "f", "-name", "*.txt"));
        c.add(Case.of("ls -lR --full-time", "ls", "-lR", "--full-time", "tree"));
        c.add(Case.of("ls -la", "ls", "-la", "tree/docs"));
        c.add(Case.of("date -u -d", "date", "-u", "-d", "2021-03-04 05:06:07", "+%Y-%m-%d %H:%M:%S %j %a %b %s %U"));
        c.add(Case.of("date -u -d @seconds", "date", "-u", "-d", "@1234567890"));
        c.add(Case.of("date -R", "date", "-R", "-u", "-d", "1999-12-31 23:59:59"));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> sameOutputAsNativeAmd64Busybox() {
        GuestWorkspace workspace = new GuestWorkspace(scratch.resolve("ws"));
        // Every case on both engines, unless -Djvisor.engine picks one.
        List<String> engines = System.getProperty("jvisor.engine") != null ? List.of(Jvisor.engine()) : List.of("interp", "dbt");
        return cases().stream().flatMap(c -> engines.stream().map(engine -> DynamicTest.dynamicTest(c.name() + " on " + engine, () -> {
            // Looked up per case, so that without the packages each case shows up as skipped (or failed under CI).
            Path arm64 = Guests.busyboxArm64();
            Path amd64 = Guests.busyboxAmd64();
            byte[] stdin = c.stdin().getBytes(StandardCharsets.US_ASCII);
            List<String> native_ = new ArrayList<>(List.of(amd64.toString()));
            native_.addAll(c.args());
            ProcessResult reference = new HostCommand(native_).cwd(workspace.rebuild()).stdin(stdin)
                    .environment(HostCommand.FIXED_ENVIRONMENT).run();
            assertEquals(c.status(), reference.exitStatus(), c.name() + ": the reference failed; the case is broken: "
                    + reference.describe());
            assertTrue(reference.stdout().length > 0 || c.status() != 0 || c.args().contains("-n"),
                    c.name() + ": the reference wrote nothing; the case is broken: " + reference.describe());
            ProcessResult actual = Jvisor.user(engine, arm64, c.args().toArray(String[]::new)).cwd(workspace.rebuild())
                    .stdin(stdin).environment(HostCommand.FIXED_ENVIRONMENT).run();
            Transcripts.assertSameOutcome("busybox " + c.name() + " on " + engine, reference, actual);
        })));
    }
}
