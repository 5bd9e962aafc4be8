package dev.keyedmutex.contract;

import dev.keyedmutex.AbandonedMutexException;
import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexLock;
import dev.keyedmutex.testkit.TestThread;
import dev.keyedmutex.testkit.Waits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link KeyedMutex} contract (SPEC section 2), written once. A provider's test extends this
 * class and supplies {@link #create(long, int)}; every rule has at least one test here that fails
 * if the rule is broken. Test names start with the SPEC rule they check.
 */
@Timeout(value = 60, unit = SECONDS)
public abstract class KeyedMutexContract {

    /** Creates a fresh, unlocked mutex. */
    protected abstract KeyedMutex create(long initialKey, int privateDataCapacity);

    /** Whether {@link #create} makes fair mutexes (FIFO per key). */
    protected boolean fair() {
        return false;
    }

    /**
     * Whether an interrupt wakes a waiting thread at once. False for providers whose waits run in
     * the kernel in bounded slices (they see it at the end of the slice): the race between an
     * interrupt and a hand-off is then still checked for correctness, but the interrupt is not
     * required to win it sometimes.
     */
    protected boolean promptInterrupts() {
        return true;
    }

    /**
     * How many times the provider has woken a sleeping waiter (a white-box counter: the rule
     * that a release wakes no waiter of another key cannot be seen from outside, since a woken
     * waiter of the wrong key just goes back to sleep). {@code null}: the provider cannot count
     * (the wake-ups happen in a kernel), and {@link #rule2_aReleaseWakesNoWaiterOfAnotherKey} is
     * skipped for it.
     */
    protected java.util.function.ToLongFunction<KeyedMutex> wakeUps() {
        return null;
    }

    /** The provider's documented bound for waiters to see abandonment. */
    protected Duration abandonmentBound() {
        return Duration.ofMillis(100);
    }

    private final List<KeyedMutex> made = Collections.synchronizedList(new ArrayList<>());

    protected final KeyedMutex mutex(long initialKey) {
        return mutex(initialKey, 0);
    }

    protected final KeyedMutex mutex(long initialKey, int capacity) {
        KeyedMutex m = create(initialKey, capacity);
        made.add(m);
        return m;
    }

    @AfterEach
    void closeAll() {
        synchronized (made) {
            for (KeyedMutex m : made) {
                m.close();
            }
            made.clear();
        }
    }

    /** Waits (bounded) until {@code n} threads are queued on the mutex and parked. */
    protected static void awaitQueued(KeyedMutex m, int n) {
        KeyedMutexLock view = m.asLock(0, 0);
        Waits.until(() -> view.getQueueLength() >= n, () -> "expected " + n + " queued threads, have "
                + view.getQueueLength());
    }

    /** Waits (bounded) until {@code n} threads wait on {@code c}. */
    protected static void awaitConditionWaiters(KeyedMutexLock lock, java.util.concurrent.locks.Condition c, int n) {
        Waits.until(() -> {
            long k = lock.mutex().key(); // enter with whatever key it has, leave it unchanged
            if (!lock.tryLock(k)) {
                return false;
            }
            try {
                return lock.getWaitQueueLength(c) >= n;
            } finally {
                lock.unlock(k);
            }
        }, () -> "expected " + n + " threads waiting on the condition");
    }

    // ================================================================ 1. mutual exclusion

    @Test
    void rule1_mutualExclusionUnderContention() throws Exception {
        KeyedMutex m = mutex(0);
        int threads = 4;
        int iterations = 20_000;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        long[] counter = {0}; // plain, guarded by the mutex
        CyclicBarrier start = new CyclicBarrier(threads);
        List<TestThread<Void>> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(TestThread.run("mx-" + t, () -> {
                start.await(10, SECONDS);
                for (int i = 0; i < iterations; i++) {
                    m.acquire(0);
                    try {
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        counter[0]++;
                        inside.decrementAndGet();
                    } finally {
                        m.release(0);
                    }
                }
            }));
        }
        ts.forEach(TestThread::join);
        assertEquals(0, overlaps.get(), "two holders at once");
        assertEquals((long) threads * iterations, counter[0], "lost updates");
        assertFalse(m.isLocked());
    }

    @Test
    void rule1_ringOfStagesTakesTurns() {
        KeyedMutex m = mutex(0);
        int stages = 4;
        int rounds = 2_000;
        int[] turn = {0}; // plain, guarded by the mutex
        AtomicInteger wrongTurns = new AtomicInteger();
        List<TestThread<Void>> ts = new ArrayList<>();
        for (int s = 0; s < stages; s++) {
            final int stage = s;
            ts.add(TestThread.run("ring-" + s, () -> {
                for (int r = 0; r < rounds; r++) {
                    m.acquire(stage);
                    if (turn[0] != stage) {
                        wrongTurns.incrementAndGet();
                    }
                    turn[0] = (stage + 1) % stages;
                    m.release((stage + 1) % stages);
                }
            }));
        }
        ts.forEach(TestThread::join);
        assertEquals(0, wrongTurns.get());
        assertEquals(0, m.key());
    }

    // ================================================================ 2. key gating

    @Test
    void rule2_createdUnlockedWithItsInitialKey() {
        KeyedMutex m = mutex(42);
        assertFalse(m.isLocked());
        assertEquals(42, m.key());
        assertFalse(m.isAbandoned());
        assertFalse(m.isHeldByCurrentThread());
        assertFalse(m.tryAcquire(41), "wrong key admitted");
        assertFalse(m.isLocked());
        assertTrue(m.tryAcquire(42));
        assertTrue(m.isLocked());
        assertTrue(m.isHeldByCurrentThread());
        assertEquals(42, m.key());
        m.release(43);
        assertFalse(m.isLocked());
        assertEquals(43, m.key());
        assertFalse(m.tryAcquire(42), "old key admitted after release with a new one");
    }

    @Test
    void rule2_everyLongIsAKey() {
        KeyedMutex m = mutex(Long.MIN_VALUE);
        long[] keys = {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE, 0x8000_0000L, -0x8000_0000L, Long.MIN_VALUE};
        for (int i = 0; i < keys.length - 1; i++) {
            assertTrue(m.tryAcquire(keys[i]), "key " + keys[i]);
            m.release(keys[i + 1]);
            assertEquals(keys[i + 1], m.key());
        }
    }

    @Test
    void rule2_acquireWaitsForItsKeyEvenWhileUnlocked() throws Exception {
        KeyedMutex m = mutex(0);
        TestThread<Boolean> waiter = TestThread.start("waiter-1", () -> {
            m.acquire(1);
            boolean held = m.isHeldByCurrentThread();
            m.release(9);
            return held;
        });
        awaitQueued(m, 1);
        waiter.awaitBlocked();
        assertFalse(m.isLocked(), "the waiter must not hold a mutex whose key is 0");
        // A release with another key does not let it in.
        assertTrue(m.tryAcquire(0));
        m.release(2);
        waiter.assertStillBlocked();
        assertTrue(m.tryAcquire(2));
        m.release(1);
        assertTrue(waiter.join());
        assertEquals(9, m.key());
    }

    /** SPEC 2.2, no thundering herd: a release wakes one waiter of the new key, none of the others. */
    @Test
    void rule2_aReleaseWakesNoWaiterOfAnotherKey() throws Exception {
        java.util.function.ToLongFunction<KeyedMutex> counter = wakeUps();
        org.junit.jupiter.api.Assumptions.assumeTrue(counter != null, "the provider cannot count its wake-ups");
        KeyedMutex m = mutex(0);
        m.acquire(0);
        List<TestThread<Void>> others = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            others.add(TestThread.run("key5-" + i, () -> m.acquire(5)));
        }
        TestThread<Void> one = TestThread.run("key1", () -> {
            m.acquire(1);
            m.release(2);
        });
        awaitQueued(m, 7);
        others.forEach(TestThread::awaitBlocked);
        one.awaitBlocked();
        long before = counter.applyAsLong(m);
        m.release(1);
        one.join();
        long woken = counter.applyAsLong(m) - before;
        // At most one: a waiter between two of its sleeps may see the release itself, unwoken.
        assertTrue(woken <= 1, "a release to key 1 woke " + woken + " waiters; only the waiter of key 1 may be woken");
        others.forEach(TestThread::assertStillBlocked);
        m.close();
        others.forEach(t -> t.joinFailure(IllegalStateException.class));
    }

    @Test
    void rule2_releaseLetsInOnlyTheWaiterOfTheNewKey() throws Exception {
        KeyedMutex m = mutex(0);
        m.acquire(0);
        List<TestThread<Long>> waiters = new ArrayList<>();
        for (long k = 1; k <= 3; k++) {
            final long key = k;
            waiters.add(TestThread.start("waiter-" + k, () -> {
                m.acquire(key);
                m.release(100 + key);
                return key;
            }));
        }
        awaitQueued(m, 3);
        waiters.forEach(TestThread::awaitBlocked);
        m.release(2);
        assertEquals(2L, waiters.get(1).join());
        assertEquals(102, m.key());
        waiters.get(0).assertStillBlocked();
        waiters.get(2).assertStillBlocked();
        // Let the others through, in a chosen order.
        assertTrue(m.tryAcquire(102));
        m.release(3);
        assertEquals(3L, waiters.get(2).join());
        waiters.get(0).assertStillBlocked();
        assertTrue(m.tryAcquire(103));
        m.release(1);
        assertEquals(1L, waiters.get(0).join());
    }

    @Test
    void rule2_wrongKeyIsNeverAdmittedUnderChurn() throws Exception {
        KeyedMutex m = mutex(0);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong admitted = new AtomicLong();
        TestThread<Void> a = TestThread.run("ping", () -> {
            while (!stop.get()) {
                if (m.tryAcquire(0, 1, SECONDS)) {
                    m.release(1);
                }
            }
        });
        TestThread<Void> b = TestThread.run("pong", () -> {
            while (!stop.get()) {
                if (m.tryAcquire(1, 1, SECONDS)) {
                    m.release(0);
                }
            }
        });
        TestThread<Void> intruder = TestThread.run("intruder", () -> {
            for (int i = 0; i < 200_000; i++) {
                long k = 2 + (i & 7);
                if (m.tryAcquire(k)) {
                    admitted.incrementAndGet();
                    m.release(k);
                }
            }
            for (int i = 0; i < 50; i++) {
                if (m.tryAcquire(2, 50, TimeUnit.MICROSECONDS)) {
                    admitted.incrementAndGet();
                    m.release(2);
                }
            }
        });
        intruder.join();
        stop.set(true);
        a.join();
        b.join();
        assertEquals(0, admitted.get(), "an acquirer with a key the mutex never had was admitted");
    }

    /**
     * The key a holder acquired with stays the mutex's key for its whole hold, while intruders
     * hammer the very keys in use (a release that published the unlock before the new key would
     * let an intruder in with the old key).
     */
    @Test
    void rule2_theKeyStaysTheAcquiredKeyWhileHeld() throws Exception {
        KeyedMutex m = mutex(0);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger bad = new AtomicInteger();
        List<TestThread<Void>> sides = new ArrayList<>();
        for (int side = 0; side < 2; side++) {
            final long k = side;
            sides.add(TestThread.run("side-" + side, () -> {
                for (int r = 0; r < 3_000; r++) {
                    while (!m.tryAcquire(k, 100, MILLISECONDS)) {
                        Thread.onSpinWait();
                    }
                    checkKeyWhileHeld(m, k, bad);
                    m.release(1 - k);
                }
            }));
        }
        List<TestThread<Void>> intruders = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            intruders.add(TestThread.run("intruder-" + i, () -> {
                while (!stop.get()) {
                    long k = ThreadLocalRandom.current().nextInt(2);
                    if (m.tryAcquire(k)) {
                        checkKeyWhileHeld(m, k, bad);
                        m.release(k);
                    } else {
                        // let the sides run: a provider whose tryAcquire takes an internal lock
                        // (the reference monitor, the D3DKMT double) would otherwise starve them
                        Thread.yield();
                    }
                }
            }));
        }
        sides.forEach(TestThread::join);
        stop.set(true);
        intruders.forEach(TestThread::join);
        assertEquals(0, bad.get(), "a holder saw the key change under it");
    }

    private static void checkKeyWhileHeld(KeyedMutex m, long k, AtomicInteger bad) {
        if (m.key() != k) {
            bad.incrementAndGet();
        }
        spin(200);
        if (m.key() != k) {
            bad.incrementAndGet();
        }
    }

    // ================================================================ 3. happens-before

    /** Plain fields, written before release(k), read after acquire(k) in another thread. */
    static final class Payload {
        long along;
        double adouble;
        int[] array = new int[8];
        String text;
    }

    @Test
    void rule3_writesBeforeReleaseAreSeenAfterAcquire() {
        KeyedMutex m = mutex(0);
        Payload p = new Payload();
        int rounds = 20_000;
        AtomicInteger torn = new AtomicInteger();
        TestThread<Void> producer = TestThread.run("producer", () -> {
            for (int i = 1; i <= rounds; i++) {
                m.acquire(0);
                p.along = i * 0x1_0000_0001L;
                p.adouble = i + 0.5;
                Arrays.fill(p.array, i);
                p.text = "v" + i;
                m.release(1);
            }
        });
        TestThread<Void> consumer = TestThread.run("consumer", () -> {
            for (int i = 1; i <= rounds; i++) {
                m.acquire(1);
                if (p.along != i * 0x1_0000_0001L || p.adouble != i + 0.5 || !("v" + i).equals(p.text)) {
                    torn.incrementAndGet();
                }
                for (int v : p.array) {
                    if (v != i) {
                        torn.incrementAndGet();
                    }
                }
                m.release(0);
            }
        });
        producer.join();
        consumer.join();
        assertEquals(0, torn.get(), "the consumer saw data that was not the producer's last write");
    }

    // ================================================================ 4. timeouts

    @Test
    void rule4_timedAcquireTimesOutNotBeforeTheDeadline() throws Exception {
        KeyedMutex m = mutex(0);
        for (long millis : new long[] {1, 15, 40}) {
            long start = System.nanoTime();
            assertFalse(m.tryAcquire(1, millis, MILLISECONDS));
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= MILLISECONDS.toNanos(millis), "returned after " + elapsed + " ns, before the "
                    + millis + " ms timeout");
        }
        assertFalse(m.isLocked());
        assertEquals(0, m.key());
        assertTrue(m.tryAcquire(0), "a timed-out acquire must leave nothing behind");
        m.release(0);
    }

    @Test
    void rule4_timedAcquireTimesOutAgainstAHolder() throws Exception {
        KeyedMutex m = mutex(0);
        m.acquire(0);
        Boolean got = TestThread.start("timed", () -> m.tryAcquire(0, 20, MILLISECONDS)).join();
        assertFalse(got);
        assertTrue(m.isHeldByCurrentThread());
        m.release(0);
    }

    @Test
    void rule4_timedAcquireSucceedsWhenTheKeyComesInTime() throws Exception {
        KeyedMutex m = mutex(0);
        TestThread<Boolean> waiter = TestThread.start("timed", () -> {
            boolean got = m.tryAcquire(1, 20, SECONDS);
            if (got) {
                m.release(2);
            }
            return got;
        });
        awaitQueued(m, 1);
        m.acquire(0);
        m.release(1);
        assertTrue(waiter.join());
        assertEquals(2, m.key());
    }

    @Test
    void rule4_zeroOrNegativeTimeoutTriesOnce() throws Exception {
        KeyedMutex m = mutex(5);
        for (long t : new long[] {0, -1, Long.MIN_VALUE}) {
            assertFalse(m.tryAcquire(4, t, SECONDS), "wrong key, timeout " + t);
            assertTrue(m.tryAcquire(5, t, NANOSECONDS), "free with its key, timeout " + t);
            Boolean other = TestThread.start("other", () -> m.tryAcquire(5, t, SECONDS)).join();
            assertFalse(other, "held, timeout " + t);
            m.release(5);
        }
    }

    @Test
    void rule4_hugeTimeoutsDoNotOverflow() throws Exception {
        KeyedMutex m = mutex(0);
        assertTrue(m.tryAcquire(0, Long.MAX_VALUE, NANOSECONDS));
        m.release(1);
        TestThread<Boolean> waiter = TestThread.start("long", () -> {
            boolean got = m.tryAcquire(2, Long.MAX_VALUE, TimeUnit.DAYS);
            m.release(3);
            return got;
        });
        awaitQueued(m, 1);
        waiter.awaitBlocked();
        assertTrue(m.tryAcquire(1, Long.MAX_VALUE, MILLISECONDS));
        m.release(2);
        assertTrue(waiter.join());
        assertEquals(3, m.key());
    }

    /**
     * SPEC 2.4: a timeout racing a hand-off never leaves the mutex held by nobody, nor by a thread
     * that returned false. Each round, a holder releases to the waiter's key at a random moment
     * near the waiter's deadline; afterwards the mutex must be free with the right key.
     */
    @Test
    void rule4_timeoutRacingAHandOffNeverLosesTheMutex() throws Exception {
        KeyedMutex m = mutex(0);
        int rounds = 1_500;
        AtomicInteger won = new AtomicInteger();
        AtomicInteger badOwnership = new AtomicInteger();
        for (int r = 0; r < rounds; r++) {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            long timeoutNanos = rnd.nextLong(0, 300_000);
            long holdNanos = rnd.nextLong(0, 300_000);
            CountDownLatch held = new CountDownLatch(1);
            TestThread<Void> holder = TestThread.run("holder", () -> {
                m.acquire(0);
                held.countDown();
                spin(holdNanos);
                m.release(1);
            });
            held.await(10, SECONDS);
            TestThread<Boolean> waiter = TestThread.start("waiter", () -> {
                boolean got = m.tryAcquire(1, timeoutNanos, NANOSECONDS);
                if (got != m.isHeldByCurrentThread()) {
                    badOwnership.incrementAndGet();
                }
                if (got) {
                    m.release(0);
                }
                return got;
            });
            holder.join();
            boolean got = waiter.join();
            if (got) {
                won.incrementAndGet();
            }
            // Nobody holds it now: it must be free with the key its last holder left.
            assertTrue(m.tryAcquire(got ? 0 : 1), "round " + r + ": the mutex was lost (waiter got=" + got + ")");
            m.release(0);
        }
        assertEquals(0, badOwnership.get(), "tryAcquire's result disagreed with ownership");
        assertTrue(won.get() > 0, "the race was never exercised: the waiter never won");
    }

    /** The same race, with an interrupt instead of a timeout (SPEC 2.4 and 2.5). */
    @Test
    void rule5_interruptRacingAHandOffNeverLosesTheMutex() throws Exception {
        KeyedMutex m = mutex(0);
        int rounds = 1_000;
        int interrupted = 0;
        for (int r = 0; r < rounds; r++) {
            long delay = ThreadLocalRandom.current().nextLong(0, 100_000);
            m.acquire(0);
            AtomicBoolean flagAfterSuccess = new AtomicBoolean();
            TestThread<Boolean> waiter = TestThread.start("waiter", () -> {
                try {
                    m.acquire(1);
                } catch (InterruptedException e) {
                    if (m.isHeldByCurrentThread()) {
                        throw new AssertionError("threw InterruptedException while holding the mutex");
                    }
                    return false;
                }
                flagAfterSuccess.set(Thread.currentThread().isInterrupted());
                m.release(0);
                return true;
            });
            awaitQueued(m, 1);
            TestThread<Void> interrupter = TestThread.run("interrupter", () -> {
                spin(delay);
                waiter.interrupt();
            });
            spin(ThreadLocalRandom.current().nextLong(0, 100_000));
            m.release(1);
            interrupter.join();
            boolean got = waiter.join();
            if (!got) {
                interrupted++;
            }
            assertTrue(m.tryAcquire(got ? 0 : 1), "round " + r + ": the mutex was lost (waiter got=" + got + ")");
            m.release(0);
        }
        if (promptInterrupts()) {
            assertTrue(interrupted > 0, "the interrupt never won the race");
        }
    }

    // ================================================================ 5. interruption

    @Test
    void rule5_interruptedOnEntryThrowsEvenWhenFree() {
        KeyedMutex m = mutex(0);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> m.acquire(0));
        assertFalse(Thread.interrupted(), "InterruptedException must clear the interrupt status");
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> m.tryAcquire(0, 1, SECONDS));
        assertFalse(Thread.interrupted());
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> m.tryAcquire(0, 0, SECONDS));
        assertFalse(Thread.interrupted());
        assertFalse(m.isLocked(), "state changed by an interrupted acquire");
        assertEquals(0, m.key());
    }

    @Test
    void rule5_untimedTryAcquireIgnoresTheInterruptStatus() {
        KeyedMutex m = mutex(0);
        Thread.currentThread().interrupt();
        try {
            assertTrue(m.tryAcquire(0));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status must be kept");
        } finally {
            Thread.interrupted();
        }
        m.release(0);
    }

    @Test
    void rule5_interruptWhileWaitingThrowsAndChangesNothing() throws Exception {
        KeyedMutex m = mutex(0);
        m.acquire(0);
        for (boolean timed : new boolean[] {false, true}) {
            TestThread<Void> waiter = TestThread.run(timed ? "timed" : "untimed", () -> {
                if (timed) {
                    m.tryAcquire(0, 20, SECONDS);
                } else {
                    m.acquire(0);
                }
            });
            awaitQueued(m, 1);
            waiter.awaitBlocked();
            waiter.interrupt();
            waiter.joinFailure(InterruptedException.class);
            assertTrue(m.isHeldByCurrentThread());
            assertEquals(0, m.key());
            assertFalse(m.isAbandoned());
            Waits.until(() -> m.asLock(0, 0).getQueueLength() == 0, () -> "the interrupted waiter is still queued");
        }
        m.release(0);
        assertTrue(m.tryAcquire(0));
        m.release(0);
    }

    @Test
    void rule5_lockViewLockIgnoresInterrupts() throws Exception {
        KeyedMutex m = mutex(0);
        KeyedMutexLock lock = m.asLock(0, 0);
        m.acquire(0);
        TestThread<Boolean> waiter = TestThread.start("lock()", () -> {
            lock.lock();
            boolean flag = Thread.currentThread().isInterrupted();
            lock.unlock();
            return flag;
        });
        awaitQueued(m, 1);
        waiter.awaitBlocked();
        waiter.interrupt();
        // Still waiting after the interrupt: it was not thrown out, and it holds nothing.
        waiter.assertStillBlocked();
        assertTrue(m.isHeldByCurrentThread());
        m.release(0);
        assertTrue(waiter.join(), "lock() must keep the interrupt status");
    }

    // ================================================================ 6. ownership

    @Test
    void rule6_releaseByANonHolderThrowsAndChangesNothing() throws Exception {
        KeyedMutex m = mutex(0, 8);
        m.acquire(0);
        m.release(3, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        m.acquire(3);
        Throwable t1 = TestThread.run("stranger", () -> m.release(5)).joinFailure();
        Throwable t2 = TestThread.run("stranger", () -> m.release(5, ByteBuffer.wrap(new byte[] {9}))).joinFailure();
        assertTrue(t1 instanceof IllegalMonitorStateException, t1.toString());
        assertTrue(t2 instanceof IllegalMonitorStateException, t2.toString());
        assertTrue(m.isHeldByCurrentThread());
        assertEquals(3, m.key());
        m.release(4);
        ByteBuffer out = ByteBuffer.allocate(8);
        assertTrue(m.tryAcquire(4, 0, SECONDS, out));
        assertEquals(3, out.position(), "the stranger's data leaked in");
        m.release(0);
    }

    @Test
    void rule6_releaseWhileUnlockedThrows() {
        KeyedMutex m = mutex(7);
        assertThrows(IllegalMonitorStateException.class, () -> m.release(8));
        assertThrows(IllegalMonitorStateException.class, () -> m.release(8, ByteBuffer.allocate(0)));
        assertFalse(m.isLocked());
        assertEquals(7, m.key());
    }

    @Test
    void rule6_reacquireByTheHolderFailsFastInsteadOfDeadlocking() throws Exception {
        KeyedMutex m = mutex(0, 4);
        m.acquire(0);
        assertThrows(IllegalStateException.class, () -> m.acquire(0));
        assertThrows(IllegalStateException.class, () -> m.acquire(1));
        assertThrows(IllegalStateException.class, () -> m.tryAcquire(0));
        assertThrows(IllegalStateException.class, () -> m.tryAcquire(0, 1, TimeUnit.HOURS));
        assertThrows(IllegalStateException.class, () -> m.tryAcquire(0, 1, TimeUnit.HOURS, ByteBuffer.allocate(4)));
        assertTrue(m.isHeldByCurrentThread());
        m.release(0);
        assertFalse(m.isLocked());
    }

    @Test
    void rule6_lockViewIsReentrantAndTheKeyOnlyGatesEntry() {
        KeyedMutex m = mutex(3);
        KeyedMutexLock view = m.asLock(3, 4);
        view.lock();
        assertEquals(1, view.getHoldCount());
        view.lock(99); // held: the key is not checked
        assertTrue(view.tryLock(77));
        assertEquals(3, view.getHoldCount());
        view.unlock(50); // not the last hold: its key is ignored
        view.unlock();
        assertEquals(1, view.getHoldCount());
        assertEquals(3, m.key());
        assertTrue(m.isLocked());
        view.unlock(8); // the last hold releases with its key
        assertEquals(0, view.getHoldCount());
        assertFalse(m.isLocked());
        assertEquals(8, m.key());
        assertThrows(IllegalMonitorStateException.class, view::unlock);
        assertFalse(view.tryLock(), "plain tryLock waits for acquire key 3, the key is 8");
        assertTrue(view.tryLock(8));
        view.unlock();
        assertEquals(4, m.key(), "plain unlock releases with the view's release key");
    }

    @Test
    void rule6_viewsShareOwnershipAndHoldCount() throws Exception {
        KeyedMutex m = mutex(0);
        KeyedMutexLock v1 = m.asLock(0, 0);
        KeyedMutexLock v2 = m.asLock(5, 1);
        v1.lock();
        v2.lock();
        assertEquals(2, v1.getHoldCount());
        assertEquals(2, v2.getHoldCount());
        assertTrue(v2.isHeldByCurrentThread());
        assertFalse(TestThread.start("other", v2::tryLock).join());
        v1.unlock();
        assertEquals(1, v2.getHoldCount());
        v2.unlock();
        assertFalse(m.isLocked());
        assertEquals(1, m.key());
        // A hold taken through the core API counts as one.
        m.acquire(1);
        assertEquals(1, v1.getHoldCount());
        v1.lock();
        assertEquals(2, v1.getHoldCount());
        v1.unlock();
        v1.unlock(6);
        assertFalse(m.isLocked());
        assertEquals(6, m.key());
    }

    // ================================================================ 7. abandonment

    @Test
    void rule7_holderThreadEndingWithoutReleaseAbandonsTheMutexForWaiters() throws Exception {
        KeyedMutex m = mutex(0);
        CountDownLatch end = new CountDownLatch(1);
        TestThread<Void> holder = TestThread.run("holder", () -> {
            m.acquire(0);
            end.await(20, SECONDS);
            // ends without releasing
        });
        Waits.until(m::isLocked, () -> "the holder never acquired");
        TestThread<Long> sameKey = TestThread.start("waiter-0", () -> waitForAbandonment(() -> m.acquire(0)));
        TestThread<Long> otherKey = TestThread.start("waiter-7", () -> waitForAbandonment(() -> m.tryAcquire(7, 20, SECONDS)));
        awaitQueued(m, 2);
        sameKey.awaitBlocked();
        otherKey.awaitBlocked();
        end.countDown();
        holder.join();
        long ended = System.nanoTime();
        long boundNanos = abandonmentBound().toNanos();
        for (TestThread<Long> w : List.of(sameKey, otherKey)) {
            long seenAt = w.join();
            long latency = seenAt - ended;
            assertTrue(latency <= boundNanos, w.thread().getName() + " saw the abandonment after "
                    + latency / 1_000_000.0 + " ms, bound " + abandonmentBound().toMillis() + " ms");
        }
        assertTrue(m.isAbandoned());
        assertTrue(m.isLocked());
        assertThrows(AbandonedMutexException.class, () -> m.acquire(0));
        assertThrows(AbandonedMutexException.class, () -> m.tryAcquire(0));
        assertThrows(AbandonedMutexException.class, () -> m.tryAcquire(0, 1, SECONDS));
        assertThrows(AbandonedMutexException.class, () -> m.asLock(0, 0).lock());
        assertTrue(m.isAbandoned(), "abandonment is for good");
    }

    private static long waitForAbandonment(Executable acquire) {
        assertThrows(AbandonedMutexException.class, acquire);
        return System.nanoTime();
    }

    @Test
    void rule7_aLaterAcquirerDetectsAbandonmentWithoutWaiting() throws Exception {
        KeyedMutex m = mutex(0);
        TestThread.run("holder", () -> m.acquire(0)).join();
        assertThrows(AbandonedMutexException.class, () -> m.tryAcquire(0));
        assertTrue(m.isAbandoned());
        assertThrows(AbandonedMutexException.class, () -> m.tryAcquire(5, 20, SECONDS));
    }

    @Test
    void rule7_isAbandonedNoticesADeadHolder() throws Exception {
        KeyedMutex m = mutex(0);
        TestThread.run("holder", () -> m.acquire(0)).join();
        assertTrue(m.isAbandoned());
    }

    /** No false alarms: threads that release and then end never make the mutex abandoned. */
    @Test
    void rule7_releasingAndEndingIsNotAbandonment() throws Exception {
        KeyedMutex m = mutex(0);
        int generations = 300;
        TestThread<Integer> watcher = TestThread.start("watcher", () -> {
            int seen = 0;
            // Waits for every key in turn; each is released by a thread that ends right after.
            for (int g = 1; g <= generations; g++) {
                m.acquire(-g);
                seen++;
                m.release(g);
            }
            return seen;
        });
        for (int g = 0; g < generations; g++) {
            final long k = g;
            final long next = -(g + 1);
            TestThread.run("gen-" + g, () -> {
                m.acquire(k);
                m.release(next);
            }).join();
            // The new generation's key is released by the watcher.
        }
        assertEquals(generations, watcher.join());
        assertFalse(m.isAbandoned());
    }

    /** Nobody can signal a condition of an abandoned mutex: its waiters must not hang. */
    @Test
    void rule7_conditionWaitersSeeAbandonmentInsteadOfHanging() throws Exception {
        KeyedMutex m = mutex(0);
        KeyedMutexLock lock = m.asLock(0, 0);
        java.util.concurrent.locks.Condition c = lock.newCondition();
        TestThread<Long> waiter = TestThread.start("awaiting", () -> {
            lock.lock();
            try {
                return waitForAbandonment(c::await);
            } finally {
                assertFalse(m.isHeldByCurrentThread(), "await must not reacquire an abandoned mutex");
            }
        });
        awaitConditionWaiters(lock, c, 1);
        TestThread.run("dies holding", lock::lock).join();
        long ended = System.nanoTime();
        long latency = waiter.join() - ended;
        assertTrue(latency <= abandonmentBound().toNanos(), "the condition waiter saw the abandonment after "
                + latency / 1_000_000.0 + " ms");
    }

    /**
     * No false alarm when holders come and go fast: a chain of short-lived threads, each taking
     * the mutex, starting its successor, and releasing to it just before it ends, while checkers
     * keep asking {@code isAbandoned()}.
     */
    @Test
    void rule7_aChainOfShortLivedHoldersIsNeverTakenForAbandonment() throws Exception {
        KeyedMutex m = mutex(0);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger alarms = new AtomicInteger();
        List<TestThread<Void>> checkers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            checkers.add(TestThread.run("checker-" + i, () -> {
                while (!stop.get()) {
                    if (m.isAbandoned()) {
                        alarms.incrementAndGet();
                        return;
                    }
                }
            }));
        }
        int generations = 1_000;
        CountDownLatch end = new CountDownLatch(1);
        AtomicInteger failures = new AtomicInteger();
        class Generation implements Runnable {
            final long k;

            Generation(long k) {
                this.k = k;
            }

            @Override
            public void run() {
                try {
                    m.acquire(k);
                } catch (Throwable e) {
                    failures.incrementAndGet();
                    end.countDown();
                    return;
                }
                if (k < generations) {
                    Thread next = new Thread(new Generation(k + 1), "gen-" + (k + 1));
                    next.setDaemon(true);
                    next.start();
                    spin(5_000);
                    m.release(k + 1);
                } else {
                    m.release(0);
                    end.countDown();
                }
            }
        }
        Thread first = new Thread(new Generation(0), "gen-0");
        first.setDaemon(true);
        first.start();
        boolean finished = end.await(45, SECONDS);
        stop.set(true);
        checkers.forEach(TestThread::join);
        assertEquals(0, alarms.get(), "a holder that released before it ended was taken for abandonment");
        assertEquals(0, failures.get(), "a generation could not acquire (abandoned?)");
        assertTrue(finished, "the chain did not finish");
    }

    // ================================================================ 8. private data

    @Test
    void rule8_privateDataStartsEmptyAndTravelsWithTheKey() throws Exception {
        KeyedMutex m = mutex(0, 16);
        assertEquals(16, m.privateDataCapacity());
        ByteBuffer out = ByteBuffer.allocate(20);
        out.position(2);
        assertTrue(m.tryAcquire(0, 1, SECONDS, out));
        assertEquals(2, out.position(), "the data starts empty: nothing copied");
        ByteBuffer in = ByteBuffer.wrap(new byte[] {0, 0, 1, 2, 3, 4, 5, 0});
        in.position(2).limit(7);
        m.release(1, in);
        assertEquals(7, in.position(), "release advances the input to its limit");
        assertEquals(7, in.limit());
        ByteBuffer got = ByteBuffer.allocate(16);
        assertTrue(TestThread.start("consumer", () -> {
            boolean ok = m.tryAcquire(1, 10, SECONDS, got);
            m.release(2); // keeps the data
            return ok;
        }).join());
        assertEquals(5, got.position());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, Arrays.copyOf(got.array(), 5));
        ByteBuffer again = ByteBuffer.allocateDirect(16);
        assertTrue(m.tryAcquire(2, 0, SECONDS, again));
        again.flip();
        byte[] kept = new byte[again.remaining()];
        again.get(kept);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, kept, "release(nextKey) keeps the stored data");
        m.release(3, ByteBuffer.allocate(0));
        ByteBuffer empty = ByteBuffer.allocate(16);
        assertTrue(m.tryAcquire(3, 0, SECONDS, empty));
        assertEquals(0, empty.position(), "an empty buffer stores length 0");
        m.release(3);
    }

    @Test
    void rule8_tooSmallOrReadOnlyOutputIsRejectedBeforeWaiting() throws Exception {
        KeyedMutex m = mutex(0, 8);
        m.acquire(0);
        // Another thread holds nothing and would wait forever for key 0: the check must come first.
        Throwable small = TestThread.start("small", () -> m.tryAcquire(0, 1, TimeUnit.HOURS, ByteBuffer.allocate(7))).joinFailure();
        assertTrue(small instanceof IllegalArgumentException, small.toString());
        ByteBuffer positioned = ByteBuffer.allocate(10);
        positioned.position(3);
        Throwable tight = TestThread.start("tight", () -> m.tryAcquire(0, 1, TimeUnit.HOURS, positioned)).joinFailure();
        assertTrue(tight instanceof IllegalArgumentException, tight.toString());
        assertEquals(3, positioned.position());
        Throwable ro = TestThread.start("ro", () -> m.tryAcquire(0, 1, TimeUnit.HOURS,
                ByteBuffer.allocate(8).asReadOnlyBuffer())).joinFailure();
        assertTrue(ro instanceof IllegalArgumentException, ro.toString());
        assertTrue(m.isHeldByCurrentThread());
        m.release(0);
    }

    @Test
    void rule8_tooMuchDataIsRejectedAndTheHolderKeepsTheMutexAndTheOldData() throws Exception {
        KeyedMutex m = mutex(0, 4);
        m.acquire(0);
        m.release(0, ByteBuffer.wrap(new byte[] {7, 7}));
        m.acquire(0);
        ByteBuffer big = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5});
        assertThrows(IllegalArgumentException.class, () -> m.release(1, big));
        assertEquals(0, big.position(), "a rejected buffer is not consumed");
        assertTrue(m.isHeldByCurrentThread(), "the caller still holds the mutex");
        assertEquals(0, m.key());
        m.release(1);
        ByteBuffer out = ByteBuffer.allocate(4);
        assertTrue(m.tryAcquire(1, 0, SECONDS, out));
        assertEquals(2, out.position());
        assertEquals(7, out.get(0));
        m.release(1);
    }

    @Test
    void rule8_zeroCapacityTakesOnlyEmptyData() throws Exception {
        KeyedMutex m = mutex(0);
        assertEquals(0, m.privateDataCapacity());
        ByteBuffer none = ByteBuffer.allocate(0);
        assertTrue(m.tryAcquire(0, 0, SECONDS, none));
        assertThrows(IllegalArgumentException.class, () -> m.release(1, ByteBuffer.allocate(1)));
        m.release(1, ByteBuffer.allocate(0));
        assertEquals(1, m.key());
    }

    @Test
    void rule8_privateDataIsSeenWholeAcrossHandOffs() {
        KeyedMutex m = mutex(0, 64);
        int rounds = 5_000;
        AtomicInteger mixed = new AtomicInteger();
        List<TestThread<Void>> ts = new ArrayList<>();
        for (int side = 0; side < 2; side++) {
            final int me = side;
            ts.add(TestThread.run("side-" + side, () -> {
                ByteBuffer out = ByteBuffer.allocate(64);
                ByteBuffer in = ByteBuffer.allocate(64);
                for (int r = 0; r < rounds; r++) {
                    out.clear();
                    assertTrue(m.tryAcquire(me, 20, SECONDS, out));
                    out.flip();
                    int expectLen = (me == 0 && r == 0) ? 0 : 64;
                    if (out.remaining() != expectLen) {
                        mixed.incrementAndGet();
                    }
                    byte first = out.remaining() > 0 ? out.get(0) : 0;
                    for (int i = 0; i < out.remaining(); i++) {
                        if (out.get(i) != first) {
                            mixed.incrementAndGet();
                        }
                    }
                    byte mark = (byte) (r * 2 + me);
                    in.clear();
                    while (in.hasRemaining()) {
                        in.put(mark);
                    }
                    in.flip();
                    m.release(1 - me, in);
                }
            }));
        }
        ts.forEach(TestThread::join);
        assertEquals(0, mixed.get(), "private data was seen partially written or mixed");
    }

    /** Large private data, seen whole by busy-polling peers (a copy made after unlocking shows as a mix). */
    @Test
    void rule8_largePrivateDataIsSeenWhole() {
        int capacity = 1 << 16;
        KeyedMutex m = mutex(0, capacity);
        int rounds = 1_000;
        AtomicInteger mixed = new AtomicInteger();
        List<TestThread<Void>> ts = new ArrayList<>();
        for (int side = 0; side < 2; side++) {
            final int me = side;
            ts.add(TestThread.run("side-" + side, () -> {
                ByteBuffer out = ByteBuffer.allocate(capacity);
                ByteBuffer in = ByteBuffer.allocate(capacity);
                for (int r = 0; r < rounds; r++) {
                    out.clear();
                    while (!m.tryAcquire(me, 0, NANOSECONDS, out)) {
                        Thread.onSpinWait();
                    }
                    out.flip();
                    if (out.remaining() > 0) {
                        byte first = out.get(0);
                        if (out.get(out.remaining() - 1) != first || out.get(out.remaining() / 2) != first) {
                            mixed.incrementAndGet();
                        }
                    }
                    in.clear();
                    Arrays.fill(in.array(), (byte) (r * 2 + me));
                    m.release(1 - me, in);
                }
            }));
        }
        ts.forEach(TestThread::join);
        assertEquals(0, mixed.get(), "private data seen mixed");
    }

    // ================================================================ 9. fairness

    @Test
    void rule9_noWaiterStarvesWhileItsKeyKeepsBeingReleased() throws Exception {
        KeyedMutex m = mutex(0);
        AtomicBoolean stop = new AtomicBoolean();
        List<TestThread<Void>> hogs = new ArrayList<>();
        for (int h = 0; h < 2; h++) {
            hogs.add(TestThread.run("hog-" + h, () -> {
                while (!stop.get()) {
                    if (m.tryAcquire(0, 1, SECONDS)) {
                        m.release(0);
                    }
                }
            }));
        }
        try {
            // The hogs are hammering; a newcomer must still get in, in bounded time.
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                Boolean got = TestThread.start("victim", () -> {
                    boolean ok = m.tryAcquire(0, 10, SECONDS);
                    if (ok) {
                        m.release(0);
                    }
                    return ok;
                }).join();
                assertTrue(got, "starved for " + (System.nanoTime() - start) / 1_000_000 + " ms");
            }
        } finally {
            stop.set(true);
            hogs.forEach(TestThread::join);
        }
    }

    @Test
    void rule9_fairPolicyServesWaitersOfAKeyInArrivalOrder() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(fair(), "FIFO order is promised by the fair policy only");
        KeyedMutex m = mutex(0);
        m.acquire(0);
        int n = 6;
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<TestThread<Void>> ws = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final int id = i;
            ws.add(TestThread.run("fifo-" + i, () -> {
                m.acquire(1);
                order.add(id);
                m.release(1);
            }));
            awaitQueued(m, i + 1);
            ws.get(i).awaitBlocked();
        }
        m.release(1);
        ws.forEach(TestThread::join);
        assertEquals(List.of(0, 1, 2, 3, 4, 5), order);
    }

    // ================================================================ 10. bad input, closed handles

    @Test
    void rule10_nullArgumentsThrowNullPointerAndChangeNothing() throws Exception {
        KeyedMutex m = mutex(0, 4);
        assertThrows(NullPointerException.class, () -> m.tryAcquire(0, 1, null));
        assertThrows(NullPointerException.class, () -> m.tryAcquire(0, 1, null, ByteBuffer.allocate(4)));
        assertThrows(NullPointerException.class, () -> m.tryAcquire(0, 1, SECONDS, null));
        assertFalse(m.isLocked());
        m.acquire(0);
        assertThrows(NullPointerException.class, () -> m.release(1, null));
        assertTrue(m.isHeldByCurrentThread());
        assertEquals(0, m.key());
        m.release(0);
    }

    @Test
    void rule10_aClosedHandleRefusesEverythingButClose() throws Exception {
        KeyedMutex m = mutex(0, 4);
        m.acquire(0);
        m.close();
        m.close(); // idempotent
        List<Executable> calls = List.of(
                () -> m.acquire(0),
                () -> m.tryAcquire(0),
                () -> m.tryAcquire(0, 1, SECONDS),
                () -> m.tryAcquire(0, 1, SECONDS, ByteBuffer.allocate(4)),
                () -> m.release(0),
                () -> m.release(0, ByteBuffer.allocate(1)),
                m::privateDataCapacity,
                m::key,
                m::isLocked,
                m::isAbandoned,
                m::isHeldByCurrentThread,
                () -> m.asLock(0, 0));
        for (Executable call : calls) {
            assertThrows(IllegalStateException.class, call);
        }
    }

    @Test
    void rule10_closingWakesBlockedThreadsWithIllegalState() throws Exception {
        KeyedMutex m = mutex(0);
        m.acquire(0);
        TestThread<Void> a = TestThread.run("untimed", () -> m.acquire(0));
        TestThread<Void> b = TestThread.run("timed", () -> m.tryAcquire(5, 20, SECONDS));
        TestThread<Void> c = TestThread.run("lock()", () -> m.asLock(0, 0).lock());
        awaitQueued(m, 3);
        a.awaitBlocked();
        b.awaitBlocked();
        c.awaitBlocked();
        m.close();
        a.joinFailure(IllegalStateException.class);
        b.joinFailure(IllegalStateException.class);
        c.joinFailure(IllegalStateException.class);
    }

    @Test
    void rule10_closingWakesConditionWaitersWithIllegalState() throws Exception {
        KeyedMutex m = mutex(0);
        KeyedMutexLock lock = m.asLock(0, 0);
        java.util.concurrent.locks.Condition c = lock.newCondition();
        List<TestThread<Void>> waiters = new ArrayList<>();
        for (int form = 0; form < 3; form++) {
            final int f = form;
            waiters.add(TestThread.run("await-" + form, () -> {
                lock.lock();
                if (f == 0) {
                    c.await();
                } else if (f == 1) {
                    c.awaitUninterruptibly();
                } else {
                    c.await(1, TimeUnit.HOURS);
                }
            }));
        }
        awaitConditionWaiters(lock, c, 3);
        m.close();
        for (TestThread<Void> w : waiters) {
            w.joinFailure(IllegalStateException.class);
        }
    }

    /** A condition's await releases with the key the hold was taken with, not the view's release key. */
    @Test
    void rule12_awaitReleasesAndReacquiresWithTheEntryKey() throws Exception {
        KeyedMutex m = mutex(5);
        KeyedMutexLock view = m.asLock(0, 9); // plain lock() would wait for 0, plain unlock() would release with 9
        java.util.concurrent.locks.Condition c = view.newCondition();
        TestThread<Boolean> waiter = TestThread.start("waiter", () -> {
            view.lock(5);
            try {
                return c.await(20, SECONDS);
            } finally {
                view.unlock(5);
            }
        });
        awaitConditionWaiters(view, c, 1);
        // While it waits, the mutex is free with key 5 (not 9): another thread can enter with 5.
        assertTrue(view.tryLock(5), "await did not release with the entry key; key is " + m.key());
        c.signal();
        view.unlock(5);
        assertTrue(waiter.join(), "the waiter must be signalled and reacquire with key 5 (not 0)");
        assertEquals(5, m.key());
    }

    @Test
    void rule10_toStringWorksInEveryState() throws Exception {
        KeyedMutex m = mutex(0);
        KeyedMutexLock view = m.asLock(0, 0);
        assertTrue(view.toString().contains("Unlocked"), view.toString());
        view.lock();
        assertTrue(view.toString().contains("Locked by thread " + Thread.currentThread().getName()), view.toString());
        view.unlock();
        m.close();
        assertTrue(view.toString().contains("Closed"), view.toString());
        assertTrue(m.toString().length() > 0);
    }

    // ================================================================ helpers

    static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }
}
