package dev.keyedmutex.local;

import dev.keyedmutex.KeyedMutexLock;
import dev.keyedmutex.internal.Spinner;
import dev.keyedmutex.testkit.TestThread;
import dev.keyedmutex.testkit.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** White-box tests of the local provider: what the contract cannot see from outside. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalKeyedMutexTest {

    private static void awaitQueued(LocalKeyedMutex m, int n) {
        Waits.until(() -> m.queueLength() >= n, () -> "expected " + n + " queued, have " + m.queueLength());
    }

    /**
     * Starts a thread that acquires {@code key} and then releases with {@code next}, and returns
     * once it waits queued and blocked (the caller holds m with another key, or the same one).
     */
    private static TestThread<Void> queuedWaiter(LocalKeyedMutex m, String name, long key, long next) {
        TestThread<Void> t = TestThread.run(name, () -> {
            m.acquire(key);
            m.release(next);
        });
        awaitQueued(m, 1);
        t.awaitBlocked();
        return t;
    }

    /** SPEC 2.2: a release wakes one waiter of the new key and no waiter of any other key. */
    @Test
    void releaseWakesOnlyTheWaiterOfTheNewKey() throws Exception {
        for (boolean fair : new boolean[] {false, true}) {
            LocalKeyedMutex m = new LocalKeyedMutex(0, 0, fair);
            m.acquire(0);
            List<TestThread<Void>> others = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                others.add(TestThread.run("key5-" + i, () -> m.acquire(5)));
            }
            TestThread<Void> one = TestThread.run("key1", () -> {
                m.acquire(1);
                m.release(2);
            });
            awaitQueued(m, 9);
            others.forEach(TestThread::awaitBlocked);
            one.awaitBlocked();
            long before = m.wakeups();
            m.release(1);
            one.join();
            assertEquals(1, m.wakeups() - before, "fair=" + fair + ": a release must wake exactly one waiter");
            assertEquals(2, m.key());
            assertEquals(8, m.queueLength(), "the waiters of key 5 must still be queued");
            others.forEach(TestThread::assertStillBlocked);
            m.close();
            others.forEach(t -> t.joinFailure(IllegalStateException.class));
        }
    }

    /** A release wakes one waiter of the new key even when several wait for it (no herd within a key). */
    @Test
    void releaseWakesOneOfManyWaitersOfTheSameKey() throws Exception {
        for (boolean fair : new boolean[] {false, true}) {
            LocalKeyedMutex m = new LocalKeyedMutex(0, 0, fair);
            m.acquire(0);
            java.util.concurrent.atomic.AtomicInteger got = new java.util.concurrent.atomic.AtomicInteger();
            List<TestThread<Void>> ws = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ws.add(TestThread.run("key1-" + i, () -> {
                    m.acquire(1);
                    got.incrementAndGet();
                    m.release(2);
                }));
            }
            awaitQueued(m, 8);
            ws.forEach(TestThread::awaitBlocked);
            long before = m.wakeups();
            m.release(1);
            Waits.until(() -> got.get() == 1 && !m.isLocked(), () -> "the first waiter never got and released it");
            assertEquals(1, m.wakeups() - before, "fair=" + fair + ": one release woke " + (m.wakeups() - before));
            assertEquals(7, m.queueLength());
            m.close();
            ws.forEach(t -> {
                if (!t.isDone() || got.get() > 1) {
                    t.joinFailure();
                }
            });
        }
    }

    /**
     * Non-fair starvation guard: a waiter that keeps losing to a barger for STARVATION_NANOS after
     * it was first woken asks for a direct hand-off, and the next release of its key grants it the
     * mutex (a barger's tryAcquire then fails). It does not ask sooner.
     *
     * <p>The holder wakes the waiter without releasing (wakeFirstForTests): that is the state a
     * release leaves when a barger wins the race, made deterministic. A real release followed by
     * tryAcquire loses the race whenever the scheduler runs the woken thread first, which on a
     * shared CPU is often.
     */
    @Test
    void aStarvingWaiterIsHandedTheMutexDirectly() throws Exception {
        LocalKeyedMutex m = new LocalKeyedMutex(0, 0, false);
        m.acquire(0);
        TestThread<Void> victim = queuedWaiter(m, "victim", 0, 1);
        m.wakeFirstForTests(0);  // woken, and the mutex is taken: it looks, loses, sleeps again
        Waits.until(() -> !m.hasWokenWaiter(), () -> "the woken victim never looked");
        long looked = System.nanoTime();
        victim.awaitBlocked();
        // Its wake-up and its starvation check are a few instructions apart: it could only be
        // right to ask here if descheduled for STARVATION_NANOS in between.
        assertEquals(0, m.handoffRequests(), "the waiter asked for a hand-off on its first lost race");
        // Let its starvation clock run out (a wait for the clock, not for another thread).
        while (System.nanoTime() - looked < 2 * LocalKeyedMutex.STARVATION_NANOS) {
            Thread.onSpinWait();
        }
        m.wakeFirstForTests(0);  // loses again, now past STARVATION_NANOS
        Waits.until(() -> m.handoffRequests() == 1, () -> "the starving waiter never asked for a hand-off");
        victim.awaitBlocked();
        m.release(0);
        assertEquals(1, m.grants(), "after a hand-off request, the release must grant the mutex to the waiter");
        assertFalse(m.tryAcquire(0), "a barger took the mutex granted to the starving waiter");
        victim.join();
        assertEquals(1, m.key());
        assertEquals(0, m.handoffRequests());
    }

    /**
     * Edge 2b: a release skips the wake-up only while the woken waiter has not yet looked. A waiter
     * that was woken, lost the race to a barger and went back to sleep must be woken by the next
     * release of its key (or it would wait out a whole 20 ms slice for every such release). The
     * lost race is made deterministic as in the test above.
     */
    @Test
    void aWaiterThatLostTheRaceAfterItsWakeUpIsWokenAgain() throws Exception {
        LocalKeyedMutex m = new LocalKeyedMutex(0, 0, false);
        m.acquire(0);
        TestThread<Void> w = queuedWaiter(m, "w", 1, 2);
        m.wakeFirstForTests(1);  // woken while the mutex is held: it looks and loses
        Waits.until(() -> !m.hasWokenWaiter(), () -> "the woken waiter never looked");
        w.awaitBlocked();        // it lost, and sleeps again
        long before = m.wakeups();
        m.release(1);
        assertEquals(1, m.wakeups() - before, "the release did not wake the waiter that had lost the race");
        w.join();
        assertEquals(2, m.key());
        assertTrue(m.wakeHintIsCurrent());
    }

    /**
     * Edge 2b: the wake-up hint never outlives its node's stay on the list, whichever way the node
     * leaves (it takes the mutex, times out, is interrupted, is granted); at rest it is clear.
     */
    @Test
    void theWakeHintLeavesWithItsNode() throws Exception {
        for (boolean fair : new boolean[] {false, true}) {
            LocalKeyedMutex m = new LocalKeyedMutex(0, 0, fair);
            KeyedMutexLock lock = m.asLock(0, 0);
            List<TestThread<Void>> ts = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int id = t;
                ts.add(TestThread.run("churn-" + t, () -> {
                    for (int i = 0; i < 3_000; i++) {
                        if ((i + id) % 7 == 0) {
                            if (lock.tryLock(20, TimeUnit.MICROSECONDS)) {
                                lock.unlock();
                            }
                        } else {
                            lock.lock();
                            lock.unlock();
                        }
                    }
                }));
            }
            ts.forEach(TestThread::join);
            assertEquals(0, m.queueLength());
            assertTrue(m.wakeHintIsCurrent(), "fair=" + fair + ": the wake-up hint names a node that left its list");
            assertEquals(null, m.wakeHintThread(), "fair=" + fair + ": with nobody queued the wake-up hint must be clear");
        }
    }

    /**
     * Edge 2b: the wake-up hint names the first waiting node of its key, and when that node
     * leaves (here by interrupt) it moves on to the next one, so that the next release wakes
     * that waiter, without wl, and nobody else: exactly one wake-up, and it is the new first
     * waiter that takes the mutex.
     */
    /**
     * A woken non-fair waiter that finds the mutex re-taken with its own key backs off with its
     * wake-up flag still set, so the holder's releases meanwhile wake nobody; a later look (here
     * a spurious wake-up) still finds the mutex free. The back-off is 10 s here, so that the
     * releases surely fall inside it.
     */
    @Test
    void aWokenWaiterThatLostToABargerIsNotWokenAgainByEveryRelease() throws Exception {
        LocalKeyedMutex m = new LocalKeyedMutex(0, 0, false, TimeUnit.SECONDS.toNanos(10));
        m.acquire(0);
        TestThread<Void> w = queuedWaiter(m, "w", 0, 0);
        m.wakeFirstForTests(0); // a release whose waiter finds the mutex re-taken with key 0
        Waits.until(() -> m.backOffs() == 1, () -> "the woken waiter did not back off: " + m.backOffs());
        w.awaitBlocked();
        long before = m.wakeups();
        for (int i = 0; i < 100; i++) {
            m.release(0);
            assertTrue(m.tryAcquire(0), "the backing-off waiter took the mutex");
        }
        assertEquals(0, m.wakeups() - before, "releases during the back-off woke the waiter again");
        m.release(0);
        java.util.concurrent.locks.LockSupport.unpark(w.thread()); // ends the back-off early
        w.join();
        assertEquals(1, m.backOffs());
    }

    /** A timed waiter does not back off when the back-off could carry it past its deadline. */
    @Test
    void aTimedWaiterDoesNotBackOffPastItsDeadline() throws Exception {
        LocalKeyedMutex m = new LocalKeyedMutex(0, 0, false, TimeUnit.SECONDS.toNanos(30));
        m.acquire(0);
        TestThread<Boolean> w = TestThread.start("w", () -> m.tryAcquire(0, 500, TimeUnit.MILLISECONDS));
        awaitQueued(m, 1);
        w.awaitBlocked();
        m.wakeFirstForTests(0);
        assertFalse(w.join(), "the timed wait must time out: the mutex stays held");
        assertEquals(0, m.backOffs());
        m.release(0);
    }

    /** A fair waiter never backs off: it is granted the mutex, never woken to race for it. */
    @Test
    void aFairWaiterDoesNotBackOff() throws Exception {
        LocalKeyedMutex m = new LocalKeyedMutex(0, 0, true, TimeUnit.SECONDS.toNanos(30));
        m.acquire(0);
        TestThread<Void> w = queuedWaiter(m, "w", 0, 0);
        m.wakeFirstForTests(0);
        w.awaitBlocked();
        m.release(0);
        w.join();
        assertEquals(0, m.backOffs());
    }

    @Test
    void theWakeHintMovesOnToTheNextWaiter() throws Exception {
        LocalKeyedMutex m = new LocalKeyedMutex(0, 0, false);
        m.acquire(0);
        TestThread<Void> a = TestThread.run("a", () -> m.acquire(1));
        awaitQueued(m, 1);
        a.awaitBlocked();
        CountDownLatch bHas = new CountDownLatch(1);
        CountDownLatch bMayRelease = new CountDownLatch(1);
        TestThread<Void> b = TestThread.run("b", () -> {
            m.acquire(1);
            bHas.countDown();
            assertTrue(bMayRelease.await(20, TimeUnit.SECONDS));
            m.release(3);
        });
        awaitQueued(m, 2);
        b.awaitBlocked();
        TestThread<Void> c = TestThread.run("c", () -> {
            m.acquire(1);
            m.release(4);
        });
        awaitQueued(m, 3);
        c.awaitBlocked();
        assertEquals(a.thread(), m.wakeHintThread(), "the hint must name the first waiter");
        assertTrue(m.wakeHintIsCurrent());

        a.interrupt();
        a.joinFailure(InterruptedException.class);
        assertEquals(b.thread(), m.wakeHintThread(), "the hint must move on to the next waiter when the first leaves");
        assertTrue(m.wakeHintIsCurrent());

        long before = m.wakeups();
        m.release(1);
        assertTrue(bHas.await(20, TimeUnit.SECONDS), "the release did not wake the waiter the hint named");
        assertEquals(1, m.wakeups() - before, "one release of key 1 must wake exactly one waiter");
        assertEquals(c.thread(), m.wakeHintThread(), "the hint must move on when its node takes the mutex");
        c.assertStillBlocked();
        bMayRelease.countDown();
        b.join();
        assertEquals(3, m.key(), "c must not have taken the mutex: nobody released key 1 to it");
        m.acquire(3);
        m.release(1);
        c.join();
        assertEquals(4, m.key());
        assertEquals(null, m.wakeHintThread());
    }

    /** Fair: a release to a queued waiter's key grants it directly; an untimed tryAcquire cannot take it. */
    @Test
    void aFairReleaseGrantsToTheQueuedWaiter() throws Exception {
        for (int i = 0; i < 20; i++) {
            LocalKeyedMutex m = new LocalKeyedMutex(0, 0, true);
            m.acquire(0);
            TestThread<Void> w = queuedWaiter(m, "w", 1, 2);
            m.release(1);
            assertFalse(m.tryAcquire(1), "round " + i + ": a barger took the mutex from a queued fair waiter");
            w.join();
        }
    }

    /** Waiters that time out or are interrupted leave their lists at once: no garbage builds up. */
    @Test
    void cancelledWaitersLeaveNothingBehind() throws Exception {
        LocalKeyedMutex m = new LocalKeyedMutex(0, 0, false);
        m.acquire(0); // held for the whole test: nobody would ever clean up after the waiters
        TestThread.run("poller", () -> {
            for (int i = 0; i < 300; i++) {
                assertFalse(m.tryAcquire(1000 + i, 50, TimeUnit.MICROSECONDS));
                assertFalse(m.tryAcquire(0, 50, TimeUnit.MICROSECONDS));
            }
        }).join();
        TestThread<Void> interrupted = TestThread.run("interrupted", () -> m.acquire(77));
        awaitQueued(m, 1);
        interrupted.awaitBlocked();
        interrupted.interrupt();
        interrupted.joinFailure(InterruptedException.class);
        assertEquals(0, m.queueLength());
        assertEquals(0, m.keyQueues(), "per-key lists were left behind");
        m.release(0);
    }

    /** Uncontended acquire + release allocates nothing (SPEC 5). */
    @Test
    void uncontendedAcquireAndReleaseAllocateNothing() throws Exception {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's per-thread allocation counter");
        com.sun.management.ThreadMXBean hotspot = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(hotspot.isThreadAllocatedMemorySupported() && hotspot.isThreadAllocatedMemoryEnabled());
        LocalKeyedMutex m = new LocalKeyedMutex(0, 0, false);
        KeyedMutexLock lock = new KeyedMutexLock();
        long id = Thread.currentThread().getId();
        for (int round = 0; round < 3; round++) { // the first rounds warm up (JIT, class loading)
            long before = hotspot.getThreadAllocatedBytes(id);
            for (int i = 0; i < 200_000; i++) {
                long k = m.key();
                m.acquire(k);
                m.release(k + 1);
                assertTrue(m.tryAcquire(k + 1));
                m.release(k + 1);
                lock.lock();
                lock.unlock();
            }
            long allocated = hotspot.getThreadAllocatedBytes(id) - before;
            if (round == 2) {
                // The counter itself may allocate a few bytes; 200,000 iterations of anything
                // that allocates would show megabytes.
                assertTrue(allocated < 4096, "allocated " + allocated + " bytes in 200,000 uncontended iterations");
            }
        }
    }

    /** A fair mutex does not let a newcomer barge in ahead of a queued waiter of its key. */
    @Test
    void fairNewcomersDoNotBargeAheadOfQueuedWaiters() throws Exception {
        LocalKeyedMutex m = new LocalKeyedMutex(0, 0, true);
        m.acquire(0);
        TestThread<Void> queued = queuedWaiter(m, "queued", 1, 3);
        m.release(1);
        // The hand-off went to the queued waiter: a newcomer's tryAcquire(1, 0) cannot win.
        queued.join();
        assertEquals(3, m.key());
        assertFalse(m.isLocked());
    }

    /** The abandonment check runs in slices of ABANDON_CHECK_NANOS: the documented bound. */
    @Test
    void abandonmentSliceIsWithinTheDocumentedBound() {
        assertTrue(LocalKeyedMutex.ABANDON_CHECK_NANOS <= TimeUnit.MILLISECONDS.toNanos(50));
    }

    /**
     * Fair: a waiter that finds the mutex free with its key takes it even while a cancelled
     * waiter ahead of it has not yet unlinked itself (here, held in cancel() by a latch). Before,
     * it waited for that thread's unlink, however long that thread stalled.
     */
    @Test
    void aFairWaiterIsNotHeldBackByACancelledWaiterAheadOfIt() throws Exception {
        LocalKeyedMutex m = new LocalKeyedMutex(0, 0, true);
        CountDownLatch cancelled = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        AtomicReference<Thread> stalled = new AtomicReference<>();
        LocalKeyedMutex.afterCancelForTests = () -> {
            if (Thread.currentThread() == stalled.get()) {
                cancelled.countDown();
                try {
                    letGo.await(30, TimeUnit.SECONDS); // stall between cancelling and unlinking
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try {
            m.acquire(0);
            TestThread<Boolean> giveUp = TestThread.start("gives-up", () -> {
                stalled.set(Thread.currentThread());
                return m.tryAcquire(1, 20, TimeUnit.MILLISECONDS);
            });
            assertTrue(cancelled.await(20, TimeUnit.SECONDS), "the first waiter timed out and cancelled");
            m.release(1);                  // skips the cancelled node: free with key 1, node still linked
            assertEquals(1, m.queueLength(), "the cancelled node is still linked");
            TestThread<Void> next = TestThread.run("next", () -> {
                m.acquire(1);
                m.release(2);
            });
            next.join();                   // bounded (TestThread.LONG): hung here before the fix
            assertEquals(2, m.key());
            letGo.countDown();
            assertFalse(giveUp.join(), "the cancelled waiter did not get the mutex");
            assertEquals(0, m.queueLength());
        } finally {
            LocalKeyedMutex.afterCancelForTests = null;
            letGo.countDown();
            m.close();
        }
    }

    /**
     * The fast path's guess (the free state the last release left) says "free, key 1" while
     * another thread holds the mutex with key 1: the CAS from that stale guess must fail, for
     * tryAcquire (which barges) as for acquire's fast path.
     */
    @Test
    void aStaleGuessOfTheFreeStateNeverAdmitsWhileTheMutexIsHeld() throws Exception {
        for (boolean fair : new boolean[] {false, true}) {
            LocalKeyedMutex m = new LocalKeyedMutex(0, 0, fair);
            m.acquire(0);
            m.release(1);                         // the guess: free with key 1
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            TestThread<Void> holder = TestThread.run("holder", () -> {
                m.acquire(1);                     // takes it through the guess; key stays 1
                holding.countDown();
                assertTrue(letGo.await(20, TimeUnit.SECONDS));
                m.release(2);
            });
            assertTrue(holding.await(20, TimeUnit.SECONDS));
            assertEquals(1, m.key());
            assertFalse(m.tryAcquire(1), "fair=" + fair + ": admitted while another thread holds the mutex");
            assertFalse(m.tryAcquire(1, 1, TimeUnit.MILLISECONDS), "fair=" + fair + ": timed, admitted while held");
            letGo.countDown();
            holder.join();
            assertEquals(2, m.key());
            assertTrue(m.tryAcquire(2), "the next free state is taken again");
            m.release(2);
            m.close();
        }
    }

    /**
     * What the spin target reports for the Spinner's stop rule: held with the very key wanted by a
     * set owner is contention (STOP); held with that key and no owner is UNOWNED, the moment of a
     * release to that key (release0 clears the owner, then writes the next key) or of an acquire
     * that has not yet set the owner; another key is OTHER_KEY (a hand-off may follow). The
     * release moment is set up here by clearing the owner of a held mutex, as release0 does first.
     */
    @Test
    void theSpinTargetTellsContentionFromAReleaseUnderWay() throws Exception {
        LocalKeyedMutex m = new LocalKeyedMutex(0, 0, false);
        java.lang.reflect.Field target = LocalKeyedMutex.class.getDeclaredField("spinTarget");
        target.setAccessible(true);
        Spinner.Target spin = (Spinner.Target) target.get(m);
        assertEquals(Spinner.GO, spin.look(0), "free with the key wanted");
        assertEquals(Spinner.OTHER_KEY, spin.look(1), "free with another key");
        m.acquire(0);
        assertEquals(Spinner.STOP, spin.look(0), "held with the key wanted, owner set: contention");
        assertEquals(Spinner.OTHER_KEY, spin.look(1), "held with another key: a hand-off may follow");
        m.owner = null; // what release0 does first, before it writes the next key
        try {
            assertEquals(Spinner.UNOWNED, spin.look(0), "locked with key 0 but no owner: a release is under way");
        } finally {
            m.owner = Thread.currentThread();
        }
        m.release(1);
        assertEquals(Spinner.GO, spin.look(1));
        m.close();
        assertEquals(Spinner.STOP, spin.look(1), "closed");
    }

    /**
     * The layout rule of LocalMutexFields: the fields every hand-off writes (the base class's
     * entryKey, then owner, state, key, freeGuess) lie in one stretch of at most 40 bytes with
     * compressed references (48 without), so that they share a cache line at half the placements
     * an object can have. A field added among them, or one of them moved to where a subclass
     * field lands, widens the stretch and fails this. Offsets are read with sun.misc.Unsafe,
     * which warns from JDK 24 on, so the check runs on the JDKs before that (CI runs JDK 17).
     */
    @Test
    void theFieldsEveryHandOffWritesLieTogether() throws Exception {
        assumeTrue(Runtime.version().feature() < 23,
                "reads field offsets through sun.misc.Unsafe, whose memory-access methods warn from JDK 24");
        // By reflection: this module does not read jdk.unsupported (and the library must not).
        Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
        java.lang.reflect.Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        Object u = theUnsafe.get(null);
        java.lang.reflect.Method fieldOffset = unsafeClass.getMethod("objectFieldOffset", java.lang.reflect.Field.class);
        int refSize = (int) unsafeClass.getMethod("arrayIndexScale", Class.class).invoke(u, Object[].class);
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        java.lang.reflect.Field[] written = {
            dev.keyedmutex.AbstractKeyedMutex.class.getDeclaredField("entryKey"),
            LocalMutexFields.class.getDeclaredField("owner"),
            LocalMutexFields.class.getDeclaredField("state"),
            LocalMutexFields.class.getDeclaredField("key"),
            LocalMutexFields.class.getDeclaredField("freeGuess"),
        };
        StringBuilder layout = new StringBuilder();
        for (java.lang.reflect.Field f : written) {
            long offset = (long) fieldOffset.invoke(u, f);
            long size = f.getType() == long.class ? 8 : refSize;
            lo = Math.min(lo, offset);
            hi = Math.max(hi, offset + size);
            layout.append(' ').append(f.getName()).append('@').append(offset);
        }
        long limit = refSize == 4 ? 40 : 48;
        assertTrue(hi - lo <= limit, "the fields a hand-off writes span " + (hi - lo)
                + " bytes, more than " + limit + ":" + layout);
    }

    /**
     * The holder unlocks with a plain volatile store of the state word (no atomic RMW), which is
     * right only if nobody else writes that word while the mutex is held. close() is the one call
     * another thread may make during a hold: it must leave the word alone (it sets a field of its
     * own), or a release racing with it could store over its mark (CloseVsReleaseStress).
     */
    @Test
    void closeDuringAHoldLeavesTheStateWordToTheHolder() throws Exception {
        for (boolean fair : new boolean[] {false, true}) {
            LocalKeyedMutex m = new LocalKeyedMutex(0, 0, fair);
            m.acquire(0);
            long held = m.state;
            assertEquals(LocalKeyedMutex.LOCKED, held & LocalKeyedMutex.LOCKED);
            TestThread<Void> closer = TestThread.run("closer", m::close);
            closer.join();
            assertEquals(held, m.state, "close() wrote the state word during a hold");
            assertTrue(m.isClosed());
            assertThrows(IllegalStateException.class, () -> m.release(1));
            assertEquals(held, m.state, "a refused release changed the state word");
            assertThrows(IllegalStateException.class, () -> m.tryAcquire(0));
        }
    }

    /**
     * The unlocking store gives back exactly the state the holder's lock installed, less LOCKED
     * (the version the fast path's guess and the ABA argument rely on), and publishes it as the
     * guess the next fast path takes.
     */
    @Test
    void aReleaseKeepsTheVersionItsLockInstalled() throws Exception {
        for (boolean fair : new boolean[] {false, true}) {
            LocalKeyedMutex m = new LocalKeyedMutex(0, 0, fair);
            long before = m.state;
            m.acquire(0);
            long held = m.state;
            assertEquals(before + LocalKeyedMutex.VERSION_UNIT + LocalKeyedMutex.LOCKED, held);
            m.release(1);
            assertEquals(held - LocalKeyedMutex.LOCKED, m.state);
            assertEquals(held - LocalKeyedMutex.LOCKED, m.freeGuess, "the guess is the state just stored");
            assertFalse(m.isLocked());
            assertTrue(m.tryAcquire(1), "the fast path takes the released state");
            assertEquals(held + LocalKeyedMutex.VERSION_UNIT, m.state);
            m.release(0);
        }
    }
}
