package dev.keyedmutex.d3dkmt;

import dev.keyedmutex.AbandonedMutexException;
import dev.keyedmutex.AbstractKeyedMutex;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * A handle on a Windows kernel keyed mutex (D3DKMT), one process-local kernel handle each.
 *
 * <p>The kernel does the mutual exclusion, the key gating, the hand-off and the timeouts, and
 * reports abandonment. This class adds what the kernel does not do for Java:
 * <ul>
 *   <li>Ownership and recursion in Java first ({@link OwnerCell}): a release by a thread that
 *       does not hold the mutex, or an acquire by the thread that does, never reaches the
 *       kernel.</li>
 *   <li>Interruption: a kernel wait cannot be interrupted from Java, so every wait is cut into
 *       slices of at most {@link Timeouts#SLICE_NANOS} (50 ms); between slices the thread checks
 *       its interrupt status, whether the handle was closed, and whether a holder thread of this
 *       process has ended. The cost: a waiting thread returns to Java 20 times a second, and
 *       notices an interrupt within 50 ms.</li>
 *   <li>Status codes: only {@code STATUS_SUCCESS} (exactly 0) means acquired;
 *       {@code STATUS_TIMEOUT} means this slice or wait timed out; {@code STATUS_ABANDONED} makes
 *       the mutex abandoned for good; any other status throws an exception naming the function,
 *       the status and its hex value.</li>
 *   <li>Private data: the kernel keeps a fixed-size blob; {@link Blob} stores the length in it,
 *       and a blob read back is checked before use.</li>
 *   <li>A holder thread that ends without releasing: a waiter of this process that notices it
 *       destroys the kernel handle that thread held through, which makes the kernel abandon the
 *       mutex for every other handle, as it does for a holder that closes its handle.</li>
 * </ul>
 *
 * <p>Memory consistency: the kernel's acquire and release are full barriers, and the Java-side
 * owner fields are volatile.
 */
final class D3dkmtKeyedMutex extends AbstractKeyedMutex {

    private final D3dkmtApi api;
    private final String label;
    final int local;
    private final int capacity;
    private final boolean v2;
    private final OwnerCell cell;
    private final AutoCloseable rendezvous;
    private volatile boolean closed;
    private volatile int waiting;
    /**
     * Kernel calls on {@link #local} hold the read lock; destroying it takes the write lock, so a
     * handle value is never passed to the kernel after it was destroyed (Windows may reuse the
     * value for another object). A destroy waits for calls in flight: at most one 50 ms slice.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock kernel = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private boolean destroyed; // guarded by kernel's write lock; read under its read lock

    /**
     * @param created whether this handle comes from creating the kernel object (so a cell left
     *        under the same global handle value belongs to a destroyed object) or from opening it
     */
    D3dkmtKeyedMutex(D3dkmtApi api, String label, int local, int globalHandle, int capacity, long knownKey,
                     AutoCloseable rendezvous, boolean created) {
        super(capacity);
        this.api = api;
        this.label = label;
        this.local = local;
        this.capacity = capacity;
        this.v2 = capacity > 0;
        this.cell = OwnerCell.acquireRef(globalHandle, knownKey, created);
        this.rendezvous = rendezvous;
    }

    // ================================================================ acquire

    @Override
    protected boolean acquire0(long key, int mode, long nanos, ByteBuffer out) throws InterruptedException {
        boolean once = mode == TRY || (mode == TIMED && nanos <= 0);
        long deadline = mode == TIMED ? System.nanoTime() + nanos : 0L;
        byte[] blob = v2 ? new byte[Blob.size(capacity)] : null;
        boolean reinterrupt = false;
        synchronized (this) {
            waiting++;
        }
        try {
            for (;;) {
                if (closed) {
                    throw closedException();
                }
                if (cell.abandoned) {
                    throw abandonedException();
                }
                Long timeout;
                if (once) {
                    timeout = 0L;
                } else if (mode == TIMED) {
                    long remaining = deadline - System.nanoTime();
                    timeout = Timeouts.relative100ns(Math.max(1L, Math.min(remaining, Timeouts.SLICE_NANOS)));
                } else {
                    timeout = Timeouts.relative100ns(Timeouts.SLICE_NANOS);
                }
                int status;
                kernel.readLock().lock();
                try {
                    status = destroyed ? NtStatus.INVALID_HANDLE : api.acquire(local, key, timeout, blob);
                } finally {
                    kernel.readLock().unlock();
                }
                if (status == NtStatus.SUCCESS) {
                    cell.lastKey = key;
                    cell.owner = Thread.currentThread();
                    cell.ownerHandle = this;
                    cell.heldBlob = blob;
                    if (out != null && v2) {
                        copyOut(key, blob, out);
                    }
                    return true;
                }
                if (status == NtStatus.ABANDONED) {
                    cell.abandoned = true;
                    if (closed) {
                        throw closedException(); // SPEC 2.10: a closed handle says so first
                    }
                    throw abandonedException();
                }
                if (status != NtStatus.TIMEOUT) {
                    if (closed) {
                        throw closedException(); // the handle went away under the wait
                    }
                    if (cell.abandoned) {
                        throw abandonedException(); // its kernel handle was destroyed to abandon it
                    }
                    throw NtStatus.failure(D3dkmtApi.name("Acquire", v2), status);
                }
                // STATUS_TIMEOUT: the wait or this slice of it ended.
                if (closed) {
                    throw closedException();
                }
                abandonIfTheLocalHolderEnded();
                if (cell.abandoned) {
                    throw abandonedException();
                }
                if (once || (mode == TIMED && deadline - System.nanoTime() <= 0)) {
                    return false;
                }
                if (Thread.interrupted()) {
                    if (mode != UNINTERRUPTIBLE) {
                        throw new InterruptedException();
                    }
                    reinterrupt = true;
                }
            }
        } finally {
            synchronized (this) {
                waiting--;
            }
            if (reinterrupt) {
                Thread.currentThread().interrupt(); // Lock.lock(): keep the interrupt, however it ends
            }
        }
    }

    private void copyOut(long key, byte[] blob, ByteBuffer out) {
        try {
            Blob.decode(blob, capacity, out);
        } catch (IOException e) {
            release0(key, null); // hand it back unchanged, then report
            throw new UncheckedIOException(new IOException(label + ": corrupt private data: " + e.getMessage(), e));
        }
    }

    /**
     * SPEC 2.7 for a thread of this process that ends holding the mutex: destroy the kernel handle
     * it held through, so that the kernel abandons the mutex for every other handle.
     */
    private void abandonIfTheLocalHolderEnded() {
        Thread o = cell.owner;
        if (o == null || o.isAlive()) {
            return;
        }
        D3dkmtKeyedMutex h = cell.ownerHandle;
        if (cell.owner != o || h == null) {
            return; // it released before it ended
        }
        cell.abandoned = true;
        h.destroyKernelHandle();
    }

    private AbandonedMutexException abandonedException() {
        return new AbandonedMutexException(label + " is abandoned: its holder ended or closed its handle without releasing it");
    }

    // ================================================================ release

    @Override
    protected void release0(long nextKey, ByteBuffer in) {
        byte[] blob = null;
        if (v2) {
            blob = in != null ? Blob.encode(in, capacity) : cell.heldBlob;
            if (blob == null) {
                blob = Blob.empty(capacity);
            }
        }
        Thread me = Thread.currentThread();
        // Ownership belongs to the thread (SPEC 2.12): release through the kernel handle it
        // acquired through, which may be another handle of this process on the same mutex.
        D3dkmtKeyedMutex through = cell.ownerHandle;
        if (through == null) {
            through = this;
        }
        cell.owner = null; // before the kernel lets the next holder in
        cell.ownerHandle = null;
        long keyBefore = cell.lastKey;
        cell.lastKey = nextKey;
        int status = through.kernelRelease(nextKey, blob);
        if (status == NtStatus.SUCCESS) {
            return;
        }
        cell.lastKey = keyBefore;
        if (status == NtStatus.ABANDONED) {
            cell.abandoned = true;
            throw abandonedException();
        }
        cell.owner = me; // still ours as far as the kernel is concerned
        cell.ownerHandle = through;
        throw NtStatus.failure(D3dkmtApi.name("Release", v2), status);
    }

    private int kernelRelease(long nextKey, byte[] blob) {
        kernel.readLock().lock();
        try {
            return destroyed ? NtStatus.INVALID_HANDLE : api.release(local, nextKey, blob);
        } finally {
            kernel.readLock().unlock();
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
        }
        if (cell.ownerHandle == this) {
            // Destroying a handle that holds the mutex abandons it for the other handles (SPEC 2.7).
            cell.abandoned = cell.owner != null;
            cell.owner = null;
            cell.ownerHandle = null;
        }
        destroyKernelHandle();
        OwnerCell.releaseRef(cell);
        if (rendezvous != null) {
            try {
                rendezvous.close();
            } catch (Exception ignored) {
                // best effort: the name goes with the last handle anyway
            }
        }
    }

    private void destroyKernelHandle() {
        kernel.writeLock().lock();
        try {
            if (!destroyed) {
                destroyed = true;
                api.destroy(local);
            }
        } finally {
            kernel.writeLock().unlock();
        }
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
        return cell.owner == Thread.currentThread();
    }

    /**
     * The kernel has no query for the key: this is the last key this process saw (created with,
     * acquired with, released with); another process's hand-offs are not seen until this process
     * takes part again.
     */
    @Override
    public long key() {
        ensureOpen();
        return cell.lastKey;
    }

    /** Whether a thread of this process holds it (the kernel has no query for other processes). */
    @Override
    public boolean isLocked() {
        ensureOpen();
        return cell.owner != null || cell.abandoned;
    }

    @Override
    public boolean isAbandoned() {
        ensureOpen();
        if (!cell.abandoned) {
            abandonIfTheLocalHolderEnded();
        }
        return cell.abandoned;
    }

    @Override
    protected Thread owner() {
        return cell.owner;
    }

    @Override
    protected int queueLength() {
        return waiting;
    }

    @Override
    protected boolean hasQueuedThread(Thread thread) {
        return false;
    }

    @Override
    protected IllegalStateException closedException() {
        return new IllegalStateException(label + " is closed");
    }

    @Override
    public String toString() {
        return "D3dkmtKeyedMutex[" + label + (closed ? ", closed]" : "]");
    }
}
