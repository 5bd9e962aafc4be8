package dev.keyedmutex.shm;

import dev.keyedmutex.AbandonedMutexException;
import dev.keyedmutex.AbstractKeyedMutex;
import dev.keyedmutex.internal.DeadlineSpin;
import dev.keyedmutex.internal.Spinner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static dev.keyedmutex.shm.ShmLayout.ABANDONED;
import static dev.keyedmutex.shm.ShmLayout.DATA_LENGTH_OFF;
import static dev.keyedmutex.shm.ShmLayout.DATA_OFF;
import static dev.keyedmutex.shm.ShmLayout.INTS;
import static dev.keyedmutex.shm.ShmLayout.KEY_OFF;
import static dev.keyedmutex.shm.ShmLayout.LOCKED;
import static dev.keyedmutex.shm.ShmLayout.LONGS;
import static dev.keyedmutex.shm.ShmLayout.OWNER_JTID_OFF;
import static dev.keyedmutex.shm.ShmLayout.OWNER_PID_OFF;
import static dev.keyedmutex.shm.ShmLayout.OWNER_PID_START_OFF;
import static dev.keyedmutex.shm.ShmLayout.OWNER_TID_OFF;
import static dev.keyedmutex.shm.ShmLayout.OWNER_TID_START_OFF;
import static dev.keyedmutex.shm.ShmLayout.OWNER_VERSION_OFF;
import static dev.keyedmutex.shm.ShmLayout.STATE_OFF;

/**
 * A handle on a keyed mutex in shared memory (layout: {@link ShmLayout}).
 *
 * <h2>State and transitions</h2>
 * The 64-bit STATE word holds LOCKED, ABANDONED, the holding process's slot and a version that
 * changes on every lock; the 64-bit KEY beside it is written only by the holder. As in the local
 * provider, an acquirer reads STATE (unlocked, version v), then KEY, then CASes STATE from that
 * value to LOCKED|slot|v+1: if the CAS succeeds nobody locked in between, so the key it read was
 * right, and the holding process is on record from that instant.
 *
 * <p>Two guesses spare the fast path its loads of STATE (on x86, a load of a word right after a
 * locked instruction on it, feeding the next CAS, costs several nanoseconds; docs/measurements.md):
 * <ul>
 *   <li>An acquirer first tries a CAS from {@code freeGuess}, the unlocked STATE the last release
 *       through this handle left (0 before any: a fresh region's STATE). It is the argument above
 *       with the guess in place of the read: that releaser wrote KEY, then STATE, then
 *       {@code freeGuess} (release); an acquirer that reads the guess (acquire) and then KEY sees
 *       that key or a later one, and a later key implies a later lock, by any process, so a later
 *       version, so its CAS from the guess fails. Versions only grow (56 bits; even an acquire
 *       that gives the mutex back to a closing handle unlocks at the new version, and it writes
 *       no KEY): each unlocked STATE is tied to one KEY, and a stale guess never matches again.
 *       A failed guess falls back to reading STATE.</li>
 *   <li>The holder releases by a CAS from {@code held}, the STATE its own locking CAS wrote
 *       (only the holder reads or writes it); if another process marked the mutex abandoned
 *       meanwhile, that CAS fails and the release reads STATE.</li>
 * </ul>
 * <pre>
 *   UNLOCKED(v) --CAS by an acquirer with KEY == k----&gt; LOCKED(slot, v+1), then the owner record
 *   LOCKED(v)   --holder: clear owner record, KEY=next, CAS--&gt; UNLOCKED(v)
 *   LOCKED(v)   --a waiter finds the owner of v dead, CAS--&gt; LOCKED|ABANDONED (final)
 *   LOCKED(v)   --the holder closes its handle, CAS------&gt; LOCKED|ABANDONED (final)
 * </pre>
 *
 * <h2>Happens-before, across processes</h2>
 * <ol>
 *   <li>Release to acquire: the holder's writes (data, DATA_LENGTH, KEY) precede its CAS of
 *       STATE; the next holder's CAS reads it. CAS on a shared mapping is the same locked
 *       instruction in every process, so the edge holds between processes as between threads.</li>
 *   <li>No lost wake-up: a sleeper reads SEQ[b], increments WAITERS[b], re-reads STATE, and
 *       sleeps only while SEQ[b] still holds what it read. A releaser CASes STATE, reads
 *       WAITERS[b], and if non-zero bumps SEQ[b] and wakes. Either the sleeper sees the unlock,
 *       or the releaser sees the sleeper, whose futex wait then fails on the changed SEQ[b] or is
 *       woken.</li>
 *   <li>Owner: the holding process is the slot in STATE, set by the locking CAS itself, so a
 *       process killed at any instruction after it is found out. The thread-level record (thread
 *       ids) is written after the CAS, OWNER_VERSION last (release), and OWNER_VERSION is cleared
 *       before the unlocking CAS; a waiter trusts the record only if OWNER_VERSION equals the
 *       STATE it read. (The identity words are left in place: a lock from this handle's guess
 *       by the thread they name rewrites only OWNER_VERSION, see {@link #recordedBy}.) A waiter
 *       marks ABANDONED only by CAS from that STATE, so an earlier or later holder can never
 *       condemn the current one. A STATE naming an empty slot, or one that stays without a
 *       complete record for {@link #RECORDLESS_NANOS} while its process lives, has no holder
 *       who could release it: it is marked abandoned too, so no waiter hangs on it.</li>
 *   <li>Close: {@code closed} is set before close() reads STATE, and an acquire reads
 *       {@code closed} after its locking CAS (Dekker): either the acquire gives the mutex back,
 *       or close() sees the lock, waits for its owner record, and, if the holder recorded there
 *       is this handle's {@code holder}, abandons the mutex (SPEC 2.7), whichever thread closes.</li>
 * </ol>
 *
 * <h2>Waiting</h2>
 * Spin first ({@link Spinner}), then sleep on the futex word of the key's bucket with the key's
 * bitset, in slices of at most {@link #SLICE_NANOS}; between slices a waiter checks that the
 * holder lives (process id and start time, thread id and start time, from /proc): abandonment is
 * detected within one slice. Timed waits sleep until shortly before the deadline and spin the
 * rest ({@link DeadlineSpin}). A release makes a system call only if WAITERS of the new key's
 * bucket is non-zero. A futex sleep cannot be interrupted from Java, so an interrupt (or a
 * {@code close()} of the handle) is seen when the sleep ends: at the
 * latest after one slice.
 *
 * <h2>Bad regions</h2>
 * The region was validated when mapped, but another process can still write anything into it.
 * Offsets are constants; a private-data length is checked before every copy (a bad one gets an
 * {@link UncheckedIOException} and the mutex handed back); no value read from the region ever
 * becomes an address.
 */
final class ShmKeyedMutex extends AbstractKeyedMutex {

    /** Longest sleep between two checks of the holder's liveness: the abandonment detection bound. */
    static final long SLICE_NANOS = 25_000_000L;
    /**
     * A locked state whose holder process lives but that has no owner record for this long is
     * taken for abandoned. A holder writes its record nanoseconds after its locking CAS, so only
     * a lock left behind without one (a handle closed during the acquire, a region written by
     * something else) stays without it; this bounds the wait for such a lock.
     */
    static final long RECORDLESS_NANOS = 1_000_000_000L;
    /** How long close() waits for an acquire racing it to finish writing its owner record. */
    static final long CLOSE_RECORD_WAIT_NANOS = 100_000_000L;

    private static final java.lang.invoke.VarHandle HOLDER;
    private static final java.lang.invoke.VarHandle FREE_GUESS;
    private static final java.lang.invoke.VarHandle HELD;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            HOLDER = l.findVarHandle(ShmKeyedMutex.class, "holder", Thread.class);
            FREE_GUESS = l.findVarHandle(ShmKeyedMutex.class, "freeGuess", long.class);
            HELD = l.findVarHandle(ShmKeyedMutex.class, "held", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final ByteBuffer b;
    private final long address;
    private final long regionSize;
    private final int capacity;
    /** This process's slot, written into STATE by every lock taken through this handle. */
    private final int slot;
    private volatile boolean closed;
    /**
     * The thread that last took the mutex through this handle, or null before any: written (only
     * if it changes) after the locking CAS and before {@link #held}, never cleared. A holder may
     * release through another handle of the mutex, and a release leaves it as it is, so it names
     * the holder only together with {@code held == STATE} (isHeldByCurrentThread, close()).
     */
    @SuppressWarnings("unused") // accessed through HOLDER
    private Thread holder;
    /** The unlocked STATE the last release through this handle left, or 0 (release/acquire). */
    @SuppressWarnings("unused") // accessed through FREE_GUESS
    private long freeGuess;
    /**
     * The STATE the last locking CAS through this handle wrote: written by that holder after
     * HOLDER (release, through HELD); read by the holder at release, by isHeldByCurrentThread
     * (acquire, then HOLDER) and by close().
     */
    private long held;
    /**
     * The identity of the thread that last took the mutex through this handle: spares a
     * ThreadLocal lookup per acquire. Racy, but Self is immutable and is checked against the
     * current thread's id before use (OpenJDK counts thread ids up and never reuses one; the
     * owner record and Procs rely on that too).
     */
    private Procs.Self lastSelf;
    /**
     * Whose identity the owner record in the region holds, if this handle knows (else null): set
     * by the holder that wrote it through this handle, cleared by a holder whose lock this
     * handle did not take (a lock from a read of STATE, a release of another handle's lock).
     * Only holders read or write it. A lock from {@link #freeGuess} follows this handle's own
     * release with no lock in between, so the region still holds that holder's identity: if it
     * is the current thread's, the lock writes only OWNER_VERSION (five stores less).
     */
    private Procs.Self recordedBy;
    /** The locked STATE last seen without an owner record, and since when (racy heuristics). */
    private volatile long recordlessState;
    private volatile long recordlessSince;
    private final Spinner spinner = new Spinner();
    private final Set<Thread> waiting = ConcurrentHashMap.newKeySet();

    private final Spinner.Target spinTarget = new Spinner.Target() {
        @Override
        public boolean tryGrab(long key) {
            return grab(key);
        }

        @Override
        public int look(long key) {
            long s = state();
            if (closed || (s & ABANDONED) != 0) {
                return Spinner.STOP;
            }
            if ((long) LONGS.getAcquire(b, KEY_OFF) != key) {
                return Spinner.OTHER_KEY;
            }
            if ((s & LOCKED) == 0) {
                return Spinner.GO;
            }
            // Held with the very key wanted. With the owner record of this state: contention.
            // Without: a release is under way (release0 clears the record, then writes KEY, which
            // this thread just read, and the unlock follows) or a thread has locked and not yet
            // written its record (at once, unless its process died or its handle closed in
            // between: the sleep's checks catch those). The Spinner tells those apart by what it
            // saw before (see its class comment).
            return (long) LONGS.getAcquire(b, OWNER_VERSION_OFF) == s ? Spinner.STOP : Spinner.UNOWNED;
        }
    };

    ShmKeyedMutex(String name, ByteBuffer mapping, int capacity) {
        super(capacity);
        this.name = name;
        this.b = mapping;
        this.capacity = capacity;
        this.regionSize = mapping.capacity();
        this.address = LinuxNative.address(mapping);
        this.slot = claimSlot();
    }

    /**
     * Claims this process's slot in the region (or finds the one it has): a free one, or one of
     * a process that has ended, after marking the mutex abandoned if that process held it.
     */
    private int claimSlot() {
        long mine = ShmLayout.slotValue(Procs.PID, Procs.PID_START);
        for (int i = 0; i < ShmLayout.SLOTS; i++) {
            if ((long) LONGS.getVolatile(b, ShmLayout.slotOffset(i)) == mine) {
                return i;
            }
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            for (int i = 0; i < ShmLayout.SLOTS; i++) {
                if (LONGS.compareAndSet(b, ShmLayout.slotOffset(i), 0L, mine)) {
                    return i;
                }
            }
            for (int i = 0; i < ShmLayout.SLOTS; i++) {
                long v = (long) LONGS.getVolatile(b, ShmLayout.slotOffset(i));
                if (v == 0L || v == mine || Procs.processAliveLow32((int) (v >>> 32), v & 0xFFFF_FFFFL)) {
                    continue;
                }
                long st = state();
                if ((st & (LOCKED | ABANDONED)) == LOCKED && ShmLayout.slotOf(st) == i
                        && LONGS.compareAndSet(b, STATE_OFF, st, st | ABANDONED)) {
                    wakeAll(); // its process died holding the mutex
                }
                if (LONGS.compareAndSet(b, ShmLayout.slotOffset(i), v, mine)) {
                    return i;
                }
            }
        }
        throw new UncheckedIOException(new IOException("shared keyed mutex '" + name + "': all " + ShmLayout.SLOTS
                + " process slots are taken by running processes"));
    }

    private long state() {
        return (long) LONGS.getVolatile(b, STATE_OFF);
    }

    private long keyWord() {
        return (long) LONGS.getOpaque(b, KEY_OFF);
    }

    // ================================================================ acquire

    @Override
    protected boolean acquire0(long k, int mode, long nanos, ByteBuffer out) throws InterruptedException {
        if (!grab(k)) {
            boolean once = mode == TRY || (mode == TIMED && nanos <= 0);
            if (once ? !tryOnce(k) : !acquireSlow(k, mode, nanos)) {
                return false;
            }
        }
        copyOut(k, out);
        return true;
    }

    @Override
    protected boolean tryAcquireFast(long k, boolean barge) {
        return grab(k);
    }

    /**
     * One CAS if the mutex is free with key k (two if the guess is stale); writes the owner
     * record on success. Kept under C2's inlining limit (FreqInlineSize, 325 bytecodes): the
     * rare parts are methods of their own.
     */
    private boolean grab(long k) {
        // Known before the CAS (its first call reads /proc): between the CAS and the end of the
        // owner record there are only stores, so the record is never missing for long.
        Procs.Self me = self();
        // First from the guess, without a load of STATE (see the class comment).
        long s = (long) FREE_GUESS.getAcquire(this);
        long locked = ShmLayout.lockedBy(s, slot);
        if ((s & (LOCKED | ABANDONED)) != 0 || keyWord() != k || !LONGS.compareAndSet(b, STATE_OFF, s, locked)) {
            locked = grabFromState(k);
            if (locked == 0L) {
                return false;
            }
        }
        Thread current = Thread.currentThread();
        if (HOLDER.get(this) != current) {
            HOLDER.set(this, current);
        }
        HELD.setRelease(this, locked); // after HOLDER: see isHeldByCurrentThread
        if (recordedBy != me) {
            recordIdentity(me);
        }
        LONGS.setRelease(b, OWNER_VERSION_OFF, locked);
        if (closed) {
            giveBackToClosedHandle(locked, k);
        }
        return true;
    }

    /**
     * The guess was stale: one read of STATE and a CAS from it.
     *
     * @return the locked STATE written, or 0 if the mutex is not free with key k
     */
    private long grabFromState(long k) {
        long s = state();
        if ((s & (LOCKED | ABANDONED)) != 0 || keyWord() != k) {
            return 0L;
        }
        long locked = ShmLayout.lockedBy(s, slot);
        if (!LONGS.compareAndSet(b, STATE_OFF, s, locked)) {
            return 0L;
        }
        recordedBy = null; // somebody may have locked since this handle's last release
        return locked;
    }

    /** Writes the identity part of the owner record (by the holder, before OWNER_VERSION). */
    private void recordIdentity(Procs.Self me) {
        INTS.set(b, OWNER_PID_OFF, Procs.PID);
        INTS.set(b, OWNER_TID_OFF, me.tid);
        LONGS.set(b, OWNER_PID_START_OFF, Procs.PID_START);
        LONGS.set(b, OWNER_TID_START_OFF, me.tidStart);
        LONGS.set(b, OWNER_JTID_OFF, me.javaTid);
        recordedBy = me;
    }

    /**
     * Closed while we were taking it: the mapping may already be anonymous memory. Gives back
     * what we took (harmless if it was) and reports the closed handle. The version stays the
     * new one: were it restored, another thread of this process could lock the very same STATE
     * again through another handle, and the close() racing us would take that hold for ours
     * and abandon it.
     */
    private void giveBackToClosedHandle(long locked, long k) {
        LONGS.setRelease(b, OWNER_VERSION_OFF, 0L);
        if (LONGS.compareAndSet(b, STATE_OFF, locked, locked & ~LOCKED)) {
            wakeBucketOf(k);
        }
        throw closedException();
    }

    /** The current thread's identity: {@link #lastSelf} if it is this thread's, else looked up. */
    private Procs.Self self() {
        Procs.Self me = lastSelf;
        if (me == null || me.javaTid != Thread.currentThread().getId()) {
            me = Procs.self();
            lastSelf = me;
        }
        return me;
    }

    private boolean tryOnce(long k) {
        long s = state();
        throwIfClosedOrAbandoned(s);
        if ((s & LOCKED) != 0 && ownerIsDead(s)) {
            throwIfClosedOrAbandoned(state());
        }
        return false;
    }

    private boolean acquireSlow(long k, int mode, long nanos) throws InterruptedException {
        boolean timed = mode == TIMED;
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        if (spinner.spin(spinTarget, k, timed, deadline)) {
            return true;
        }
        Thread me = Thread.currentThread();
        waiting.add(me);
        try {
            return sleepUntilAcquired(k, mode, deadline);
        } finally {
            waiting.remove(me);
        }
    }

    private boolean sleepUntilAcquired(long k, int mode, long deadline) throws InterruptedException {
        final boolean timed = mode == TIMED;
        final int bucket = ShmLayout.bucket(k);
        final int bit = ShmLayout.bit(k);
        final long seqAddr = address + ShmLayout.seqOffset(bucket);
        final int waitersOff = ShmLayout.waitersOffset(bucket);
        boolean reinterrupt = false;
        long nextOwnerCheck = System.nanoTime();
        long passedOnFor = 0L; // the STATE whose wake-up this thread has passed on (0: none)
        try {
            for (;;) {
                long s = state();
                throwIfClosedOrAbandoned(s);
                // A futex sleep cannot be interrupted from Java: an interrupt is seen when the
                // sleep ends (a wake-up or the slice), and it takes precedence over the mutex.
                if (Thread.interrupted()) {
                    if (mode != UNINTERRUPTIBLE) {
                        throw new InterruptedException();
                    }
                    reinterrupt = true;
                }
                if ((s & LOCKED) == 0) {
                    if (keyWord() == k && grab(k)) {
                        return true;
                    }
                } else {
                    long now = System.nanoTime();
                    if (now - nextOwnerCheck >= 0) {
                        nextOwnerCheck = now + SLICE_NANOS;
                        if (ownerIsDead(s)) {
                            continue;
                        }
                    }
                }
                long wakeAt = System.nanoTime() + SLICE_NANOS;
                if (timed) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0L) {
                        return false;
                    }
                    long window = DeadlineSpin.window();
                    if (remaining <= window) {
                        DeadlineSpin.pause();
                        continue;
                    }
                    if (deadline - window - wakeAt < 0) {
                        wakeAt = deadline - window;
                    }
                }
                int seq = (int) INTS.getVolatile(b, ShmLayout.seqOffset(bucket));
                INTS.getAndAdd(b, waitersOff, 1);
                try {
                    long s2 = state();
                    if (closed || s2 != s || ((s2 & LOCKED) == 0 && keyWord() == k)) {
                        continue; // something changed: look again before sleeping
                    }
                    LinuxNative.futexWait(seqAddr, seq, wakeAt, bit);
                    if (timed) {
                        DeadlineSpin.learn(System.nanoTime() - wakeAt);
                    }
                } finally {
                    INTS.getAndAdd(b, waitersOff, -1);
                }
                if ((int) INTS.getVolatile(b, ShmLayout.seqOffset(bucket)) != seq) {
                    passedOnFor = passOnIfNotOurs(k, bucket, bit, passedOnFor);
                }
            }
        } finally {
            if (reinterrupt) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A wake-up came to our bucket and class. If the mutex is free with another key of the same
     * bucket and class, the wake-up was meant for a waiter of that key, and the kernel may have
     * woken us instead: pass it on, once per release.
     */
    private long passOnIfNotOurs(long k, int bucket, int bit, long passedOnFor) {
        long s = state();
        if ((s & (LOCKED | ABANDONED)) != 0 || s == passedOnFor) {
            return passedOnFor;
        }
        long key = keyWord();
        if (key != k && ShmLayout.bucket(key) == bucket && (ShmLayout.bit(key) & bit) != 0
                && (int) INTS.getVolatile(b, ShmLayout.waitersOffset(bucket)) != 0) {
            INTS.getAndAdd(b, ShmLayout.seqOffset(bucket), 1);
            LinuxNative.futexWake(address + ShmLayout.seqOffset(bucket), 1, ShmLayout.bit(key));
            return s;
        }
        return passedOnFor;
    }

    // ================================================================ owner liveness

    /**
     * Checks whether the holder of state {@code s} has ended without releasing; if so marks the
     * mutex abandoned (CAS from {@code s}) and wakes every sleeper.
     *
     * @return whether the mutex is abandoned now
     */
    private boolean ownerIsDead(long s) {
        long id = (long) LONGS.getVolatile(b, ShmLayout.slotOffset(ShmLayout.slotOf(s)));
        int pid = (int) (id >>> 32);
        long startLow = id & 0xFFFF_FFFFL;
        boolean dead;
        if (pid == Procs.PID && startLow == (Procs.PID_START & 0xFFFF_FFFFL)) {
            // Held in this process: a thread cannot die halfway through grab, so without a record
            // for this epoch the owner is still writing it; with one, ask whether its thread lives.
            if ((long) LONGS.getAcquire(b, OWNER_VERSION_OFF) != s) {
                dead = recordMissingTooLong(s);
            } else {
                long javaTid = (long) LONGS.get(b, OWNER_JTID_OFF);
                dead = (long) LONGS.getAcquire(b, OWNER_VERSION_OFF) == s ? Procs.localThreadEnded(javaTid)
                        : recordMissingTooLong(s);
            }
        } else if (id == 0L) {
            dead = true; // the slot in STATE is empty: nobody can hold it (a damaged region)
        } else {
            // The slot in STATE names the holding process even if it died right after its CAS.
            dead = !Procs.processAliveLow32(pid, startLow);
            if (!dead) {
                if ((long) LONGS.getAcquire(b, OWNER_VERSION_OFF) == s) {
                    int tid = (int) INTS.get(b, OWNER_TID_OFF);
                    long tidStart = (long) LONGS.get(b, OWNER_TID_START_OFF);
                    if ((long) LONGS.getAcquire(b, OWNER_VERSION_OFF) == s && tid != 0) {
                        dead = !Procs.threadAlive(pid, tid, tidStart);
                    }
                } else {
                    dead = recordMissingTooLong(s);
                }
            }
        }
        if (dead && LONGS.compareAndSet(b, STATE_OFF, s, s | ABANDONED)) {
            wakeAll();
        }
        return (state() & ABANDONED) != 0;
    }

    /**
     * Whether locked state {@code s} has been seen without an owner record for
     * {@link #RECORDLESS_NANOS}. The first sighting starts the clock; races between threads only
     * restart it (since is written before the state it belongs to).
     */
    private boolean recordMissingTooLong(long s) {
        long now = System.nanoTime();
        if (recordlessState != s) {
            recordlessSince = now;
            recordlessState = s;
            return false;
        }
        return now - recordlessSince >= RECORDLESS_NANOS;
    }

    private void throwIfClosedOrAbandoned(long s) {
        if (closed) {
            throw closedException();
        }
        if ((s & ABANDONED) != 0) {
            throw new AbandonedMutexException("shared keyed mutex '" + name
                    + "' is abandoned: its holder ended (or closed its handle) without releasing it");
        }
    }

    // ================================================================ private data

    private void copyOut(long k, ByteBuffer out) {
        if (out == null) {
            return;
        }
        int length = (int) INTS.get(b, DATA_LENGTH_OFF);
        if (length < 0 || length > capacity) {
            release0(k, null); // hand the mutex back unchanged, then report
            throw new UncheckedIOException(new IOException("corrupt shared keyed mutex '" + name
                    + "': private-data length " + length + " outside 0.." + capacity));
        }
        int position = out.position();
        out.put(position, b, DATA_OFF, length);
        out.position(position + length);
    }

    // ================================================================ release

    @Override
    protected void release0(long nextKey, ByteBuffer in) {
        if (in != null) {
            int length = in.remaining();
            b.put(DATA_OFF, in, in.position(), length);
            INTS.set(b, DATA_LENGTH_OFF, length);
        }
        LONGS.setRelease(b, OWNER_VERSION_OFF, 0L);
        LONGS.setRelease(b, KEY_OFF, nextKey); // after the record's clear, for the spinners' look
        // From the state this thread locked; the CAS fails if the mutex was marked abandoned since
        // or if this thread took it through another handle (then held is stale).
        long s = held;
        while (!LONGS.compareAndSet(b, STATE_OFF, s, s & ~LOCKED)) {
            recordedBy = null; // not this handle's lock: its record may be another thread's
            s = state();
            if ((s & ABANDONED) != 0) {
                return; // marked abandoned meanwhile (only a misbehaving process could): final
            }
        }
        FREE_GUESS.setRelease(this, s & ~LOCKED);
        wakeBucketOf(nextKey);
    }

    /** Wakes one sleeper of key k's bucket and class, if the bucket has any. */
    private void wakeBucketOf(long k) {
        int bucket = ShmLayout.bucket(k);
        if ((int) INTS.getVolatile(b, ShmLayout.waitersOffset(bucket)) != 0) {
            INTS.getAndAdd(b, ShmLayout.seqOffset(bucket), 1);
            LinuxNative.futexWake(address + ShmLayout.seqOffset(bucket), 1, ShmLayout.bit(k));
            spinner.wokeSomeone();
        }
    }

    /** Wakes every sleeper of every bucket (abandonment, close): they re-check and leave. */
    private void wakeAll() {
        for (int bucket = 0; bucket < ShmLayout.BUCKETS; bucket++) {
            INTS.getAndAdd(b, ShmLayout.seqOffset(bucket), 1);
            LinuxNative.futexWake(address + ShmLayout.seqOffset(bucket), Integer.MAX_VALUE, -1);
        }
    }

    // ================================================================ closing

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            // SPEC 2.7: closing a handle that holds the mutex (through any of its threads)
            // abandons it for the other handles; nobody could release it any more.
            long s = heldThroughThisHandle();
            if (s != 0L) {
                LONGS.compareAndSet(b, STATE_OFF, s, s | ABANDONED); // fails only if released meanwhile
            }
            wakeAll();
            LinuxNative.replaceWithAnonymous(address, regionSize);
        }
    }

    /**
     * Called by close() after setting {@code closed}. An acquire that races it either sees
     * {@code closed} after its locking CAS and gives the mutex back, or its CAS is visible here
     * (Dekker on STATE and {@code closed}); such a racing acquire is given a bounded time to
     * finish its owner record (or give the mutex back) before the decision.
     *
     * @return the locked STATE if a thread holds the mutex through this handle, else 0
     */
    private long heldThroughThisHandle() {
        long s = state();
        if ((s & (LOCKED | ABANDONED)) != LOCKED || ShmLayout.slotOf(s) != slot) {
            return 0L; // free, abandoned already, or held by another process
        }
        long deadline = System.nanoTime() + CLOSE_RECORD_WAIT_NANOS;
        while ((long) LONGS.getAcquire(b, OWNER_VERSION_OFF) != s) {
            if (state() != s || System.nanoTime() - deadline >= 0) {
                return 0L; // given back or released; or, never completed: RECORDLESS_NANOS applies
            }
            Thread.yield();
        }
        // The record of s is complete, and was written after HOLDER and held (release/acquire).
        // held == s: this handle's own CAS locked s, and HOLDER is that holder (a HOLDER left
        // behind by a thread that released, through any handle, goes with an earlier held).
        Thread h = (Thread) HOLDER.getAcquire(this);
        long javaTid = (long) LONGS.get(b, OWNER_JTID_OFF);
        return h != null && held == s && h.getId() == javaTid && (int) INTS.get(b, OWNER_PID_OFF) == Procs.PID
                && state() == s ? s : 0L;
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
        // The quick answer, without the owner record: STATE is the one this handle's last locking
        // CAS wrote, and that lock was the current thread's. held (acquire) was written after
        // that holder's HOLDER; a later HOLDER comes from a later lock through this handle, which
        // the current thread, being here, did not make; and versions never repeat, so a STATE
        // equal to held is that very lock, not yet released nor abandoned.
        long h = (long) HELD.getAcquire(this);
        long s = state();
        if (s == h && HOLDER.get(this) == Thread.currentThread()) {
            return true;
        }
        return heldByCurrentThread(s); // through another handle, or not held
    }

    private boolean heldByCurrentThread(long s) {
        return (s & LOCKED) != 0 && (long) LONGS.getAcquire(b, OWNER_VERSION_OFF) == s
                && (int) INTS.get(b, OWNER_PID_OFF) == Procs.PID
                && (long) LONGS.get(b, OWNER_JTID_OFF) == Thread.currentThread().getId()
                && (long) LONGS.get(b, OWNER_PID_START_OFF) == Procs.PID_START;
    }

    @Override
    public long key() {
        ensureOpen();
        return keyWord();
    }

    @Override
    public boolean isLocked() {
        ensureOpen();
        return (state() & LOCKED) != 0;
    }

    @Override
    public boolean isAbandoned() {
        ensureOpen();
        long s = state();
        return (s & ABANDONED) != 0 || ((s & LOCKED) != 0 && ownerIsDead(s));
    }

    @Override
    protected Thread owner() {
        long s = state();
        if ((s & LOCKED) == 0 || (long) LONGS.getAcquire(b, OWNER_VERSION_OFF) != s
                || (int) INTS.get(b, OWNER_PID_OFF) != Procs.PID) {
            return null; // unlocked, in transition, or held by another process (see inspect)
        }
        return Procs.localThread((long) LONGS.get(b, OWNER_JTID_OFF));
    }

    @Override
    protected int queueLength() {
        return waiting.size();
    }

    @Override
    protected boolean hasQueuedThread(Thread thread) {
        return waiting.contains(thread);
    }

    String name() {
        return name;
    }

    @Override
    protected IllegalStateException closedException() {
        return new IllegalStateException("this handle on shared keyed mutex '" + name + "' is closed");
    }

    @Override
    public String toString() {
        if (closed) {
            return "ShmKeyedMutex['" + name + "', closed]";
        }
        long s = state();
        String what = (s & ABANDONED) != 0 ? "abandoned" : (s & LOCKED) != 0 ? "locked" : "unlocked";
        return "ShmKeyedMutex['" + name + "', key=" + keyWord() + ", " + what + "]";
    }
}
