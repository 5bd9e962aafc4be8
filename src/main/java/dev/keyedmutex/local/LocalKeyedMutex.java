package dev.keyedmutex.local;

import dev.keyedmutex.AbandonedMutexException;
import dev.keyedmutex.internal.DeadlineSpin;
import dev.keyedmutex.internal.Spinner;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-process keyed mutex.
 *
 * <h2>State</h2>
 * <pre>
 *   state  (volatile long)   bit 0 LOCKED, bit 1 ABANDONED, bit 2 unused, bits 3..63 VERSION;
 *                            while LOCKED, only the holder changes it (see "Release" below)
 *   closed (volatile boolean) set once by close(); not part of state (see "Release")
 *   key    (release/acquire) written only by the holder (in release, after clearing owner) and
 *                            the constructor; read opaque where only its value matters
 *   owner  (release/acquire) the holding thread; written only by that thread itself:
 *                            to itself right after it became the holder, to null right before
 *                            it lets go; null while a hand-off is in flight
 *   freeGuess (release/acquire) the unlocked state the last unlocking release left (or 0):
 *                            a guess for the fast path's CAS, written by releasers only
 *   data, dataLength (plain) private data, written only by the holder
 *   waiters                  per-key FIFO lists of Node, guarded by the internal lock wl;
 *                            queued / handoffs (volatile) count the linked nodes / the linked
 *                            nodes that asked for a direct hand-off
 *   Node.status              WAITING -> GRANTED   (by a releaser, under wl)
 *                            WAITING -> CANCELLED (by the node's own thread)
 *                            both by CAS, so exactly one of the two ever happens
 * </pre>
 * {@code state}, {@code key}, {@code freeGuess} and {@code owner}, which every hand-off writes,
 * are declared in {@link LocalMutexFields}, so that they lie together in the object (see there).
 *
 * <h2>Transitions</h2>
 * <pre>
 *   UNLOCKED(v) --CAS by acquirer, key==k-------------------&gt; LOCKED(v+1)     [fast path, spin, self-acquire]
 *   LOCKED(v)   --release, nobody to hand to: store--------&gt; UNLOCKED(v)
 *   LOCKED(v)   --release, grant to a WAITING node of next--&gt; LOCKED(v)       [state untouched; the
 *                                                                              node's thread becomes holder]
 *   LOCKED(v)   --owner terminated, seen by a waiter--------&gt; LOCKED|ABANDONED (final)
 *   (close() sets closed, a field of its own, and leaves state alone)
 * </pre>
 * The version changes on every CAS that locks, so an acquirer that read {@code state == s}
 * (unlocked) and then {@code key == k} knows, if its CAS from {@code s} succeeds, that nobody
 * locked in between: the key it read was the key of that unlocked state (no ABA).
 *
 * <p>The fast path first tries a CAS from {@code freeGuess} without reading {@code state}: on
 * x86, a load of {@code state} right after the previous locked RMW of it, feeding the CAS, cost
 * about 8 ns per uncontended pair (measured, docs/measurements.md). It is the same argument with
 * the guess in place of the read: the releaser of {@code e} wrote the key, then {@code state}
 * (volatile store), then {@code freeGuess = e} (release); an acquirer that reads {@code freeGuess == e}
 * (acquire) and then the key sees that key or a later one, and a later key implies a later lock,
 * so a later version, so its CAS from {@code e} fails. Versions only grow, so a stale guess never
 * matches again. A failed guess falls back to the read-and-CAS loop.
 *
 * <h2>Release</h2>
 * While the mutex is locked, only its holder writes {@code state}: the CASes that lock start from
 * an unlocked state, a grant leaves the state as it is, and {@code close()} writes a field of its
 * own, {@code closed}. The one exception is ABANDONED, which a thread that looks at the owner
 * (a waiter, {@code isAbandoned()}, a failed {@code tryAcquire}) CASes in only once the
 * holder has terminated (the abandonment edge below), so never while it could still release.
 * So the holder unlocks with a read of {@code state} (stable while it holds) and a volatile
 * store of that value less LOCKED: no atomic read-modify-write. On x86 a volatile store is a
 * plain store plus a fence on the stack: 5-6 ns cheaper per uncontended pair than the
 * {@code getAndAdd} it replaces on the Intel Xeon VMs, about 0.2 ns on the AMD EPYC one
 * (FastPathAnatomyBench steps 7 and 10, docs/measurements.md). The volatile store keeps the
 * store-load order that edges 2 and 2b need.
 *
 * <p>A thread that read {@code closed == false} just before {@code close()} may still take the
 * mutex afterwards; its acquire counts as before the close, and every call after the close,
 * its release included, throws {@link IllegalStateException}, so nothing can observe the
 * difference. Waiters look at {@code closed} after linking their node, and close() wakes every
 * linked node after setting it, so none sleeps through it.
 *
 * <h2>Who waits how</h2>
 * Uncontended: one CAS to acquire, one volatile store to release, no allocation, no system call; the
 * waiter lists are not touched while {@code queued == 0}. Contended: spin for a short adaptive
 * window (only with more than one CPU), then enqueue a {@link Node} on the list of its key,
 * re-check, and park. A release with waiters wakes (non-fair) or grants to (fair, or a waiter
 * that starved) the first WAITING node of the <em>new</em> key only; waiters of other keys are
 * not touched, so a hand-off costs the same however many threads wait for other keys.
 *
 * <ul>
 *   <li><b>Non-fair release</b>: store the unlocked state, then if {@code queued != 0} unpark the first
 *       waiter of the new key, which retries; a thread arriving meanwhile may barge in. A waiter
 *       already woken is not unparked again until it has looked and gone back to sleep. A woken
 *       waiter that finds the mutex held with its own key (it lost to a barger) first backs off
 *       for {@link #BACK_OFF_NANOS} with its wake-up flag still set, then re-arms: otherwise a
 *       holder that keeps re-taking the mutex would wake it on every release (edge 2b covers
 *       the back-off: the flag is set, so it will look again). A waiter
 *       still without the mutex {@link #STARVATION_NANOS} after it was first woken asks for a
 *       direct hand-off (counted per key), which makes releases to its key grant it the mutex:
 *       no waiter starves while its key keeps being released.</li>
 *   <li><b>Fair release</b> (or {@code handoffs != 0} and a starving waiter of the new key):
 *       under wl, CAS the first WAITING node of the new key to GRANTED and unpark it, leaving the
 *       state LOCKED; if there is none, unlock under wl. (With {@code handoffs != 0} for other
 *       keys only, a non-fair release unlocks and wakes under wl, still barging-friendly.) Fair acquirers never barge while anyone is queued: they queue and take the
 *       mutex only as the head of their key's list.</li>
 * </ul>
 *
 * <h2>Happens-before edges (and what breaks without them)</h2>
 * <ol>
 *   <li><b>Release to acquire (SPEC 2.3).</b> The releaser's writes (data, key) precede its volatile
 *       store of {@code state}; an acquirer's CAS (or volatile read) of {@code state} observes it. On a
 *       grant, the releaser's writes precede its CAS of {@code node.status}, which the granted
 *       thread reads. Without the volatile/CAS edge, the next holder could see stale data or a
 *       stale key.</li>
 *   <li><b>No lost wake-up (Dekker).</b> A waiter links its node and increments {@code queued}
 *       (volatile), then re-reads {@code state}. A releaser stores {@code state}, then reads
 *       {@code queued}. Volatile accesses are sequentially consistent, so either the releaser sees
 *       the waiter (and wakes the first waiter of its key) or the waiter sees the unlock (and
 *       takes the mutex itself). The grant path decides and unlocks while holding wl, which the
 *       waiter also takes to link itself.</li>
 *   <li><b>2b. No wake-up needed while one is under way, and none needs wl.</b> A woken waiter
 *       clears {@code node.woken} (volatile) and then reads {@code state}. A non-fair releaser
 *       stores {@code state}, then reads {@code wakeHint}, its {@code key}, {@code status} and
 *       {@code woken}. The hint is, whenever wl is free, null or the first WAITING node of its
 *       key's list: nodes ahead of it have left WAITING for good and new nodes link behind it,
 *       and when it leaves its list, unlink moves the hint on to the next WAITING node (or
 *       null). So if the hinted node is WAITING and of the new key, it is the waiter to wake:
 *       if it still says woken, its clear, and so its read of the state, come after the unlock
 *       in the synchronization order, so it will see the unlock and the releaser does nothing
 *       (under heavy contention on one key this is most releases; AQS's signal status does the
 *       same); if not, the releaser sets {@code woken} and unparks it, without wl. Otherwise
 *       ({@code wakeHint} null, of another key, or no longer WAITING) it wakes through
 *       {@link #wakeFirst} under wl, which sets the hint. A hint read just before its node's
 *       unlink names a node that took the mutex after this release's unlock (a WAITING node
 *       leaves its list only by taking the mutex); it holds the mutex now and its own release
 *       wakes the next waiter, so skipping a wake-up, or waking it for nothing, loses none. A
 *       node that leaves WAITING by cancelling re-reads the state and passes a wake-up on
 *       (edge 3).</li>
 *   <li><b>Timeout/interrupt vs hand-off (SPEC 2.4).</b> Settled by the CAS on
 *       {@code node.status}: a waiter that fails to cancel has been granted, owns the mutex and
 *       returns {@code true} (re-asserting an interrupt); a releaser that fails to grant moves on
 *       to the next node or unlocks. A cancelling waiter that may have swallowed a wake-up passes
 *       it on to the next waiter of its key.</li>
 *   <li><b>Abandonment without false alarms (SPEC 2.7).</b> A waiter that reads
 *       {@code owner == t} and sees {@code t.isAlive() == false} has synchronized with t's
 *       termination (JLS 17.4.4), so it now sees t's last write to {@code owner}; if
 *       {@code owner} still reads {@code t}, t ended while holding. Only t ever writes t into
 *       {@code owner}, so a stale read can delay detection but never invent it. The waiter then
 *       CASes ABANDONED into {@code state} and wakes everyone.</li>
 * </ol>
 *
 * <h2>Parking and wl</h2>
 * A waiter that takes wl (to self-acquire in fair mode, or to ask for a hand-off) may be parked
 * inside the ReentrantLock, and that park can consume the unpark a releaser meant for it. So
 * after any such step the waiter looks at its node and the state again before it parks.
 *
 * <h2>Bounds</h2>
 * Waiters park in slices of at most {@link #ABANDON_CHECK_NANOS} (20 ms) and check the owner
 * between slices, so abandonment is seen within about 20 ms plus scheduling delay (tested
 * against 100 ms). Timed waits park until shortly before the deadline and spin the last stretch
 * ({@link DeadlineSpin}), whose length follows the park overshoot measured on this machine.
 *
 * <h2>Why a lock around the waiter lists, not a lock-free queue</h2>
 * A waiter that times out or is interrupted must leave its key's list at once: a thread that
 * polls {@code tryAcquire(k, 1 ms)} for a key that is not released while the holder keeps the
 * mutex for an hour would otherwise leave 3.6 million dead nodes behind. The lock-free MPSC
 * queues we considered (JCTools) cannot unlink a node from the middle, and their single consumer
 * would be the mutex holder, who may never come. So the lists are intrusive doubly-linked lists
 * under a {@link ReentrantLock} held for a few pointer updates at a time; it is taken only when
 * some thread actually waits, never on the uncontended path or while spinning, and it does not
 * pin virtual threads.
 */
final class LocalKeyedMutex extends LocalMutexFields {

    static final long LOCKED = 1L;
    static final long ABANDONED = 2L;
    static final long VERSION_UNIT = 8L;

    /** Longest park between two checks of the owner's liveness: the abandonment detection bound. */
    static final long ABANDON_CHECK_NANOS = 20_000_000L;
    /**
     * A waiter still losing to bargers this long after it was first woken asks for a direct
     * hand-off. Counted from the first wake-up, not from the enqueue: a waiter that merely waited
     * its turn behind others is not starving, and asking too early turns every release into a
     * slow grant (a lock convoy).
     */
    static final long STARVATION_NANOS = 1_000_000L;
    /**
     * How long a woken non-fair waiter that finds the mutex re-taken with its own key leaves
     * itself marked woken before it re-arms (see "Who waits how"). Measured, not derived:
     * docs/measurements.md, "Contended: a woken waiter that lost backs off".
     */
    static final long BACK_OFF_NANOS = 20_000L;

    private static final VarHandle STATE;
    private static final VarHandle KEY;
    private static final VarHandle OWNER;
    private static final VarHandle FREE_GUESS;
    private static final VarHandle STATUS;
    private static final VarHandle WAKEUPS;
    private static final VarHandle BACK_OFFS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(LocalMutexFields.class, "state", long.class);
            KEY = l.findVarHandle(LocalMutexFields.class, "key", long.class);
            FREE_GUESS = l.findVarHandle(LocalMutexFields.class, "freeGuess", long.class);
            OWNER = l.findVarHandle(LocalMutexFields.class, "owner", Thread.class);
            STATUS = l.findVarHandle(Node.class, "status", int.class);
            WAKEUPS = l.findVarHandle(LocalKeyedMutex.class, "wakeups", long.class);
            BACK_OFFS = l.findVarHandle(LocalKeyedMutex.class, "backOffs", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // state, key, freeGuess and owner: declared in LocalMutexFields, which says why.

    private final boolean fair;
    private final long backOffNanos;
    private final byte[] data;
    private int dataLength;
    /** How this handle spins before it parks (racy heuristics). */
    private final Spinner spinner = new Spinner();
    /** Who ended without releasing; written before ABANDONED is set. */
    private volatile String abandonedBy;
    /** Set once by {@link #close()}; kept out of state, which only the holder may write while it is locked. */
    private volatile boolean closed;

    private final ReentrantLock wl = new ReentrantLock();
    private final HashMap<Long, KeyQueue> queues = new HashMap<>();   // guarded by wl
    private volatile int queued;                                      // written under wl
    private volatile int handoffs;                                    // written under wl
    /**
     * Null or the first WAITING node of its key's list (edge 2b in the class comment); written
     * under wl: by enqueue when null, by {@link #wakeFirst}, and by unlink, which moves it on
     * when its node leaves. A non-fair release wakes the node it names without wl.
     */
    private volatile Node wakeHint;
    private volatile long wakeups;   // atomic (WAKEUPS); for tests and ContentionProbe
    private volatile long backOffs;  // atomic (BACK_OFFS); for tests and ContentionProbe
    private long grants;                                              // guarded by wl; for tests

    LocalKeyedMutex(long initialKey, int privateDataCapacity, boolean fair) {
        this(initialKey, privateDataCapacity, fair, BACK_OFF_NANOS);
    }

    /** For tests: {@code backOffNanos} replaces {@link #BACK_OFF_NANOS} (0: no back-off). */
    LocalKeyedMutex(long initialKey, int privateDataCapacity, boolean fair, long backOffNanos) {
        super(privateDataCapacity);
        this.fair = fair;
        this.backOffNanos = backOffNanos;
        this.data = new byte[privateDataCapacity];
        KEY.setRelease(this, initialKey);
    }

    // ================================================================ acquire

    @Override
    protected boolean acquire0(long k, int mode, long nanos, ByteBuffer out) throws InterruptedException {
        if (!tryLock(k, mode == TRY)) {
            boolean once = mode == TRY || (mode == TIMED && nanos <= 0);
            if (once ? !tryOnce(k, mode == TRY) : !acquireSlow(k, mode, nanos)) {
                return false;
            }
        }
        copyOut(out);
        return true;
    }

    @Override
    protected boolean tryAcquireFast(long k, boolean barge) {
        return tryLock(k, barge);
    }

    /** The fast path: one CAS if the mutex is free with key k (and, fair, nobody queued). */
    private boolean tryLock(long k, boolean barge) {
        // First from the guess, without a load of state (see "State" in the class comment).
        long e = (long) FREE_GUESS.getAcquire(this);
        if ((e & (LOCKED | ABANDONED)) == 0 && (long) KEY.getOpaque(this) == k && !closed
                && (!fair || barge || queued == 0)
                && STATE.compareAndSet(this, e, (e + VERSION_UNIT) | LOCKED)) {
            OWNER.setRelease(this, Thread.currentThread());
            return true;
        }
        for (;;) {
            long s = state;
            if ((s & (LOCKED | ABANDONED)) != 0 || (long) KEY.getOpaque(this) != k || closed
                    || (fair && !barge && queued != 0)) {
                return false;
            }
            if (STATE.compareAndSet(this, s, (s + VERSION_UNIT) | LOCKED)) {
                OWNER.setRelease(this, Thread.currentThread());
                return true;
            }
        }
    }

    /** One attempt that reports closed and abandoned states, and detects a dead owner. */
    private boolean tryOnce(long k, boolean barge) {
        for (;;) {
            long s = state;
            throwIfClosedOrAbandoned(s);
            if ((s & LOCKED) != 0) {
                detectAbandonment();
                throwIfClosedOrAbandoned(state);
                return false;
            }
            if ((long) KEY.getOpaque(this) != k || (fair && !barge && queued != 0 && hasWaiterFor(k))) {
                return false;
            }
            if (STATE.compareAndSet(this, s, (s + VERSION_UNIT) | LOCKED)) {
                OWNER.setRelease(this, Thread.currentThread());
                return true;
            }
        }
    }

    private boolean acquireSlow(long k, int mode, long nanos) throws InterruptedException {
        long deadline = mode == TIMED ? System.nanoTime() + nanos : 0L;
        if (spin(k, mode, deadline)) {
            return true;
        }
        Node node = new Node(Thread.currentThread(), k);
        enqueue(node);
        return await(node, k, mode, deadline);
    }

    /** Spins before queueing (see {@link Spinner}): phase 1 adaptive, phase 2 after a wake-up. */
    private boolean spin(long k, int mode, long deadline) {
        // Fair: a newcomer spinning outside the queue could take the mutex ahead of a thread that
        // arrived earlier and is spinning too. So a fair waiter queues first and spins queued
        // (see await), where the grant goes to the head in arrival order.
        return !fair && spinner.spin(spinTarget, k, mode == TIMED, deadline);
    }

    /** What the spinner spins on (an inner object, so that these methods stay private). */
    private final Spinner.Target spinTarget = new Spinner.Target() {
        @Override
        public boolean tryGrab(long k) {
            return grab(k);
        }

        @Override
        public int look(long k) {
            long s = state;
            if ((s & ABANDONED) != 0 || closed) {
                return Spinner.STOP;
            }
            if ((long) KEY.getAcquire(LocalKeyedMutex.this) != k) {
                return Spinner.OTHER_KEY;
            }
            if ((s & LOCKED) == 0) {
                return Spinner.GO;
            }
            // Held with the very key wanted. By a thread that has set itself as owner: contention.
            // With no owner: a release is under way (release0 clears the owner, then writes the
            // key, which this thread just read, and the unlock follows), or a thread has locked
            // and not yet set the owner: at once on the fast path, after wl in a queued waiter's
            // selfAcquire, after its wake-up for a granted waiter. The Spinner tells those apart
            // by what it saw before (see its class comment).
            return OWNER.getAcquire(LocalKeyedMutex.this) != null ? Spinner.STOP : Spinner.UNOWNED;
        }
    };

    private boolean grab(long k) {
        long s = state;
        if ((s & LOCKED) == 0 && (long) KEY.getOpaque(this) == k && (!fair || queued == 0)
                && STATE.compareAndSet(this, s, (s + VERSION_UNIT) | LOCKED)) {
            OWNER.setRelease(this, Thread.currentThread());
            return true;
        }
        return false;
    }

    private boolean await(Node node, long k, int mode, long deadline) throws InterruptedException {
        final Thread me = node.thread;
        boolean reinterrupt = false;
        long nextOwnerCheck = System.nanoTime();
        if (fair) {
            // Queued spin: the grant usually arrives while this thread still runs, and costs no
            // wake-up then (its unpark only leaves a permit).
            spinner.spin(new Spinner.Target() {
                @Override
                public boolean tryGrab(long key) {
                    return node.status != Node.WAITING;
                }

                @Override
                public int look(long key) {
                    return (state & ABANDONED) != 0 || closed ? Spinner.STOP : Spinner.GO;
                }
            }, k, mode == TIMED, deadline);
        }
        boolean backedOff = false;
        for (;;) {
            if (node.status == Node.GRANTED) {
                OWNER.setRelease(this, me);
                return acquiredAfterWait(reinterrupt);
            }
            if (!backedOff && node.woken && backOff(node, k, mode, deadline)) {
                backedOff = true;
                continue;
            }
            backedOff = false;
            // Clear the wake-up flag before reading the state (Dekker with wakeFirst, which reads
            // the flag after its unlocking store): either it sees the flag clear and unparks us
            // again, or we see its unlock.
            boolean woken = node.woken;
            if (woken) {
                node.woken = false;
                if (node.firstWoken == 0L) {
                    node.firstWoken = System.nanoTime() | 1L;
                }
            }
            long s = state;
            if ((s & ABANDONED) != 0 || closed) {
                if (cancel(node)) {
                    if (reinterrupt) {
                        me.interrupt();
                    }
                    throwIfClosedOrAbandoned(s);
                }
                continue; // granted meanwhile
            }
            if ((s & LOCKED) == 0) {
                if ((long) KEY.getOpaque(this) == k) {
                    if (selfAcquire(node, s)) {
                        return acquiredAfterWait(reinterrupt);
                    }
                    if (fair) {
                        // selfAcquire took wl, whose own parking may have swallowed our unpark
                        // (a grant, or close()'s wake-up, made meanwhile): look again before
                        // parking.
                        if (node.status != Node.WAITING || closed) {
                            continue;
                        }
                    }
                }
            } else {
                long now = System.nanoTime();
                if (now - nextOwnerCheck >= 0) {
                    nextOwnerCheck = now + ABANDON_CHECK_NANOS;
                    if (detectAbandonment()) {
                        continue;
                    }
                }
            }
            if (woken && !fair && !node.handoff && System.nanoTime() - node.firstWoken >= STARVATION_NANOS) {
                // Woken, and still without the mutex after waiting this long, whatever the reason
                // (a barger, a lost CAS, another key): ask for a direct hand-off. requestHandoff
                // takes wl, which may swallow an unpark: look again before parking.
                requestHandoff(node);
                continue;
            }
            if (Thread.interrupted()) {
                if (mode == UNINTERRUPTIBLE || !cancel(node)) {
                    reinterrupt = true;   // uninterruptible, or granted: keep the interrupt for later
                    continue;
                }
                passWakeUpOn(k);
                throw new InterruptedException();
            }
            long parkNanos = ABANDON_CHECK_NANOS;
            if (mode == TIMED) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0L) {
                    if (cancel(node)) {
                        passWakeUpOn(k);
                        if (reinterrupt) {
                            me.interrupt();
                        }
                        return false;
                    }
                    continue;
                }
                long finalSpin = DeadlineSpin.window();
                if (remaining <= finalSpin) {
                    DeadlineSpin.pause();
                    continue;
                }
                parkNanos = Math.min(remaining - finalSpin, ABANDON_CHECK_NANOS);
                long before = System.nanoTime();
                LockSupport.parkNanos(this, parkNanos);
                DeadlineSpin.learn(System.nanoTime() - before - parkNanos);
                continue;
            }
            LockSupport.parkNanos(this, parkNanos);
        }
    }

    /**
     * Non-fair: a woken waiter that finds the mutex held with its own key (a thread of that key
     * barged in) sleeps for {@link #backOffNanos} with {@code node.woken} still set, so that the
     * holder's releases meanwhile do not unpark it (edge 2b: it will look again). Without this,
     * it would re-arm at once, and each release of a holder that re-takes the mutex would wake
     * it again: with two threads, hundreds of thousands of wake-ups a second. Not in a timed wait
     * too close to its deadline, nor once it asked for a hand-off.
     *
     * @return whether it slept
     */
    private boolean backOff(Node node, long k, int mode, long deadline) {
        if (fair || backOffNanos <= 0 || node.handoff) {
            return false;
        }
        long s = state;
        if ((s & (LOCKED | ABANDONED)) != LOCKED || (long) KEY.getOpaque(this) != k || closed) {
            return false;
        }
        long now = System.nanoTime();
        if (mode == TIMED && deadline - now <= 2 * backOffNanos + DeadlineSpin.window()) {
            return false;
        }
        // The starvation clock (firstWoken) starts at the look after the back-off, as before: a
        // back-off that oversleeps on a busy machine must not count as a lost race by itself.
        BACK_OFFS.getAndAdd(this, 1L);
        LockSupport.parkNanos(this, backOffNanos);
        return true;
    }

    private boolean acquiredAfterWait(boolean reinterrupt) {
        if (reinterrupt) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /** A queued waiter that saw the mutex free with its key tries to take it. */
    private boolean selfAcquire(Node node, long s) {
        if (fair) {
            // Only the first WAITING node of its key's list may take it; decided under wl, which
            // the grant path holds too. Cancelled nodes ahead do not count: their threads have
            // given up and unlink themselves, maybe only after a stall, which must not hold this
            // one back (the grant path skips them too).
            wl.lock();
            try {
                if (node.queue == null || hasWaitingPredecessor(node)
                        || !STATE.compareAndSet(this, s, (s + VERSION_UNIT) | LOCKED)) {
                    return false;
                }
                unlink(node);
            } finally {
                wl.unlock();
            }
        } else {
            if (!STATE.compareAndSet(this, s, (s + VERSION_UNIT) | LOCKED)) {
                return false;
            }
            // We hold the mutex, so nobody can grant this node any more; leave the list.
            wl.lock();
            try {
                unlink(node);
            } finally {
                wl.unlock();
            }
        }
        OWNER.setRelease(this, node.thread);
        return true;
    }

    /** Under wl: whether a node ahead of this one in its key's list still waits. */
    private static boolean hasWaitingPredecessor(Node node) {
        for (Node p = node.prev; p != null; p = p.prev) {
            if (p.status == Node.WAITING) {
                return true; // granted nodes are unlinked at once, so the others are cancelled
            }
        }
        return false;
    }

    /** Tests only (LocalKeyedMutexTest): runs in cancel() between the CAS to CANCELLED and the unlink. */
    static volatile Runnable afterCancelForTests;

    /** @return true if the node was cancelled; false if it had been granted the mutex */
    private boolean cancel(Node node) {
        if (!STATUS.compareAndSet(node, Node.WAITING, Node.CANCELLED)) {
            return false;
        }
        Runnable hook = afterCancelForTests;
        if (hook != null) {
            hook.run();
        }
        wl.lock();
        try {
            unlink(node);
        } finally {
            wl.unlock();
        }
        return true;
    }

    /**
     * After a cancelled wait: if the mutex is free with our key, a wake-up may have been meant
     * for us; pass it to the next waiter of the key.
     */
    private void passWakeUpOn(long k) {
        if (queued != 0) {
            long s = state;
            if ((s & (LOCKED | ABANDONED)) == 0 && !closed && (long) KEY.getOpaque(this) == k) {
                wakeFirst(k);
            }
        }
    }

    private void copyOut(ByteBuffer out) {
        if (out != null) {
            int length = dataLength;
            int position = out.position();
            out.put(position, data, 0, length);
            out.position(position + length);
        }
    }

    // ================================================================ release

    @Override
    protected void release0(long nextKey, ByteBuffer in) {
        if (in != null) {
            int length = in.remaining();
            in.get(in.position(), data, 0, length);
            dataLength = length;
        }
        OWNER.setRelease(this, null);
        KEY.setRelease(this, nextKey); // after the owner's clear, for the spinners' look
        if (queued == 0 || (!fair && handoffs == 0)) {
            unlockState();
            if (queued != 0) {
                wakeAfterUnlock(nextKey);
            }
        } else {
            releaseWithHandoff(nextKey);
        }
    }

    /**
     * Clears LOCKED with a volatile store, no atomic read-modify-write: only the holder calls it,
     * and while the mutex is locked nobody else writes state (see "Release" in the class comment),
     * so the value read here is the one the holder's lock installed.
     */
    private void unlockState() {
        long free = state - LOCKED;
        state = free;
        FREE_GUESS.setRelease(this, free);
    }

    /**
     * The release path when someone may need a direct hand-off (fair policy, or a starving
     * non-fair waiter): under wl, grants the mutex to the first waiter of nextKey if the policy
     * says so for that key; otherwise unlocks and wakes that waiter to retry. Deciding and
     * unlocking under wl, which waiters take to link themselves, rules out a lost wake-up.
     */
    private void releaseWithHandoff(long nextKey) {
        Thread wake = null;
        wl.lock();
        try {
            KeyQueue q = queues.get(nextKey);
            boolean grant = fair || (q != null && q.handoffs > 0);
            boolean granted = false;
            for (Node n = q == null ? null : q.head; n != null; n = n.next) {
                if (n.status != Node.WAITING) {
                    continue; // cancelled; its thread unlinks it
                }
                if (!grant) {
                    n.woken = true;
                    wake = n.thread;
                    WAKEUPS.getAndAdd(this, 1L);
                    break;
                }
                if (STATUS.compareAndSet(n, Node.WAITING, Node.GRANTED)) {
                    unlink(n);
                    granted = true;
                    wake = n.thread;
                    WAKEUPS.getAndAdd(this, 1L);
                    grants++;
                    break;
                }
            }
            if (!granted) {
                unlockState();
            }
        } finally {
            wl.unlock();
        }
        if (wake != null) {
            spinner.wokeSomeone();
            LockSupport.unpark(wake);
        }
    }

    /**
     * Called after an unlocking store with waiters queued: makes sure the first waiter of key k,
     * if any, will look at the state (edge 2b). Small on purpose: it is compiled into every
     * release, and when it pulled in wakeFirst's list walk and wl, C2 stopped inlining unlock
     * into its callers (docs/measurements.md, "The inlining lottery").
     */
    private void wakeAfterUnlock(long k) {
        Node n = wakeHint;
        if (n != null && n.key == k && n.status == Node.WAITING) {
            if (!n.woken) {
                n.woken = true;
                WAKEUPS.getAndAdd(this, 1L);
                spinner.wokeSomeone();
                LockSupport.unpark(n.thread);
            }
            // else: woken and not yet back; it will see this unlock
        } else {
            wakeFirst(k);
        }
    }

    /** Unparks the first waiter of key k, if any, so that it retries. */
    private void wakeFirst(long k) {
        Thread t = null;
        wl.lock();
        try {
            KeyQueue q = queues.get(k);
            for (Node n = q == null ? null : q.head; n != null; n = n.next) {
                if (n.status == Node.WAITING) {
                    if (!n.woken) { // already woken and not yet back: it will look again anyway
                        n.woken = true;
                        t = n.thread;
                        WAKEUPS.getAndAdd(this, 1L);
                    }
                    wakeHint = n;
                    break;
                }
            }
        } finally {
            wl.unlock();
        }
        if (t != null) {
            spinner.wokeSomeone();
            LockSupport.unpark(t);
        }
    }

    private void wakeAll() {
        List<Thread> threads = new ArrayList<>();
        wl.lock();
        try {
            for (KeyQueue q : queues.values()) {
                for (Node n = q.head; n != null; n = n.next) {
                    threads.add(n.thread);
                }
            }
        } finally {
            wl.unlock();
        }
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
    }

    // ================================================================ waiter lists (under wl)

    private void enqueue(Node node) {
        wl.lock();
        try {
            KeyQueue q = queues.get(node.key);
            if (q == null) {
                q = new KeyQueue(node.key);
                queues.put(node.key, q);
            }
            node.queue = q;
            node.prev = q.tail;
            if (q.tail == null) {
                q.head = node;
            } else {
                q.tail.next = node;
            }
            q.tail = node;
            if (wakeHint == null) {
                wakeHint = firstWaiting(q.head);
            }
            queued = queued + 1;
        } finally {
            wl.unlock();
        }
    }

    private void unlink(Node node) {
        KeyQueue q = node.queue;
        if (q == null) {
            return;
        }
        if (wakeHint == node) {
            wakeHint = firstWaiting(node.next);
        }
        if (node.prev == null) {
            q.head = node.next;
        } else {
            node.prev.next = node.next;
        }
        if (node.next == null) {
            q.tail = node.prev;
        } else {
            node.next.prev = node.prev;
        }
        node.queue = null;
        node.prev = null;
        node.next = null;
        if (q.head == null) {
            queues.remove(q.key);
        }
        queued = queued - 1;
        if (node.handoff) {
            node.handoff = false;
            q.handoffs--;
            handoffs = handoffs - 1;
        }
    }

    /** Under wl: the first WAITING node from n on along its list, or null. */
    private static Node firstWaiting(Node n) {
        while (n != null && n.status != Node.WAITING) {
            n = n.next;
        }
        return n;
    }

    private void requestHandoff(Node node) {
        wl.lock();
        try {
            if (!node.handoff && node.queue != null) {
                node.handoff = true;
                node.queue.handoffs++;
                handoffs = handoffs + 1;
            }
        } finally {
            wl.unlock();
        }
    }

    private boolean hasWaiterFor(long k) {
        wl.lock();
        try {
            return queues.containsKey(k);
        } finally {
            wl.unlock();
        }
    }

    // ================================================================ abandonment and closing

    /**
     * Checks whether the owner ended while holding; if so marks the mutex abandoned and wakes
     * every waiter (see edge 4 in the class comment).
     *
     * @return whether the mutex is abandoned now
     */
    private boolean detectAbandonment() {
        Thread o = (Thread) OWNER.getAcquire(this);
        if (o == null || o.isAlive()) {
            return (state & ABANDONED) != 0;
        }
        // o has terminated, so all of its writes are visible now (JLS 17.4.4).
        if (OWNER.getAcquire(this) != o) {
            return (state & ABANDONED) != 0; // it let go before it ended
        }
        abandonedBy = o.getName();
        for (;;) {
            long s = state;
            if ((s & ABANDONED) != 0 || (s & LOCKED) == 0) {
                break;
            }
            if (STATE.compareAndSet(this, s, s | ABANDONED)) {
                wakeAll();
                break;
            }
        }
        return (state & ABANDONED) != 0;
    }

    private void throwIfClosedOrAbandoned(long s) {
        if (closed) {
            throw closedException();
        }
        if ((s & ABANDONED) != 0) {
            throw new AbandonedMutexException("keyed mutex abandoned: its holder, thread '" + abandonedBy
                    + "', terminated without releasing it");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        // A thread that read closed == false just before this may still take the mutex (or be
        // granted it) afterwards: its acquire counts as before this close, and every call it
        // makes from then on, release included, throws; no method can see the state any more.
        closed = true;
        wakeAll(); // after the write: a waiter that links itself after wakeAll's look sees it
    }

    // ================================================================ snapshots

    @Override
    protected boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isHeldByCurrentThread() {
        if (closed) {
            throw closedException();
        }
        return OWNER.getOpaque(this) == Thread.currentThread();
    }

    @Override
    public long key() {
        ensureOpen();
        return (long) KEY.getOpaque(this);
    }

    @Override
    public boolean isLocked() {
        ensureOpen();
        return (state & LOCKED) != 0;
    }

    @Override
    public boolean isAbandoned() {
        if (closed) {
            throw closedException();
        }
        long s = state;
        return (s & ABANDONED) != 0 || ((s & LOCKED) != 0 && detectAbandonment());
    }

    @Override
    public boolean isFair() {
        return fair;
    }

    @Override
    protected Thread owner() {
        return (Thread) OWNER.getAcquire(this);
    }

    @Override
    protected int queueLength() {
        return queued;
    }

    @Override
    protected boolean hasQueuedThread(Thread thread) {
        if (queued == 0) {
            return false;
        }
        wl.lock();
        try {
            for (KeyQueue q : queues.values()) {
                for (Node n = q.head; n != null; n = n.next) {
                    if (n.thread == thread && n.status == Node.WAITING) {
                        return true;
                    }
                }
            }
            return false;
        } finally {
            wl.unlock();
        }
    }

    /** For tests: how many times a release has woken or granted to a waiter. */
    long wakeups() {
        return wakeups;
    }

    /** For tests: how many times a woken waiter has backed off (see backOff). */
    long backOffs() {
        return backOffs;
    }

    /**
     * For tests: wakes the first waiter of key k as a release to k would, whoever holds the mutex.
     * Called by the holder, it stands for a release whose woken waiter lost the race to a barger,
     * without depending on which thread the scheduler runs first.
     */
    void wakeFirstForTests(long k) {
        wakeFirst(k);
    }

    /** For tests: how many times a release has granted the mutex to a waiter directly. */
    long grants() {
        wl.lock();
        try {
            return grants;
        } finally {
            wl.unlock();
        }
    }

    /** For tests: the number of queued nodes that asked for a direct hand-off. */
    int handoffRequests() {
        return handoffs;
    }

    /**
     * For tests: whether the wake-up hint is what edge 2b needs: null, or a WAITING node on its
     * list with no WAITING node ahead of it.
     */
    boolean wakeHintIsCurrent() {
        wl.lock();
        try {
            Node n = wakeHint;
            return n == null || (n.queue != null && n.status == Node.WAITING && firstWaiting(n.queue.head) == n);
        } finally {
            wl.unlock();
        }
    }

    /** For tests: the thread of the node the wake-up hint names, or null. */
    Thread wakeHintThread() {
        wl.lock();
        try {
            Node n = wakeHint;
            return n == null ? null : n.thread;
        } finally {
            wl.unlock();
        }
    }

    /** For tests: whether some queued waiter has been woken and has not yet looked. */
    boolean hasWokenWaiter() {
        wl.lock();
        try {
            for (KeyQueue q : queues.values()) {
                for (Node n = q.head; n != null; n = n.next) {
                    if (n.woken) {
                        return true;
                    }
                }
            }
            return false;
        } finally {
            wl.unlock();
        }
    }

    /** For tests: the number of keys that have a waiter list. */
    int keyQueues() {
        wl.lock();
        try {
            return queues.size();
        } finally {
            wl.unlock();
        }
    }

    @Override
    public String toString() {
        long s = state;
        String what;
        if (closed) {
            what = "closed";
        } else if ((s & ABANDONED) != 0) {
            what = "abandoned";
        } else if ((s & LOCKED) != 0) {
            Thread o = (Thread) OWNER.getAcquire(this);
            what = o == null ? "locked" : "locked by thread " + o.getName();
        } else {
            what = "unlocked";
        }
        return "LocalKeyedMutex@" + Integer.toHexString(System.identityHashCode(this))
                + "[key=" + (long) KEY.getOpaque(this) + ", " + what + (fair ? ", fair" : "") + "]";
    }

    // ================================================================ nodes

    /** A thread waiting for a key. Links are guarded by wl; status changes only by CAS. */
    static final class Node {
        static final int WAITING = 0;
        static final int GRANTED = 1;
        static final int CANCELLED = 2;

        final Thread thread;
        final long key;
        final long since = System.nanoTime();
        volatile int status;
        /** Set by wakeFirst: a release unparked this node so that it retries. */
        volatile boolean woken;
        /** When this node first found itself woken (0: never; the low bit is forced on). */
        long firstWoken;
        KeyQueue queue;   // null once unlinked
        Node prev;
        Node next;
        boolean handoff;

        Node(Thread thread, long key) {
            this.thread = thread;
            this.key = key;
        }
    }

    /** The FIFO of waiters for one key; removed from the map when it empties. */
    static final class KeyQueue {
        final long key;
        Node head;
        Node tail;
        /** Linked nodes of this key that asked for a direct hand-off. */
        int handoffs;

        KeyQueue(long key) {
            this.key = key;
        }
    }
}
