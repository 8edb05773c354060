package dev.jvisor.debug.gdb;

import dev.jvisor.UserError;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP port on the loopback interface where one gdb can connect ({@code target remote :PORT}) and debug a
 * {@link DebugTarget}. Only the local host can reach it: the protocol has no authentication and can write guest memory.
 */
public final class GdbServer implements AutoCloseable {
    private final ServerSocket socket;
    private final PrintStream messages;
    private Thread session;
    private volatile boolean connected;

    private GdbServer(ServerSocket socket, PrintStream messages) {
        this.socket = socket;
        this.messages = messages;
    }

    /**
     * Listens on {@code port} (0: any free port) and says where on {@code messages}, so that a script that asked for
     * port 0 can read the one it got.
     */
    public static GdbServer listen(int port, PrintStream messages) {
        if (port < 0 || port > 65535) throw new UserError("--gdb: port " + port + " is not between 0 and 65535");
        try {
            ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
            messages.println("jvisor: gdb: listening on localhost:" + s.getLocalPort());
            messages.flush();
            return new GdbServer(s, messages);
        } catch (IOException e) {
            throw new UserError("--gdb: cannot listen on port " + port + ": " + e.getMessage());
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Serves {@code target} to the first gdb that connects, on a thread of its own; one session per server. */
    public void start(DebugTarget target) {
        session = Thread.ofPlatform().name("gdb-stub").daemon(true).start(() -> serve(target));
    }

    private void serve(DebugTarget target) {
        Socket s;
        try {
            s = socket.accept();
            connected = true;
            socket.close();
        } catch (IOException closedBeforeAnyoneConnected) {
            return; // the program ended first; nothing to report to anyone
        }
        try (s) {
            s.setTcpNoDelay(true);
            RspChannel channel = new RspChannel(new BufferedInputStream(s.getInputStream()),
                    new BufferedOutputStream(s.getOutputStream()));
            new GdbStub(target, channel).serve();
        } catch (IOException e) {
            messages.println("jvisor: gdb: connection lost: " + e.getMessage());
            target.detach();
        } catch (RuntimeException e) {
            messages.println("jvisor: gdb: internal error, the program continues without the debugger: " + e);
            target.detach();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            target.detach();
        }
    }

    /**
     * The target has ended: waits up to {@code millis} for a connected session to tell gdb (it does so on its own),
     * and stops listening.
     */
    public void finish(long millis) throws InterruptedException {
        if (!connected) close();
        Thread t = session;
        if (t != null) t.join(millis);
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a listening socket has nothing left to fail on that matters here.
        }
    }
}
