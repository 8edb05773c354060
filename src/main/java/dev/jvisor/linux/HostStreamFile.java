package dev.jvisor.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One of the host's standard streams, or a stand-in for it in tests. Output is unbuffered from the guest's point of
 * view: each write(2) of the guest becomes one write to the stream (a single host write for the real fds).
 */
final class HostStreamFile extends OpenFile {
    private final InputStream in;
    private final OutputStream out;
    /** The host descriptor number behind the stream, or -1 when it is not a host descriptor. */
    private final int hostFd;
    private String ttyPath;
    private boolean ttyChecked;

    HostStreamFile(InputStream in, OutputStream out, int hostFd) {
        super(in != null ? O_RDONLY : O_WRONLY);
        // The host's terminal is open for both directions; programs probing fd 0/1/2 with F_GETFL see O_RDWR then.
        this.in = in;
        this.out = out;
        this.hostFd = hostFd;
        if (isTerminal()) flags = O_RDWR;
    }

    @Override
    int read(GuestThread t, ByteBuffer dst) {
        if (in == null) throw new Errno(Errno.EBADF);
        try {
            byte[] b = new byte[Math.min(dst.remaining(), 1 << 16)];
            int n = in.read(b, 0, b.length);
            if (n <= 0) return 0;
            dst.put(b, 0, n);
            return n;
        } catch (IOException e) {
            throw HostErrors.errno(e);
        }
    }

    @Override
    int write(GuestThread t, ByteBuffer src) {
        if (out == null) throw new Errno(Errno.EBADF);
        int n = src.remaining();
        byte[] b = new byte[n];
        src.get(b);
        try {
            out.write(b);
            out.flush();
        } catch (IOException e) {
            int code = HostErrors.code(e);
            // The reader of the host pipe is gone: the writer gets SIGPIPE as well as EPIPE, as on Linux.
            if (code == Errno.EPIPE) t.process.signals.sendToThread(t, Signals.SIGPIPE,
                    Signals.userInfo(Signals.SIGPIPE, Signals.SI_USER, t.process));
            throw new Errno(code);
        }
        return n;
    }

    /** poll(2) bits: output is always writable; input is readable when bytes are known to be waiting. */
    int pollState() {
        if (out != null) return Poll.POLLOUT;
        try {
            return in.available() > 0 ? Poll.POLLIN : 0;
        } catch (IOException e) {
            return Poll.POLLERR;
        }
    }

    @Override
    StatInfo stat() {
        if (hostFd < 0) return StatInfo.synthetic(StatInfo.S_IFIFO | 0600, 0x10 + (in != null ? 0 : 1));
        return StatInfo.of(Path.of("/proc/self/fd/" + hostFd), true);
    }

    @Override
    boolean isTerminal() {
        return terminalPath() != null;
    }

    /** A host descriptor is a terminal when it is a character device of the tty or pty majors. */
    @Override
    synchronized String terminalPath() {
        if (!ttyChecked) {
            ttyChecked = true;
            if (hostFd >= 0) {
                try {
                    Path link = Path.of("/proc/self/fd/" + hostFd);
                    StatInfo s = StatInfo.of(link, true);
                    int major = StatInfo.major(s.rdev());
                    if ((s.mode() & StatInfo.S_IFMT) == StatInfo.S_IFCHR
                            && (major == 4 || major == 5 || (major >= 136 && major <= 143))) {
                        ttyPath = Files.readSymbolicLink(link).toString();
                    }
                } catch (Errno | IOException | UnsupportedOperationException e) {
                    ttyPath = null;
                }
            }
        }
        return ttyPath;
    }
}
