package dev.keyedmutex;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * A mutual-exclusion lock that carries a 64-bit <em>key</em>, after the Windows graphics
 * kernel's keyed mutex (D3DKMT / DXGI {@code IDXGIKeyedMutex}).
 *
 * <p>A keyed mutex is created unlocked with an initial key. {@link #acquire(long) acquire(key)}
 * waits until the mutex is unlocked <em>and</em> its current key equals {@code key};
 * {@link #release(long) release(nextKey)} sets the key to {@code nextKey} and unlocks, so that
 * only a thread waiting for {@code nextKey} can take it next. It is a hand-off primitive: a
 * producer fills a buffer under key 0 and releases with key 1, the consumer acquires with key 1,
 * drains, and releases with key 0; a ring of N stages uses keys 0..N-1. Every {@code long} is a
 * valid key, and waiting for a key that never comes is legal (that is what timeouts are for).
 *
 * <p><b>Ownership.</b> A keyed mutex is held by a thread. Only the holder may release it; a
 * release by any other thread throws {@link IllegalMonitorStateException} and changes nothing.
 * It is not reentrant: an acquire by the thread that already holds it throws
 * {@link IllegalStateException} at once instead of deadlocking. {@link #asLock(long, long)}
 * gives a reentrant {@link java.util.concurrent.locks.Lock} view.
 *
 * <p><b>Waking.</b> A release wakes at most one thread, and only one that waits for the new key;
 * threads waiting for other keys are not disturbed. Whether a released mutex may be taken by a
 * thread that arrives while a woken waiter is still getting up ("barging") is the provider's
 * fairness policy; no policy starves a waiter forever while its key keeps being released.
 *
 * <p><b>Abandonment.</b> If the holder disappears without releasing &mdash; its thread
 * terminates, its process dies, or it closes the handle while holding &mdash; the mutex becomes
 * <em>abandoned</em>: threads already waiting and every later acquirer get
 * {@link AbandonedMutexException} within a bound the provider documents, and
 * {@link #isAbandoned()} returns {@code true}. The data the mutex protected may be
 * inconsistent; an abandoned mutex stays abandoned and must be recreated.
 *
 * <p><b>Private data.</b> A mutex may be created with a fixed private-data capacity
 * ({@link #privateDataCapacity()}). The stored bytes start empty;
 * {@link #release(long, ByteBuffer)} replaces them and
 * {@link #tryAcquire(long, long, TimeUnit, ByteBuffer)} copies them out to the new holder.
 *
 * <p><b>Closing.</b> {@link #close()} is idempotent. Afterwards every other method throws
 * {@link IllegalStateException}, and threads blocked on this handle wake with that exception.
 * Closing a shared mutex's handle while holding it abandons the mutex for its other handles.
 *
 * <p><b>Memory consistency effects:</b> Actions in a thread prior to a successful
 * {@code release} <a href="https://docs.oracle.com/javase/specs/jls/se17/html/jls-17.html#jls-17.4.5"><i>happen-before</i></a>
 * actions subsequent to the next successful {@code acquire} or {@code tryAcquire} of the same
 * mutex in another thread (and, for a mutex shared between processes, in another process). The
 * private data stored by a release is, likewise, the data seen by the acquire that follows it.
 * A failed {@code tryAcquire} has no memory consistency effects. The snapshot methods
 * {@link #key()}, {@link #isLocked()} and {@link #isAbandoned()} are meant for monitoring, not
 * for synchronization control.
 *
 * <p>Instances come from {@link KeyedMutexes}; providers implement this interface by extending
 * {@link AbstractKeyedMutex}.
 */
public interface KeyedMutex extends AutoCloseable {

    /**
     * Waits until this mutex is unlocked with key {@code key}, then holds it.
     *
     * @param key the key to wait for
     * @throws InterruptedException if the current thread is interrupted on entry or while
     *         waiting; the mutex state is then unchanged (if a release handed the mutex to this
     *         thread at the same moment, the acquire succeeds instead and the thread's interrupt
     *         status is set again)
     * @throws IllegalStateException if the current thread already holds this mutex, or this
     *         handle is closed (also when it is closed while waiting)
     * @throws AbandonedMutexException if the mutex is, or becomes, abandoned
     */
    void acquire(long key) throws InterruptedException;

    /**
     * Acquires this mutex only if it is unlocked with key {@code key} at the time of the call.
     * Like {@link java.util.concurrent.locks.ReentrantLock#tryLock()}, this takes an unlocked
     * mutex even when threads are queued for the key under a fair policy, and it ignores the
     * interrupt status.
     *
     * @param key the key the mutex must have
     * @return {@code true} if the mutex was acquired
     * @throws IllegalStateException if the current thread already holds this mutex, or this
     *         handle is closed
     * @throws AbandonedMutexException if the mutex is abandoned
     */
    boolean tryAcquire(long key);

    /**
     * Waits at most {@code timeout} for this mutex to be unlocked with key {@code key}, then
     * holds it. A {@code timeout} of zero or less tries once without waiting (honouring the
     * fairness policy). The method returns {@code false} only if it did not get the mutex: a
     * timeout that races with a release handing the mutex to this thread never leaves the mutex
     * held by nobody, nor by a thread that believes it timed out.
     *
     * @param key the key to wait for
     * @param timeout the maximum time to wait
     * @param unit the unit of {@code timeout}
     * @return {@code true} if acquired, {@code false} if the time elapsed first
     * @throws InterruptedException if the current thread is interrupted on entry or while
     *         waiting (interruption is checked before the timeout); the state is then unchanged
     * @throws NullPointerException if {@code unit} is null
     * @throws IllegalStateException if the current thread already holds this mutex, or this
     *         handle is closed
     * @throws AbandonedMutexException if the mutex is, or becomes, abandoned
     */
    boolean tryAcquire(long key, long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Sets the key to {@code nextKey} and unlocks this mutex, keeping the stored private data.
     * If threads wait for {@code nextKey}, one of them is woken; no other waiter is.
     *
     * @param nextKey the key the next holder must present
     * @throws IllegalMonitorStateException if the current thread does not hold this mutex
     *         (nothing changes)
     * @throws IllegalStateException if this handle is closed
     */
    void release(long nextKey);

    /**
     * Returns the private-data capacity in bytes fixed at creation; 0 for a mutex without
     * private data.
     *
     * @return the capacity in bytes, never negative
     * @throws IllegalStateException if this handle is closed
     */
    int privateDataCapacity();

    /**
     * Like {@link #tryAcquire(long, long, TimeUnit)}, and on success copies the stored private
     * data into {@code privateDataOut} at its position, advancing the position by the length of
     * the data (possibly 0). On failure the buffer is untouched.
     *
     * @param key the key to wait for
     * @param timeout the maximum time to wait; zero or less tries once
     * @param unit the unit of {@code timeout}
     * @param privateDataOut where the stored bytes go; needs at least
     *        {@link #privateDataCapacity()} bytes remaining, which is checked before waiting
     * @return {@code true} if acquired
     * @throws InterruptedException as for {@link #tryAcquire(long, long, TimeUnit)}
     * @throws NullPointerException if {@code unit} or {@code privateDataOut} is null
     * @throws IllegalArgumentException if {@code privateDataOut} is read-only or has fewer than
     *         {@link #privateDataCapacity()} bytes remaining
     * @throws IllegalStateException if the current thread already holds this mutex, or this
     *         handle is closed
     * @throws AbandonedMutexException if the mutex is, or becomes, abandoned
     */
    boolean tryAcquire(long key, long timeout, TimeUnit unit, ByteBuffer privateDataOut)
            throws InterruptedException;

    /**
     * Stores {@code privateDataIn}'s remaining bytes as the private data (an empty buffer stores
     * length 0), sets the key to {@code nextKey} and unlocks. The buffer's position is advanced to
     * its limit. The bytes are copied before the mutex is unlocked; the buffer is not used
     * afterwards.
     *
     * @param nextKey the key the next holder must present
     * @param privateDataIn the bytes to store
     * @throws NullPointerException if {@code privateDataIn} is null
     * @throws IllegalMonitorStateException if the current thread does not hold this mutex
     * @throws IllegalArgumentException if {@code privateDataIn} has more remaining bytes than
     *         {@link #privateDataCapacity()}; the caller then still holds the mutex and the
     *         stored data is unchanged
     * @throws IllegalStateException if this handle is closed
     */
    void release(long nextKey, ByteBuffer privateDataIn);

    /**
     * Returns a snapshot of the current key: while unlocked, the key an acquirer must present;
     * while locked, the key the holder acquired it with.
     *
     * @return the current key
     * @throws IllegalStateException if this handle is closed
     */
    long key();

    /**
     * Returns a snapshot of whether some thread holds this mutex (an abandoned mutex counts as
     * locked).
     *
     * @return {@code true} if locked
     * @throws IllegalStateException if this handle is closed
     */
    boolean isLocked();

    /**
     * Returns whether this mutex has been found abandoned (see the class comment). Once
     * {@code true}, it stays {@code true}.
     *
     * @return {@code true} if abandoned
     * @throws IllegalStateException if this handle is closed
     */
    boolean isAbandoned();

    /**
     * Returns whether the current thread holds this mutex.
     *
     * @return {@code true} if the current thread is the holder
     * @throws IllegalStateException if this handle is closed
     */
    boolean isHeldByCurrentThread();

    /**
     * Returns a reentrant {@link java.util.concurrent.locks.Lock} view of this mutex whose
     * {@code lock()} acquires with {@code acquireKey} and whose {@code unlock()} releases with
     * {@code releaseKey}. All views of one mutex share its ownership and hold count.
     *
     * @param acquireKey the key plain {@code lock()} waits for
     * @param releaseKey the key plain {@code unlock()} releases with
     * @return a new view
     * @throws IllegalStateException if this handle is closed
     */
    KeyedMutexLock asLock(long acquireKey, long releaseKey);

    /**
     * Closes this handle. Idempotent. Threads blocked on this handle wake with
     * {@link IllegalStateException}. If the current thread holds the mutex, a shared mutex becomes
     * abandoned for its other handles. Closing never removes a shared mutex's name (see
     * {@link KeyedMutexes#deleteShared(String)}).
     */
    @Override
    void close();
}
