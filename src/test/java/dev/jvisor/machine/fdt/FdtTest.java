package dev.jvisor.machine.fdt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvisor.UserError;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class FdtTest {
    static FdtNode sample() {
        FdtNode root = new FdtNode("");
        root.cells("#address-cells", 2);
        root.string("compatible", "a,b", "c");
        FdtNode child = root.addChild("uart@9000000");
        child.cells64("reg", 0x9000000L, 0x1000);
        child.empty("interrupt-controller");
        child.bytes("odd", new byte[] {1, 2, 3});
        child.addChild("leaf").string("compatible", "x");
        return root;
    }

    @Test
    void headerFollowsVersion17() {
        byte[] blob = Fdt.write(sample(), 3);
        ByteBuffer b = ByteBuffer.wrap(blob);
        assertEquals(0xD00DFEED, b.getInt(0));
        assertEquals(blob.length, b.getInt(4));
        assertEquals(0, blob.length % 8);
        assertEquals(17, b.getInt(20));
        assertEquals(16, b.getInt(24));
        assertEquals(3, b.getInt(28), "boot CPU");
        int reserve = b.getInt(16);
        assertEquals(0, reserve % 8);
        assertEquals(0, b.getLong(reserve), "empty reservation block");
        assertEquals(0, b.getLong(reserve + 8));
        int struct = b.getInt(8);
        assertEquals(1, b.getInt(struct), "FDT_BEGIN_NODE");
        assertEquals(0, b.getInt(struct + 4), "root name: empty, padded");
        assertEquals(3, b.getInt(struct + 8), "FDT_PROP");
        assertEquals(4, b.getInt(struct + 12), "one cell");
        assertEquals(2, b.getInt(struct + 20));
        assertEquals(9, b.getInt(struct + b.getInt(36) - 4), "FDT_END closes the structure block");
        int strings = b.getInt(12);
        assertEquals("#address-cells", new String(blob, strings, 14));
    }

    @Test
    void propertyNamesAreStoredOnce() {
        byte[] blob = Fdt.write(sample(), 0);
        ByteBuffer b = ByteBuffer.wrap(blob);
        String strings = new String(blob, b.getInt(12), b.getInt(32));
        assertEquals(strings.indexOf("compatible"), strings.lastIndexOf("compatible"));
    }

    @Test
    void roundTripsThroughTheParser() {
        FdtNode parsed = Fdt.parse(Fdt.write(sample(), 0));
        assertEquals(List.of("a,b", "c"), parsed.stringsOf("compatible"));
        FdtNode uart = parsed.find("/uart@9000000");
        assertArrayEquals(new long[] {0, 0x9000000, 0, 0x1000}, uart.cellsOf("reg"));
        assertArrayEquals(new byte[0], uart.property("interrupt-controller"));
        assertArrayEquals(new byte[] {1, 2, 3}, uart.property("odd"));
        assertEquals("x", parsed.find("uart@9000000/leaf").stringOf("compatible"));
        assertEquals(sample().toString(), parsed.toString());
    }

    @Test
    void malformedBlobsAreUserErrors() {
        byte[] blob = Fdt.write(sample(), 0);
        assertThrows(UserError.class, () -> Fdt.parse(new byte[8]));
        byte[] truncated = java.util.Arrays.copyOf(blob, blob.length - 16);
        assertThrows(UserError.class, () -> Fdt.parse(truncated));
        byte[] badToken = blob.clone();
        int struct = ByteBuffer.wrap(blob).getInt(8);
        badToken[struct + 3] = 7;
        UserError e = assertThrows(UserError.class, () -> Fdt.parse(badToken));
        assertTrue(e.getMessage().contains("token"), e.getMessage());
    }

    @Test
    void cellsMustFit32Bits() {
        assertThrows(IllegalArgumentException.class, () -> new FdtNode("n").cells("x", 1L << 32));
        assertThrows(IllegalArgumentException.class, () -> sample().addChild("uart@9000000"));
    }
}
