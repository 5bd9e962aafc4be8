package org.example.thirdparty;

import dev.keyedmutex.AbandonedMutexException;
import dev.keyedmutex.AbstractKeyedMutex;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The reference keyed mutex: every field guarded by one internal lock, one condition per key
 * that has waiters; a release signals the waiters of the new key only (SPEC 2.2), closing and
 * abandonment signal everyone. Waiters re-check in slices of 20 ms (abandonment). Simple rather
 * than fast, and obviously correct, which is what a reference is for.
 */
final class MonitorKeyedMutex extends AbstractKeyedMutex {

    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ReentrantLock lock = new ReentrantLock();
    /** The waiters of each key that has any: their condition and their number. */
    private final Map<Long, KeyWaiters> byKey = new HashMap<>();
    private long wakeUps;

    private static final class KeyWaiters {
        final Condition condition;
        int count;

        KeyWaiters(Condition condition) {
            this.condition = condition;
        }
    }
    private final byte[] data;
    private final Set<Thread> waiting = new HashSet<>();
    private int dataLength;
    private long key;
    private Thread owner;
    private boolean abandoned;
    private volatile boolean closed;

    MonitorKeyedMutex(long initialKey, int capacity) {
        super(capacity);
        this.key = initialKey;
        this.data = new byte[capacity];
    }

    @Override
    protected boolean acquire0(long k, int mode, long nanos, ByteBuffer out) throws InterruptedException {
        Thread me = Thread.currentThread();
        long deadline = System.nanoTime() + nanos;
        boolean interrupted = false;
        lock.lock();
        try {
            for (;;) {
                if (closed) {
                    throw closedException();
                }
                if (!abandoned && owner != null && !owner.isAlive()) {
                    abandoned = true;
                    signalEveryone();
                }
                if (abandoned) {
                    throw new AbandonedMutexException("test-monitor mutex abandoned");
                }
                if (owner == null && key == k) {
                    owner = me;
                    if (out != null) {
                        int p = out.position();
                        out.put(p, data, 0, dataLength);
                        out.position(p + dataLength);
                    }
                    if (interrupted) {
                        me.interrupt();
                    }
                    return true;
                }
                if (mode == TRY || (mode == TIMED && nanos <= 0)) {
                    return false;
                }
                long slice = SLICE_NANOS;
                if (mode == TIMED) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        return false;
                    }
                    slice = Math.min(slice, remaining);
                }
                waiting.add(me);
                KeyWaiters w = byKey.computeIfAbsent(k, x -> new KeyWaiters(lock.newCondition()));
                w.count++;
                try {
                    w.condition.awaitNanos(slice);
                } catch (InterruptedException e) {
                    if (mode != UNINTERRUPTIBLE) {
                        throw e;
                    }
                    interrupted = true;
                } finally {
                    waiting.remove(me);
                    if (--w.count == 0) {
                        byKey.remove(k);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected void release0(long nextKey, ByteBuffer in) {
        lock.lock();
        try {
            if (closed) {
                throw closedException();
            }
            if (in != null) {
                dataLength = in.remaining();
                in.get(in.position(), data, 0, dataLength);
            }
            key = nextKey;
            owner = null;
            KeyWaiters w = byKey.get(nextKey);
            if (w != null) {
                wakeUps += w.count;
                w.condition.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            signalEveryone();
        } finally {
            lock.unlock();
        }
    }

    /** Under lock: wakes every waiter of every key (closing, abandonment). */
    private void signalEveryone() {
        for (KeyWaiters w : byKey.values()) {
            wakeUps += w.count;
            w.condition.signalAll();
        }
    }

    /** @return how many waiters releases, closing and abandonment have signalled so far */
    long wakeUps() {
        lock.lock();
        try {
            return wakeUps;
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected boolean isClosed() {
        return closed;
    }

    @Override
    protected Thread owner() {
        lock.lock();
        try {
            return owner;
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected int queueLength() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected boolean hasQueuedThread(Thread thread) {
        lock.lock();
        try {
            return waiting.contains(thread);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long key() {
        ensureOpen();
        lock.lock();
        try {
            return key;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isLocked() {
        ensureOpen();
        lock.lock();
        try {
            return owner != null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isAbandoned() {
        ensureOpen();
        lock.lock();
        try {
            if (!abandoned && owner != null && !owner.isAlive()) {
                abandoned = true;
                signalEveryone();
            }
            return abandoned;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isHeldByCurrentThread() {
        ensureOpen();
        lock.lock();
        try {
            return owner == Thread.currentThread();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "MonitorKeyedMutex@" + Integer.toHexString(System.identityHashCode(this));
    }
}
