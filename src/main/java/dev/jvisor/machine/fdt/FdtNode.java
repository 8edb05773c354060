package dev.jvisor.machine.fdt;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node of a device tree: a name (with its unit address, "uart@9000000"), properties in insertion order and
 * children. Property values are kept as the raw big-endian bytes the flattened form stores, so a parsed tree and a
 * built one compare byte for byte.
 */
public final class FdtNode {
    private final String name;
    private final Map<String, byte[]> properties = new LinkedHashMap<>();
    private final List<FdtNode> children = new ArrayList<>();

    public FdtNode(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public Map<String, byte[]> properties() {
        return Collections.unmodifiableMap(properties);
    }

    public List<FdtNode> children() {
        return Collections.unmodifiableList(children);
    }

    public FdtNode child(String childName) {
        for (FdtNode c : children) if (c.name.equals(childName)) return c;
        return null;
    }

    /** Adds and returns a new child; names must be unique among siblings. */
    public FdtNode addChild(String childName) {
        if (child(childName) != null) throw new IllegalArgumentException("duplicate node " + childName);
        FdtNode c = new FdtNode(childName);
        children.add(c);
        return c;
    }

    public FdtNode addChild(FdtNode node) {
        if (child(node.name) != null) throw new IllegalArgumentException("duplicate node " + node.name);
        children.add(node);
        return node;
    }

    /** Follows a path such as "/intc@8000000" or "cpus/cpu@0" from this node; null if absent. */
    public FdtNode find(String path) {
        FdtNode n = this;
        for (String part : path.split("/")) {
            if (part.isEmpty()) continue;
            n = n.child(part);
            if (n == null) return null;
        }
        return n;
    }

    public FdtNode bytes(String property, byte[] value) {
        properties.put(property, value.clone());
        return this;
    }

    public FdtNode empty(String property) {
        return bytes(property, new byte[0]);
    }

    /** A list of NUL-terminated strings (a single string is the common case). */
    public FdtNode string(String property, String... values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String v : values) {
            out.writeBytes(v.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return bytes(property, out.toByteArray());
    }

    /** 32-bit cells. */
    public FdtNode cells(String property, long... values) {
        byte[] b = new byte[values.length * 4];
        for (int i = 0; i < values.length; i++) {
            if (values[i] >>> 32 != 0) throw new IllegalArgumentException(property + " cell does not fit 32 bits");
            putU32(b, i * 4, (int) values[i]);
        }
        return bytes(property, b);
    }

    /** 64-bit values, each as two cells (the encoding of reg with #address-cells = #size-cells = 2). */
    public FdtNode cells64(String property, long... values) {
        byte[] b = new byte[values.length * 8];
        for (int i = 0; i < values.length; i++) {
            putU32(b, i * 8, (int) (values[i] >>> 32));
            putU32(b, i * 8 + 4, (int) values[i]);
        }
        return bytes(property, b);
    }

    public byte[] property(String property) {
        byte[] v = properties.get(property);
        return v == null ? null : v.clone();
    }

    public boolean has(String property) {
        return properties.containsKey(property);
    }

    /** The property as 32-bit cells; null when absent. */
    public long[] cellsOf(String property) {
        byte[] v = properties.get(property);
        if (v == null) return null;
        if (v.length % 4 != 0) throw new IllegalStateException(property + " is not a list of cells");
        long[] out = new long[v.length / 4];
        for (int i = 0; i < out.length; i++) out[i] = Integer.toUnsignedLong(getU32(v, i * 4));
        return out;
    }

    /** The property as NUL-terminated strings; null when absent. */
    public List<String> stringsOf(String property) {
        byte[] v = properties.get(property);
        if (v == null) return null;
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < v.length; i++) {
            if (v[i] == 0) {
                out.add(new String(v, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return out;
    }

    public String stringOf(String property) {
        List<String> s = stringsOf(property);
        return s == null || s.isEmpty() ? null : s.get(0);
    }

    static void putU32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static int getU32(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | b[at + 3] & 0xFF;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        dump(sb, 0);
        return sb.toString();
    }

    private void dump(StringBuilder sb, int depth) {
        String indent = "  ".repeat(depth);
        sb.append(indent).append(name.isEmpty() ? "/" : name).append(" {\n");
        properties.forEach((k, v) -> sb.append(indent).append("  ").append(k).append(" = ")
                .append(Arrays.toString(v)).append('\n'));
        for (FdtNode c : children) c.dump(sb, depth + 1);
        sb.append(indent).append("}\n");
    }
}
