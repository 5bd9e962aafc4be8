package dev.keyedmutex.shm;

import dev.keyedmutex.AbandonedMutexException;
import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;
import dev.keyedmutex.internal.Spinner;
import dev.keyedmutex.testkit.TestThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The shm provider in one process: names, files, permissions, several handles, bad regions. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmTest {

    private static final AtomicInteger SEQ = new AtomicInteger();
    private final List<String> names = new ArrayList<>();
    private final List<KeyedMutex> handles = new ArrayList<>();

    @BeforeAll
    static void supported() {
        assumeTrue(new ShmProvider().isSupported(), ShmProvider::unsupportedReason);
    }

    private String newName() {
        String n = "kmtest-" + ProcessHandle.current().pid() + "-shm-" + SEQ.incrementAndGet();
        names.add(n);
        return n;
    }

    private KeyedMutex track(KeyedMutex m) {
        handles.add(m);
        return m;
    }

    @AfterEach
    void cleanUp() throws IOException {
        handles.forEach(KeyedMutex::close);
        for (String n : names) {
            Files.deleteIfExists(ShmProvider.file(n));
        }
    }

    @Test
    void createOpenDeleteByName() throws Exception {
        String name = newName();
        KeyedMutex a = track(KeyedMutexes.createShared(name, 7, 32));
        assertTrue(Files.exists(ShmProvider.file(name)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ShmProvider.file(name))),
                "the region file must be owner-only");
        KeyedMutex b = track(KeyedMutexes.openShared(name));
        assertEquals(7, b.key());
        assertEquals(32, b.privateDataCapacity());
        a.acquire(7);
        assertTrue(b.isLocked());
        a.release(8, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        ByteBuffer out = ByteBuffer.allocate(32);
        assertTrue(b.tryAcquire(8, 1, TimeUnit.SECONDS, out));
        assertEquals(3, out.position());
        b.release(9);
        assertTrue(KeyedMutexes.deleteShared(name));
        assertFalse(KeyedMutexes.deleteShared(name), "no such name any more");
        // Handles already open keep working, like unlink.
        assertTrue(a.tryAcquire(9));
        a.release(10);
        assertEquals(10, b.key());
    }

    @Test
    void creatingAnExistingNameFailsAndOpeningAMissingOneToo() {
        String name = newName();
        track(KeyedMutexes.createShared(name, 0, 0));
        UncheckedIOException taken = assertThrows(UncheckedIOException.class, () -> KeyedMutexes.createShared(name, 0, 0));
        assertTrue(taken.getCause() instanceof FileAlreadyExistsException, taken.toString());
        String missing = newName();
        UncheckedIOException none = assertThrows(UncheckedIOException.class, () -> KeyedMutexes.openShared(missing));
        assertTrue(none.getCause() instanceof NoSuchFileException, none.toString());
    }

    @Test
    void badNamesAndCapacitiesNeverReachTheFileSystem() {
        assertThrows(IllegalArgumentException.class, () -> new ShmProvider().create("../etc", 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ShmProvider().open("a/b"));
        assertThrows(IllegalArgumentException.class, () -> new ShmProvider().delete(".."));
        assertThrows(NullPointerException.class, () -> new ShmProvider().open(null));
        String name = newName();
        assertThrows(IllegalArgumentException.class, () -> new ShmProvider().create(name, 0, ShmLayout.MAX_CAPACITY + 1));
        assertThrows(IllegalArgumentException.class, () -> new ShmProvider().create(name, 0, -1));
        assertFalse(Files.exists(ShmProvider.file(name)), "a rejected create must leave no file");
        assertThrows(UnsupportedOperationException.class, () -> new ShmProvider().create(null, 0, 0));
    }

    @Test
    void aSymbolicLinkIsNeverFollowed() throws Exception {
        String name = newName();
        Path target = Files.createTempFile("kmtest-target", ".bin");
        try {
            Files.write(target, new byte[8192]);
            Files.createSymbolicLink(ShmProvider.file(name), target);
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> KeyedMutexes.openShared(name));
            assertTrue(e.getMessage().contains(name), e.getMessage());
        } finally {
            Files.deleteIfExists(target);
        }
    }

    @Test
    void ownershipBelongsToTheThreadNotTheHandle() throws Exception {
        String name = newName();
        KeyedMutex a = track(KeyedMutexes.createShared(name, 0, 0));
        KeyedMutex b = track(KeyedMutexes.openShared(name));
        a.acquire(0);
        assertTrue(b.isHeldByCurrentThread());
        assertThrows(IllegalStateException.class, () -> b.acquire(0), "a holder acquiring through another handle");
        assertThrows(IllegalStateException.class, () -> b.tryAcquire(0));
        Throwable stranger = TestThread.run("stranger", () -> b.release(5)).joinFailure();
        assertTrue(stranger instanceof IllegalMonitorStateException, stranger.toString());
        b.release(1); // the holder may release through any handle
        assertFalse(a.isLocked());
        assertEquals(1, a.key());
        // Lock views of different handles share the thread's ownership too.
        a.asLock(1, 1).lock();
        assertEquals(1, a.asLock(0, 0).getHoldCount());
        assertTrue(b.asLock(1, 1).isHeldByCurrentThread());
        b.asLock(1, 2).unlock(); // the last hold: releases with 2
        assertEquals(2, a.key());
    }

    @Test
    void closingWhileHoldingAbandonsTheMutexForOtherHandles() throws Exception {
        String name = newName();
        KeyedMutex a = KeyedMutexes.createShared(name, 0, 0);
        KeyedMutex b = track(KeyedMutexes.openShared(name));
        a.acquire(0);
        TestThread<Void> waiter = TestThread.run("waiter", () -> b.acquire(0));
        waiter.awaitBlocked();
        a.close();
        waiter.joinFailure(AbandonedMutexException.class);
        assertTrue(b.isAbandoned());
        assertThrows(AbandonedMutexException.class, () -> b.tryAcquire(0));
        // Opening an abandoned mutex succeeds; acquiring through it does not.
        KeyedMutex c = track(KeyedMutexes.openShared(name));
        assertTrue(c.isAbandoned());
        assertThrows(AbandonedMutexException.class, () -> c.acquire(0));
        assertThrows(IllegalStateException.class, a::key, "the closed handle");
    }

    @Test
    void theUncontendedPathMakesNoSystemCall() throws Exception {
        String name = newName();
        KeyedMutex m = track(KeyedMutexes.createShared(name, 0, 16));
        ByteBuffer data = ByteBuffer.allocate(16);
        m.acquire(0);
        m.release(0); // warm up (thread identity is read from /proc once per thread)
        long before = LinuxNative.FUTEX_CALLS.sum();
        for (int i = 0; i < 100_000; i++) {
            m.acquire(i);
            data.clear();
            m.release(i + 1, data);
        }
        assertEquals(before, LinuxNative.FUTEX_CALLS.sum(), "an uncontended acquire or release called futex");
    }

    /** SPEC 2.7/2.10: closing a handle while another of its threads holds through it abandons the mutex. */
    @Test
    void closingAHandleWhileAnotherOfItsThreadsHoldsAbandonsTheMutex() throws Exception {
        String name = newName();
        KeyedMutex a = track(KeyedMutexes.createShared(name, 0, 0));
        KeyedMutex b = track(KeyedMutexes.openShared(name));
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        TestThread<Void> holder = TestThread.run("holder", () -> {
            a.acquire(0);
            held.countDown();
            assertTrue(done.await(20, TimeUnit.SECONDS));
        });
        assertTrue(held.await(20, TimeUnit.SECONDS));
        a.close(); // by a thread that does not hold it; the holder can never release through a now
        assertTrue(b.isAbandoned(), "the holder lives but can no longer release: the mutex must be abandoned");
        assertThrows(AbandonedMutexException.class, () -> b.tryAcquire(0, 1, TimeUnit.SECONDS));
        done.countDown();
        holder.join();
    }

    /**
     * close() racing acquires and releases through the same handle never leaves the mutex locked
     * for good: through another handle it is then free, or abandoned (if the close caught a hold),
     * within the recordless bound.
     */
    @Test
    void closingAHandleThatOthersAreUsingNeverLeavesTheMutexStuck() throws Exception {
        for (int round = 0; round < 20; round++) {
            String name = newName();
            KeyedMutex a = track(KeyedMutexes.createShared(name, 0, 0));
            KeyedMutex b = track(KeyedMutexes.openShared(name));
            java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(2);
            List<TestThread<Void>> users = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                users.add(TestThread.run("user-" + t, () -> {
                    running.countDown();
                    for (;;) { // until the handle is closed (IllegalStateException) or abandoned
                        if (a.tryAcquire(0, 1, TimeUnit.MILLISECONDS)) {
                            a.release(0);
                        }
                    }
                }));
            }
            assertTrue(running.await(20, TimeUnit.SECONDS));
            a.close();
            users.forEach(u -> u.joinFailure());
            try {
                assertTrue(b.tryAcquire(0, 5, TimeUnit.SECONDS), "round " + round + ": the mutex stayed locked after close");
                b.release(0);
            } catch (AbandonedMutexException abandonedByTheClose) {
                assertTrue(b.isAbandoned());
            }
        }
    }

    /** Closing a handle while a thread holds through another handle of the same process changes nothing. */
    @Test
    void closingAnIdleHandleLeavesAnotherHandlesHoldAlone() throws Exception {
        String name = newName();
        KeyedMutex a = track(KeyedMutexes.createShared(name, 0, 0));
        KeyedMutex b = track(KeyedMutexes.openShared(name));
        a.acquire(0);
        b.close();
        assertFalse(a.isAbandoned());
        a.release(1);
        assertTrue(a.tryAcquire(1));
        a.release(2);
    }

    /**
     * A thread that took the mutex through one handle and released it through another leaves the
     * first handle's record of its holder behind; closing that handle later, while the thread
     * holds through the second, must not abandon the mutex.
     */
    @Test
    void closingAHandleAfterItsHolderReleasedThroughAnotherLeavesALaterHoldAlone() throws Exception {
        String name = newName();
        KeyedMutex a = track(KeyedMutexes.createShared(name, 0, 0));
        KeyedMutex b = track(KeyedMutexes.openShared(name));
        a.acquire(0);
        b.release(1); // released through b: a's own record of its holder is now stale
        b.acquire(1);
        a.close();
        assertFalse(b.isAbandoned(), "closing a handle that does not hold the mutex abandoned it");
        b.release(2);
        assertTrue(b.tryAcquire(2));
        b.release(3);
    }

    /**
     * An acquire that finds its handle closed after its locking CAS gives the mutex back at the new
     * version, never at the state it found: else another thread of the process could lock that
     * same state again through another handle, and the close() racing the acquire would take that
     * hold for the closing handle's own and abandon it. (The close is simulated by setting the
     * handle's flag alone, so the mapping stays real and the give-back is visible in the file.)
     */
    @Test
    void anAcquireThatFindsItsHandleClosedGivesTheMutexBackAtANewVersion() throws Exception {
        String name = newName();
        KeyedMutex a = track(KeyedMutexes.createShared(name, 3, 0));
        KeyedMutex b = track(KeyedMutexes.openShared(name));
        java.lang.reflect.Field closed = ShmKeyedMutex.class.getDeclaredField("closed");
        closed.setAccessible(true);
        long before = stateInRegion(name);
        closed.setBoolean(a, true);
        try {
            assertThrows(IllegalStateException.class, () -> a.tryAcquire(3));
        } finally {
            closed.setBoolean(a, false);
        }
        long after = stateInRegion(name);
        assertEquals(0L, after & (ShmLayout.LOCKED | ShmLayout.ABANDONED), "given back, not held or abandoned");
        assertTrue(after != before, "the give-back restored the state it found: " + Long.toHexString(after));
        assertEquals(3, b.key(), "a give-back writes no key");
        assertTrue(b.tryAcquire(3));
        b.release(4);
    }

    private static long stateInRegion(String name) throws IOException {
        try (FileChannel ch = FileChannel.open(ShmProvider.file(name), StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.nativeOrder()).getLong(ShmLayout.STATE_OFF);
        }
    }

    /**
     * The fast path's guess of the free state (the state the handle's last release left) goes stale
     * as soon as another handle locks: it must then never admit, and once the mutex is free again
     * with the key, the acquire must still succeed.
     */
    @Test
    void aStaleGuessOfTheFreeStateNeverAdmitsWhileAnotherHandleHolds() throws Throwable {
        String name = newName();
        KeyedMutex a = track(KeyedMutexes.createShared(name, 1, 0));
        KeyedMutex b = track(KeyedMutexes.openShared(name));
        a.acquire(1);
        a.release(1); // a's guess: free, key 1, this version
        // Key stays 1: the key check alone cannot refuse the stale guess.
        whileAnotherThreadHolds(b, 1, 1, () -> {
            assertFalse(a.tryAcquire(1), "a stale guess admitted a second holder");
            assertFalse(a.isHeldByCurrentThread());
        });
        assertTrue(a.tryAcquire(1), "free with key 1 again, but the stale guess was not followed by a read");
        a.release(2);
        assertEquals(2, b.key());
    }

    /**
     * isHeldByCurrentThread's quick answer (this handle's last locking thread and STATE, the
     * owner record not read) must not outlive the hold: not after a release through another
     * handle, and not while another thread holds through the same handle.
     */
    @Test
    void aHandleDoesNotClaimAHoldItsThreadGaveUpThroughAnotherHandle() throws Throwable {
        String name = newName();
        KeyedMutex a = track(KeyedMutexes.createShared(name, 0, 0));
        KeyedMutex b = track(KeyedMutexes.openShared(name));
        a.acquire(0);
        assertTrue(a.isHeldByCurrentThread());
        b.release(1); // a still names this thread as its last holder, and its locked STATE
        assertFalse(a.isHeldByCurrentThread());
        assertThrows(IllegalMonitorStateException.class, () -> a.release(7));
        assertFalse(a.isLocked());
        assertEquals(1, a.key(), "a refused release changed the key");

        whileAnotherThreadHolds(a, 1, 2, () -> {
            assertFalse(a.isHeldByCurrentThread(), "another thread holds through the same handle");
            assertThrows(IllegalMonitorStateException.class, () -> a.release(7));
            assertTrue(a.isLocked());
            assertEquals(1, a.key());
        });
        assertEquals(2, a.key());
    }

    /**
     * A re-lock through the same handle by the same thread skips rewriting the owner record's
     * identity (it is still that thread's): only if nobody locked since, and only if that
     * handle's last hold was really that thread's. Here another thread takes the mutex through
     * b and releases it through a, so a's next lock, by the first thread, must write the record
     * again: b, which reads the record, must see the first thread as holder.
     */
    @Test
    void theOwnerRecordNamesTheHolderAfterAHoldReleasedThroughAnotherHandle() throws Exception {
        String name = newName();
        KeyedMutex a = track(KeyedMutexes.createShared(name, 0, 0));
        KeyedMutex b = track(KeyedMutexes.openShared(name));
        a.acquire(0);
        a.release(0); // a's record: this thread
        TestThread.run("other", () -> {
            b.acquire(0); // the record: other
            assertTrue(b.isHeldByCurrentThread());
            a.release(0); // through a: a's guess is now the free state after other's hold
        }).join();
        assertTrue(a.tryAcquire(0)); // from a's guess, which is current
        try {
            assertTrue(b.isHeldByCurrentThread(), "the owner record still names the other thread");
            TestThread.run("stranger", () -> {
                assertFalse(a.isHeldByCurrentThread());
                assertFalse(b.isHeldByCurrentThread());
            }).join();
        } finally {
            a.release(0);
        }
        // And the same after another thread locked through another handle (a's guess stale).
        TestThread.run("other2", () -> {
            b.acquire(0);
            b.release(0);
        }).join();
        a.acquire(0);
        try {
            assertTrue(b.isHeldByCurrentThread(), "the owner record names the last other thread");
        } finally {
            a.release(0);
        }
    }

    /**
     * Runs {@code check} while another thread holds {@code m} (acquired with {@code key}); that
     * thread then checks that it still holds it and releases it with {@code nextKey}.
     */
    private static void whileAnotherThreadHolds(KeyedMutex m, long key, long nextKey, TestThread.VoidBody check)
            throws Throwable {
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch checked = new java.util.concurrent.CountDownLatch(1);
        TestThread<Void> holder = TestThread.run("holder", () -> {
            m.acquire(key);
            held.countDown();
            assertTrue(checked.await(20, TimeUnit.SECONDS));
            assertTrue(m.isHeldByCurrentThread());
            m.release(nextKey);
        });
        assertTrue(held.await(20, TimeUnit.SECONDS));
        try {
            check.run();
        } finally {
            checked.countDown();
        }
        holder.join();
    }

    /** Writes a locked STATE naming {@code slot} straight into the region (as a damaged or foreign writer could). */
    private static void lockInRegion(String name, int slot, long slotValueOrMinusOne) throws IOException {
        try (FileChannel ch = FileChannel.open(ShmProvider.file(name), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size()).order(ByteOrder.nativeOrder());
            if (slotValueOrMinusOne >= 0) {
                b.putLong(ShmLayout.slotOffset(slot), slotValueOrMinusOne);
            }
            b.putLong(ShmLayout.OWNER_VERSION_OFF, 0L);
            b.putLong(ShmLayout.STATE_OFF, ShmLayout.lockedBy(b.getLong(ShmLayout.STATE_OFF), slot));
        }
    }

    /**
     * A lock that no owner record ever completes (a live process, no record) is taken for
     * abandoned after RECORDLESS_NANOS, instead of a hang; one naming an empty slot at once.
     */
    @Test
    void aLockWithoutAnyOwnerIsAbandonedInsteadOfHanging() throws Exception {
        assertTrue(ShmKeyedMutex.RECORDLESS_NANOS <= TimeUnit.SECONDS.toNanos(2));
        long init = ShmLayout.slotValue(1, Procs.startTimeOrMinusOne(java.nio.file.Paths.get("/proc/1/stat")));
        Object[][] cases = {
            {"this process, no record", 0, -1L},     // slot 0 is this process's (it created the mutex)
            {"a live process, no record", 7, init},  // pid 1 lives for as long as the machine
            {"an empty slot", 9, 0L},
        };
        for (Object[] c : cases) {
            String name = newName();
            KeyedMutex m = track(KeyedMutexes.createShared(name, 0, 0));
            lockInRegion(name, (Integer) c[1], (Long) c[2]);
            long start = System.nanoTime();
            assertThrows(AbandonedMutexException.class, () -> m.tryAcquire(0, 10, TimeUnit.SECONDS), (String) c[0]);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMs < 5_000, c[0] + ": took " + tookMs + " ms");
            assertTrue(m.isAbandoned(), (String) c[0]);
        }
    }

    /** SPEC 2.2 for shm: a release wakes one sleeper, of the new key, not the sleepers of other keys. */
    @Test
    void aReleaseWakesOneSleeperOfTheNewKeyOnly() throws Exception {
        long mine = 1;
        long sameBucket = -1;
        long otherBucket = -1;
        long nobody = -1; // a key of a bucket nobody sleeps in, for the woken thread's own release
        for (long k = 2; sameBucket < 0 || otherBucket < 0 || nobody < 0; k++) {
            if (ShmLayout.bucket(k) == ShmLayout.bucket(mine) && ShmLayout.bit(k) != ShmLayout.bit(mine)) {
                sameBucket = sameBucket < 0 ? k : sameBucket;
            } else if (ShmLayout.bucket(k) != ShmLayout.bucket(mine)) {
                if (otherBucket < 0) {
                    otherBucket = k;
                } else if (ShmLayout.bucket(k) != ShmLayout.bucket(otherBucket)) {
                    nobody = k;
                }
            }
        }
        long free = nobody;
        String name = newName();
        KeyedMutex m = track(KeyedMutexes.createShared(name, 0, 0));
        m.acquire(0);
        List<TestThread<Void>> others = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long k1 = sameBucket;
            long k2 = otherBucket;
            others.add(TestThread.run("same-bucket-" + i, () -> m.acquire(k1)));
            others.add(TestThread.run("other-bucket-" + i, () -> m.acquire(k2)));
        }
        List<TestThread<Void>> ones = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ones.add(TestThread.run("key1-" + i, () -> {
                m.acquire(1);
                m.release(free);
            }));
        }
        try (FileChannel ch = FileChannel.open(ShmProvider.file(name), StandardOpenOption.READ)) {
            ByteBuffer region = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.nativeOrder());
            int b1 = ShmLayout.waitersOffset(ShmLayout.bucket(mine));
            int b2 = ShmLayout.waitersOffset(ShmLayout.bucket(otherBucket));
            dev.keyedmutex.testkit.Waits.until(() -> region.getInt(b1) == 7 && region.getInt(b2) == 4,
                    () -> "sleepers: " + region.getInt(b1) + " in key 1's bucket, " + region.getInt(b2) + " in the other");
            long before = LinuxNative.FUTEX_WOKEN.sum();
            m.release(1);
            dev.keyedmutex.testkit.Waits.until(() -> ones.stream().filter(TestThread::isDone).count() == 1 && !m.isLocked(),
                    () -> "one waiter of key 1 should have taken and released the mutex");
            // At most one: a sleeper between two 25 ms slices may see the release itself, unwoken.
            long woken = LinuxNative.FUTEX_WOKEN.sum() - before;
            assertTrue(woken <= 1, "one release woke " + woken + " sleepers");
            dev.keyedmutex.testkit.Waits.until(() -> region.getInt(b1) == 6 && region.getInt(b2) == 4,
                    () -> "the other sleepers should still sleep: " + region.getInt(b1) + ", " + region.getInt(b2));
            others.forEach(TestThread::assertStillBlocked);
        }
        m.close();
        others.forEach(t -> t.joinFailure(IllegalStateException.class));
        ones.stream().filter(t -> !t.isDone()).forEach(t -> t.joinFailure(IllegalStateException.class));
    }

    /** A region file of another user, or open to group or others, is refused (it was planted or changed). */
    @Test
    void aRegionThatIsNotPrivateToThisUserIsRefused() throws Exception {
        String name = newName();
        KeyedMutexes.createShared(name, 0, 0).close();
        Path file = ShmProvider.file(name);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        UncheckedIOException loose = assertThrows(UncheckedIOException.class, () -> KeyedMutexes.openShared(name));
        assertTrue(loose.getMessage().contains("rw-rw-rw-"), loose.getMessage());
        assertTrue(loose.getCause() instanceof java.nio.file.AccessDeniedException, String.valueOf(loose.getCause()));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        KeyedMutexes.openShared(name).close();
        boolean root = (Integer) Files.getAttribute(java.nio.file.Paths.get("/proc/self"), "unix:uid") == 0;
        assumeTrue(root, "changing a file's owner needs root");
        Files.setAttribute(file, "unix:uid", 65534);
        UncheckedIOException foreign = assertThrows(UncheckedIOException.class, () -> KeyedMutexes.openShared(name));
        assertTrue(foreign.getMessage().contains("owned by uid 65534"), foreign.getMessage());
    }

    // ---------------------------------------------------------------- bad regions

    private void corruptAndExpect(Consumer<ByteBuffer> damage, String expectedInMessage) throws IOException {
        String name = newName();
        KeyedMutexes.createShared(name, 3, 64).close();
        Path file = ShmProvider.file(name);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size()).order(ByteOrder.nativeOrder());
            damage.accept(b);
        }
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> KeyedMutexes.openShared(name));
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }

    @Test
    void badRegionsAreRefusedWithAClearException() throws Exception {
        corruptAndExpect(b -> b.putLong(ShmLayout.MAGIC_OFF, 0x1234L), "magic");
        corruptAndExpect(b -> b.putLong(ShmLayout.MAGIC_OFF, 0L), "no magic");
        corruptAndExpect(b -> b.putInt(ShmLayout.VERSION_OFF, 2), "layout version 2");
        corruptAndExpect(b -> b.putInt(ShmLayout.HEADER_SIZE_OFF, 64), "header size");
        corruptAndExpect(b -> b.putInt(ShmLayout.CAPACITY_OFF, Integer.MAX_VALUE), "capacity");
        corruptAndExpect(b -> b.putInt(ShmLayout.CAPACITY_OFF, -5), "capacity");
        corruptAndExpect(b -> b.putInt(ShmLayout.CAPACITY_OFF, 4000), "size");
        corruptAndExpect(b -> b.putLong(ShmLayout.REGION_SIZE_OFF, 1L << 40), "size");
        corruptAndExpect(b -> b.putInt(ShmLayout.BUCKETS_OFF, 1 << 20), "buckets");
        corruptAndExpect(b -> b.putLong(ShmLayout.STATE_OFF, ShmLayout.ABANDONED), "abandoned but not locked");
        corruptAndExpect(b -> b.putLong(ShmLayout.STATE_OFF, ShmLayout.lockedBy(0L, 5)), "slot 5, which is empty");
        corruptAndExpect(b -> b.putInt(ShmLayout.DATA_LENGTH_OFF, 65), "private-data length");
        corruptAndExpect(b -> b.putInt(ShmLayout.DATA_LENGTH_OFF, -1), "private-data length");
    }

    @Test
    void truncatedOrOversizedFilesAreRefused() throws Exception {
        for (long size : new long[] {0, 100, ShmLayout.HEADER_SIZE - 1, ShmLayout.regionSize(ShmLayout.MAX_CAPACITY) + 4096}) {
            String name = newName();
            KeyedMutexes.createShared(name, 0, 0).close();
            try (FileChannel ch = FileChannel.open(ShmProvider.file(name), StandardOpenOption.WRITE)) {
                if (size < ch.size()) {
                    ch.truncate(size);
                } else {
                    ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
                }
            }
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> KeyedMutexes.openShared(name), "size " + size);
            assertTrue(e.getMessage().contains("bytes"), e.getMessage());
        }
    }

    @Test
    void aBadPrivateDataLengthWrittenLaterIsReportedAndTheMutexHandedBack() throws Exception {
        String name = newName();
        KeyedMutex m = track(KeyedMutexes.createShared(name, 0, 16));
        try (FileChannel ch = FileChannel.open(ShmProvider.file(name), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size()).order(ByteOrder.nativeOrder())
                    .putInt(ShmLayout.DATA_LENGTH_OFF, 1 << 30);
        }
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> m.tryAcquire(0, 1, TimeUnit.SECONDS, ByteBuffer.allocate(16)));
        assertTrue(e.getMessage().contains("private-data length"), e.getMessage());
        assertFalse(m.isLocked(), "the mutex was handed back");
        assertTrue(m.tryAcquire(0), "and can be taken again");
        m.release(0);
    }

    @Test
    void inspectDescribesAMutex() throws Exception {
        String name = newName();
        KeyedMutex m = track(KeyedMutexes.createShared(name, 42, 8));
        m.acquire(42);
        String text = ShmProvider.inspect(name);
        assertTrue(text.contains("key:           42"), text);
        assertTrue(text.contains("locked:        yes"), text);
        assertTrue(text.contains("owner:         pid " + ProcessHandle.current().pid() + " (running)"), text);
        assertTrue(text.contains("abandoned:     no"), text);
        assertTrue(text.contains("private data:  0 of 8 bytes"), text);
        m.release(43, ByteBuffer.wrap(new byte[5]));
        String after = ShmProvider.inspect(name);
        assertTrue(after.contains("locked:        no") && after.contains("owner:         none"), after);
        assertTrue(after.contains("private data:  5 of 8 bytes"), after);
        assertThrows(UncheckedIOException.class, () -> ShmProvider.inspect(newName()));
    }

    /** inspect says when the holder is gone but nobody has marked the mutex abandoned yet. */
    @Test
    void inspectTellsAGoneHolderFromAnAbandonedMutex() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        int deadPid = (int) p.pid(); // ended and reaped
        String name = newName();
        KeyedMutex m = track(KeyedMutexes.createShared(name, 0, 0));
        lockInRegion(name, 11, ShmLayout.slotValue(deadPid, 12345L));
        String text = ShmProvider.inspect(name);
        assertTrue(text.contains("(gone)") && text.contains("abandoned:     not yet marked"), text);
        assertThrows(AbandonedMutexException.class, () -> m.tryAcquire(0, 5, TimeUnit.SECONDS));
        assertTrue(ShmProvider.inspect(name).contains("abandoned:     yes"));
    }

    /**
     * As in the local provider: the spin target reports contention (STOP) when the mutex is held
     * with the very key wanted and the owner record is that of the current state, and UNOWNED
     * while a release to that key is under way: release0 clears the record (OWNER_VERSION) and
     * then writes the next key. The moment is set up by clearing the record of a held mutex in
     * the region.
     */
    @Test
    void theSpinTargetTellsContentionFromAReleaseUnderWay() throws Exception {
        String name = newName();
        ShmKeyedMutex a = (ShmKeyedMutex) track(KeyedMutexes.createShared(name, 0, 0));
        java.lang.reflect.Field target = ShmKeyedMutex.class.getDeclaredField("spinTarget");
        target.setAccessible(true);
        Spinner.Target spin = (Spinner.Target) target.get(a);
        assertEquals(Spinner.GO, spin.look(0), "free with the key wanted");
        assertEquals(Spinner.OTHER_KEY, spin.look(1), "free with another key");
        a.acquire(0);
        assertEquals(Spinner.STOP, spin.look(0), "held with the key wanted, owner record set: contention");
        assertEquals(Spinner.OTHER_KEY, spin.look(1), "held with another key: a hand-off may follow");
        try (FileChannel ch = FileChannel.open(ShmProvider.file(name), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer region = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size()).order(ByteOrder.nativeOrder());
            long record = region.getLong(ShmLayout.OWNER_VERSION_OFF);
            assertEquals(stateInRegion(name), record, "the record names the locked state");
            region.putLong(ShmLayout.OWNER_VERSION_OFF, 0L); // what release0 does first
            try {
                assertEquals(Spinner.UNOWNED, spin.look(0), "locked with key 0 but no record: a release is under way");
            } finally {
                region.putLong(ShmLayout.OWNER_VERSION_OFF, record);
            }
        }
        a.release(1);
        assertEquals(Spinner.GO, spin.look(1));
        a.close();
        assertEquals(Spinner.STOP, spin.look(1), "closed");
    }
}
