package dev.jvisor.arch.a64.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;

/**
 * One row of the A64 decode table: a name, an encoding pattern, the semantics and how to print it.
 *
 * <p>A pattern lists the 32 bits from bit 31 down to bit 0 as tokens separated by spaces: a run of {@code 0}/{@code 1}
 * is fixed bits, a run of {@code -} is bits that don't matter, and {@code name:width} is a named field (which matches
 * anything). A field may be pinned to a value with {@code name=bits} (e.g. {@code opc=01}); it is then both a fixed
 * part of the encoding and a named field the disassembler can print. Example:
 * {@code "sf:1 0 0 100010 sh:1 imm12:12 Rn:5 Rd:5"}.
 */
public final class InsnRow {
    public final String name;
    public final String pattern;
    public final int mask;
    public final int value;
    public final Exec exec;
    public final Disasm disasm;
    public final Map<String, Field> fields;
    /** The table section that declared the row (its isa class), which tells engines its broad kind. */
    public final Section section;
    /** Index in the table; stable within a run, used by engines for statistics. */
    int id = -1;

    InsnRow(String name, String pattern, Exec exec, Disasm disasm, Section section) {
        this.name = name;
        this.section = section;
        this.pattern = pattern;
        this.exec = exec;
        int m = 0, v = 0, bit = 32;
        Map<String, Field> fs = new LinkedHashMap<>();
        for (String token : pattern.trim().split("\\s+")) {
            int colon = token.indexOf(':'), eq = token.indexOf('=');
            if (colon > 0) {
                int width = Integer.parseInt(token.substring(colon + 1));
                bit -= width;
                fs.put(token.substring(0, colon), new Field(token.substring(0, colon), bit, width));
            } else if (eq > 0) {
                String bits = token.substring(eq + 1);
                bit -= bits.length();
                fs.put(token.substring(0, eq), new Field(token.substring(0, eq), bit, bits.length()));
                for (int i = 0; i < bits.length(); i++) {
                    int b = bit + bits.length() - 1 - i;
                    char c = bits.charAt(i);
                    if (c == '0' || c == '1') {
                        m |= 1 << b;
                        if (c == '1') v |= 1 << b;
                    } else if (c != '-') {
                        throw new IllegalArgumentException(name + ": bad bit '" + c + "' in " + pattern);
                    }
                }
            } else {
                for (int i = 0; i < token.length(); i++) {
                    bit--;
                    char c = token.charAt(i);
                    if (c == '0' || c == '1') {
                        m |= 1 << bit;
                        if (c == '1') v |= 1 << bit;
                    } else if (c != '-') {
                        throw new IllegalArgumentException(name + ": bad bit '" + c + "' in " + pattern);
                    }
                }
            }
        }
        if (bit != 0) throw new IllegalArgumentException(name + ": pattern has " + (32 - bit) + " bits, not 32: " + pattern);
        this.mask = m;
        this.value = v;
        this.fields = Map.copyOf(fs);
        this.disasm = disasm;
    }

    public boolean matches(int insn) {
        return (insn & mask) == value;
    }

    /** Whether some instruction word matches both rows. */
    public boolean overlaps(InsnRow other) {
        return ((value ^ other.value) & mask & other.mask) == 0;
    }

    /** Whether every word this row matches is also matched by {@code other} (this row is a special case of it). */
    public boolean refines(InsnRow other) {
        return (mask & other.mask) == other.mask && mask != other.mask && (value & other.mask) == other.value;
    }

    public int field(String fieldName, int insn) {
        Field f = fields.get(fieldName);
        if (f == null) throw new IllegalArgumentException(name + " has no field " + fieldName);
        return f.extract(insn);
    }

    public int id() {
        return id;
    }

    public String disassemble(int insn, long pc) {
        return disasm.text(this, insn, pc);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Collects rows for one section of the table. */
    public static final class Builder {
        final List<InsnRow> rows = new ArrayList<>();
        private Section section = Section.DATA;

        /** Rows added from now on belong to {@code s}. */
        public Builder section(Section s) {
            this.section = s;
            return this;
        }

        /** Adds a row printed with a {@link Disassembler} template. */
        public Builder row(String name, String pattern, Exec exec, String asmTemplate) {
            rows.add(new InsnRow(name, pattern, exec, Disassembler.template(asmTemplate), section));
            return this;
        }

        /** Adds a row printed by code, for the few encodings a template cannot express. */
        public Builder row(String name, String pattern, Exec exec, Disasm disasm) {
            rows.add(new InsnRow(name, pattern, exec, disasm, section));
            return this;
        }

        public List<InsnRow> rows() {
            return rows;
        }
    }
}
