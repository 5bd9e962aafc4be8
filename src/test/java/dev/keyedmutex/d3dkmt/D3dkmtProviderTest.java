package dev.keyedmutex.d3dkmt;

import dev.keyedmutex.AbandonedMutexException;
import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.testkit.TestThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The d3dkmt provider's Java logic around the kernel calls, over the in-memory TEST DOUBLE. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class D3dkmtProviderTest {

    private final FakeD3dkmt kernel = new FakeD3dkmt();
    private final D3dkmtProvider provider = new D3dkmtProvider(kernel, kernel);

    @Test
    void offWindowsTheRealProviderSaysWhyItIsUnsupported() {
        org.junit.jupiter.api.Assumptions.assumeFalse(System.getProperty("os.name").startsWith("Windows"));
        D3dkmtProvider real = new D3dkmtProvider();
        assertFalse(real.isSupported());
        assertTrue(D3dkmtProvider.unsupportedReason().contains("needs Windows"), D3dkmtProvider.unsupportedReason());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> real.create(null, 0, 0));
        assertTrue(e.getMessage().contains("Windows"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> real.open("name"));
    }

    @Test
    void recursionAndForeignReleasesNeverReachTheKernel() throws Exception {
        KeyedMutex m = provider.create(null, 0, 0);
        m.acquire(0);
        int calls = kernel.calls;
        assertThrows(IllegalStateException.class, () -> m.acquire(0));
        assertThrows(IllegalStateException.class, () -> m.tryAcquire(0, 1, TimeUnit.SECONDS));
        Throwable t = TestThread.run("stranger", () -> m.release(1)).joinFailure();
        assertTrue(t instanceof IllegalMonitorStateException, t.toString());
        assertEquals(calls, kernel.calls, "a call reached the kernel");
        m.release(1);
        m.close();
    }

    @Test
    void sharingByNameAndByGlobalHandle() throws Exception {
        KeyedMutex a = provider.create("frames", 3, 16);
        KeyedMutex b = provider.open("frames");
        assertEquals(16, b.privateDataCapacity());
        UncheckedIOException taken = assertThrows(UncheckedIOException.class, () -> provider.create("frames", 0, 0));
        assertTrue(taken.getCause() instanceof FileAlreadyExistsException, taken.toString());
        UncheckedIOException none = assertThrows(UncheckedIOException.class, () -> provider.open("nothing"));
        assertTrue(none.getCause() instanceof NoSuchFileException, none.toString());
        a.acquire(3);
        a.release(4, ByteBuffer.wrap(new byte[] {1, 2}));
        ByteBuffer out = ByteBuffer.allocate(16);
        assertTrue(b.tryAcquire(4, 1, TimeUnit.SECONDS, out));
        assertEquals(2, out.position());
        b.release(5);
        int global = Rendezvous.decode(kernel.read("frames")).globalHandle;
        KeyedMutex c = provider.openGlobalHandle(global, 16);
        assertTrue(c.tryAcquire(5));
        c.release(6);
        assertThrows(IllegalArgumentException.class, () -> provider.openGlobalHandle(0x4000_0040, 0), "a local handle");
        assertThrows(IllegalArgumentException.class, () -> provider.openGlobalHandle(global, -1));
        assertTrue(provider.delete("frames"));
        assertFalse(provider.delete("frames"));
        a.close();
        b.close();
        c.close();
    }

    @Test
    void aForeignOrHostileRecordIsRefusedClearly() {
        byte[] foreign = new byte[32];
        foreign[0] = 'X';
        kernel.plant("bad", foreign);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> provider.open("bad"));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        kernel.plant("gone", new Rendezvous(0x4000_7fc2, 0, 1).encode()); // a global handle the kernel does not know
        UncheckedIOException gone = assertThrows(UncheckedIOException.class, () -> provider.open("gone"));
        assertTrue(gone.getMessage().contains("STATUS_INVALID_PARAMETER (0xC000000D)"), gone.getMessage());
        assertThrows(IllegalArgumentException.class, () -> provider.open("../x"));
    }

    /** The name exists a moment before its record is written: open waits for the record. */
    @Test
    void openWaitsForARecordStillBeingWritten() throws Exception {
        KeyedMutex a = provider.create("fresh", 3, 0);
        kernel.unwrittenFor("fresh", 3);
        KeyedMutex b = provider.open("fresh");
        assertTrue(b.tryAcquire(3), "opened the mutex the record names");
        b.release(4);
        b.close();
        a.close();
    }

    /** A record that stays zero is refused after the bounded wait, with a message saying so. */
    @Test
    void aRecordThatStaysUnwrittenIsRefusedAfterABoundedWait() {
        kernel.plant("stuck", new byte[32]);
        long start = System.nanoTime();
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> provider.open("stuck"));
        long waited = System.nanoTime() - start;
        assertTrue(e.getMessage().contains("still unwritten (magic 0)"), e.getMessage());
        assertTrue(waited >= D3dkmtProvider.UNWRITTEN_WAIT_NANOS, "gave up after " + waited + " ns");
    }

    /** SPEC 2.12: ownership belongs to the thread, so it may release through another handle. */
    @Test
    void aThreadReleasesThroughAnotherHandleOfTheSameMutex() throws Exception {
        KeyedMutex a = provider.create("two-handles", 0, 8);
        KeyedMutex b = provider.open("two-handles");
        a.acquire(0);
        assertTrue(b.isHeldByCurrentThread());
        b.release(1, ByteBuffer.wrap(new byte[] {7}));   // through b; the kernel hold is a's
        assertFalse(a.isLocked());
        ByteBuffer out = ByteBuffer.allocate(8);
        assertTrue(a.tryAcquire(1, 1, TimeUnit.SECONDS, out), "the release through b did not hand over");
        assertEquals(1, out.position());
        a.release(2);
        b.close();                                      // b holds nothing: no abandonment
        assertFalse(a.isAbandoned());
        assertTrue(a.tryAcquire(2));
        a.release(3);
        a.close();
    }

    /**
     * A new kernel object that gets the global handle value of a dead one (the kernel reuses them)
     * starts fresh: the dead one's owner cell, still held by a handle of this process that was
     * destroyed to abandon it but not closed, is not picked up.
     */
    @Test
    void aNewMutexWithAReusedGlobalHandleIsNotTheOldOne() throws Exception {
        FakeD3dkmt oldKernel = new FakeD3dkmt();
        KeyedMutex stale = new D3dkmtProvider(oldKernel, oldKernel).create(null, 0, 0);
        TestThread.run("ends-holding", () -> stale.acquire(0)).join();
        assertTrue(stale.isAbandoned(), "its holder ended: abandoned, and its kernel handle destroyed");
        FakeD3dkmt newKernel = new FakeD3dkmt(); // hands out the same global handle value again
        KeyedMutex fresh = new D3dkmtProvider(newKernel, newKernel).create(null, 0, 0);
        assertFalse(fresh.isAbandoned(), "the new mutex inherited the dead one's abandonment");
        assertTrue(fresh.tryAcquire(0));
        fresh.release(1);
        fresh.close();
        stale.close();
    }

    /** The published name is withdrawn once, by deleteShared or close, whichever comes first. */
    @Test
    void aNameIsWithdrawnExactlyOnce() {
        KeyedMutex a = provider.create("once", 0, 0);
        a.close();
        assertFalse(provider.delete("once"), "closing the creating handle already withdrew the name");
        KeyedMutex b = provider.create("twice", 0, 0);
        assertTrue(provider.delete("twice"));
        b.close();
        assertEquals(2, kernel.namesWithdrawn, "a name's handle was closed more than once");
    }

    /** A kernel handle is never used after it is destroyed, even by a waiter racing close(). */
    @Test
    void noKernelCallUsesADestroyedHandle() throws Exception {
        for (int round = 0; round < 20; round++) {
            KeyedMutex a = provider.create(null, 0, 0);
            a.acquire(0);
            List<TestThread<Void>> waiters = new java.util.ArrayList<>();
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(3);
            for (int i = 0; i < 3; i++) {
                waiters.add(TestThread.run("poller-" + i, () -> {
                    started.countDown();
                    for (;;) {
                        a.tryAcquire(0); // kernel calls back to back, until the handle is closed
                    }
                }));
            }
            assertTrue(started.await(10, TimeUnit.SECONDS));
            Thread closer = new Thread(a::close);
            closer.start();
            closer.join(10_000);
            assertFalse(closer.isAlive());
            for (TestThread<Void> w : waiters) {
                // Closed, or abandoned by the close (the main thread held it): either may win the race.
                Throwable t = w.joinFailure();
                assertTrue(t instanceof IllegalStateException || t instanceof AbandonedMutexException, t.toString());
            }
        }
        assertEquals(0, kernel.callsOnDestroyedHandles, "a kernel call used a destroyed handle");
    }

    @Test
    void closingWhileHoldingAbandonsTheMutexForOtherHandles() throws Exception {
        KeyedMutex a = provider.create("shared", 0, 0);
        KeyedMutex b = provider.open("shared");
        a.acquire(0);
        TestThread<Void> waiter = TestThread.run("waiter", () -> b.acquire(0));
        waiter.awaitBlocked();
        a.close();
        waiter.joinFailure(AbandonedMutexException.class);
        assertTrue(b.isAbandoned());
        assertThrows(AbandonedMutexException.class, () -> b.tryAcquire(0));
        b.close();
    }

    /** A kernel that answers every acquire with one status: success-class statuses other than 0 included. */
    private static D3dkmtApi answeringAcquireWith(int status) {
        return stubKernel(NtStatus.NOT_IMPLEMENTED, status);
    }

    /** A kernel whose create and release succeed, and whose open and acquire answer as told. */
    private static D3dkmtApi stubKernel(int openStatus, int acquireStatus) {
        return new D3dkmtApi() {
            @Override
            public int create(long initialKey, byte[] initialBlob, int[] handles) {
                handles[0] = 0x4000_0082;
                handles[1] = 0x4000_0080;
                return NtStatus.SUCCESS;
            }

            @Override
            public int open(int globalHandle, int blobSize, int[] local) {
                return openStatus;
            }

            @Override
            public int acquire(int local, long key, Long timeout100ns, byte[] blobOut) {
                return acquireStatus;
            }

            @Override
            public int release(int local, long nextKey, byte[] blob) {
                return NtStatus.SUCCESS;
            }

            @Override
            public int destroy(int local) {
                return NtStatus.SUCCESS;
            }
        };
    }

    /** Only STATUS_SUCCESS, exactly 0, means acquired; TIMEOUT, PENDING and ABANDONED do not. */
    @Test
    void onlyStatusZeroFromTheKernelMeansAcquired() throws Exception {
        KeyedMutex timeout = new D3dkmtProvider(answeringAcquireWith(NtStatus.TIMEOUT), kernel).create(null, 0, 0);
        assertFalse(timeout.tryAcquire(0));
        assertFalse(timeout.tryAcquire(0, 1, TimeUnit.MILLISECONDS));
        assertFalse(timeout.isHeldByCurrentThread());
        timeout.close();

        KeyedMutex pending = new D3dkmtProvider(answeringAcquireWith(NtStatus.PENDING), kernel).create(null, 0, 0);
        IllegalStateException p = assertThrows(IllegalStateException.class, () -> pending.tryAcquire(0));
        assertEquals("D3DKMTAcquireKeyedMutex failed: STATUS_PENDING (0x00000103)", p.getMessage());
        assertFalse(pending.isHeldByCurrentThread());
        pending.close();

        KeyedMutex abandoned = new D3dkmtProvider(answeringAcquireWith(NtStatus.ABANDONED), kernel).create(null, 0, 0);
        assertThrows(AbandonedMutexException.class, () -> abandoned.acquire(0));
        assertFalse(abandoned.isHeldByCurrentThread());
        assertTrue(abandoned.isAbandoned(), "STATUS_ABANDONED makes the mutex abandoned for good");
        assertThrows(AbandonedMutexException.class, () -> abandoned.tryAcquire(0));
        abandoned.close();
    }

    @Test
    void unexpectedStatusesNameTheFunctionTheStatusAndItsValue() {
        D3dkmtApi broken = stubKernel(NtStatus.NO_MEMORY, NtStatus.DEVICE_REMOVED);
        D3dkmtProvider p = new D3dkmtProvider(broken, kernel);
        KeyedMutex m = p.create(null, 0, 8);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.tryAcquire(0));
        assertEquals("D3DKMTAcquireKeyedMutex2 failed: STATUS_DEVICE_REMOVED (0xC00002B6)", e.getMessage());
        IllegalStateException o = assertThrows(IllegalStateException.class, () -> p.openGlobalHandle(0x4000_0042, 0));
        assertEquals("D3DKMTOpenKeyedMutex failed: STATUS_NO_MEMORY (0xC0000017)", o.getMessage());
        m.close();
    }

    @Test
    void longWaitsAreSlicedSoThatInterruptsAreSeen() throws Exception {
        KeyedMutex m = provider.create(null, 0, 0);
        TestThread<Void> waiter = TestThread.run("waiter", () -> m.acquire(7)); // key 7 never comes
        waiter.awaitBlocked();
        long start = System.nanoTime();
        waiter.interrupt();
        waiter.joinFailure(InterruptedException.class);
        long took = System.nanoTime() - start;
        assertTrue(took < TimeUnit.SECONDS.toNanos(5), "the interrupt was not seen between slices: " + took / 1e6 + " ms");
        assertFalse(m.isLocked());
        m.close();
    }
}
