package dev.jvisor.arch.a64.decode;

/**
 * Turns decode-table rows into assembler text. Most rows are printed from a template, interpreted here:
 *
 * <ul>
 *   <li>{@code {Rd}}: the general register in field Rd; 31 is the zero register; x/w from field {@code sf} when the
 *       row has one, else x. Modifiers after colons: {@code sp} (31 is the stack pointer), {@code x} or {@code w}
 *       (force the width), {@code b h s d q} (scalar FP/SIMD register name), {@code v} (plain {@code vN}),
 *       {@code T} (vector with the arrangement from fields Q and size: {@code v3.4s}), or an arrangement written out
 *       (e.g. {@code {Rd:.16b}}).</li>
 *   <li>{@code {#f}} unsigned decimal immediate of field f; {@code {#-f}} signed; {@code {#x:f}} hexadecimal;
 *       scaled forms {@code {#f*8}} and {@code {#-f<<size}} (shift by another field's value).</li>
 *   <li>{@code {label:f}}: pc + sign-extended f * 4, in hex.</li>
 *   <li>{@code {cond:f}}, {@code {shift:f}}, {@code {extend:f}}: condition, shift-type and extend names.</li>
 *   <li>{@code {?f:text}} prints text when field f is non-zero, {@code {?!f:text}} when it is zero; text may hold
 *       placeholders.</li>
 * </ul>
 */
public final class Disassembler {
    private static final String[] CONDITIONS = {"eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt",
        "gt", "le", "al", "nv"};
    private static final String[] SHIFTS = {"lsl", "lsr", "asr", "ror"};
    private static final String[] EXTENDS = {"uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx"};

    private Disassembler() {}

    public static Disasm template(String template) {
        return (row, insn, pc) -> expand(template, row, insn, pc);
    }

    /** Disassembles {@code insn} at {@code pc} with the shared decode table, or describes it as unknown. */
    public static String disassemble(int insn, long pc) {
        InsnRow row = A64.TABLE.decode(insn);
        if (row == null) return String.format(".inst 0x%08x", insn);
        try {
            return row.disassemble(insn, pc);
        } catch (RuntimeException e) {
            return row.name + String.format(" (0x%08x)", insn);
        }
    }

    static String expand(String t, InsnRow row, int insn, long pc) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < t.length()) {
            char c = t.charAt(i);
            if (c != '{') {
                out.append(c);
                i++;
                continue;
            }
            int depth = 1, j = i + 1;
            while (j < t.length() && depth > 0) {
                if (t.charAt(j) == '{') depth++;
                else if (t.charAt(j) == '}') depth--;
                j++;
            }
            out.append(placeholder(t.substring(i + 1, j - 1), row, insn, pc));
            i = j;
        }
        return out.toString();
    }

    private static String placeholder(String p, InsnRow row, int insn, long pc) {
        if (p.startsWith("?")) {
            boolean negate = p.startsWith("?!");
            int colon = p.indexOf(':');
            String f = p.substring(negate ? 2 : 1, colon);
            boolean nonzero = row.field(f, insn) != 0;
            return nonzero != negate ? expand(p.substring(colon + 1), row, insn, pc) : "";
        }
        if (p.startsWith("#")) return immediate(p.substring(1), row, insn);
        if (p.startsWith("label:")) {
            Field f = row.fields.get(p.substring(6));
            return "0x" + Long.toHexString(pc + 4L * f.extractSigned(insn));
        }
        if (p.startsWith("cond:")) return CONDITIONS[row.field(p.substring(5), insn)];
        if (p.startsWith("shift:")) return SHIFTS[row.field(p.substring(6), insn)];
        if (p.startsWith("extend:")) return EXTENDS[row.field(p.substring(7), insn)];
        String[] parts = p.split(":");
        return register(parts, row, insn);
    }

    private static String immediate(String spec, InsnRow row, int insn) {
        boolean hex = spec.startsWith("x:");
        if (hex) spec = spec.substring(2);
        boolean signed = spec.startsWith("-");
        if (signed) spec = spec.substring(1);
        long scale = 1;
        int star = spec.indexOf('*'), shl = spec.indexOf("<<");
        String name = spec;
        if (star > 0) {
            scale = Long.parseLong(spec.substring(star + 1));
            name = spec.substring(0, star);
        } else if (shl > 0) {
            scale = 1L << row.field(spec.substring(shl + 2), insn);
            name = spec.substring(0, shl);
        }
        Field f = row.fields.get(name);
        if (f == null) throw new IllegalArgumentException(row.name + " has no field " + name);
        long v = (signed ? f.extractSigned(insn) : f.extract(insn)) * scale;
        return hex ? "#0x" + Long.toHexString(v) : "#" + v;
    }

    private static String register(String[] parts, InsnRow row, int insn) {
        int n = row.field(parts[0], insn);
        boolean sp = false;
        String width = null;
        for (int k = 1; k < parts.length; k++) {
            String m = parts[k];
            switch (m) {
                case "sp" -> sp = true;
                case "x", "w" -> width = m;
                case "b", "h", "s", "d", "q" -> { return m + n; }
                case "v" -> { return "v" + n; }
                case "T" -> { return "v" + n + "." + arrangement(row, insn); }
                default -> {
                    if (m.startsWith(".")) return "v" + n + m;
                    throw new IllegalArgumentException(row.name + ": unknown register modifier " + m);
                }
            }
        }
        if (width == null) {
            Field sf = row.fields.get("sf");
            width = sf == null || sf.extract(insn) == 1 ? "x" : "w";
        }
        if (n == 31) return sp ? (width.equals("x") ? "sp" : "wsp") : width + "zr";
        return width + n;
    }

    private static String arrangement(InsnRow row, int insn) {
        int q = row.fields.containsKey("Q") ? row.field("Q", insn) : 1;
        int size = row.fields.containsKey("size") ? row.field("size", insn) : 0;
        return switch (size) {
            case 0 -> q == 1 ? "16b" : "8b";
            case 1 -> q == 1 ? "8h" : "4h";
            case 2 -> q == 1 ? "4s" : "2s";
            default -> q == 1 ? "2d" : "1d";
        };
    }
}
