package dev.keyedmutex;

import dev.keyedmutex.local.LocalProvider;

import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;

/**
 * A reentrant {@link Lock} over a {@link KeyedMutex}: a drop-in for
 * {@link java.util.concurrent.locks.ReentrantLock}, with keyed {@link #lock(long) lock(key)} and
 * {@link #unlock(long) unlock(nextKey)} on top.
 *
 * <p>{@code new KeyedMutexLock()} and {@code new KeyedMutexLock(fair)} create a fresh in-process
 * keyed mutex with key 0 and behave like {@code new ReentrantLock()} /
 * {@code new ReentrantLock(fair)}: plain {@link #lock()} acquires with key 0 and plain
 * {@link #unlock()} releases with key 0, so the key never changes unless the keyed methods are
 * used. {@link KeyedMutex#asLock(long, long) mutex.asLock(a, r)} gives a view whose plain
 * {@code lock()} waits for key {@code a} and whose plain {@code unlock()} releases with key
 * {@code r}.
 *
 * <p><b>Reentrancy.</b> While a thread holds the mutex, any {@code lock}, {@code lock(key)} or
 * {@code tryLock} by it just adds a hold, whatever the key (the key only gates entry from
 * outside). The {@code unlock} or {@code unlock(nextKey)} that drops the last hold releases the
 * mutex with its key; earlier ones ignore theirs. All views of one mutex share its ownership and
 * hold count, and a hold taken through {@link KeyedMutex#acquire(long)} counts as one. The
 * maximum is 2147483647 holds, as for {@code ReentrantLock}.
 *
 * <p><b>Conditions.</b> {@link #newCondition()} returns a {@link Condition} with the exact
 * contract of {@code ReentrantLock}'s: the {@code await} methods release all holds with the key
 * the outermost hold was taken with (so the key is unchanged), wait, and reacquire with that key
 * before returning, restoring the hold count; a signal wakes the longest-waiting thread of that
 * condition. Interruption during {@code await} takes precedence over a signal that has not yet
 * happened; after a signal, the interrupt status is set again instead. Nobody can signal a
 * condition of a mutex that has been closed or abandoned, so a waiting thread checks for that
 * every 20 ms and then throws {@link IllegalStateException} or {@link AbandonedMutexException}
 * <em>without</em> reacquiring the lock (a following {@code unlock()} in a {@code finally}
 * block then throws too; the first exception is the one that says what happened).
 *
 * <p><b>Differences from {@code ReentrantLock}.</b> A view of a shared mutex whose handle is
 * closed throws {@link IllegalStateException} from every method except {@link #toString()};
 * acquiring an abandoned mutex throws {@link AbandonedMutexException}. {@code lock()} ignores
 * interruption as the {@link Lock} contract requires. {@code toString()} adds the key. Only locks
 * made by the public constructors are {@link Serializable} (they deserialize unlocked, with the
 * key they had), together with their conditions and with subclasses' own fields; views of
 * other mutexes are not.
 *
 * <p><b>Memory consistency effects:</b> As for every {@link Lock}: a successful {@code lock}
 * (any form) has the same memory synchronization effects as a successful acquire of the keyed
 * mutex, and a successful {@code unlock} that releases it those of a successful release: actions
 * prior to the releasing {@code unlock} <i>happen-before</i> actions subsequent to the next
 * successful {@code lock} in another thread. Waiting on a condition releases and reacquires the
 * mutex, with the same effects. Actions prior to {@code signal} or {@code signalAll} and the
 * following releasing {@code unlock} happen-before actions after the signalled thread's
 * {@code await} returns.
 */
public class KeyedMutexLock implements Lock, Serializable {

    private static final long serialVersionUID = 1L;

    /** The mutex and this view's keys; serializes through a proxy (see {@link Core}). */
    private final Core core;

    /*
     * Copies of core's three fields, for lock and unlock. Read from here, the mutex is one
     * dependent load nearer: lock() needs it before its first access to the mutex, and unlock()
     * loads it again right after the acquiring CAS, which later loads cannot pass. Through core,
     * that cost about 1 ns of a 7-8 ns uncontended pair on the AMD EPYC VM (docs/measurements.md,
     * "KeyedMutexLock: one load less").
     *
     * Transient and not final, so that readObject can set them as the constructor does: the keys
     * first, then the mutex with a release store. A thread reads the mutex first, with an acquire
     * load (on x86 both are plain moves), and if it sees it, it sees the keys too; if it sees
     * null (this lock reached it through a data race, which final fields alone survive), it
     * takes all three from core. See m(), lock() and unlock().
     */
    private transient long fastAcquireKey;
    private transient long fastReleaseKey;
    private transient AbstractKeyedMutex fastMutex;
    private static final VarHandle FAST_MUTEX;

    static {
        try {
            FAST_MUTEX = MethodHandles.lookup().findVarHandle(KeyedMutexLock.class, "fastMutex", AbstractKeyedMutex.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Creates a non-fair lock over a new in-process keyed mutex with key 0 (like {@code new ReentrantLock()}). */
    public KeyedMutexLock() {
        this(false);
    }

    /**
     * Creates a lock over a new in-process keyed mutex with key 0 and the given fairness policy
     * (like {@code new ReentrantLock(fair)}).
     *
     * @param fair {@code true} for the fair policy
     */
    public KeyedMutexLock(boolean fair) {
        this(localMutex(0L, fair), 0L, 0L, true);
    }

    KeyedMutexLock(AbstractKeyedMutex mutex, long acquireKey, long releaseKey) {
        this(mutex, acquireKey, releaseKey, false);
    }

    private KeyedMutexLock(AbstractKeyedMutex mutex, long acquireKey, long releaseKey, boolean standalone) {
        this.core = new Core(Objects.requireNonNull(mutex, "mutex"), acquireKey, releaseKey, standalone);
        publishCopies();
    }

    /** Sets the copies of core's fields (see there): the keys, then the mutex (release). */
    private void publishCopies() {
        fastAcquireKey = core.acquireKey;
        fastReleaseKey = core.releaseKey;
        FAST_MUTEX.setRelease(this, core.m);
    }

    /** The mutex: from the copy (acquire) if this thread sees it, else from core. */
    private AbstractKeyedMutex m() {
        AbstractKeyedMutex mutex = (AbstractKeyedMutex) FAST_MUTEX.getAcquire(this);
        return mutex != null ? mutex : core.m;
    }

    private static AbstractKeyedMutex localMutex(long initialKey, boolean fair) {
        return (AbstractKeyedMutex) new LocalProvider().create(null, initialKey, 0, fair);
    }

    /** @return the keyed mutex underneath (its {@code key()}, {@code isAbandoned()}, ...) */
    public KeyedMutex mutex() {
        return core.m;
    }

    /** @return the key plain {@link #lock()} waits for */
    public long acquireKey() {
        return core.acquireKey;
    }

    /** @return the key plain {@link #unlock()} releases with */
    public long releaseKey() {
        return core.releaseKey;
    }

    // ================================================================ Lock

    /**
     * Acquires the lock with this view's acquire key; see {@link #lock(long)}.
     */
    @Override
    public void lock() {
        AbstractKeyedMutex mutex = (AbstractKeyedMutex) FAST_MUTEX.getAcquire(this);
        if (mutex != null) {
            lock(mutex, fastAcquireKey);
        } else {
            lock(core.m, core.acquireKey);
        }
    }

    /**
     * Acquires the lock, waiting if needed until the mutex is unlocked with {@code key}; if the
     * current thread already holds it, adds a hold and returns at once. Interruption does not
     * stop the wait; the interrupt status is kept.
     *
     * @param key the key to wait for
     * @throws AbandonedMutexException if the mutex is, or becomes, abandoned
     * @throws IllegalStateException if the mutex handle is closed
     */
    public void lock(long key) {
        lock(m(), key);
    }

    private static void lock(AbstractKeyedMutex mutex, long key) {
        if (mutex.tryAcquireFast(key, false)) {
            mutex.acquired(key);
            return;
        }
        if (mutex.isHeldByCurrentThread()) {
            reenter(mutex);
            return;
        }
        try {
            mutex.acquire0(key, AbstractKeyedMutex.UNINTERRUPTIBLE, 0L, null);
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible acquire threw", e);
        }
        mutex.acquired(key);
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        lockInterruptibly(core.acquireKey);
    }

    /**
     * Like {@link #lock(long)}, but interruptible: the interrupt status is checked first (also
     * when the lock is already held), and an interrupt while waiting throws.
     *
     * @param key the key to wait for
     * @throws InterruptedException if interrupted on entry or while waiting; nothing changes
     * @throws AbandonedMutexException if the mutex is, or becomes, abandoned
     * @throws IllegalStateException if the mutex handle is closed
     */
    public void lockInterruptibly(long key) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        AbstractKeyedMutex mutex = m();
        if (mutex.isHeldByCurrentThread()) {
            reenter(mutex);
            return;
        }
        mutex.acquire0(key, AbstractKeyedMutex.INTERRUPTIBLE, 0L, null);
        mutex.acquired(key);
    }

    @Override
    public boolean tryLock() {
        return tryLock(core.acquireKey);
    }

    /**
     * Acquires the lock if it is unlocked with {@code key} now, or already held by the current
     * thread (which adds a hold). Barges even under the fair policy, like
     * {@code ReentrantLock.tryLock()}.
     *
     * @param key the key the mutex must have
     * @return {@code true} if the lock is now held
     * @throws AbandonedMutexException if the mutex is abandoned
     * @throws IllegalStateException if the mutex handle is closed
     */
    public boolean tryLock(long key) {
        AbstractKeyedMutex mutex = m();
        if (mutex.tryAcquireFast(key, true)) {
            mutex.acquired(key);
            return true;
        }
        if (mutex.isHeldByCurrentThread()) {
            reenter(mutex);
            return true;
        }
        if (mutex.acquire0Try(key)) {
            mutex.acquired(key);
            return true;
        }
        return false;
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return tryLock(core.acquireKey, time, unit);
    }

    /**
     * Waits at most {@code time} for the mutex to be unlocked with {@code key}, honouring the
     * fairness policy; adds a hold at once if the current thread holds it already.
     *
     * @param key the key to wait for
     * @param time the maximum time to wait; zero or less tries once
     * @param unit the unit of {@code time}
     * @return {@code true} if the lock is now held
     * @throws InterruptedException if interrupted on entry or while waiting
     * @throws NullPointerException if {@code unit} is null
     * @throws AbandonedMutexException if the mutex is, or becomes, abandoned
     * @throws IllegalStateException if the mutex handle is closed
     */
    public boolean tryLock(long key, long time, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(time);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        AbstractKeyedMutex mutex = m();
        if (mutex.isHeldByCurrentThread()) {
            reenter(mutex);
            return true;
        }
        if (mutex.acquire0(key, AbstractKeyedMutex.TIMED, nanos, null)) {
            mutex.acquired(key);
            return true;
        }
        return false;
    }

    /**
     * Drops one hold; the last one releases the mutex with this view's release key. See
     * {@link #unlock(long)}.
     */
    @Override
    public void unlock() {
        AbstractKeyedMutex mutex = (AbstractKeyedMutex) FAST_MUTEX.getAcquire(this);
        if (mutex != null) {
            unlock(mutex, fastReleaseKey);
        } else {
            unlock(core.m, core.releaseKey);
        }
    }

    /**
     * Drops one hold; if it was the last, releases the mutex with key {@code nextKey}.
     *
     * @param nextKey the key for the next holder, used only when this drops the last hold
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     * @throws IllegalStateException if the mutex handle is closed
     */
    public void unlock(long nextKey) {
        unlock(m(), nextKey);
    }

    private void unlock(AbstractKeyedMutex mutex, long nextKey) {
        if (!mutex.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("the current thread does not hold " + this);
        }
        int h = mutex.holds;
        if (h <= 1) {
            mutex.release0(nextKey, null); // holds stays 1: the next acquisition sets it anyway
        } else {
            mutex.holds = h - 1;
        }
    }

    private static void reenter(AbstractKeyedMutex mutex) {
        int h = mutex.holds;
        if (h == Integer.MAX_VALUE) {
            throw new Error("Maximum lock count exceeded");
        }
        mutex.holds = h + 1;
    }

    /**
     * Returns a new {@link Condition} bound to this lock view. See the class comment.
     *
     * @return a new condition
     */
    @Override
    public Condition newCondition() {
        return new ConditionObject();
    }

    // ================================================================ ReentrantLock-compatible queries

    /** @return whether the current thread holds the lock */
    public boolean isHeldByCurrentThread() {
        return m().isHeldByCurrentThread();
    }

    /** @return the current thread's number of holds, 0 if it does not hold the lock */
    public int getHoldCount() {
        AbstractKeyedMutex mutex = m();
        return mutex.isHeldByCurrentThread() ? mutex.holds : 0;
    }

    /** @return whether any thread holds the lock (a snapshot, for monitoring) */
    public boolean isLocked() {
        return m().isLocked();
    }

    /** @return whether the mutex uses the fair policy */
    public final boolean isFair() {
        return m().isFair();
    }

    /** @return whether some thread of this JVM may be waiting to acquire (an estimate) */
    public final boolean hasQueuedThreads() {
        return m().queueLength() > 0;
    }

    /**
     * @param thread a thread
     * @return whether {@code thread} is waiting to acquire (a snapshot)
     * @throws NullPointerException if {@code thread} is null
     */
    public final boolean hasQueuedThread(Thread thread) {
        Objects.requireNonNull(thread, "thread");
        return m().hasQueuedThread(thread);
    }

    /** @return an estimate of the number of threads of this JVM waiting to acquire */
    public final int getQueueLength() {
        return m().queueLength();
    }

    /**
     * @param condition a condition of this lock
     * @return whether any thread waits on {@code condition} (an estimate)
     * @throws NullPointerException if {@code condition} is null
     * @throws IllegalArgumentException if {@code condition} is not from this lock
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     */
    public boolean hasWaiters(Condition condition) {
        return owned(condition).countWaiters() > 0;
    }

    /**
     * @param condition a condition of this lock
     * @return an estimate of the number of threads waiting on {@code condition}
     * @throws NullPointerException if {@code condition} is null
     * @throws IllegalArgumentException if {@code condition} is not from this lock
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     */
    public int getWaitQueueLength(Condition condition) {
        return owned(condition).countWaiters();
    }

    /** @return the holding thread, or {@code null} if none or it is in another process */
    protected Thread getOwner() {
        return m().owner();
    }

    private ConditionObject owned(Condition condition) {
        Objects.requireNonNull(condition, "condition");
        if (!(condition instanceof ConditionObject) || ((ConditionObject) condition).lock() != this) {
            throw new IllegalArgumentException("not owner: the condition does not belong to this lock");
        }
        return (ConditionObject) condition;
    }

    /**
     * Returns the identity of this lock and its state: {@code [Unlocked, key=K]},
     * {@code [Locked by thread NAME, key=K]}, {@code [Locked, key=K]} (holder unknown here),
     * {@code [Abandoned, key=K]} or {@code [Closed]}.
     *
     * @return a description
     */
    @Override
    public String toString() {
        AbstractKeyedMutex mutex = m();
        String state;
        if (mutex.isClosed()) {
            state = "[Closed]";
        } else {
            try {
                long key = mutex.key();
                if (mutex.isAbandoned()) {
                    state = "[Abandoned, key=" + key + "]";
                } else if (mutex.isLocked()) {
                    Thread o = mutex.owner();
                    state = (o == null ? "[Locked" : "[Locked by thread " + o.getName()) + ", key=" + key + "]";
                } else {
                    state = "[Unlocked, key=" + key + "]";
                }
            } catch (IllegalStateException closedMeanwhile) {
                state = "[Closed]";
            }
        }
        return getClass().getName() + "@" + Integer.toHexString(hashCode()) + state;
    }

    // ================================================================ serialization

    /** Core comes back through its serial form; this sets the copies of its fields, as the constructor does. */
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (core == null) {
            throw new InvalidObjectException("a KeyedMutexLock's serial form has no mutex");
        }
        publishCopies();
    }

    /**
     * The mutex and a view's keys. It is what makes a lock serializable: a standalone lock's core
     * (made by a public constructor) writes itself as its policy and key and reads back as a new,
     * unlocked in-process mutex; a view of any other mutex refuses to serialize. The lock itself
     * (and a user's subclass, and its conditions) serialize with default serialization around it.
     */
    private static final class Core implements Serializable {
        private static final long serialVersionUID = 1L;
        final transient AbstractKeyedMutex m;
        final transient long acquireKey;
        final transient long releaseKey;
        final transient boolean standalone;

        Core(AbstractKeyedMutex m, long acquireKey, long releaseKey, boolean standalone) {
            this.m = m;
            this.acquireKey = acquireKey;
            this.releaseKey = releaseKey;
            this.standalone = standalone;
        }

        private Object writeReplace() throws ObjectStreamException {
            if (!standalone) {
                throw new NotSerializableException("only KeyedMutexLocks made by their public constructors serialize; this is a view of " + m);
            }
            return new SerialForm(m.isFair(), m.key());
        }

        private void readObject(ObjectInputStream in) throws InvalidObjectException {
            throw new InvalidObjectException("a KeyedMutexLock's state is read through its serial form");
        }
    }

    /** What a standalone lock's core serializes to: its policy and key; it reads back unlocked. */
    private static final class SerialForm implements Serializable {
        private static final long serialVersionUID = 1L;
        private final boolean fair;
        private final long key;

        SerialForm(boolean fair, long key) {
            this.fair = fair;
            this.key = key;
        }

        private Object readResolve() {
            return new Core(localMutex(key, fair), 0L, 0L, true);
        }
    }

    // ================================================================ conditions

    /**
     * A condition queue. Its list is guarded by the mutex itself: only the holder adds, signals
     * and unlinks. A node's status goes WAITING -&gt; SIGNALLED (by a signaller) or WAITING -&gt;
     * CANCELLED (by its own thread on interrupt or timeout), by CAS, so a signal is never both
     * delivered and lost: a signaller that fails the CAS moves on to the next waiter.
     */
    private final class ConditionObject implements Condition, Serializable {
        private static final long serialVersionUID = 1L;
        /** Longest park between two checks for a closed or abandoned mutex. */
        private static final long CHECK_NANOS = 20_000_000L;
        private transient CNode first;
        private transient CNode last;

        KeyedMutexLock lock() {
            return KeyedMutexLock.this;
        }

        private CNode addWaiter() {
            if (!m().isHeldByCurrentThread()) {
                throw new IllegalMonitorStateException("the current thread does not hold " + KeyedMutexLock.this);
            }
            unlinkCancelled();
            CNode node = new CNode(Thread.currentThread());
            if (last == null) {
                first = node;
            } else {
                last.next = node;
            }
            last = node;
            return node;
        }

        private void unlinkCancelled() {
            CNode prev = null;
            for (CNode n = first; n != null; n = n.next) {
                if (n.status == CNode.CANCELLED) {
                    if (prev == null) {
                        first = n.next;
                    } else {
                        prev.next = n.next;
                    }
                    if (n == last) {
                        last = prev;
                    }
                } else {
                    prev = n;
                }
            }
        }

        int countWaiters() {
            if (!m().isHeldByCurrentThread()) {
                throw new IllegalMonitorStateException("the current thread does not hold " + KeyedMutexLock.this);
            }
            int n = 0;
            for (CNode c = first; c != null; c = c.next) {
                if (c.status == CNode.WAITING) {
                    n++;
                }
            }
            return n;
        }

        /** Releases all holds with the entry key; returns what to restore. */
        private long[] fullyRelease() {
            AbstractKeyedMutex mutex = m();
            long[] saved = {mutex.entryKey, mutex.holds};
            mutex.release0(saved[0], null);
            return saved;
        }

        /** Reacquires with the saved key, uninterruptibly; returns whether it was interrupted meanwhile. */
        private boolean reacquire(long[] saved) {
            AbstractKeyedMutex mutex = m();
            try {
                mutex.acquire0(saved[0], AbstractKeyedMutex.UNINTERRUPTIBLE, 0L, null);
            } catch (InterruptedException e) {
                throw new AssertionError("an uninterruptible acquire threw", e);
            }
            mutex.acquired(saved[0]);
            mutex.holds = (int) saved[1];
            return Thread.interrupted();
        }

        private static final int TIMED_OUT = 1;
        private static final int THROW_IE = 2;
        private static final int REINTERRUPT = 4;

        /**
         * Parks until the node is signalled, the thread is interrupted (interruptible forms: an
         * interrupt before the signal wins and cancels the node; after it, the interrupt is kept
         * for later), or the deadline passes (the interrupt is checked first). Parks in slices
         * of at most {@link #CHECK_NANOS}, so that a mutex that is closed or abandoned meanwhile
         * (nobody can signal then) is noticed: the node is cancelled and the exception thrown,
         * without reacquiring.
         *
         * @param deadline {@code System.nanoTime()}-based, or epoch millis if {@code millis}
         * @return TIMED_OUT, THROW_IE, REINTERRUPT bits
         */
        private int block(CNode node, boolean interruptible, boolean timed, boolean millis, long deadline) {
            int result = 0;
            while (node.status == CNode.WAITING) {
                if (Thread.interrupted()) {
                    if (!interruptible) {
                        result |= REINTERRUPT;
                    } else {
                        result |= node.cancel() ? THROW_IE : REINTERRUPT;
                        break;
                    }
                }
                long park = CHECK_NANOS;
                if (timed) {
                    long remaining;
                    if (millis) {
                        long now = System.currentTimeMillis();
                        remaining = now >= deadline ? 0L : TimeUnit.MILLISECONDS.toNanos(deadline - now);
                    } else {
                        remaining = deadline - System.nanoTime();
                    }
                    if (remaining <= 0L) {
                        if (node.cancel()) {
                            result |= TIMED_OUT;
                        }
                        break;
                    }
                    park = Math.min(park, remaining);
                }
                LockSupport.parkNanos(this, park);
                if (node.status == CNode.WAITING) {
                    failIfUnusable(node, result);
                }
            }
            return result;
        }

        private void failIfUnusable(CNode node, int result) {
            AbstractKeyedMutex mutex = m();
            boolean closed = mutex.isClosed();
            boolean abandoned = false;
            if (!closed) {
                try {
                    abandoned = mutex.isAbandoned();
                } catch (IllegalStateException closedMeanwhile) {
                    closed = true;
                }
            }
            if ((closed || abandoned) && node.cancel()) {
                if ((result & REINTERRUPT) != 0) {
                    Thread.currentThread().interrupt();
                }
                if (closed) {
                    throw mutex.closedException();
                }
                throw new AbandonedMutexException("the keyed mutex under " + KeyedMutexLock.this
                        + " was abandoned while this thread waited on a condition");
            }
        }

        /** Reacquires, restores the holds, and reports the interrupt as the form requires. */
        private void reacquireAndReport(long[] saved, int result) throws InterruptedException {
            boolean interrupted = reacquire(saved);
            unlinkCancelled();
            if ((result & THROW_IE) != 0) {
                throw new InterruptedException();
            }
            if (interrupted || (result & REINTERRUPT) != 0) {
                Thread.currentThread().interrupt();
            }
        }

        private static long deadlineAfter(long nanosTimeout) {
            return System.nanoTime() + Math.max(0L, nanosTimeout);
        }

        @Override
        public void await() throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            CNode node = addWaiter();
            long[] saved = fullyRelease();
            reacquireAndReport(saved, block(node, true, false, false, 0L));
        }

        @Override
        public void awaitUninterruptibly() {
            CNode node = addWaiter();
            long[] saved = fullyRelease();
            int result = block(node, false, false, false, 0L);
            try {
                reacquireAndReport(saved, result & ~THROW_IE);
            } catch (InterruptedException impossible) {
                throw new AssertionError(impossible);
            }
        }

        @Override
        public long awaitNanos(long nanosTimeout) throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            CNode node = addWaiter();
            long[] saved = fullyRelease();
            long deadline = deadlineAfter(nanosTimeout);
            reacquireAndReport(saved, block(node, true, true, false, deadline));
            long remaining = deadline - System.nanoTime();
            return remaining <= nanosTimeout ? remaining : Long.MIN_VALUE;
        }

        @Override
        public boolean await(long time, TimeUnit unit) throws InterruptedException {
            long nanosTimeout = unit.toNanos(time);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            CNode node = addWaiter();
            long[] saved = fullyRelease();
            int result = block(node, true, true, false, deadlineAfter(nanosTimeout));
            reacquireAndReport(saved, result);
            return (result & TIMED_OUT) == 0;
        }

        @Override
        public boolean awaitUntil(Date deadline) throws InterruptedException {
            long abstime = deadline.getTime();
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            CNode node = addWaiter();
            long[] saved = fullyRelease();
            int result = block(node, true, true, true, abstime);
            reacquireAndReport(saved, result);
            return (result & TIMED_OUT) == 0;
        }

        @Override
        public void signal() {
            if (!m().isHeldByCurrentThread()) {
                throw new IllegalMonitorStateException("the current thread does not hold " + KeyedMutexLock.this);
            }
            for (CNode n = first; n != null; n = first) {
                first = n.next;
                if (first == null) {
                    last = null;
                }
                n.next = null;
                if (n.signal()) {
                    return;
                }
            }
        }

        @Override
        public void signalAll() {
            if (!m().isHeldByCurrentThread()) {
                throw new IllegalMonitorStateException("the current thread does not hold " + KeyedMutexLock.this);
            }
            CNode n = first;
            first = null;
            last = null;
            while (n != null) {
                CNode next = n.next;
                n.next = null;
                n.signal();
                n = next;
            }
        }
    }

    /** A thread waiting on a condition. */
    private static final class CNode {
        static final int WAITING = 0;
        static final int SIGNALLED = 1;
        static final int CANCELLED = 2;
        private static final java.lang.invoke.VarHandle STATUS;

        static {
            try {
                STATUS = java.lang.invoke.MethodHandles.lookup().findVarHandle(CNode.class, "status", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Thread thread;
        volatile int status;
        CNode next;   // guarded by the mutex

        CNode(Thread thread) {
            this.thread = thread;
        }

        boolean cancel() {
            return STATUS.compareAndSet(this, WAITING, CANCELLED);
        }

        boolean signal() {
            if (STATUS.compareAndSet(this, WAITING, SIGNALLED)) {
                LockSupport.unpark(thread);
                return true;
            }
            return false;
        }
    }
}
