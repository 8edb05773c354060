package dev.jvisor.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * The user's terminal as a machine's serial console. When stdin is a terminal it goes to raw mode (so the guest's
 * line discipline, not the host's, handles keys: Ctrl-C reaches the guest) and comes back as it was at exit; then,
 * as in QEMU, Ctrl-A X ends the run and Ctrl-A Ctrl-A sends one Ctrl-A. Java cannot call tcsetattr, so stty does it.
 */
final class HostConsole implements AutoCloseable {
    private static final int CTRL_A = 1;
    private final OutputStream out = new FileOutputStream(FileDescriptor.out);
    private final String savedMode;
    private final Thread restoreHook;

    HostConsole() {
        String mode = System.console() != null && System.console().isTerminal() ? stty("-g") : null;
        savedMode = mode == null || mode.isEmpty() ? null : mode;
        if (savedMode != null) {
            restoreHook = new Thread(this::restore, "console-restore");
            Runtime.getRuntime().addShutdownHook(restoreHook);
            stty("raw", "-echo");
        } else {
            restoreHook = null;
        }
    }

    boolean raw() {
        return savedMode != null;
    }

    /** The guest's output, written through at once: a console is interactive. */
    IntConsumer output() {
        return b -> {
            try {
                out.write(b);
            } catch (IOException e) {
                // The user's terminal went away; the guest's console becomes a sink, as a disconnected UART is.
            }
        };
    }

    /** stdin, with the Ctrl-A commands taken out when the console is raw; {@code quit} runs on Ctrl-A X. */
    InputStream input(Runnable quit) {
        if (savedMode == null) return System.in;
        return new InputStream() {
            private int pending = -1;

            @Override
            public int read() throws IOException {
                if (pending >= 0) {
                    int b = pending;
                    pending = -1;
                    return b;
                }
                while (true) {
                    int b = System.in.read();
                    if (b != CTRL_A) return b;
                    int command = System.in.read();
                    if (command == 'x' || command == 'X') {
                        quit.run();
                        return -1;
                    }
                    if (command == CTRL_A || command < 0) return command;
                    pending = command;
                    return CTRL_A;
                }
            }
        };
    }

    @Override
    public void close() {
        if (restoreHook == null) return;
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreHook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook restores the terminal itself.
        }
    }

    private synchronized void restore() {
        stty(savedMode);
    }

    private static String stty(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "stty";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String text = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor(5, TimeUnit.SECONDS);
            return text;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
