package dev.keyedmutex.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A research benchmark, not a figure of the suite: where the uncontended {@code local} pair's
 * time over {@code ReentrantLock} goes. Each method is a one-thread lock+unlock built up one step
 * at a time towards the shape of {@code LocalKeyedMutex}'s fast path (same fields, same kinds of
 * access), so that the step that costs shows as a jump between neighbours. Run it together with
 * {@link UncontendedBench} so that the real mutex and the anchors are in the same run:
 * <pre>
 *   java -jar target/benchmarks.jar 'dev\.keyedmutex\.bench\.(FastPathAnatomy|Uncontended)Bench\.'
 * </pre>
 * None of these is a correct keyed mutex (no waiting, no close); the results are in
 * {@code docs/benchmarks.md}, section 1.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class FastPathAnatomyBench {

    private static final long LOCKED = 1L;
    private static final long VERSION_UNIT = 8L;
    private static final VarHandle STATE;
    private static final VarHandle KEY;
    private static final VarHandle OWNER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(FastPathAnatomyBench.class, "state", long.class);
            KEY = l.findVarHandle(FastPathAnatomyBench.class, "key", long.class);
            OWNER = l.findVarHandle(FastPathAnatomyBench.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    volatile long state;
    long key;
    Thread owner;
    volatile int queued;
    int counter;
    /** 7-9: the free state the last release left, as the releaser saw it (a guess for a CAS). */
    long freeGuess;
    /** 8-9: the locked state the holder installed (its expected value for unlocking). */
    long heldState;

    /** 1. One CAS, one release store: the CAS spin lock anchor. */
    @Benchmark
    public void s1CasReleaseStore() {
        if (!STATE.compareAndSet(this, 0L, LOCKED)) {
            throw new IllegalStateException();
        }
        counter++;
        STATE.setRelease(this, 0L);
    }

    /** 2. One CAS, one volatile store (a store and a fence): the shape of {@code ReentrantLock}. */
    @Benchmark
    public void s2CasVolatileStore() {
        if (!STATE.compareAndSet(this, 0L, LOCKED)) {
            throw new IllegalStateException();
        }
        counter++;
        state = 0L;
    }

    /** 3. One CAS, one {@code getAndAdd}: the two atomics the {@code local} pair had until step 10 replaced them. */
    @Benchmark
    public void s3CasGetAndAdd() {
        if (!STATE.compareAndSet(this, 0L, LOCKED)) {
            throw new IllegalStateException();
        }
        counter++;
        STATE.getAndAdd(this, -LOCKED);
    }

    /** 4. As 3, with the read of the state before the CAS and the version count in it. */
    @Benchmark
    public void s4ReadCasGetAndAdd() {
        long s = state;
        if ((s & LOCKED) != 0 || !STATE.compareAndSet(this, s, (s + VERSION_UNIT) | LOCKED)) {
            throw new IllegalStateException();
        }
        counter++;
        STATE.getAndAdd(this, -LOCKED);
    }

    /** 5. As 4, with the key check and the owner and key stores of the real fast path. */
    @Benchmark
    public void s5WithKeyAndOwner() {
        long s = state;
        if ((s & LOCKED) != 0 || (long) KEY.getOpaque(this) != 0L
                || !STATE.compareAndSet(this, s, (s + VERSION_UNIT) | LOCKED)) {
            throw new IllegalStateException();
        }
        OWNER.setRelease(this, Thread.currentThread());
        counter++;
        if (OWNER.getAcquire(this) != Thread.currentThread()) {
            throw new IllegalMonitorStateException();
        }
        OWNER.setRelease(this, null);
        KEY.setOpaque(this, 0L);
        if (queued == 0) {
            STATE.getAndAdd(this, -LOCKED);
        }
        if (queued != 0) {
            throw new IllegalStateException();
        }
    }

    /** 6. As 5, but unlocking with a volatile store instead of {@code getAndAdd}. */
    @Benchmark
    public void s6WithKeyAndOwnerVolatileUnlock() {
        long s = state;
        if ((s & LOCKED) != 0 || (long) KEY.getOpaque(this) != 0L
                || !STATE.compareAndSet(this, s, (s + VERSION_UNIT) | LOCKED)) {
            throw new IllegalStateException();
        }
        OWNER.setRelease(this, Thread.currentThread());
        counter++;
        if (OWNER.getAcquire(this) != Thread.currentThread()) {
            throw new IllegalMonitorStateException();
        }
        OWNER.setRelease(this, null);
        KEY.setOpaque(this, 0L);
        if (queued == 0) {
            state = s + VERSION_UNIT;
        }
        if (queued != 0) {
            throw new IllegalStateException();
        }
    }

    /** 7. As 4, but the CAS expects the free state the last release left (no load of the state first). */
    @Benchmark
    public void s7GuessedCasGetAndAdd() {
        long e = freeGuess;
        if (!STATE.compareAndSet(this, e, (e + VERSION_UNIT) | LOCKED)) {
            long s = state;
            if ((s & LOCKED) != 0 || !STATE.compareAndSet(this, s, (s + VERSION_UNIT) | LOCKED)) {
                throw new IllegalStateException();
            }
        }
        counter++;
        freeGuess = (long) STATE.getAndAdd(this, -LOCKED) - LOCKED;
    }

    /** 8. As 4, but unlocking with a CAS from the locked state the holder installed. */
    @Benchmark
    public void s8ReadCasCasUnlock() {
        long s = state;
        long locked = (s + VERSION_UNIT) | LOCKED;
        if ((s & LOCKED) != 0 || !STATE.compareAndSet(this, s, locked)) {
            throw new IllegalStateException();
        }
        heldState = locked;
        counter++;
        long h = heldState;
        if (!STATE.compareAndSet(this, h, h - LOCKED)) {
            STATE.getAndAdd(this, -LOCKED);
        }
    }

    /** 9. Both: the acquire CAS expects the guessed free state, the unlock CAS the installed one. */
    @Benchmark
    public void s9GuessedCasCasUnlock() {
        long e = freeGuess;
        long locked = (e + VERSION_UNIT) | LOCKED;
        if (!STATE.compareAndSet(this, e, locked)) {
            long s = state;
            locked = (s + VERSION_UNIT) | LOCKED;
            if ((s & LOCKED) != 0 || !STATE.compareAndSet(this, s, locked)) {
                throw new IllegalStateException();
            }
        }
        counter++;
        if (STATE.compareAndSet(this, locked, locked - LOCKED)) {
            freeGuess = locked - LOCKED;
        } else {
            freeGuess = (long) STATE.getAndAdd(this, -LOCKED) - LOCKED;
        }
    }

    /**
     * 10. As 7, but unlocking with a volatile store of the state the holder installed: what a
     * volatile-store unlock would buy once the guess has removed the load before the CAS
     * (compare with 7; 5 against 6 mixes it with that load). The shape of {@code local} since
     * 2026-12-01 (its release reads the state word first, where this step keeps it in a local).
     */
    @Benchmark
    public void s10GuessedCasVolatileStore() {
        long e = freeGuess;
        long locked = (e + VERSION_UNIT) | LOCKED;
        if (!STATE.compareAndSet(this, e, locked)) {
            long s = state;
            locked = (s + VERSION_UNIT) | LOCKED;
            if ((s & LOCKED) != 0 || !STATE.compareAndSet(this, s, locked)) {
                throw new IllegalStateException();
            }
        }
        counter++;
        long free = locked - LOCKED;
        state = free;
        freeGuess = free;
    }
}
