package org.example.thirdparty;

import dev.keyedmutex.AbandonedMutexException;
import dev.keyedmutex.AbstractKeyedMutex;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The reference keyed mutex: every field guarded by one internal lock, every change signals all
 * waiters, which re-check. Slow under contention (a thundering herd on every release) but
 * obviously correct, which is what a reference is for.
 */
final class MonitorKeyedMutex extends AbstractKeyedMutex {

    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
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
                    changed.signalAll();
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
                try {
                    changed.awaitNanos(slice);
                } catch (InterruptedException e) {
                    if (mode != UNINTERRUPTIBLE) {
                        throw e;
                    }
                    interrupted = true;
                } finally {
                    waiting.remove(me);
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
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
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
                changed.signalAll();
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
