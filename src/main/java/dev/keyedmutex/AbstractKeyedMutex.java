package dev.keyedmutex;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The base every provider's {@link KeyedMutex} extends. It owns what all providers must do the
 * same way, so that the contract is written once:
 *
 * <ul>
 *   <li>argument checks ({@code null} units and buffers, buffer sizes against the private-data
 *       capacity, read-only output buffers), all made before the mutex is touched;</li>
 *   <li>the ownership rules: an acquire by the holder throws {@link IllegalStateException}, a
 *       release by a non-holder throws {@link IllegalMonitorStateException};</li>
 *   <li>the interrupt check on entry of the interruptible methods;</li>
 *   <li>the bookkeeping of the reentrant {@link KeyedMutexLock} views (hold count and the key
 *       the outermost hold was taken with), shared by all views of this mutex.</li>
 * </ul>
 *
 * <p>A provider implements the waiting and the state: {@link #acquire0}, {@link #release0},
 * {@link #close()}, the snapshots, and {@link #isHeldByCurrentThread()}, which must throw
 * {@link IllegalStateException} once the handle is closed (every checked method goes through it
 * or through {@link #ensureOpen()}).
 *
 * <p>Memory consistency effects are the subclass's to provide, and are those of
 * {@link KeyedMutex}: {@link #release0} must publish everything the releasing thread did before
 * it (private data included) to the thread whose {@link #acquire0} succeeds next, for example
 * with a releasing write (or CAS) of the state word that the acquirer's CAS reads. The methods of
 * this class add no synchronization of their own.
 *
 * <p>The view bookkeeping fields are plain: only the holder writes them, and a release
 * happens-before the next acquire, which rewrites them.
 */
public abstract class AbstractKeyedMutex implements KeyedMutex {

    /** {@link #acquire0} mode: one attempt, ignoring the fairness policy and the interrupt status. */
    protected static final int TRY = 0;
    /** {@link #acquire0} mode: wait up to {@code nanos} (one attempt, honouring fairness, if {@code nanos <= 0}); interruptible. */
    protected static final int TIMED = 1;
    /** {@link #acquire0} mode: wait without limit; interruptible. */
    protected static final int INTERRUPTIBLE = 2;
    /** {@link #acquire0} mode: wait without limit; an interrupt is remembered and re-asserted on return. */
    protected static final int UNINTERRUPTIBLE = 3;

    private final int privateDataCapacity;

    /**
     * Holds of the {@link KeyedMutexLock} views; meaningful only to the holder, and set by every
     * acquisition (a release need not clear it).
     */
    int holds;
    /** The key the outermost current hold was acquired with; meaningful only to the holder. */
    long entryKey;

    /**
     * @param privateDataCapacity the private-data capacity in bytes, 0 for none
     * @throws IllegalArgumentException if {@code privateDataCapacity} is negative
     */
    protected AbstractKeyedMutex(int privateDataCapacity) {
        if (privateDataCapacity < 0) {
            throw new IllegalArgumentException("privateDataCapacity must not be negative: " + privateDataCapacity);
        }
        this.privateDataCapacity = privateDataCapacity;
    }

    // ---------------------------------------------------------------- provider hooks

    /**
     * Acquires the mutex for the current thread, which does not hold it.
     *
     * @param key the key to wait for
     * @param mode {@link #TRY}, {@link #TIMED}, {@link #INTERRUPTIBLE} or {@link #UNINTERRUPTIBLE}
     * @param nanos the time limit for {@link #TIMED}; ignored otherwise
     * @param privateDataOut {@code null}, or a checked writable buffer with at least
     *        {@link #privateDataCapacity()} bytes remaining: on success the stored bytes are put
     *        there at its position, and the position advanced past them
     * @return {@code true} if acquired; only {@link #TRY} and {@link #TIMED} return {@code false}
     * @throws InterruptedException in the interruptible modes, with the state unchanged
     */
    protected abstract boolean acquire0(long key, int mode, long nanos, ByteBuffer privateDataOut)
            throws InterruptedException;

    /**
     * Releases the mutex, held by the current thread.
     *
     * @param nextKey the new key
     * @param privateDataIn {@code null} to keep the stored data, or a buffer whose remaining bytes
     *        (at most {@link #privateDataCapacity()}, checked) are to be stored; read with absolute
     *        gets, its position is advanced by the caller
     */
    protected abstract void release0(long nextKey, ByteBuffer privateDataIn);

    /**
     * The uncontended fast path, tried before any other check: one attempt to take a free mutex
     * with key {@code key}, honouring the fairness policy unless {@code barge}. It must fail (not
     * throw) when the mutex is held, by anyone including the current thread, or closed or
     * abandoned; the full path then sorts out why. The default never succeeds.
     *
     * @param key the key to take it with
     * @param barge whether to ignore the fairness policy (untimed {@code tryAcquire})
     * @return {@code true} if the current thread now holds the mutex
     */
    protected boolean tryAcquireFast(long key, boolean barge) {
        return false;
    }

    /** @return whether {@link #close()} has been called on this handle */
    protected abstract boolean isClosed();

    /** @return the thread holding the mutex in this JVM, or {@code null} if none or unknown */
    protected abstract Thread owner();

    /** @return an estimate of the number of threads of this JVM waiting on this handle */
    protected abstract int queueLength();

    /**
     * @param thread a thread
     * @return whether {@code thread} is waiting on this handle (a snapshot)
     */
    protected abstract boolean hasQueuedThread(Thread thread);

    /** @return whether this mutex uses the fair policy; {@code false} unless overridden */
    public boolean isFair() {
        return false;
    }

    // ---------------------------------------------------------------- KeyedMutex

    @Override
    public final void acquire(long key) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (!tryAcquireFast(key, false)) {
            ensureNotHeld();
            acquire0(key, INTERRUPTIBLE, 0L, null);
        }
        acquired(key);
    }

    @Override
    public final boolean tryAcquire(long key) {
        if (tryAcquireFast(key, true)) {
            acquired(key);
            return true;
        }
        ensureNotHeld();
        if (acquire0Try(key)) {
            acquired(key);
            return true;
        }
        return false;
    }

    @Override
    public final boolean tryAcquire(long key, long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        return timedAcquire(key, unit.toNanos(timeout), null);
    }

    @Override
    public final boolean tryAcquire(long key, long timeout, TimeUnit unit, ByteBuffer privateDataOut)
            throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(privateDataOut, "privateDataOut");
        if (privateDataOut.isReadOnly()) {
            throw new IllegalArgumentException("privateDataOut is read-only");
        }
        if (privateDataOut.remaining() < privateDataCapacity) {
            throw new IllegalArgumentException("privateDataOut has " + privateDataOut.remaining()
                    + " bytes remaining; it needs at least privateDataCapacity() = " + privateDataCapacity);
        }
        return timedAcquire(key, unit.toNanos(timeout), privateDataOut);
    }

    private boolean timedAcquire(long key, long nanos, ByteBuffer out) throws InterruptedException {
        ensureNotHeld();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (acquire0(key, TIMED, nanos, out)) {
            acquired(key);
            return true;
        }
        return false;
    }

    @Override
    public final void release(long nextKey) {
        ensureHeld();
        release0(nextKey, null);
    }

    @Override
    public final void release(long nextKey, ByteBuffer privateDataIn) {
        Objects.requireNonNull(privateDataIn, "privateDataIn");
        ensureHeld();
        int length = privateDataIn.remaining();
        if (length > privateDataCapacity) {
            throw new IllegalArgumentException("privateDataIn has " + length
                    + " bytes remaining; privateDataCapacity() is " + privateDataCapacity);
        }
        int limit = privateDataIn.limit();
        release0(nextKey, privateDataIn);
        privateDataIn.position(limit);
    }

    @Override
    public final int privateDataCapacity() {
        ensureOpen();
        return privateDataCapacity;
    }

    @Override
    public final KeyedMutexLock asLock(long acquireKey, long releaseKey) {
        ensureOpen();
        return new KeyedMutexLock(this, acquireKey, releaseKey);
    }

    // ---------------------------------------------------------------- helpers

    /** The capacity without the closed check, for subclasses. */
    protected final int capacity() {
        return privateDataCapacity;
    }

    /**
     * Throws {@link IllegalStateException} if this handle is closed.
     */
    protected final void ensureOpen() {
        if (isClosed()) {
            throw closedException();
        }
    }

    /** @return the exception for a closed handle */
    protected IllegalStateException closedException() {
        return new IllegalStateException(this + " is closed");
    }

    /** {@link #acquire0} in {@link #TRY} mode, which cannot be interrupted. */
    final boolean acquire0Try(long key) {
        try {
            return acquire0(key, TRY, 0L, null);
        } catch (InterruptedException e) {
            throw new AssertionError("a TRY acquire threw InterruptedException", e);
        }
    }

    /** Called by the holder right after a successful acquire. */
    final void acquired(long key) {
        // Only the holder touches these; skipping unchanged writes keeps the line clean for
        // threads spinning on a provider's state next to it.
        if (holds != 1) {
            holds = 1;
        }
        if (entryKey != key) {
            entryKey = key;
        }
    }

    final void ensureNotHeld() {
        if (isHeldByCurrentThread()) {
            throw new IllegalStateException("the current thread already holds " + this
                    + "; a KeyedMutex is not reentrant (asLock gives a reentrant view)");
        }
    }

    final void ensureHeld() {
        if (!isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("the current thread does not hold " + this);
        }
    }
}
