package dev.jvisor.kvm.microvm;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/** The guest's console output, shared by the hypercall path and the MMIO console; vCPUs write it concurrently. */
final class Console {
    private final OutputStream out;

    Console(OutputStream out) {
        this.out = out;
    }

    synchronized void write(byte[] bytes, int offset, int length) {
        try {
            out.write(bytes, offset, length);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void write(int b) {
        try {
            out.write(b);
            if (b == '\n') out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
