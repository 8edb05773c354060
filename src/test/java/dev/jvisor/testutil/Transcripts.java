package dev.jvisor.testutil;

import java.util.Arrays;
import java.util.List;

/** Assertions comparing what two runs of the same program wrote, with a message that shows where they part. */
public final class Transcripts {
    private Transcripts() {}

    /** Fails unless both runs of {@code what} exited with the same status and wrote byte-identical stdout. */
    public static void assertSameOutcome(String what, ProcessResult expected, ProcessResult actual) {
        if (expected.exitStatus() == actual.exitStatus() && Arrays.equals(expected.stdout(), actual.stdout())) return;
        StringBuilder msg = new StringBuilder(what).append(": ");
        if (expected.exitStatus() != actual.exitStatus()) {
            msg.append("exit status ").append(actual.exitStatus()).append(", expected ").append(expected.exitStatus()).append('\n');
        }
        if (!Arrays.equals(expected.stdout(), actual.stdout())) msg.append(firstDifference(expected.stdout(), actual.stdout()));
        msg.append("\nexpected (reference): ").append(expected.describe());
        msg.append("\nactual: ").append(actual.describe());
        throw new AssertionError(msg.toString());
    }

    /** Describes the first line where two outputs differ, with the line before it for context. */
    static String firstDifference(byte[] expected, byte[] actual) {
        int at = Arrays.mismatch(expected, actual);
        List<String> e = new String(expected, java.nio.charset.StandardCharsets.ISO_8859_1).lines().toList();
        List<String> a = new String(actual, java.nio.charset.StandardCharsets.ISO_8859_1).lines().toList();
        int line = 0;
        for (int i = 0; i < at; i++) if (expected[i] == '\n') line++;
        StringBuilder sb = new StringBuilder("stdout differs at byte " + at + " (line " + (line + 1) + "); stdout sizes "
                + actual.length + ", expected " + expected.length + "\n");
        if (line > 0 && line - 1 < e.size()) sb.append("  both:     ").append(printable(e.get(line - 1))).append('\n');
        sb.append("  expected: ").append(line < e.size() ? printable(e.get(line)) : "<end of output>").append('\n');
        sb.append("  actual:   ").append(line < a.size() ? printable(a.get(line)) : "<end of output>").append('\n');
        return sb.toString();
    }

    private static String printable(String line) {
        StringBuilder sb = new StringBuilder();
        for (char c : (line.length() > 300 ? line.substring(0, 300) + "..." : line).toCharArray()) {
            if (c >= 0x20 && c < 0x7f) sb.append(c); else sb.append(String.format("\\x%02x", (int) c));
        }
        return sb.toString();
    }
}
