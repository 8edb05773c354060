package dev.jvisor.debug.gdb;

import java.util.List;

/**
 * The target description gdb reads through {@code qXfer:features:read:target.xml}: the AArch64 core and FP/SIMD
 * features under the names gdb's aarch64 support looks for, in the register order of {@link Aarch64Registers}. The
 * V registers are a union of the vector shapes AArch64 gives them, so {@code p $v0} shows every view. A target may
 * add registers of its own (system mode's system registers) after them.
 */
final class TargetDescription {
    private TargetDescription() {}

    /** The description of the core and FP/SIMD registers alone, as user mode has them. */
    static final String XML = of(List.of());

    /**
     * The description with {@code extra} 64-bit registers after the FP/SIMD ones, in a feature of jvisor's own, in
     * gdb's "system" register group so that {@code info registers system} lists them.
     */
    static String of(List<String> extra) {
        StringBuilder system = new StringBuilder();
        if (!extra.isEmpty()) {
            system.append("  <feature name=\"org.jvisor.aarch64.system\">\n");
            for (String name : extra) {
                system.append("    <reg name=\"").append(name)
                        .append("\" bitsize=\"64\" type=\"uint64\" group=\"system\"/>\n");
            }
            system.append("  </feature>\n");
        }
        return BASE.formatted(numbered("x", 31, 64, "int"), numbered("v", 32, 128, "vec128"), system);
    }

    private static final String BASE = """
            <?xml version="1.0"?>
            <!DOCTYPE target SYSTEM "gdb-target.dtd">
            <target version="1.0">
              <architecture>aarch64</architecture>
              <feature name="org.gnu.gdb.aarch64.core">
            %s    <reg name="sp" bitsize="64" type="data_ptr"/>
                <reg name="pc" bitsize="64" type="code_ptr"/>
                <flags id="cpsr_bits" size="4">
                  <field name="SP" start="0" end="0"/>
                  <field name="EL" start="2" end="3"/>
                  <field name="F" start="6" end="6"/>
                  <field name="I" start="7" end="7"/>
                  <field name="A" start="8" end="8"/>
                  <field name="D" start="9" end="9"/>
                  <field name="IL" start="20" end="20"/>
                  <field name="PAN" start="22" end="22"/>
                  <field name="UAO" start="23" end="23"/>
                  <field name="V" start="28" end="28"/>
                  <field name="C" start="29" end="29"/>
                  <field name="Z" start="30" end="30"/>
                  <field name="N" start="31" end="31"/>
                </flags>
                <reg name="cpsr" bitsize="32" type="cpsr_bits"/>
              </feature>
              <feature name="org.gnu.gdb.aarch64.fpu">
                <vector id="v2d" type="ieee_double" count="2"/>
                <vector id="v2u" type="uint64" count="2"/>
                <vector id="v2i" type="int64" count="2"/>
                <vector id="v4f" type="ieee_single" count="4"/>
                <vector id="v4u" type="uint32" count="4"/>
                <vector id="v4i" type="int32" count="4"/>
                <vector id="v8u" type="uint16" count="8"/>
                <vector id="v8i" type="int16" count="8"/>
                <vector id="v16u" type="uint8" count="16"/>
                <vector id="v16i" type="int8" count="16"/>
                <vector id="v1u" type="uint128" count="1"/>
                <vector id="v1i" type="int128" count="1"/>
                <union id="vnd">
                  <field name="f" type="v2d"/><field name="u" type="v2u"/><field name="s" type="v2i"/>
                </union>
                <union id="vns">
                  <field name="f" type="v4f"/><field name="u" type="v4u"/><field name="s" type="v4i"/>
                </union>
                <union id="vnh"><field name="u" type="v8u"/><field name="s" type="v8i"/></union>
                <union id="vnb"><field name="u" type="v16u"/><field name="s" type="v16i"/></union>
                <union id="vnq"><field name="u" type="v1u"/><field name="s" type="v1i"/></union>
                <union id="vec128">
                  <field name="d" type="vnd"/>
                  <field name="s" type="vns"/>
                  <field name="h" type="vnh"/>
                  <field name="b" type="vnb"/>
                  <field name="q" type="vnq"/>
                </union>
            %s    <reg name="fpsr" bitsize="32"/>
                <reg name="fpcr" bitsize="32"/>
              </feature>
            %s</target>
            """;

    private static String numbered(String prefix, int count, int bits, String type) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append("    <reg name=\"").append(prefix).append(i).append("\" bitsize=\"").append(bits)
                    .append("\" type=\"").append(type).append("\"/>\n");
        }
        return sb.toString();
    }
}
