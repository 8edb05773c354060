package dev.jvisor.linux;

import dev.jvisor.memory.MemoryFault;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * futex(2) wait queues, keyed by guest address. All guest threads share one address space, so private and shared
 * futexes are the same thing here. The check of the futex word and the enqueue happen under the table's lock, and
 * every waker takes it too, so a wake between a waiter's check and its sleep cannot be lost.
 */
final class Futexes {
    static final int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5,
            FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10, FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;
    static final int BITSET_MATCH_ANY = -1;

    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        final int bitset;
        long address;
        volatile boolean woken;

        Waiter(long address, int bitset) {
            this.address = address;
            this.bitset = bitset;
        }
    }

    private final Map<Long, ArrayDeque<Waiter>> queues = new HashMap<>();

    /**
     * Sleeps while the word at {@code address} equals {@code expected}, until woken, until {@code deadline}
     * (System.nanoTime, or Long.MAX_VALUE for none) or until a signal is pending for {@code t}.
     */
    int wait(GuestThread t, long address, int expected, int bitset, long deadline) {
        if ((address & 3) != 0) throw new Errno(Errno.EINVAL);
        if (bitset == 0) throw new Errno(Errno.EINVAL);
        Waiter w = new Waiter(address, bitset);
        synchronized (this) {
            int value;
            try {
                value = (int) t.cpu.mem.atomicLoad(address, 4);
            } catch (MemoryFault f) {
                throw new Errno(Errno.EFAULT);
            }
            if (value != expected) throw new Errno(Errno.EAGAIN);
            queues.computeIfAbsent(address, a -> new ArrayDeque<>()).add(w);
        }
        boolean timedOut = false;
        while (!w.woken) {
            if (t.interruptPending()) break;
            if (deadline == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    timedOut = true;
                    break;
                }
                LockSupport.parkNanos(this, left);
            }
        }
        synchronized (this) {
            if (w.woken) return 0;
            ArrayDeque<Waiter> q = queues.get(w.address);
            if (q != null) {
                q.remove(w);
                if (q.isEmpty()) queues.remove(w.address);
            }
        }
        if (timedOut) throw new Errno(Errno.ETIMEDOUT);
        throw new Errno(GuestThread.ERESTARTSYS);
    }

    /** Wakes up to {@code count} waiters on {@code address} whose bitset intersects {@code bitset}. */
    synchronized int wake(long address, int count, int bitset) {
        if (bitset == 0) throw new Errno(Errno.EINVAL);
        ArrayDeque<Waiter> q = queues.get(address);
        if (q == null) return 0;
        int woken = 0;
        for (Iterator<Waiter> it = q.iterator(); it.hasNext() && woken < count; ) {
            Waiter w = it.next();
            if ((w.bitset & bitset) == 0) continue;
            it.remove();
            w.woken = true;
            LockSupport.unpark(w.thread);
            woken++;
        }
        if (q.isEmpty()) queues.remove(address);
        return woken;
    }

    /**
     * FUTEX_CMP_REQUEUE (and FUTEX_REQUEUE when {@code expected} is null): wakes {@code wakeCount} waiters on
     * {@code from} and moves up to {@code requeueCount} of the rest to {@code to}.
     */
    synchronized int requeue(GuestThread t, long from, long to, int wakeCount, int requeueCount, Integer expected) {
        if (expected != null) {
            int value;
            try {
                value = (int) t.cpu.mem.atomicLoad(from, 4);
            } catch (MemoryFault f) {
                throw new Errno(Errno.EFAULT);
            }
            if (value != expected) throw new Errno(Errno.EAGAIN);
        }
        int done = wake(from, wakeCount, BITSET_MATCH_ANY);
        ArrayDeque<Waiter> q = queues.get(from);
        if (q == null || requeueCount <= 0 || from == to) return done;
        List<Waiter> moved = new ArrayList<>();
        while (!q.isEmpty() && moved.size() < requeueCount) moved.add(q.poll());
        if (q.isEmpty()) queues.remove(from);
        ArrayDeque<Waiter> target = queues.computeIfAbsent(to, a -> new ArrayDeque<>());
        for (Waiter w : moved) {
            w.address = to;
            target.add(w);
        }
        return done + moved.size();
    }

    /** FUTEX_WAKE_OP: atomically applies the encoded operation to {@code addr2}, wakes on addr1 and maybe addr2. */
    synchronized int wakeOp(GuestThread t, long addr1, long addr2, int count1, int count2, int encoded) {
        int op = (encoded >>> 28) & 7, cmp = (encoded >>> 24) & 15;
        int oparg = (encoded << 8) >> 20, cmparg = (encoded << 20) >> 20;
        if ((encoded & (8 << 28)) != 0) oparg = 1 << (oparg & 31);
        int old;
        try {
            while (true) {
                old = (int) t.cpu.mem.atomicLoad(addr2, 4);
                int next = switch (op) {
                    case 0 -> oparg;
                    case 1 -> old + oparg;
                    case 2 -> old | oparg;
                    case 3 -> old & ~oparg;
                    case 4 -> old ^ oparg;
                    default -> throw new Errno(Errno.ENOSYS);
                };
                if ((int) t.cpu.mem.compareAndExchange(addr2, 4, old & 0xFFFF_FFFFL, next & 0xFFFF_FFFFL) == old) break;
            }
        } catch (MemoryFault f) {
            throw new Errno(Errno.EFAULT);
        }
        int woken = wake(addr1, count1, BITSET_MATCH_ANY);
        boolean condition = switch (cmp) {
            case 0 -> old == cmparg;
            case 1 -> old != cmparg;
            case 2 -> old < cmparg;
            case 3 -> old <= cmparg;
            case 4 -> old > cmparg;
            case 5 -> old >= cmparg;
            default -> throw new Errno(Errno.ENOSYS);
        };
        if (condition) woken += wake(addr2, count2, BITSET_MATCH_ANY);
        return woken;
    }
}
