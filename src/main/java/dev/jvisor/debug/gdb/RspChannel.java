package dev.jvisor.debug.gdb;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The framing layer of the GDB remote serial protocol: {@code $payload#cc} where cc is the modulo-256 sum of the
 * payload bytes in two hex digits, each packet acknowledged with {@code +} (or {@code -} to ask for it again) until
 * both sides agree on no-ack mode. A lone 0x03 outside a packet is the debugger's interrupt (Ctrl-C).
 *
 * <p>Payloads are handled as bytes in ISO-8859-1 strings, one char per byte, so binary data survives unchanged.
 */
public final class RspChannel {
    /** The interrupt byte gdb sends while the target runs. */
    public static final int INTERRUPT = 0x03;
    private static final int MAX_RESENDS = 8;

    private final InputStream in;
    private final OutputStream out;
    private boolean acks = true;

    public RspChannel(InputStream in, OutputStream out) {
        if (!in.markSupported()) throw new IllegalArgumentException("the input stream must support mark");
        this.in = in;
        this.out = out;
    }

    /** Stops sending and expecting acknowledgements, after QStartNoAckMode has been answered. */
    public void disableAcks() {
        acks = false;
    }

    /**
     * Reads the next packet's payload, escapes still in place (only binary payloads use them, and their parser
     * removes them). A corrupt packet is nacked and read again. Returns null at end of stream.
     */
    public String readPacket() throws IOException {
        while (true) {
            int b = in.read();
            if (b < 0) return null;
            // Acks for packets already settled, line noise, and interrupts that arrived after gdb saw the target
            // stop (0x03 only counts while the target runs; see takeInterrupt).
            if (b != '$') continue;
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            int sum = 0;
            while ((b = in.read()) != '#') {
                if (b < 0) return null;
                payload.write(b);
                sum += b;
            }
            int hi = in.read(), lo = in.read();
            if (lo < 0) return null;
            int expected = hexDigit(hi) << 4 | hexDigit(lo);
            if (acks) {
                boolean good = expected == (sum & 0xFF);
                out.write(good ? '+' : '-');
                out.flush();
                if (!good) continue;
            }
            return payload.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Sends a packet and, in ack mode, waits for its acknowledgement, resending on '-'. */
    public void send(String payload) throws IOException {
        byte[] framed = frame(payload);
        for (int attempt = 0; ; attempt++) {
            out.write(framed);
            out.flush();
            if (!acks) return;
            int b;
            while ((b = in.read()) != '+' && b != '-') {
                if (b < 0) throw new EOFException("gdb closed the connection");
            }
            if (b == '+') return;
            if (attempt == MAX_RESENDS) throw new IOException("gdb rejected a packet " + MAX_RESENDS + " times");
        }
    }

    /**
     * While the target runs: whether the debugger has asked to interrupt it, consuming the 0x03 if so, without
     * blocking. Anything else waiting is left for {@link #readPacket}. Needs an input stream that supports mark.
     */
    public boolean takeInterrupt() throws IOException {
        if (in.available() == 0) return false;
        in.mark(1);
        if (in.read() == INTERRUPT) return true;
        in.reset();
        return false;
    }

    /** {@code $payload#cc} with the checksum of the payload's bytes. */
    static byte[] frame(String payload) {
        byte[] body = payload.getBytes(StandardCharsets.ISO_8859_1);
        byte[] framed = new byte[body.length + 4];
        framed[0] = '$';
        System.arraycopy(body, 0, framed, 1, body.length);
        framed[body.length + 1] = '#';
        int sum = checksum(body);
        framed[body.length + 2] = (byte) Character.forDigit(sum >>> 4, 16);
        framed[body.length + 3] = (byte) Character.forDigit(sum & 15, 16);
        return framed;
    }

    static int checksum(byte[] bytes) {
        int sum = 0;
        for (byte b : bytes) sum += b & 0xFF;
        return sum & 0xFF;
    }

    private static int hexDigit(int c) {
        int d = Character.digit(c, 16);
        return d < 0 ? 0x100 : d; // an impossible checksum: the packet will be nacked
    }

    // ---- binary escaping: '#', '$', '}' and '*' travel as '}' followed by the byte xor 0x20 ----

    /** The bytes an escaped binary field stands for. */
    public static byte[] unescape(String escaped) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(escaped.length());
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c == '}' && i + 1 < escaped.length()) out.write(escaped.charAt(++i) ^ 0x20);
            else out.write(c);
        }
        return out.toByteArray();
    }

    /** {@code data[from, to)} as an escaped binary field. */
    public static String escape(byte[] data, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            int b = data[i] & 0xFF;
            if (b == '#' || b == '$' || b == '}' || b == '*') sb.append('}').append((char) (b ^ 0x20));
            else sb.append((char) b);
        }
        return sb.toString();
    }
}
