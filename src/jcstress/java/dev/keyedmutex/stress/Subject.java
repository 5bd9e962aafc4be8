package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexLock;

import java.util.concurrent.TimeUnit;

/**
 * One of the four things the grid tests run against, behind one set of verbs: the core
 * {@link KeyedMutex} ({@code acquire}/{@code release}) or its reentrant {@link KeyedMutexLock}
 * view ({@code lock(k)}/{@code unlock(next)}), each fair or non-fair, on the {@code local} provider.
 */
abstract class Subject {

    /** The core mutex's verbs. */
    static Subject mutex(boolean fair) {
        return new OfMutex(Flavours.mutex(fair));
    }

    /** The core verbs on a given handle (for example one of two mappings of a shared region). */
    static Subject of(KeyedMutex m) {
        return new OfMutex(m);
    }

    /** The Lock view's verbs (a new {@link KeyedMutexLock}, as a user would create it). */
    static Subject lock(boolean fair) {
        return new OfLock(new KeyedMutexLock(fair));
    }

    /** Blocking and interruptible: acquire(k) or lockInterruptibly(k). */
    abstract void acquire(long k) throws InterruptedException;

    /** Blocking: acquire(k) (an interrupt is a test failure) or the uninterruptible lock(k). */
    abstract void acquireUninterruptibly(long k);

    abstract boolean tryAcquire(long k);

    abstract boolean tryAcquire(long k, long nanos) throws InterruptedException;

    /** release(next) or unlock(next). */
    abstract void release(long next);

    final KeyedMutex m;

    Subject(KeyedMutex m) {
        this.m = m;
    }

    /** tryAcquire(k, nanos) for actors, which cannot throw checked exceptions. */
    final boolean tryAcquireNanos(long k, long nanos) {
        try {
            return tryAcquire(k, nanos);
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted in a stress actor", e);
        }
    }

    private static final class OfMutex extends Subject {
        OfMutex(KeyedMutex m) {
            super(m);
        }

        @Override
        void acquire(long k) throws InterruptedException {
            m.acquire(k);
        }

        @Override
        void acquireUninterruptibly(long k) {
            Flavours.acquire(m, k);
        }

        @Override
        boolean tryAcquire(long k) {
            return m.tryAcquire(k);
        }

        @Override
        boolean tryAcquire(long k, long nanos) throws InterruptedException {
            return m.tryAcquire(k, nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        void release(long next) {
            m.release(next);
        }
    }

    private static final class OfLock extends Subject {
        private final KeyedMutexLock lock;

        OfLock(KeyedMutexLock lock) {
            super(lock.mutex());
            this.lock = lock;
        }

        @Override
        void acquire(long k) throws InterruptedException {
            lock.lockInterruptibly(k);
        }

        @Override
        void acquireUninterruptibly(long k) {
            lock.lock(k);
        }

        @Override
        boolean tryAcquire(long k) {
            return lock.tryLock(k);
        }

        @Override
        boolean tryAcquire(long k, long nanos) throws InterruptedException {
            return lock.tryLock(k, nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        void release(long next) {
            lock.unlock(next);
        }
    }
}
