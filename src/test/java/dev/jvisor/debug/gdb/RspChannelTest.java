package dev.jvisor.debug.gdb;

import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Packet framing, checksums, acknowledgements and binary escaping of the remote serial protocol. */
class RspChannelTest {
    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static RspChannel channel(String input, ByteArrayOutputStream out) {
        return new RspChannel(new BufferedInputStream(
                new ByteArrayInputStream(input.getBytes(StandardCharsets.ISO_8859_1))), out);
    }

    @Test
    void framesWithTheModulo256SumInLowercaseHex() {
        assertEquals("$OK#9a", text(RspChannel.frame("OK")));
        assertEquals("$g#67", text(RspChannel.frame("g")));
        assertEquals("$#00", text(RspChannel.frame("")));
        // 0xff * 2 = 0x1fe: only the low byte counts.
        assertEquals("$\u00ff\u00ff#fe", text(RspChannel.frame("\u00ff\u00ff")));
    }

    @Test
    void readsAPacketAndAcknowledgesIt() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RspChannel c = channel("+$qSupported:swbreak+#8b", out);
        assertEquals("qSupported:swbreak+", c.readPacket());
        assertEquals("+", out.toString(StandardCharsets.ISO_8859_1));
        assertNull(c.readPacket());
    }

    @Test
    void aCorruptPacketIsRefusedAndItsResendAccepted() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RspChannel c = channel("$g#00$g#zz$g#67", out);
        assertEquals("g", c.readPacket());
        assertEquals("--+", out.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void withoutAcksNothingIsAcknowledgedOrAwaited() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RspChannel c = channel("$m0,4#fd", out);
        c.disableAcks();
        assertEquals("m0,4", c.readPacket());
        c.send("OK");
        assertEquals("$OK#9a", out.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void sendResendsUntilAcknowledged() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        channel("-+", out).send("OK");
        assertEquals("$OK#9a$OK#9a", out.toString(StandardCharsets.ISO_8859_1));
        assertThrows(IOException.class, () -> channel("", new ByteArrayOutputStream()).send("OK"));
    }

    @Test
    void interruptIsTakenOnlyWhenItIsNext() throws IOException {
        RspChannel c = channel("\u0003$g#67", new ByteArrayOutputStream());
        assertTrue(c.takeInterrupt());
        assertFalse(c.takeInterrupt()); // '$' is left for readPacket
        assertEquals("g", c.readPacket());
        assertFalse(c.takeInterrupt());
    }

    @Test
    void escapesTheFourSpecialBytesAndUnescapesThem() {
        byte[] data = {'#', '$', '}', '*', 0, (byte) 0xff, 'a'};
        String escaped = RspChannel.escape(data, 0, data.length);
        assertEquals("}\u0003}\u0004}]}\n\u0000\u00ffa", escaped);
        assertArrayEquals(data, RspChannel.unescape(escaped));
        assertEquals("}]", RspChannel.escape(data, 2, 3));
    }
}
