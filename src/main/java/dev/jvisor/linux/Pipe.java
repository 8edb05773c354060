package dev.jvisor.linux;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-process pipe between guest threads: a 64 KiB ring buffer with Linux semantics (EOF once every writer is
 * closed, EPIPE and SIGPIPE once every reader is, writes of up to PIPE_BUF bytes atomic, O_NONBLOCK → EAGAIN).
 * Blocked threads wake up for signals by polling their pending set at a short interval.
 */
final class Pipe {
    static final int CAPACITY = 1 << 16, PIPE_BUF = 4096;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static long nextInode = 0x1000;

    private final byte[] ring = new byte[CAPACITY];
    private int head, count;
    private int readers = 1, writers = 1;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    final long inode;

    Pipe() {
        synchronized (Pipe.class) {
            inode = nextInode++;
        }
    }

    final class End extends OpenFile {
        private final boolean reader;

        End(boolean reader, int statusFlags) {
            super((reader ? O_RDONLY : O_WRONLY) | statusFlags);
            this.reader = reader;
        }

        @Override
        int read(GuestThread t, ByteBuffer dst) {
            if (!reader) throw new Errno(Errno.EBADF);
            return Pipe.this.read(t, dst, (flags & O_NONBLOCK) != 0);
        }

        @Override
        int write(GuestThread t, ByteBuffer src) {
            if (reader) throw new Errno(Errno.EBADF);
            return Pipe.this.write(t, src, (flags & O_NONBLOCK) != 0);
        }

        int available() {
            return Pipe.this.available();
        }

        /** poll(2) bits for this end. */
        int pollState() {
            lock.lock();
            try {
                if (reader) return (count > 0 ? Poll.POLLIN : 0) | (writers == 0 ? Poll.POLLHUP : 0);
                return (count < CAPACITY ? Poll.POLLOUT : 0) | (readers == 0 ? Poll.POLLERR : 0);
            } finally {
                lock.unlock();
            }
        }

        @Override
        StatInfo stat() {
            return StatInfo.synthetic(StatInfo.S_IFIFO | 0600, inode);
        }

        @Override
        protected void close() {
            lock.lock();
            try {
                if (reader) readers--; else writers--;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private int available() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    private int read(GuestThread t, ByteBuffer dst, boolean nonblocking) {
        if (!dst.hasRemaining()) return 0;
        lock.lock();
        try {
            while (count == 0) {
                if (writers == 0) return 0;
                if (nonblocking) throw new Errno(Errno.EAGAIN);
                await(t);
            }
            int n = Math.min(count, dst.remaining());
            for (int i = 0; i < n; i++) dst.put(ring[(head + i) % CAPACITY]);
            head = (head + n) % CAPACITY;
            count -= n;
            changed.signalAll();
            return n;
        } finally {
            lock.unlock();
        }
    }

    private int write(GuestThread t, ByteBuffer src, boolean nonblocking) {
        int total = src.remaining();
        int written = 0;
        lock.lock();
        try {
            while (src.hasRemaining()) {
                if (readers == 0) {
                    t.process.signals.sendToThread(t, Signals.SIGPIPE, Signals.userInfo(Signals.SIGPIPE, Signals.SI_USER, t.process));
                    if (written > 0) return written;
                    throw new Errno(Errno.EPIPE);
                }
                int free = CAPACITY - count;
                // Small writes go in whole or not at all.
                int need = total <= PIPE_BUF ? src.remaining() : 1;
                if (free < need) {
                    if (nonblocking) {
                        if (written > 0) return written;
                        throw new Errno(Errno.EAGAIN);
                    }
                    try {
                        await(t);
                    } catch (Errno interrupted) {
                        if (written > 0) return written;
                        throw interrupted;
                    }
                    continue;
                }
                int n = Math.min(free, src.remaining());
                for (int i = 0; i < n; i++) ring[(head + count + i) % CAPACITY] = src.get();
                count += n;
                written += n;
                changed.signalAll();
            }
            return written;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a change; a signal for the thread turns into the restartable interruption of the call. */
    private void await(GuestThread t) {
        if (t.interruptPending()) throw new Errno(GuestThread.ERESTARTSYS);
        try {
            changed.awaitNanos(POLL_NANOS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Errno(Errno.EINTR);
        }
    }
}
