package dev.keyedmutex.lock;

import dev.keyedmutex.KeyedMutexLock;
import dev.keyedmutex.lock.LockUnderTest.Kind;
import dev.keyedmutex.testkit.TestThread;
import dev.keyedmutex.testkit.Waits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Our {@link Lock} / {@link Condition} conformance suite, covering what
 * the JSR-166 TCK's {@code ReentrantLockTest} covers (written anew, for the
 * {@link LockUnderTest} surface). Every test runs against {@code ReentrantLock} (non-fair and
 * fair) and against {@code KeyedMutexLock} (non-fair, fair, and a view of a keyed mutex with key
 * 7): a test that fails on our side only is a difference from the lock we claim to replace.
 *
 * <p>No test sleeps to synchronize. Threads signal with latches; the main thread waits, bounded,
 * for states it can observe (queued on the lock, on the condition, blocked). Expected timeouts are
 * short ({@value #SHORT_MS} ms); waits that an event must end use {@value #LONG_MS} ms. The main
 * test thread never calls an uninterruptible blocking method on a lock another thread may hold: it
 * uses {@link #acquire(LockUnderTest)} (a timed tryLock), so every test stays bounded.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LockConformanceTest {

    /** Timeout of waits that are expected to time out. */
    static final long SHORT_MS = 25;
    /** Timeout of waits that another thread is expected to end. */
    static final long LONG_MS = 20_000;

    // ================================================================ parameters

    static Stream<Kind> kinds() {
        return Stream.of(Kind.values());
    }

    static Stream<Kind> fairKinds() {
        return kinds().filter(k -> k.fair);
    }

    static Stream<Kind> serializableKinds() {
        return kinds().filter(k -> k.serializable);
    }

    static Stream<Arguments> kindsAndForms() {
        return kinds().flatMap(k -> Stream.of(AwaitForm.values()).map(f -> Arguments.of(k, f)));
    }

    static Stream<Arguments> kindsAndInterruptibleForms() {
        return kinds().flatMap(k -> Stream.of(AwaitForm.values()).filter(f -> f.interruptible)
                .map(f -> Arguments.of(k, f)));
    }

    /** The timed forms whose boolean result says exactly whether a signal or the timeout ended the wait. */
    static Stream<Arguments> kindsAndBooleanTimedForms() {
        return kinds().flatMap(k -> Stream.of(AwaitForm.AWAIT_TIMED, AwaitForm.AWAIT_UNTIL).map(f -> Arguments.of(k, f)));
    }

    /** The five ways to wait on a {@link Condition}. */
    enum AwaitForm {
        AWAIT("await()", true),
        AWAIT_TIMED("await(time, unit)", true),
        AWAIT_NANOS("awaitNanos(nanos)", true),
        AWAIT_UNTIL("awaitUntil(date)", true),
        AWAIT_UNINTERRUPTIBLY("awaitUninterruptibly()", false);

        final String label;
        final boolean interruptible;

        AwaitForm(String label, boolean interruptible) {
            this.label = label;
            this.interruptible = interruptible;
        }

        /**
         * Waits until signalled ({@link #LONG_MS} for the timed forms) and returns what the form
         * reports: {@code true} if it did not time out.
         */
        boolean awaitSignal(Condition c) throws InterruptedException {
            switch (this) {
                case AWAIT:
                    c.await();
                    return true;
                case AWAIT_TIMED:
                    return c.await(LONG_MS, MILLISECONDS);
                case AWAIT_NANOS: {
                    long timeout = MILLISECONDS.toNanos(LONG_MS);
                    long left = c.awaitNanos(timeout);
                    assertTrue(left <= timeout, () -> "awaitNanos(" + timeout + ") returned more than it was given: " + left);
                    return left > 0;
                }
                case AWAIT_UNTIL:
                    return c.awaitUntil(new Date(System.currentTimeMillis() + LONG_MS));
                default:
                    c.awaitUninterruptibly();
                    return true;
            }
        }

        /** Waits at most {@code ms} (timed forms only); returns the form's result. */
        boolean awaitAtMost(Condition c, long ms) throws InterruptedException {
            switch (this) {
                case AWAIT_TIMED:
                    return c.await(ms, MILLISECONDS);
                case AWAIT_NANOS:
                    return c.awaitNanos(MILLISECONDS.toNanos(ms)) > 0;
                case AWAIT_UNTIL:
                    return c.awaitUntil(new Date(System.currentTimeMillis() + ms));
                default:
                    throw new IllegalArgumentException(label + " is not timed");
            }
        }

        /** The timed forms wait 1 ms, the others until signalled (for callers expecting an immediate throw). */
        void awaitBriefly(Condition c) throws InterruptedException {
            if (this == AWAIT || this == AWAIT_UNINTERRUPTIBLY) {
                awaitSignal(c);
            } else {
                awaitAtMost(c, 1);
            }
        }

        @Override
        public String toString() {
            return label;
        }
    }

    // ================================================================ bookkeeping: no thread, no hold left behind

    private final List<TestThread<?>> threads = Collections.synchronizedList(new ArrayList<>());
    private final List<LockUnderTest> locks = Collections.synchronizedList(new ArrayList<>());

    private LockUnderTest newLock(Kind kind) {
        LockUnderTest l = kind.create();
        locks.add(l);
        return l;
    }

    private <T> TestThread<T> start(String name, TestThread.Body<T> body) {
        TestThread<T> t = TestThread.start(name, body);
        threads.add(t);
        return t;
    }

    private TestThread<Void> run(String name, TestThread.VoidBody body) {
        TestThread<Void> t = TestThread.run(name, body);
        threads.add(t);
        return t;
    }

    /** Runs {@code body} in a fresh daemon thread and waits (bounded) for it to finish normally. */
    private void inThread(String name, TestThread.VoidBody body) {
        run(name, body).join();
    }

    @AfterEach
    void releaseHoldsAndJoinThreads() throws InterruptedException {
        List<LockUnderTest> ls;
        synchronized (locks) {
            ls = new ArrayList<>(locks);
        }
        for (LockUnderTest l : ls) {
            try {
                while (l.isHeldByCurrentThread()) {
                    l.unlock();
                }
            } catch (RuntimeException ignored) {
                // cleanup only
            }
        }
        List<TestThread<?>> ts;
        synchronized (threads) {
            ts = new ArrayList<>(threads);
        }
        for (TestThread<?> t : ts) {
            if (!t.isDone()) {
                t.interrupt();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> alive = new ArrayList<>();
        for (TestThread<?> t : ts) {
            t.thread().join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.thread().isAlive()) {
                alive.add(t.thread().getName() + " (" + t.thread().getState() + ")");
            }
        }
        assertTrue(alive.isEmpty(), () -> "threads left running: " + alive);
    }

    // ================================================================ helpers

    /** Locks from the main test thread, bounded (and interruptible by the test timeout). */
    private static void acquire(LockUnderTest l) {
        try {
            assertTrue(l.tryLock(LONG_MS, MILLISECONDS), () -> "could not lock " + l + " within " + LONG_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while locking " + l, e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(LONG_MS, MILLISECONDS), "latch not reached within " + LONG_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void awaitQueued(LockUnderTest l, TestThread<?> t) {
        Waits.until(() -> l.hasQueuedThread(t.thread()) || t.isDone(),
                () -> t.thread().getName() + " never queued on " + l + "; it is " + t.thread().getState());
        assertFalse(t.isDone(), () -> t.thread().getName() + " finished instead of queueing on " + l);
        assertNotSame(t.thread(), l.getOwner());
    }

    private static void assertLockedBy(LockUnderTest l, Thread t) {
        boolean me = t == Thread.currentThread();
        assertTrue(l.isLocked(), () -> l + " should be locked");
        assertSame(t, l.getOwner(), () -> "owner of " + l);
        assertEquals(me, l.isHeldByCurrentThread(), () -> "isHeldByCurrentThread of " + l);
        assertEquals(me, l.getHoldCount() > 0, () -> "getHoldCount of " + l);
    }

    private static void assertLockedByMe(LockUnderTest l) {
        assertLockedBy(l, Thread.currentThread());
    }

    private static void assertNotLocked(LockUnderTest l) {
        assertFalse(l.isLocked(), () -> l + " should be unlocked");
        assertFalse(l.isHeldByCurrentThread());
        assertNull(l.getOwner(), () -> "owner of " + l);
        assertEquals(0, l.getHoldCount());
    }

    /** Asserts (holding the lock) that exactly {@code n} threads wait on {@code c}. */
    private static void assertWaiters(LockUnderTest l, Condition c, int n) {
        acquire(l);
        try {
            assertEquals(n > 0, l.hasWaiters(c), () -> "hasWaiters on " + l);
            assertEquals(n, l.getWaitQueueLength(c), () -> "getWaitQueueLength on " + l);
        } finally {
            l.unlock();
        }
    }

    /**
     * Starts a thread that locks, waits on {@code c} with {@code form}, unlocks and returns the
     * form's result; returns once the thread is on the condition queue (it released the lock in
     * await, so the main thread could take it).
     */
    private TestThread<Boolean> startWaiter(String name, LockUnderTest l, Condition c, AwaitForm form) {
        CountDownLatch in = new CountDownLatch(1);
        TestThread<Boolean> t = start(name, () -> {
            l.lock();
            try {
                in.countDown();
                boolean signalled = form.awaitSignal(c);
                assertLockedByMe(l);
                assertEquals(1, l.getHoldCount());
                return signalled;
            } finally {
                l.unlock();
            }
        });
        await(in);
        acquire(l); // possible only once t released the lock inside await
        l.unlock();
        return t;
    }

    private static boolean isBlocked(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }

    /** Waits until {@code t} has consumed an interrupt and parked again. */
    private static void awaitInterruptConsumedAndBlocked(TestThread<?> t) {
        Waits.until(() -> t.isDone() || (!t.thread().isInterrupted() && isBlocked(t.thread())),
                () -> t.thread().getName() + " did not go back to waiting after the interrupt; it is "
                        + t.thread().getState() + ", interrupted=" + t.thread().isInterrupted());
        t.assertStillBlocked();
    }

    private static void spinFor(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    private static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static Object deserialize(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }

    // ================================================================ construction, lock, unlock

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void constructorSetsFairnessAndStartsUnlocked(Kind kind) {
        LockUnderTest l = newLock(kind);
        assertEquals(kind.fair, l.isFair());
        assertNotLocked(l);
        assertFalse(l.hasQueuedThreads());
        assertEquals(0, l.getQueueLength());
        assertFalse(l.hasQueuedThread(Thread.currentThread()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void lockThenUnlock(Kind kind) {
        LockUnderTest l = newLock(kind);
        inThread("locker", () -> {
            l.lock();
            assertLockedByMe(l);
            assertEquals(1, l.getHoldCount());
            l.unlock();
            assertNotLocked(l);
        });
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void unlockOfAnUnlockedLockThrowsIllegalMonitorState(Kind kind) {
        LockUnderTest l = newLock(kind);
        assertThrows(IllegalMonitorStateException.class, l::unlock);
        assertNotLocked(l);
        acquire(l);
        assertLockedByMe(l);
        l.unlock();
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void unlockByANonOwnerThrowsAndChangesNothing(Kind kind) {
        LockUnderTest l = newLock(kind);
        acquire(l);
        acquire(l);
        TestThread<Void> intruder = run("intruder", l::unlock);
        intruder.joinFailure(IllegalMonitorStateException.class);
        assertLockedByMe(l);
        assertEquals(2, l.getHoldCount());
        assertFalse(l.hasQueuedThreads());
        inThread("intruder-2", () -> {
            assertFalse(l.tryLock());
            assertThrows(IllegalMonitorStateException.class, l::unlock);
            assertEquals(0, l.getHoldCount());
            assertFalse(l.isHeldByCurrentThread());
        });
        assertEquals(2, l.getHoldCount());
        l.unlock();
        assertLockedByMe(l);
        l.unlock();
        assertNotLocked(l);
        inThread("after", () -> {
            assertTrue(l.tryLock());
            assertLockedByMe(l);
            l.unlock();
        });
    }

    // ================================================================ tryLock

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void tryLockOnAFreeLockSucceedsAndIsReentrant(Kind kind) {
        LockUnderTest l = newLock(kind);
        inThread("trier", () -> {
            assertTrue(l.tryLock());
            assertLockedByMe(l);
            assertEquals(1, l.getHoldCount());
            assertTrue(l.tryLock());
            assertEquals(2, l.getHoldCount());
            assertTrue(l.tryLock(0, MILLISECONDS));
            assertEquals(3, l.getHoldCount());
            assertTrue(l.tryLock(-1, MILLISECONDS));
            assertEquals(4, l.getHoldCount());
            assertTrue(l.tryLock(LONG_MS, MILLISECONDS));
            assertEquals(5, l.getHoldCount());
            for (int i = 4; i >= 0; i--) {
                l.unlock();
                assertEquals(i, l.getHoldCount());
            }
            assertNotLocked(l);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void tryLockWhenHeldByAnotherThreadFails(Kind kind) {
        LockUnderTest l = newLock(kind);
        acquire(l);
        inThread("trier", () -> {
            assertFalse(l.tryLock());
            assertFalse(l.tryLock(0, MILLISECONDS));
            assertFalse(l.tryLock(-1, MILLISECONDS));
            assertFalse(l.tryLock(Long.MIN_VALUE, NANOSECONDS));
            assertFalse(l.isHeldByCurrentThread());
            assertEquals(0, l.getHoldCount());
        });
        assertLockedByMe(l);
        assertEquals(1, l.getHoldCount());
        assertFalse(l.hasQueuedThreads());
        assertEquals(0, l.getQueueLength());
        l.unlock();
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void timedTryLockTimesOut(Kind kind) {
        LockUnderTest l = newLock(kind);
        acquire(l);
        TestThread<Long> t = start("timed-trier", () -> {
            long t0 = System.nanoTime();
            boolean got = l.tryLock(SHORT_MS, MILLISECONDS);
            long elapsed = System.nanoTime() - t0;
            assertFalse(got, "tryLock(timeout) on a lock held elsewhere returned true");
            assertFalse(l.isHeldByCurrentThread());
            return elapsed;
        });
        long elapsed = t.join();
        assertTrue(elapsed >= MILLISECONDS.toNanos(SHORT_MS),
                () -> "tryLock(" + SHORT_MS + " ms) gave up after " + elapsed + " ns");
        // A waiter that timed out has left the queue by the time tryLock returns.
        assertFalse(l.hasQueuedThread(t.thread()));
        assertFalse(l.hasQueuedThreads());
        assertEquals(0, l.getQueueLength());
        assertLockedByMe(l);
        l.unlock();
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void timedTryLockSucceedsWhenReleasedInTime(Kind kind) {
        LockUnderTest l = newLock(kind);
        long[] amounts = {LONG_MS, Long.MAX_VALUE};
        TimeUnit[] units = {MILLISECONDS, NANOSECONDS};
        for (int i = 0; i < amounts.length; i++) {
            long amount = amounts[i];
            TimeUnit unit = units[i];
            acquire(l);
            TestThread<Long> t = start("timed-locker-" + i, () -> {
                long t0 = System.nanoTime();
                assertTrue(l.tryLock(amount, unit), "tryLock(" + amount + ", " + unit + ") did not get the released lock");
                long elapsed = System.nanoTime() - t0;
                assertLockedByMe(l);
                assertEquals(1, l.getHoldCount());
                l.unlock();
                return elapsed;
            });
            awaitQueued(l, t);
            assertEquals(1, l.getQueueLength());
            l.unlock();
            long elapsed = t.join();
            assertTrue(elapsed < MILLISECONDS.toNanos(LONG_MS), () -> "waited " + elapsed + " ns");
            assertNotLocked(l);
            assertFalse(l.hasQueuedThreads());
        }
        inThread("free", () -> {
            for (long nanos : new long[] {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE}) {
                assertTrue(l.tryLock(nanos, NANOSECONDS), "tryLock(" + nanos + " ns) on a free lock");
                assertEquals(1, l.getHoldCount());
                l.unlock();
            }
        });
        assertNotLocked(l);
    }

    // ================================================================ queue inspection

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void queueInspectionFollowsThreadsComingAndGoing(Kind kind) {
        LockUnderTest l = newLock(kind);
        assertFalse(l.hasQueuedThreads());
        assertEquals(0, l.getQueueLength());
        acquire(l);
        assertFalse(l.hasQueuedThreads());
        assertEquals(0, l.getQueueLength());

        TestThread<Void> t1 = run("interruptible-1", () -> {
            assertThrows(InterruptedException.class, l::lockInterruptibly);
            assertFalse(l.isHeldByCurrentThread());
        });
        awaitQueued(l, t1);
        assertTrue(l.hasQueuedThreads());
        assertEquals(1, l.getQueueLength());
        assertTrue(l.hasQueuedThread(t1.thread()));

        TestThread<Void> t2 = run("interruptible-2", () -> {
            l.lockInterruptibly();
            l.unlock();
        });
        awaitQueued(l, t2);
        assertEquals(2, l.getQueueLength());
        assertTrue(l.hasQueuedThread(t1.thread()));
        assertTrue(l.hasQueuedThread(t2.thread()));

        TestThread<Void> t3 = run("timed-3", () -> {
            assertTrue(l.tryLock(LONG_MS, MILLISECONDS));
            l.unlock();
        });
        awaitQueued(l, t3);
        TestThread<Void> t4 = run("plain-4", () -> {
            l.lock();
            l.unlock();
        });
        awaitQueued(l, t4);
        assertEquals(4, l.getQueueLength());
        assertFalse(l.hasQueuedThread(Thread.currentThread()));

        t1.interrupt();
        t1.join();
        assertFalse(l.hasQueuedThread(t1.thread()));
        assertTrue(l.hasQueuedThread(t2.thread()));
        assertTrue(l.hasQueuedThread(t3.thread()));
        assertTrue(l.hasQueuedThread(t4.thread()));
        assertTrue(l.hasQueuedThreads());
        assertEquals(3, l.getQueueLength());
        assertLockedByMe(l);

        l.unlock();
        t2.join();
        t3.join();
        t4.join();
        assertFalse(l.hasQueuedThreads());
        assertEquals(0, l.getQueueLength());
        for (TestThread<?> t : List.of(t1, t2, t3, t4)) {
            assertFalse(l.hasQueuedThread(t.thread()));
        }
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void hasQueuedThreadOfNullThrowsNullPointerException(Kind kind) {
        LockUnderTest l = newLock(kind);
        assertThrows(NullPointerException.class, () -> l.hasQueuedThread(null));
        acquire(l);
        assertThrows(NullPointerException.class, () -> l.hasQueuedThread(null));
        l.unlock();
        assertNotLocked(l);
    }

    // ================================================================ hold count, isLocked

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void holdCountFollowsNestedLocking(Kind kind) {
        LockUnderTest l = newLock(kind);
        final int depth = 12;
        inThread("nester", () -> {
            assertEquals(0, l.getHoldCount());
            for (int i = 1; i <= depth; i++) {
                switch (i % 4) {
                    case 0:
                        l.lock();
                        break;
                    case 1:
                        l.lockInterruptibly();
                        break;
                    case 2:
                        assertTrue(l.tryLock());
                        break;
                    default:
                        assertTrue(l.tryLock(LONG_MS, MILLISECONDS));
                        break;
                }
                assertEquals(i, l.getHoldCount());
                assertLockedByMe(l);
            }
            TestThread<Integer> other = start("other", l::getHoldCount);
            assertEquals(0, other.join(), "another thread's hold count");
            for (int i = depth - 1; i >= 0; i--) {
                l.unlock();
                assertEquals(i, l.getHoldCount());
                assertEquals(i > 0, l.isLocked());
            }
            assertNotLocked(l);
            assertThrows(IllegalMonitorStateException.class, l::unlock);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void isLockedSeesAnotherThreadsHold(Kind kind) {
        LockUnderTest l = newLock(kind);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestThread<Void> t = run("holder", () -> {
            l.lock();
            try {
                assertTrue(l.isLocked());
                held.countDown();
                assertTrue(release.await(LONG_MS, MILLISECONDS));
            } finally {
                l.unlock();
            }
        });
        await(held);
        assertLockedBy(l, t.thread());
        assertEquals(0, l.getHoldCount());
        assertFalse(l.tryLock());
        release.countDown();
        t.join();
        assertNotLocked(l);
    }

    // ================================================================ interruption while locking

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void lockInterruptiblyThrowsWhenInterruptedOnEntryEvenIfFreeOrHeld(Kind kind) {
        LockUnderTest l = newLock(kind);
        inThread("interrupted", () -> {
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, l::lockInterruptibly);
            assertFalse(Thread.currentThread().isInterrupted(), "the interrupt status must be cleared by the throw");
            assertNotLocked(l);

            l.lock();
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, l::lockInterruptibly);
            assertFalse(Thread.interrupted());
            assertEquals(1, l.getHoldCount(), "a failed lockInterruptibly must not add a hold");

            l.lockInterruptibly();
            assertEquals(2, l.getHoldCount());
            l.unlock();
            l.unlock();
            assertNotLocked(l);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void lockInterruptiblyIsInterruptedWhileWaiting(Kind kind) {
        LockUnderTest l = newLock(kind);
        acquire(l);
        TestThread<Void> t = run("interruptible", () -> {
            try {
                l.lockInterruptibly();
            } catch (InterruptedException e) {
                assertFalse(l.isHeldByCurrentThread());
                assertEquals(0, l.getHoldCount());
                assertFalse(Thread.currentThread().isInterrupted(), "the interrupt status must be cleared by the throw");
                throw e;
            }
            fail("lockInterruptibly returned although the lock stayed held elsewhere");
        });
        awaitQueued(l, t);
        t.interrupt();
        t.joinFailure(InterruptedException.class);
        assertLockedByMe(l);
        assertEquals(1, l.getHoldCount());
        assertFalse(l.hasQueuedThread(t.thread()));
        assertEquals(0, l.getQueueLength());
        l.unlock();
        assertNotLocked(l);
        inThread("later", () -> {
            l.lockInterruptibly();
            assertLockedByMe(l);
            l.unlock();
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void lockIgnoresInterruptsAndKeepsTheStatus(Kind kind) {
        LockUnderTest l = newLock(kind);
        acquire(l);
        TestThread<Boolean> t = start("uninterruptible", () -> {
            l.lock();
            try {
                assertLockedByMe(l);
                assertEquals(1, l.getHoldCount());
                return Thread.interrupted();
            } finally {
                l.unlock();
            }
        });
        awaitQueued(l, t);
        t.interrupt();
        awaitInterruptConsumedAndBlocked(t);
        assertTrue(l.hasQueuedThread(t.thread()), "lock() must still be waiting after an interrupt");
        assertLockedByMe(l);
        l.unlock();
        assertTrue(t.join(), "lock() must return with the interrupt status set");
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void lockAndTryLockSucceedWithTheInterruptStatusSet(Kind kind) {
        LockUnderTest l = newLock(kind);
        inThread("interrupted", () -> {
            Thread.currentThread().interrupt();
            l.lock();
            assertTrue(Thread.currentThread().isInterrupted(), "lock() must keep the interrupt status");
            assertLockedByMe(l);
            assertTrue(l.tryLock());
            assertTrue(Thread.currentThread().isInterrupted(), "tryLock() must keep the interrupt status");
            assertEquals(2, l.getHoldCount());
            l.unlock();
            l.unlock();
            assertTrue(l.tryLock());
            assertTrue(Thread.interrupted());
            l.unlock();
            assertNotLocked(l);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void timedTryLockThrowsWhenInterruptedOnEntryEvenIfFreeOrHeld(Kind kind) {
        LockUnderTest l = newLock(kind);
        inThread("interrupted", () -> {
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> l.tryLock(LONG_MS, MILLISECONDS));
            assertFalse(Thread.currentThread().isInterrupted());
            assertNotLocked(l);
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> l.tryLock(0, MILLISECONDS));
            assertNotLocked(l);

            l.lock();
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> l.tryLock(0, MILLISECONDS));
            assertFalse(Thread.interrupted());
            assertEquals(1, l.getHoldCount());
            l.unlock();
            assertNotLocked(l);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void timedTryLockIsInterruptedBeforeItsTimeout(Kind kind) {
        LockUnderTest l = newLock(kind);
        acquire(l);
        TestThread<Long> t = start("timed", () -> {
            long t0 = System.nanoTime();
            try {
                l.tryLock(LONG_MS, MILLISECONDS);
            } catch (InterruptedException e) {
                assertFalse(l.isHeldByCurrentThread());
                assertFalse(Thread.currentThread().isInterrupted());
                return System.nanoTime() - t0;
            }
            throw new AssertionError("tryLock(timeout) was not interrupted");
        });
        awaitQueued(l, t);
        t.interrupt();
        long elapsed = t.join();
        assertTrue(elapsed < MILLISECONDS.toNanos(LONG_MS), "the interrupt, not the timeout, must end the wait");
        assertLockedByMe(l);
        assertFalse(l.hasQueuedThreads());
        assertEquals(0, l.getQueueLength());
        l.unlock();
        assertNotLocked(l);
    }

    /**
     * Interrupt, timeout and release racing at random moments: whatever wins, the outcome is
     * consistent (a {@code true} holds the lock, {@code false} and InterruptedException do not),
     * and the lock is never lost (free and with nobody queued afterwards).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void interruptTimeoutAndReleaseRacingNeverLoseTheLock(Kind kind) {
        LockUnderTest l = newLock(kind);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < 40; i++) {
            boolean timed = (i & 1) == 0;
            acquire(l);
            CountDownLatch started = new CountDownLatch(1);
            TestThread<String> t = start("racer-" + i, () -> {
                started.countDown();
                try {
                    boolean got;
                    if (timed) {
                        got = l.tryLock(2, MILLISECONDS);
                    } else {
                        l.lockInterruptibly();
                        got = true;
                    }
                    if (got) {
                        assertLockedByMe(l);
                        assertEquals(1, l.getHoldCount());
                        l.unlock();
                        return "acquired";
                    }
                    assertFalse(l.isHeldByCurrentThread());
                    return "timed out";
                } catch (InterruptedException e) {
                    assertFalse(l.isHeldByCurrentThread());
                    assertEquals(0, l.getHoldCount());
                    return "interrupted";
                }
            });
            await(started);
            spinFor(rnd.nextLong(3_000_000L));
            switch (rnd.nextInt(3)) {
                case 0:
                    l.unlock();
                    t.interrupt();
                    break;
                case 1:
                    t.interrupt();
                    l.unlock();
                    break;
                default:
                    l.unlock();
                    break;
            }
            String outcome = t.join();
            outcomes.merge((timed ? "tryLock(2ms) " : "lockInterruptibly ") + outcome, 1, Integer::sum);
            String what = "after " + outcome + " in round " + i;
            assertFalse(l.hasQueuedThreads(), what);
            assertEquals(0, l.getQueueLength(), what);
            assertTrue(l.tryLock(), () -> "the lock was lost " + what + ": " + l);
            l.unlock();
            assertNotLocked(l);
        }
        assertFalse(outcomes.isEmpty(), outcomes::toString);
    }

    // ================================================================ conditions: misuse

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void conditionMethodsWithoutTheLockThrowIllegalMonitorState(Kind kind) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        for (AwaitForm form : AwaitForm.values()) {
            long t0 = System.nanoTime();
            assertThrows(IllegalMonitorStateException.class, () -> form.awaitSignal(c), form.label);
            assertTrue(System.nanoTime() - t0 < MILLISECONDS.toNanos(LONG_MS), form.label + " waited before throwing");
        }
        assertThrows(IllegalMonitorStateException.class, c::signal);
        assertThrows(IllegalMonitorStateException.class, c::signalAll);
        assertNotLocked(l);

        // Held by another thread is not held by us.
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestThread<Void> holder = run("holder", () -> {
            l.lock();
            try {
                held.countDown();
                assertTrue(release.await(LONG_MS, MILLISECONDS));
            } finally {
                l.unlock();
            }
        });
        await(held);
        assertThrows(IllegalMonitorStateException.class, c::signal);
        assertThrows(IllegalMonitorStateException.class, c::signalAll);
        assertThrows(IllegalMonitorStateException.class, c::await);
        assertThrows(IllegalMonitorStateException.class, c::awaitUninterruptibly);
        release.countDown();
        holder.join();

        // The condition is still fine: signalling with no waiters is a no-op.
        acquire(l);
        c.signal();
        c.signalAll();
        assertFalse(l.hasWaiters(c));
        assertEquals(1, l.getHoldCount());
        l.unlock();
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void nullTimeUnitsAndDatesAreRejected(Kind kind) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        inThread("nulls", () -> {
            assertThrows(NullPointerException.class, () -> l.tryLock(1, null));
            assertNotLocked(l);
            l.lock();
            assertThrows(NullPointerException.class, () -> l.tryLock(1, null));
            assertThrows(NullPointerException.class, () -> c.await(1, null));
            assertThrows(NullPointerException.class, () -> c.awaitUntil(null));
            assertLockedByMe(l);
            assertEquals(1, l.getHoldCount());
            assertFalse(l.hasWaiters(c));
            l.unlock();
            assertNotLocked(l);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void hasWaitersAndWaitQueueLengthRejectNull(Kind kind) {
        LockUnderTest l = newLock(kind);
        assertThrows(NullPointerException.class, () -> l.hasWaiters(null));
        assertThrows(NullPointerException.class, () -> l.getWaitQueueLength(null));
        acquire(l);
        assertThrows(NullPointerException.class, () -> l.hasWaiters(null));
        assertThrows(NullPointerException.class, () -> l.getWaitQueueLength(null));
        l.unlock();
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void hasWaitersAndWaitQueueLengthRejectAnotherLocksCondition(Kind kind) {
        LockUnderTest l = newLock(kind);
        Condition own = l.newCondition();
        List<Condition> foreign = List.of(
                newLock(kind).newCondition(),                                       // same kind, other lock
                newLock(Kind.REENTRANT_LOCK).newCondition(),                        // a ReentrantLock's
                newLock(Kind.KEYED_MUTEX_LOCK).newCondition(),                      // a KeyedMutexLock's
                newLock(Kind.KEYED_MUTEX_VIEW).newCondition(),                      // a view's
                new ForeignCondition());                                            // nobody's
        for (int held = 0; held < 2; held++) {
            if (held == 1) {
                acquire(l);
            }
            for (Condition f : foreign) {
                assertThrows(IllegalArgumentException.class, () -> l.hasWaiters(f), () -> "hasWaiters(" + f + ")");
                assertThrows(IllegalArgumentException.class, () -> l.getWaitQueueLength(f), () -> "getWaitQueueLength(" + f + ")");
            }
        }
        assertFalse(l.hasWaiters(own));
        assertEquals(0, l.getWaitQueueLength(own));
        assertEquals(1, l.getHoldCount());
        l.unlock();
        assertNotLocked(l);
    }

    /** A condition of no lock at all. */
    private static final class ForeignCondition implements Condition {
        @Override
        public void await() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void awaitUninterruptibly() {
            throw new UnsupportedOperationException();
        }

        @Override
        public long awaitNanos(long nanosTimeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean await(long time, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean awaitUntil(Date deadline) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void signal() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void signalAll() {
            throw new UnsupportedOperationException();
        }

        @Override
        public String toString() {
            return "ForeignCondition";
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void hasWaitersAndWaitQueueLengthRequireTheLock(Kind kind) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        assertThrows(IllegalMonitorStateException.class, () -> l.hasWaiters(c));
        assertThrows(IllegalMonitorStateException.class, () -> l.getWaitQueueLength(c));
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestThread<Void> holder = run("holder", () -> {
            l.lock();
            try {
                held.countDown();
                assertTrue(release.await(LONG_MS, MILLISECONDS));
            } finally {
                l.unlock();
            }
        });
        await(held);
        assertThrows(IllegalMonitorStateException.class, () -> l.hasWaiters(c));
        assertThrows(IllegalMonitorStateException.class, () -> l.getWaitQueueLength(c));
        release.countDown();
        holder.join();
        assertWaiters(l, c, 0);
        assertNotLocked(l);
    }

    // ================================================================ conditions: timeouts

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void awaitNanosTimesOut(Kind kind) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        inThread("awaitNanos", () -> {
            l.lock();
            l.lock();
            try {
                long timeout = MILLISECONDS.toNanos(SHORT_MS);
                long t0 = System.nanoTime();
                long left = c.awaitNanos(timeout);
                long elapsed = System.nanoTime() - t0;
                assertTrue(left <= 0, () -> "awaitNanos timed out but returned " + left);
                assertTrue(elapsed >= timeout, () -> "awaitNanos(" + timeout + ") returned after " + elapsed + " ns");
                assertLockedByMe(l);
                assertEquals(2, l.getHoldCount());
                assertFalse(l.hasWaiters(c));
                assertEquals(0, l.getWaitQueueLength(c));
            } finally {
                l.unlock();
                l.unlock();
            }
        });
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void timedAwaitTimesOut(Kind kind) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        inThread("await-timed", () -> {
            l.lock();
            l.lock();
            try {
                long t0 = System.nanoTime();
                assertFalse(c.await(SHORT_MS, MILLISECONDS), "await(timeout) without a signal returned true");
                long elapsed = System.nanoTime() - t0;
                assertTrue(elapsed >= MILLISECONDS.toNanos(SHORT_MS), () -> "await returned after " + elapsed + " ns");
                assertLockedByMe(l);
                assertEquals(2, l.getHoldCount());
                assertFalse(l.hasWaiters(c));
            } finally {
                l.unlock();
                l.unlock();
            }
        });
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void awaitUntilTimesOut(Kind kind) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        inThread("awaitUntil", () -> {
            l.lock();
            l.lock();
            try {
                Date deadline = new Date(System.currentTimeMillis() + SHORT_MS);
                assertFalse(c.awaitUntil(deadline), "awaitUntil without a signal returned true");
                long now = System.currentTimeMillis();
                assertTrue(now >= deadline.getTime(), () -> "awaitUntil returned " + (deadline.getTime() - now) + " ms early");
                assertLockedByMe(l);
                assertEquals(2, l.getHoldCount());
                assertFalse(l.hasWaiters(c));
            } finally {
                l.unlock();
                l.unlock();
            }
        });
        assertNotLocked(l);
    }

    /**
     * Zero, negative and past timeouts, down to {@code Long.MIN_VALUE}: the wait gives up at once
     * (still releasing and reacquiring, restoring the hold count) and reports a timeout. Each call
     * runs in its own thread with a one-second budget, so that every call that hangs is reported.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void awaitWithZeroNegativeOrPastTimeoutReturnsAtOnce(Kind kind) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        Map<String, TestThread.Body<Boolean>> calls = new LinkedHashMap<>();
        for (long nanos : new long[] {0L, -1L, -MILLISECONDS.toNanos(LONG_MS), Long.MIN_VALUE}) {
            calls.put("awaitNanos(" + nanos + ")", () -> {
                long left = c.awaitNanos(nanos);
                assertTrue(left <= 0, () -> "awaitNanos(" + nanos + ") returned " + left);
                return false;
            });
            calls.put("await(" + nanos + ", NANOSECONDS)", () -> c.await(nanos, NANOSECONDS));
        }
        calls.put("await(0, DAYS)", () -> c.await(0, TimeUnit.DAYS));
        calls.put("await(-1, SECONDS)", () -> c.await(-1, TimeUnit.SECONDS));
        calls.put("awaitUntil(new Date(0))", () -> c.awaitUntil(new Date(0)));
        calls.put("awaitUntil(new Date(Long.MIN_VALUE))", () -> c.awaitUntil(new Date(Long.MIN_VALUE)));
        calls.put("awaitUntil(now - 1 ms)", () -> c.awaitUntil(new Date(System.currentTimeMillis() - 1)));
        calls.put("awaitUntil(now)", () -> c.awaitUntil(new Date(System.currentTimeMillis())));

        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, TestThread.Body<Boolean>> call : calls.entrySet()) {
            CountDownLatch locked = new CountDownLatch(1);
            TestThread<Boolean> t = start("expired " + call.getKey(), () -> {
                l.lock();
                l.lock();
                try {
                    locked.countDown();
                    boolean result = call.getValue().run();
                    assertLockedByMe(l);
                    assertEquals(2, l.getHoldCount(), "hold count after " + call.getKey());
                    assertFalse(l.hasWaiters(c));
                    return result;
                } finally {
                    l.unlock();
                    l.unlock();
                }
            });
            await(locked);
            try {
                if (t.join(Duration.ofSeconds(1))) {
                    failures.add(call.getKey() + " returned true (not timed out)");
                }
            } catch (AssertionError e) {
                // join interrupted the thread, which ends its wait; let it finish before going on.
                failures.add(call.getKey() + " did not return within 1 s (it ended only when interrupted)");
                try {
                    t.thread().join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        assertTrue(failures.isEmpty(), () -> "waits with an expired timeout on " + l + " did not time out at once: "
                + String.join("; ", failures));
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void awaitWithAHugeTimeoutIsEndedBySignal(Kind kind) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        List<TestThread<Boolean>> waiters = new ArrayList<>();
        List<TestThread.Body<Boolean>> bodies = List.of(
                () -> c.awaitNanos(Long.MAX_VALUE) > 0,
                () -> c.await(Long.MAX_VALUE, NANOSECONDS),
                () -> c.await(Long.MAX_VALUE, TimeUnit.DAYS),
                () -> c.awaitUntil(new Date(Long.MAX_VALUE)));
        for (int i = 0; i < bodies.size(); i++) {
            TestThread.Body<Boolean> body = bodies.get(i);
            CountDownLatch in = new CountDownLatch(1);
            waiters.add(start("huge-" + i, () -> {
                l.lock();
                try {
                    in.countDown();
                    return body.run();
                } finally {
                    l.unlock();
                }
            }));
            await(in);
            acquire(l);
            assertEquals(i + 1, l.getWaitQueueLength(c), "a huge timeout must wait, not expire at once");
            l.unlock();
        }
        acquire(l);
        c.signalAll();
        l.unlock();
        for (int i = 0; i < waiters.size(); i++) {
            assertTrue(waiters.get(i).join(), "waiter " + i + " reported a timeout");
        }
        assertNotLocked(l);
    }

    // ================================================================ conditions: signalling

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kindsAndForms")
    void signalWakesTheLongestWaitingThreadOnly(Kind kind, AwaitForm form) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        TestThread<Boolean> t1 = startWaiter("waiter-1", l, c, form);
        TestThread<Boolean> t2 = startWaiter("waiter-2", l, c, form);
        acquire(l);
        assertEquals(2, l.getWaitQueueLength(c));
        assertFalse(l.hasQueuedThreads(), "threads waiting on a condition are not queued on the lock");
        c.signal();
        assertEquals(1, l.getWaitQueueLength(c));
        assertTrue(l.hasWaiters(c));
        // The signalled thread now needs the lock, which we hold.
        Waits.until(() -> l.hasQueuedThread(t1.thread()), () -> "signalled waiter-1 never queued for " + l);
        assertFalse(l.hasQueuedThread(t2.thread()));
        assertFalse(t1.isDone());
        l.unlock();
        assertTrue(t1.join(), form.label + " reported a timeout after a signal");

        acquire(l);
        assertEquals(1, l.getWaitQueueLength(c));
        assertFalse(t2.isDone());
        c.signal();
        assertEquals(0, l.getWaitQueueLength(c));
        l.unlock();
        assertTrue(t2.join());
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kindsAndForms")
    void signalAllWakesEveryWaiter(Kind kind, AwaitForm form) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        List<TestThread<Boolean>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(startWaiter("waiter-" + i, l, c, form));
        }
        acquire(l);
        assertEquals(3, l.getWaitQueueLength(c));
        c.signalAll();
        assertFalse(l.hasWaiters(c));
        assertEquals(0, l.getWaitQueueLength(c));
        Waits.until(() -> l.getQueueLength() == 3, () -> "the signalled waiters did not all queue for the lock: "
                + l.getQueueLength());
        l.unlock();
        for (TestThread<Boolean> t : waiters) {
            assertTrue(t.join(), form.label + " reported a timeout after signalAll");
        }
        assertWaiters(l, c, 0);
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kindsAndForms")
    void awaitReleasesAllHoldsAndRestoresThem(Kind kind, AwaitForm form) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        CountDownLatch in = new CountDownLatch(1);
        TestThread<Boolean> t = start("nested-waiter", () -> {
            l.lock();
            l.lockInterruptibly();
            assertTrue(l.tryLock());
            assertEquals(3, l.getHoldCount());
            in.countDown();
            boolean signalled = form.awaitSignal(c);
            assertLockedByMe(l);
            assertEquals(3, l.getHoldCount(), "await must restore the hold count");
            l.unlock();
            l.unlock();
            l.unlock();
            assertNotLocked(l);
            return signalled;
        });
        await(in);
        acquire(l); // only possible if await released all three holds
        assertLockedByMe(l);
        assertEquals(1, l.getHoldCount());
        assertEquals(1, l.getWaitQueueLength(c));
        assertFalse(l.hasQueuedThread(t.thread()));
        c.signal();
        l.unlock();
        assertTrue(t.join());
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void signalGoesOnlyToItsOwnCondition(Kind kind) {
        LockUnderTest l = newLock(kind);
        Condition c1 = l.newCondition();
        Condition c2 = l.newCondition();
        TestThread<Boolean> w1 = startWaiter("on-c1", l, c1, AwaitForm.AWAIT);
        TestThread<Boolean> w2 = startWaiter("on-c2", l, c2, AwaitForm.AWAIT);
        acquire(l);
        assertEquals(1, l.getWaitQueueLength(c1));
        assertEquals(1, l.getWaitQueueLength(c2));
        c1.signalAll();
        assertEquals(0, l.getWaitQueueLength(c1));
        assertEquals(1, l.getWaitQueueLength(c2));
        l.unlock();
        assertTrue(w1.join());
        assertWaiters(l, c2, 1);
        assertFalse(w2.isDone());
        acquire(l);
        c2.signal();
        l.unlock();
        assertTrue(w2.join());
        assertWaiters(l, c1, 0);
        assertWaiters(l, c2, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void waitQueueLengthFollowsWaitersComingAndGoing(Kind kind) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        assertWaiters(l, c, 0);
        TestThread<Boolean> t1 = startWaiter("waiter-1", l, c, AwaitForm.AWAIT);
        assertWaiters(l, c, 1);
        TestThread<Boolean> t2 = startWaiter("waiter-2", l, c, AwaitForm.AWAIT_NANOS);
        assertWaiters(l, c, 2);

        // A waiter that times out leaves the count.
        CountDownLatch in3 = new CountDownLatch(1);
        TestThread<Boolean> t3 = start("short-waiter", () -> {
            l.lock();
            try {
                in3.countDown();
                return c.await(SHORT_MS, MILLISECONDS);
            } finally {
                l.unlock();
            }
        });
        await(in3);
        assertFalse(t3.join(), "nobody signalled");
        assertWaiters(l, c, 2);

        // A waiter that is interrupted leaves the count.
        CountDownLatch in4 = new CountDownLatch(1);
        TestThread<Void> t4 = run("interrupted-waiter", () -> {
            l.lock();
            try {
                in4.countDown();
                c.await();
            } finally {
                l.unlock();
            }
        });
        await(in4);
        acquire(l);
        assertEquals(3, l.getWaitQueueLength(c));
        l.unlock();
        t4.interrupt();
        t4.joinFailure(InterruptedException.class);
        assertWaiters(l, c, 2);

        acquire(l);
        c.signal();
        assertEquals(1, l.getWaitQueueLength(c));
        assertTrue(l.hasWaiters(c));
        l.unlock();
        assertTrue(t1.join());
        acquire(l);
        assertEquals(1, l.getWaitQueueLength(c));
        c.signalAll();
        assertEquals(0, l.getWaitQueueLength(c));
        assertFalse(l.hasWaiters(c));
        l.unlock();
        assertTrue(t2.join());
        assertWaiters(l, c, 0);
        assertNotLocked(l);
    }

    /** Threads calling await without the lock get IMSE and leave the condition's queue intact. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void awaitWithoutTheLockDoesNotDisturbRealWaiters(Kind kind) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch rogueRunning = new CountDownLatch(1);
        TestThread<Integer> rogue = start("rogue", () -> {
            int n = 0;
            do {
                for (AwaitForm form : AwaitForm.values()) {
                    assertThrows(IllegalMonitorStateException.class, () -> form.awaitBriefly(c), form.label);
                    n++;
                }
                assertThrows(IllegalMonitorStateException.class, c::signal);
                assertThrows(IllegalMonitorStateException.class, c::signalAll);
                rogueRunning.countDown();
            } while (!stop.get());
            return n;
        });
        await(rogueRunning); // the waiters below arrive while the rogue keeps trying
        List<TestThread<Boolean>> waiters = new ArrayList<>();
        AwaitForm[] forms = AwaitForm.values();
        for (int i = 0; i < 6; i++) {
            waiters.add(startWaiter("waiter-" + i, l, c, forms[i % forms.length]));
        }
        acquire(l);
        try {
            assertEquals(waiters.size(), l.getWaitQueueLength(c));
        } finally {
            stop.set(true);
            c.signalAll();
            l.unlock();
        }
        assertTrue(rogue.join() > 0);
        for (TestThread<Boolean> w : waiters) {
            assertTrue(w.join());
        }
        assertWaiters(l, c, 0);
        assertNotLocked(l);
    }

    // ================================================================ conditions: interruption

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kindsAndInterruptibleForms")
    void awaitThrowsWhenInterruptedOnEntry(Kind kind, AwaitForm form) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        inThread("interrupted", () -> {
            l.lock();
            l.lock();
            try {
                Thread.currentThread().interrupt();
                assertThrows(InterruptedException.class, () -> form.awaitSignal(c));
                assertFalse(Thread.currentThread().isInterrupted(), "the interrupt status must be cleared by the throw");
                assertLockedByMe(l);
                assertEquals(2, l.getHoldCount());
                assertFalse(l.hasWaiters(c));
            } finally {
                l.unlock();
                l.unlock();
            }
        });
        assertNotLocked(l);
    }

    /**
     * An interrupt while waiting throws InterruptedException, but only once the lock is held
     * again with the full hold count: we hold the lock while interrupting, so the waiter must
     * leave the condition queue and queue for the lock.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kindsAndInterruptibleForms")
    void interruptDuringAwaitThrowsWithTheLockHeldAgain(Kind kind, AwaitForm form) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        CountDownLatch in = new CountDownLatch(1);
        TestThread<Void> t = run("interrupted-waiter", () -> {
            l.lock();
            l.lock();
            try {
                in.countDown();
                form.awaitSignal(c);
                fail(form.label + " returned normally after an interrupt and no signal");
            } catch (InterruptedException e) {
                assertLockedByMe(l);
                assertEquals(2, l.getHoldCount(), "the hold count must be restored before throwing");
                assertFalse(Thread.currentThread().isInterrupted(), "the interrupt status must be cleared by the throw");
                throw e;
            } finally {
                while (l.isHeldByCurrentThread()) {
                    l.unlock();
                }
            }
        });
        await(in);
        acquire(l);
        assertEquals(1, l.getWaitQueueLength(c));
        t.interrupt();
        Waits.until(() -> l.getWaitQueueLength(c) == 0 && l.hasQueuedThread(t.thread()),
                () -> "the interrupted waiter did not move from the condition to the lock's queue: waitQueueLength="
                        + l.getWaitQueueLength(c) + ", queued=" + l.hasQueuedThread(t.thread()) + ", " + t.thread().getState());
        assertFalse(t.isDone(), "the waiter must not return before it holds the lock again");
        assertLockedByMe(l);
        l.unlock();
        t.joinFailure(InterruptedException.class);
        assertNotLocked(l);
        assertWaiters(l, c, 0);
    }

    /** An interrupt that comes after the signal does not turn the return into an exception. */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kindsAndForms")
    void interruptAfterSignalReturnsNormallyWithTheStatusSet(Kind kind, AwaitForm form) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        CountDownLatch in = new CountDownLatch(1);
        TestThread<String> t = start("signalled-waiter", () -> {
            l.lock();
            try {
                in.countDown();
                boolean signalled = form.awaitSignal(c);
                boolean interrupted = Thread.interrupted();
                assertLockedByMe(l);
                assertEquals(1, l.getHoldCount());
                return "signalled=" + signalled + " interrupted=" + interrupted;
            } finally {
                l.unlock();
            }
        });
        await(in);
        acquire(l);
        assertEquals(1, l.getWaitQueueLength(c));
        c.signal();
        t.interrupt();
        Waits.until(() -> l.hasQueuedThread(t.thread()), () -> "the signalled waiter never queued for the lock");
        l.unlock();
        assertEquals("signalled=true interrupted=true", t.join());
        assertNotLocked(l);
    }

    /**
     * Interrupt and signal racing for one waiter, with a second waiter behind it: if the first
     * waiter answers the interrupt with InterruptedException, the signal must go to the second
     * (Condition's contract); if it takes the signal, it returns with the interrupt status set and
     * the second keeps waiting. Either way no signal is lost or delivered twice.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kindsAndInterruptibleForms")
    void interruptRacingWithSignalNeverLosesTheSignal(Kind kind, AwaitForm form) {
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < 12; i++) {
            LockUnderTest l = newLock(kind);
            Condition c = l.newCondition();
            CountDownLatch inA = new CountDownLatch(1);
            TestThread<String> a = start("a-" + i, () -> {
                l.lock();
                try {
                    inA.countDown();
                    boolean signalled = form.awaitSignal(c);
                    assertTrue(signalled);
                    assertTrue(Thread.interrupted(), "interrupted before the lock was released, the status must be set");
                    return "signalled";
                } catch (InterruptedException e) {
                    return "interrupted";
                } finally {
                    int holds = l.getHoldCount();
                    l.unlock();
                    assertEquals(1, holds, "hold count after the wait");
                }
            });
            await(inA);
            TestThread<Boolean> b = startWaiter("b-" + i, l, c, AwaitForm.AWAIT);
            acquire(l);
            assertEquals(2, l.getWaitQueueLength(c));
            a.interrupt();
            if ((i & 1) == 1) {
                // Let the waiter see the interrupt first (it clears the status as it does), so the
                // redirect path is taken often; even rounds race the two.
                Waits.until(() -> !a.thread().isInterrupted(), () -> "a-waiter never noticed its interrupt");
            }
            c.signal();
            l.unlock();
            String outcome = a.join();
            outcomes.merge(outcome, 1, Integer::sum);
            acquire(l);
            try {
                if (outcome.equals("interrupted")) {
                    assertEquals(0, l.getWaitQueueLength(c), "the signal was lost: the interrupted waiter took it");
                } else {
                    assertEquals(1, l.getWaitQueueLength(c), "the signal was delivered twice");
                    c.signal();
                }
            } finally {
                l.unlock();
            }
            assertTrue(b.join());
            assertNotLocked(l);
        }
        assertFalse(outcomes.isEmpty(), outcomes::toString);
    }

    /**
     * A timeout racing with a signal: with two waiters and one signal, exactly one of "the timed
     * waiter reports a signal" and "the other waiter is woken" happens. (ReentrantLock reports
     * {@code false} only when the wait was cancelled by the timeout, never after consuming a
     * signal; a drop-in must do the same or the signal is lost.)
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("kindsAndBooleanTimedForms")
    void timeoutRacingWithSignalNeverLosesTheSignal(Kind kind, AwaitForm form) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < 25; i++) {
            LockUnderTest l = newLock(kind);
            Condition c = l.newCondition();
            CountDownLatch inA = new CountDownLatch(1);
            TestThread<Boolean> a = start("timed-" + i, () -> {
                l.lock();
                try {
                    inA.countDown();
                    return form.awaitAtMost(c, 2);
                } finally {
                    int holds = l.getHoldCount();
                    l.unlock();
                    assertEquals(1, holds, "hold count after the wait");
                }
            });
            await(inA);
            TestThread<Boolean> b = startWaiter("untimed-" + i, l, c, AwaitForm.AWAIT);
            acquire(l);
            spinFor(rnd.nextLong(3_000_000L));
            c.signal();
            l.unlock();
            boolean aSignalled = a.join();
            outcomes.merge(aSignalled ? "signalled" : "timed out", 1, Integer::sum);
            acquire(l);
            try {
                if (aSignalled) {
                    assertEquals(1, l.getWaitQueueLength(c), "the timed waiter reported the signal, yet the other was woken too");
                    c.signal();
                } else {
                    assertEquals(0, l.getWaitQueueLength(c), "the timed waiter timed out but the signal was not passed on");
                }
            } finally {
                l.unlock();
            }
            assertTrue(b.join());
            assertNotLocked(l);
        }
        assertFalse(outcomes.isEmpty(), outcomes::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void awaitUninterruptiblyIgnoresInterruptsButKeepsTheStatus(Kind kind) {
        LockUnderTest l = newLock(kind);
        Condition c = l.newCondition();
        CountDownLatch in1 = new CountDownLatch(1);
        TestThread<Boolean> before = start("interrupted-before", () -> {
            l.lock();
            l.lock();
            try {
                in1.countDown();
                Thread.currentThread().interrupt();
                c.awaitUninterruptibly();
                assertEquals(2, l.getHoldCount());
                return Thread.interrupted();
            } finally {
                l.unlock();
                l.unlock();
            }
        });
        await(in1);
        CountDownLatch in2 = new CountDownLatch(1);
        TestThread<Boolean> during = start("interrupted-during", () -> {
            l.lock();
            try {
                in2.countDown();
                c.awaitUninterruptibly();
                assertEquals(1, l.getHoldCount());
                return Thread.interrupted();
            } finally {
                l.unlock();
            }
        });
        await(in2);
        acquire(l);
        assertEquals(2, l.getWaitQueueLength(c));
        l.unlock();
        during.interrupt();
        awaitInterruptConsumedAndBlocked(during);
        awaitInterruptConsumedAndBlocked(before);
        acquire(l);
        assertEquals(2, l.getWaitQueueLength(c), "awaitUninterruptibly must keep waiting after an interrupt");
        c.signalAll();
        l.unlock();
        assertTrue(before.join(), "interrupt status lost (interrupted before awaitUninterruptibly)");
        assertTrue(during.join(), "interrupt status lost (interrupted during awaitUninterruptibly)");
        assertNotLocked(l);
    }

    // ================================================================ fairness

    @ParameterizedTest(name = "{0}")
    @MethodSource("fairKinds")
    void fairLockIsGrantedInArrivalOrder(Kind kind) {
        LockUnderTest l = newLock(kind);
        acquire(l);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        List<TestThread<Void>> ts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = "fifo-" + i;
            int how = i % 3;
            TestThread<Void> t = run(name, () -> {
                if (how == 0) {
                    l.lock();
                } else if (how == 1) {
                    l.lockInterruptibly();
                } else {
                    assertTrue(l.tryLock(LONG_MS, MILLISECONDS));
                }
                try {
                    order.add(name);
                } finally {
                    l.unlock();
                }
            });
            awaitQueued(l, t);
            ts.add(t);
        }
        assertEquals(5, l.getQueueLength());
        l.unlock();
        for (TestThread<Void> t : ts) {
            t.join();
        }
        assertEquals(List.of("fifo-0", "fifo-1", "fifo-2", "fifo-3", "fifo-4"), order);
        assertNotLocked(l);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fairKinds")
    void fairTimedTryLockDoesNotBargeAheadOfAQueuedThread(Kind kind) {
        for (int i = 0; i < 10; i++) {
            LockUnderTest l = newLock(kind);
            acquire(l);
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            TestThread<Void> queued = run("queued-" + i, () -> {
                l.lock();
                try {
                    assertTrue(release.await(LONG_MS, MILLISECONDS));
                } finally {
                    l.unlock();
                }
            });
            awaitQueued(l, queued);
            TestThread<Boolean> barger = start("barger-" + i, () -> {
                assertTrue(go.await(LONG_MS, MILLISECONDS));
                boolean got = l.tryLock(0, MILLISECONDS);
                if (got) {
                    l.unlock();
                }
                return got;
            });
            l.unlock();
            go.countDown();
            assertFalse(barger.join(), "fair tryLock(0, unit) took the lock ahead of a queued thread");
            release.countDown();
            queued.join();
            assertNotLocked(l);
        }
    }

    /** Mutual exclusion under contention, with every acquisition form and nesting. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void mixedAcquisitionFormsKeepMutualExclusion(Kind kind) {
        LockUnderTest l = newLock(kind);
        final int threadsN = 4;
        final int rounds = 2_500;
        int[] counter = {0};
        int[] inside = {0};
        List<TestThread<Void>> ts = new ArrayList<>();
        for (int t = 0; t < threadsN; t++) {
            int id = t;
            ts.add(run("mixer-" + t, () -> {
                for (int r = 0; r < rounds; r++) {
                    switch ((r + id) % 4) {
                        case 0:
                            l.lock();
                            break;
                        case 1:
                            l.lockInterruptibly();
                            break;
                        case 2:
                            while (!l.tryLock()) {
                                Thread.onSpinWait();
                            }
                            break;
                        default:
                            assertTrue(l.tryLock(LONG_MS, MILLISECONDS));
                            break;
                    }
                    try {
                        assertEquals(1, ++inside[0], "two threads inside the lock");
                        if ((r & 7) == 0) {
                            l.lock(); // nested
                            assertEquals(2, l.getHoldCount());
                            l.unlock();
                        }
                        counter[0]++;
                        inside[0]--;
                    } finally {
                        l.unlock();
                    }
                }
            }));
        }
        for (TestThread<Void> t : ts) {
            t.join();
        }
        acquire(l);
        assertEquals(threadsN * rounds, counter[0]);
        l.unlock();
        assertNotLocked(l);
    }

    // ================================================================ toString, serialization

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void toStringStatesTheLockState(Kind kind) {
        LockUnderTest l = newLock(kind);
        String prefix = l.raw().getClass().getName() + "@";
        String unlocked = l.raw().toString();
        assertTrue(unlocked.startsWith(prefix), unlocked);
        assertTrue(unlocked.contains("[Unlocked"), unlocked);
        assertFalse(unlocked.contains("Locked by"), unlocked);

        acquire(l);
        String mine = l.raw().toString();
        assertTrue(mine.contains("[Locked by thread " + Thread.currentThread().getName()), mine);
        l.unlock();

        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestThread<Void> t = run("holder-thread-for-toString", () -> {
            l.lock();
            try {
                held.countDown();
                assertTrue(release.await(LONG_MS, MILLISECONDS));
            } finally {
                l.unlock();
            }
        });
        await(held);
        String theirs = l.raw().toString();
        assertTrue(theirs.contains("[Locked by thread holder-thread-for-toString"), theirs);
        release.countDown();
        t.join();

        String again = l.raw().toString();
        assertTrue(again.contains("[Unlocked"), again);
        if (kind.keyed) {
            // Ours adds the key (documented difference).
            for (String s : List.of(unlocked, mine, theirs, again)) {
                assertTrue(s.endsWith(", key=" + kind.key + "]"), s);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void serializationRoundTripGivesAnUnlockedLockOfTheSamePolicy(Kind kind) throws Exception {
        LockUnderTest l = newLock(kind);
        acquire(l);
        if (!kind.serializable) {
            assertThrows(NotSerializableException.class, () -> serialize(l.raw()), "views are documented as not serializable");
            assertLockedByMe(l);
            assertEquals(1, l.getHoldCount());
            l.unlock();
            assertNotLocked(l);
            return;
        }
        Condition originalCondition = l.newCondition();
        Object copy = deserialize(serialize(l.raw()));
        assertSame(l.raw().getClass(), copy.getClass());
        LockUnderTest clone = l.adopt(copy);
        locks.add(clone);
        assertEquals(kind.fair, clone.isFair());
        assertEquals(l.isFair(), clone.isFair());
        assertLockedByMe(l);
        assertNotLocked(clone);
        assertFalse(clone.hasQueuedThreads());
        assertTrue(clone.raw().toString().contains("[Unlocked"), clone.raw()::toString);

        acquire(clone);
        acquire(clone);
        assertEquals(2, clone.getHoldCount());
        assertEquals(1, l.getHoldCount());
        clone.unlock();
        clone.unlock();
        assertNotLocked(clone);
        assertLockedByMe(l);

        // Independent of the original (which we still hold): another thread can use it fully.
        inThread("clone-user", () -> {
            clone.lock();
            Condition c = clone.newCondition();
            assertFalse(c.await(1, MILLISECONDS));
            assertFalse(clone.hasWaiters(c));
            assertThrows(IllegalArgumentException.class, () -> clone.hasWaiters(originalCondition));
            assertFalse(l.tryLock());
            clone.unlock();
            assertNotLocked(clone);
        });
        l.unlock();
        assertNotLocked(l);

        // An unlocked lock round-trips as well, and a copy of a copy works.
        LockUnderTest again = clone.adopt(deserialize(serialize(clone.raw())));
        locks.add(again);
        assertEquals(kind.fair, again.isFair());
        assertNotLocked(again);
        acquire(again);
        assertLockedByMe(again);
        again.unlock();
    }
    /** What user code serializes: an object holding a lock and a condition of it (as ArrayBlockingQueue does). */
    static final class Guarded implements Serializable {
        private static final long serialVersionUID = 1L;
        final Lock lock;
        final Condition changed;

        Guarded(Lock lock) {
            this.lock = lock;
            this.changed = lock.newCondition();
        }
    }

    /**
     * {@code ReentrantLock}'s conditions are {@link java.io.Serializable} (AQS's ConditionObject),
     * so a serializable class holding a lock and its conditions round-trips, and the copy's
     * condition belongs to the copy's lock.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("serializableKinds")
    void aConditionSerializesWithItsLock(Kind kind) throws Exception {
        LockUnderTest l = newLock(kind);
        Guarded original = new Guarded(l.raw());
        byte[] bytes;
        try {
            bytes = serialize(original);
        } catch (NotSerializableException e) {
            throw new AssertionError("an object holding " + kind + " and one of its conditions does not serialize: " + e, e);
        }
        Guarded copy = (Guarded) deserialize(bytes);
        LockUnderTest cl = l.adopt(copy.lock);
        locks.add(cl);
        assertNotLocked(cl);
        inThread("copy-user", () -> {
            cl.lock();
            try {
                assertFalse(cl.hasWaiters(copy.changed));
                assertEquals(0, cl.getWaitQueueLength(copy.changed));
                assertFalse(copy.changed.await(1, MILLISECONDS));
                assertEquals(1, cl.getHoldCount());
            } finally {
                cl.unlock();
            }
        });
        acquire(l);
        assertThrows(IllegalArgumentException.class, () -> l.hasWaiters(copy.changed));
        assertFalse(l.hasWaiters(original.changed));
        l.unlock();
    }

    /** A user's subclass of the lock (like the TCK's PublicReentrantLock). */
    static final class UsersReentrantLock extends ReentrantLock {
        private static final long serialVersionUID = 1L;

        UsersReentrantLock(boolean fair) {
            super(fair);
        }
    }

    /** The same subclass, of ours. */
    static final class UsersKeyedMutexLock extends KeyedMutexLock {
        private static final long serialVersionUID = 1L;

        UsersKeyedMutexLock(boolean fair) {
            super(fair);
        }
    }

    static Stream<Arguments> userSubclasses() {
        return Stream.of(false, true).flatMap(fair -> Stream.of(
                Arguments.of(Named.of("subclass of ReentrantLock(" + fair + ")",
                        (Supplier<Lock>) () -> new UsersReentrantLock(fair)), fair),
                Arguments.of(Named.of("subclass of KeyedMutexLock(" + fair + ")",
                        (Supplier<Lock>) () -> new UsersKeyedMutexLock(fair)), fair)));
    }

    /**
     * Both classes are non-final and Serializable; a subclass made through the public
     * constructors round-trips like {@code ReentrantLock}'s: unlocked, same class, same policy.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("userSubclasses")
    void aUsersSubclassSerializesToo(Supplier<Lock> factory, boolean fair) throws Exception {
        Lock lock = factory.get();
        assertTrue(lock.tryLock());
        try {
            byte[] bytes = serialize(lock);
            Object copy;
            try {
                copy = deserialize(bytes);
            } catch (IOException e) {
                throw new AssertionError("a serialized " + lock.getClass().getSimpleName() + " does not deserialize: " + e, e);
            }
            assertSame(lock.getClass(), copy.getClass());
            Lock clone = (Lock) copy;
            boolean cloneFair = clone instanceof ReentrantLock
                    ? ((ReentrantLock) clone).isFair()
                    : ((KeyedMutexLock) clone).isFair();
            assertEquals(fair, cloneFair);
            inThread("clone-user", () -> {
                assertTrue(clone.tryLock(), "the copy must be unlocked and usable");
                Condition c = clone.newCondition();
                assertFalse(c.await(1, MILLISECONDS));
                clone.unlock();
            });
        } finally {
            lock.unlock();
        }
    }
}
