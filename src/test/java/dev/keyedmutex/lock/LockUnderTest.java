package dev.keyedmutex.lock;

import dev.keyedmutex.KeyedMutexLock;
import dev.keyedmutex.KeyedMutexes;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code ReentrantLock}-compatible surface of a lock under test: the {@link Lock} methods
 * (forwarded to {@link #raw()}) plus the monitoring queries both {@link ReentrantLock} and
 * {@link KeyedMutexLock} offer. The conformance suite is written once against this interface and
 * run against every {@link Kind}, so a behavioural difference between {@code ReentrantLock} and
 * ours shows up as a failure on one side only.
 */
interface LockUnderTest extends Lock {

    /** @return the lock itself (what user code would hold a reference to) */
    Lock raw();

    /** @return the kind this lock was made as */
    Kind kind();

    boolean isFair();

    int getHoldCount();

    boolean isHeldByCurrentThread();

    boolean isLocked();

    boolean hasQueuedThreads();

    boolean hasQueuedThread(Thread thread);

    int getQueueLength();

    boolean hasWaiters(Condition condition);

    int getWaitQueueLength(Condition condition);

    /** @return the owner as reported by the protected {@code getOwner()} */
    Thread getOwner();

    /** Wraps a deserialized copy of {@link #raw()}. */
    LockUnderTest adopt(Object deserialized);

    // ---------------------------------------------------------------- Lock, forwarded

    @Override
    default void lock() {
        raw().lock();
    }

    @Override
    default void lockInterruptibly() throws InterruptedException {
        raw().lockInterruptibly();
    }

    @Override
    default boolean tryLock() {
        return raw().tryLock();
    }

    @Override
    default boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return raw().tryLock(time, unit);
    }

    @Override
    default void unlock() {
        raw().unlock();
    }

    @Override
    default Condition newCondition() {
        return raw().newCondition();
    }

    // ---------------------------------------------------------------- the kinds

    /** Every lock the suites run against. */
    enum Kind {
        REENTRANT_LOCK("new ReentrantLock()", false, true, false, 0L) {
            @Override
            LockUnderTest create() {
                return new OfReentrantLock(new PublicReentrantLock(false), this);
            }
        },
        REENTRANT_LOCK_FAIR("new ReentrantLock(true)", true, true, false, 0L) {
            @Override
            LockUnderTest create() {
                return new OfReentrantLock(new PublicReentrantLock(true), this);
            }
        },
        KEYED_MUTEX_LOCK("new KeyedMutexLock()", false, true, true, 0L) {
            @Override
            LockUnderTest create() {
                return new OfKeyedMutexLock(new KeyedMutexLock(), this);
            }
        },
        KEYED_MUTEX_LOCK_FAIR("new KeyedMutexLock(true)", true, true, true, 0L) {
            @Override
            LockUnderTest create() {
                return new OfKeyedMutexLock(new KeyedMutexLock(true), this);
            }
        },
        KEYED_MUTEX_VIEW("KeyedMutexes.create(7).asLock(7, 7)", false, false, true, 7L) {
            @Override
            LockUnderTest create() {
                return new OfKeyedMutexLock(KeyedMutexes.create(7).asLock(7, 7), this);
            }
        };

        final String label;
        final boolean fair;
        final boolean serializable;
        final boolean keyed;
        /** The key plain lock()/unlock() use, for keyed kinds. */
        final long key;

        Kind(String label, boolean fair, boolean serializable, boolean keyed, long key) {
            this.label = label;
            this.fair = fair;
            this.serializable = serializable;
            this.keyed = keyed;
            this.key = key;
        }

        abstract LockUnderTest create();

        @Override
        public String toString() {
            return label;
        }
    }

    // ---------------------------------------------------------------- adapters

    /** Exposes {@code ReentrantLock.getOwner()}; serializes like its superclass. */
    final class PublicReentrantLock extends ReentrantLock {
        private static final long serialVersionUID = 1L;

        PublicReentrantLock(boolean fair) {
            super(fair);
        }

        Thread owner() {
            return getOwner();
        }
    }

    /** Adapter for {@link ReentrantLock}. */
    final class OfReentrantLock implements LockUnderTest {
        private final PublicReentrantLock lock;
        private final Kind kind;

        OfReentrantLock(PublicReentrantLock lock, Kind kind) {
            this.lock = lock;
            this.kind = kind;
        }

        @Override
        public Lock raw() {
            return lock;
        }

        @Override
        public Kind kind() {
            return kind;
        }

        @Override
        public boolean isFair() {
            return lock.isFair();
        }

        @Override
        public int getHoldCount() {
            return lock.getHoldCount();
        }

        @Override
        public boolean isHeldByCurrentThread() {
            return lock.isHeldByCurrentThread();
        }

        @Override
        public boolean isLocked() {
            return lock.isLocked();
        }

        @Override
        public boolean hasQueuedThreads() {
            return lock.hasQueuedThreads();
        }

        @Override
        public boolean hasQueuedThread(Thread thread) {
            return lock.hasQueuedThread(thread);
        }

        @Override
        public int getQueueLength() {
            return lock.getQueueLength();
        }

        @Override
        public boolean hasWaiters(Condition condition) {
            return lock.hasWaiters(condition);
        }

        @Override
        public int getWaitQueueLength(Condition condition) {
            return lock.getWaitQueueLength(condition);
        }

        @Override
        public Thread getOwner() {
            return lock.owner();
        }

        @Override
        public LockUnderTest adopt(Object deserialized) {
            return new OfReentrantLock((PublicReentrantLock) deserialized, kind);
        }

        @Override
        public String toString() {
            return lock.toString();
        }
    }

    /** Adapter for {@link KeyedMutexLock} (standalone or a view). */
    final class OfKeyedMutexLock implements LockUnderTest {
        private static final Method GET_OWNER;

        static {
            try {
                GET_OWNER = KeyedMutexLock.class.getDeclaredMethod("getOwner");
                GET_OWNER.setAccessible(true);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final KeyedMutexLock lock;
        private final Kind kind;

        OfKeyedMutexLock(KeyedMutexLock lock, Kind kind) {
            this.lock = lock;
            this.kind = kind;
        }

        @Override
        public Lock raw() {
            return lock;
        }

        @Override
        public Kind kind() {
            return kind;
        }

        @Override
        public boolean isFair() {
            return lock.isFair();
        }

        @Override
        public int getHoldCount() {
            return lock.getHoldCount();
        }

        @Override
        public boolean isHeldByCurrentThread() {
            return lock.isHeldByCurrentThread();
        }

        @Override
        public boolean isLocked() {
            return lock.isLocked();
        }

        @Override
        public boolean hasQueuedThreads() {
            return lock.hasQueuedThreads();
        }

        @Override
        public boolean hasQueuedThread(Thread thread) {
            return lock.hasQueuedThread(thread);
        }

        @Override
        public int getQueueLength() {
            return lock.getQueueLength();
        }

        @Override
        public boolean hasWaiters(Condition condition) {
            return lock.hasWaiters(condition);
        }

        @Override
        public int getWaitQueueLength(Condition condition) {
            return lock.getWaitQueueLength(condition);
        }

        @Override
        public Thread getOwner() {
            try {
                return (Thread) GET_OWNER.invoke(lock);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException) {
                    throw (RuntimeException) cause;
                }
                throw new AssertionError(cause);
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public LockUnderTest adopt(Object deserialized) {
            return new OfKeyedMutexLock((KeyedMutexLock) deserialized, kind);
        }

        @Override
        public String toString() {
            return lock.toString();
        }
    }
}
