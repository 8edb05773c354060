package dev.jvisor.machine.fdt;

import dev.jvisor.UserError;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The flattened device tree blob (devicetree specification v0.4, format version 17): a header, a memory reservation
 * block, the structure block of tokens and the strings block holding property names once each.
 */
public final class Fdt {
    public static final int MAGIC = 0xD00DFEED;
    private static final int HEADER_SIZE = 40;
    private static final int BEGIN_NODE = 1;
    private static final int END_NODE = 2;
    private static final int PROP = 3;
    private static final int NOP = 4;
    private static final int END = 9;
    private static final int VERSION = 17;
    /** Version 17 blobs stay readable by software that knows version 16: the structure block is unchanged. */
    private static final int LAST_COMPATIBLE_VERSION = 16;

    private Fdt() {}

    /** Flattens {@code root} (whose name must be empty) with an empty reservation block. */
    public static byte[] write(FdtNode root, int bootCpu) {
        if (!root.name().isEmpty()) throw new IllegalArgumentException("the root node has no name");
        Map<String, Integer> stringOffsets = new LinkedHashMap<>();
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        ByteArrayOutputStream struct = new ByteArrayOutputStream();
        writeNode(root, struct, strings, stringOffsets);
        putToken(struct, END);

        int reserveOffset = HEADER_SIZE;
        byte[] reserve = new byte[16];
        int structOffset = reserveOffset + reserve.length;
        int stringsOffset = structOffset + struct.size();
        int total = stringsOffset + strings.size();
        byte[] blob = new byte[(total + 7) & ~7];
        int[] header = {MAGIC, blob.length, structOffset, stringsOffset, reserveOffset, VERSION,
                LAST_COMPATIBLE_VERSION, bootCpu, strings.size(), struct.size()};
        for (int i = 0; i < header.length; i++) FdtNode.putU32(blob, i * 4, header[i]);
        System.arraycopy(struct.toByteArray(), 0, blob, structOffset, struct.size());
        System.arraycopy(strings.toByteArray(), 0, blob, stringsOffset, strings.size());
        return blob;
    }

    private static void writeNode(FdtNode node, ByteArrayOutputStream struct, ByteArrayOutputStream strings,
                                  Map<String, Integer> stringOffsets) {
        putToken(struct, BEGIN_NODE);
        struct.writeBytes(node.name().getBytes(StandardCharsets.UTF_8));
        struct.write(0);
        pad4(struct);
        for (Map.Entry<String, byte[]> p : node.properties().entrySet()) {
            Integer nameOffset = stringOffsets.get(p.getKey());
            if (nameOffset == null) {
                nameOffset = strings.size();
                stringOffsets.put(p.getKey(), nameOffset);
                strings.writeBytes(p.getKey().getBytes(StandardCharsets.UTF_8));
                strings.write(0);
            }
            putToken(struct, PROP);
            putToken(struct, p.getValue().length);
            putToken(struct, nameOffset);
            struct.writeBytes(p.getValue());
            pad4(struct);
        }
        for (FdtNode c : node.children()) writeNode(c, struct, strings, stringOffsets);
        putToken(struct, END_NODE);
    }

    private static void putToken(ByteArrayOutputStream out, int v) {
        byte[] b = new byte[4];
        FdtNode.putU32(b, 0, v);
        out.writeBytes(b);
    }

    private static void pad4(ByteArrayOutputStream out) {
        while (out.size() % 4 != 0) out.write(0);
    }

    /** The boot CPU's physical ID from a blob's header (parse it first to know it is one). */
    public static int bootCpu(byte[] blob) {
        return FdtNode.getU32(blob, 28);
    }

    /** Parses a blob (versions 16 and 17); a malformed one is a UserError naming what is wrong. */
    public static FdtNode parse(byte[] blob) {
        if (blob.length < HEADER_SIZE || FdtNode.getU32(blob, 0) != MAGIC) {
            throw new UserError("not a flattened device tree (bad magic)");
        }
        long total = Integer.toUnsignedLong(FdtNode.getU32(blob, 4));
        int structOffset = FdtNode.getU32(blob, 8);
        int stringsOffset = FdtNode.getU32(blob, 12);
        int version = FdtNode.getU32(blob, 20);
        int lastCompatible = FdtNode.getU32(blob, 24);
        int stringsSize = FdtNode.getU32(blob, 32);
        int structSize = FdtNode.getU32(blob, 36);
        if (total > blob.length) throw new UserError("device tree truncated: header says " + total + " bytes");
        if (lastCompatible > VERSION || version < 16) {
            throw new UserError("device tree version " + version + " is not supported");
        }
        if (!inside(structOffset, structSize, total) || !inside(stringsOffset, stringsSize, total)) {
            throw new UserError("device tree blocks lie outside the blob");
        }
        Deque<FdtNode> open = new ArrayDeque<>();
        FdtNode root = null;
        int at = structOffset;
        int end = structOffset + structSize;
        while (true) {
            if (at + 4 > end) throw new UserError("device tree structure block ends without FDT_END");
            int token = FdtNode.getU32(blob, at);
            at += 4;
            switch (token) {
                case BEGIN_NODE -> {
                    int nul = indexOfNul(blob, at, end);
                    String name = new String(blob, at, nul - at, StandardCharsets.UTF_8);
                    at = (nul + 4) & ~3;
                    FdtNode node;
                    if (open.isEmpty()) {
                        if (root != null) throw new UserError("device tree has two root nodes");
                        node = root = new FdtNode(name);
                    } else {
                        node = open.peek().addChild(name);
                    }
                    open.push(node);
                }
                case END_NODE -> {
                    if (open.isEmpty()) throw new UserError("device tree closes a node it never opened");
                    open.pop();
                }
                case PROP -> {
                    if (open.isEmpty() || at + 8 > end) throw new UserError("device tree property outside a node");
                    int length = FdtNode.getU32(blob, at);
                    int nameOffset = FdtNode.getU32(blob, at + 4);
                    at += 8;
                    if (length < 0 || at + length > end || nameOffset < 0 || nameOffset >= stringsSize) {
                        throw new UserError("device tree property runs outside its block");
                    }
                    int nameStart = stringsOffset + nameOffset;
                    int nul = indexOfNul(blob, nameStart, stringsOffset + stringsSize);
                    String name = new String(blob, nameStart, nul - nameStart, StandardCharsets.UTF_8);
                    byte[] value = new byte[length];
                    System.arraycopy(blob, at, value, 0, length);
                    open.peek().bytes(name, value);
                    at = (at + length + 3) & ~3;
                }
                case NOP -> { }
                case END -> {
                    if (!open.isEmpty() || root == null) throw new UserError("device tree ends inside a node");
                    return root;
                }
                default -> throw new UserError("device tree has unknown token " + token);
            }
        }
    }

    private static boolean inside(int offset, int size, long total) {
        return offset >= 0 && size >= 0 && (long) offset + size <= total;
    }

    private static int indexOfNul(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) if (b[i] == 0) return i;
        throw new UserError("device tree string is not terminated");
    }
}
