package dev.keyedmutex.d3dkmt;

import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TEST DOUBLE of the Windows kernel's D3DKMT keyed-mutex calls, in memory. It is not Windows:
 * it follows the semantics documented in d3dkmt-abi.md (from Microsoft's documentation and Wine's
 * conformance tests) so that the provider's Java logic can be tested here:
 * <ul>
 *   <li>handles: local handles step by 0x40 with bit 30 set; global handles are local-style with
 *       low bits 2; an unknown handle gives STATUS_INVALID_PARAMETER; the object and its global
 *       handle die with the last local handle;</li>
 *   <li>acquire: STATUS_SUCCESS only when unowned with the same key; a 0 timeout tests once; a
 *       negative timeout is a relative wait in 100-ns units; NULL waits forever;
 *       STATUS_TIMEOUT when it elapses;</li>
 *   <li>release by a thread or handle that does not own it: STATUS_INVALID_PARAMETER (ownership
 *       per thread, as in Wine);</li>
 *   <li>destroying a local handle that owns the mutex abandons it: every acquire then returns
 *       STATUS_ABANDONED, for good (Wine also returns it from release);</li>
 *   <li>private data: a fixed-size blob set at create; open-2 with a size other than 0 or the
 *       stored one is refused; acquire-2 copies it out, release-2 replaces it, and either refuses
 *       a buffer of any size but the stored one (the rule Open2 follows; stricter than needed, so
 *       that a provider passing a wrong size fails here).</li>
 * </ul>
 * Waits on a handle that is destroyed meanwhile return STATUS_INVALID_PARAMETER.
 */
final class FakeD3dkmt implements D3dkmtApi, RendezvousStore {

    private static final class KObject {
        final int global;
        long key;
        Thread ownerThread;
        int ownerLocal;
        boolean abandoned;
        byte[] blob; // null: none
        final Set<Integer> locals = new HashSet<>();

        KObject(int global) {
            this.global = global;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Integer, KObject> byLocal = new HashMap<>();
    private final Map<Integer, KObject> byGlobal = new HashMap<>();
    private final Map<String, byte[]> names = new HashMap<>();
    private int next = 1;
    int calls;

    private int newLocal() {
        return 0x4000_0000 | (next++ << 6);
    }

    @Override
    public int create(long initialKey, byte[] initialBlob, int[] handles) {
        lock.lock();
        try {
            calls++;
            KObject o = new KObject(0x4000_0000 | (next++ << 6) | 2);
            o.key = initialKey;
            o.blob = initialBlob == null ? null : initialBlob.clone();
            int local = newLocal();
            o.locals.add(local);
            byLocal.put(local, o);
            byGlobal.put(o.global, o);
            handles[0] = o.global;
            handles[1] = local;
            return NtStatus.SUCCESS;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int open(int globalHandle, int blobSize, int[] local) {
        lock.lock();
        try {
            calls++;
            KObject o = byGlobal.get(globalHandle);
            if (o == null) {
                return NtStatus.INVALID_PARAMETER;
            }
            if (blobSize != 0 && o.blob != null && blobSize != o.blob.length) {
                return NtStatus.INVALID_PARAMETER;
            }
            int l = newLocal();
            o.locals.add(l);
            byLocal.put(l, o);
            local[0] = l;
            return NtStatus.SUCCESS;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int acquire(int local, long key, Long timeout100ns, byte[] blobOut) {
        long deadline = timeout100ns == null ? 0L : System.nanoTime() - timeout100ns * 100L;
        boolean interrupted = false;
        lock.lock();
        try {
            calls++;
            if (destroyedLocals.contains(local)) {
                callsOnDestroyedHandles++;
            }
            if (timeout100ns != null && timeout100ns > 0) {
                return NtStatus.INVALID_PARAMETER; // absolute times are not used by the provider
            }
            for (;;) {
                KObject o = byLocal.get(local);
                if (o == null) {
                    return NtStatus.INVALID_PARAMETER;
                }
                if (blobOut != null && blobOut.length != (o.blob == null ? 0 : o.blob.length)) {
                    return NtStatus.INVALID_PARAMETER; // strict, like Open2: a buffer of any other size is refused
                }
                if (o.abandoned) {
                    return NtStatus.ABANDONED;
                }
                if (o.ownerThread == null && o.key == key) {
                    o.ownerThread = Thread.currentThread();
                    o.ownerLocal = local;
                    if (blobOut != null && o.blob != null) {
                        System.arraycopy(o.blob, 0, blobOut, 0, o.blob.length);
                    }
                    return NtStatus.SUCCESS;
                }
                if (timeout100ns != null) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        return NtStatus.TIMEOUT;
                    }
                    try {
                        changed.awaitNanos(remaining);
                    } catch (InterruptedException e) {
                        interrupted = true; // a kernel wait does not see Java interrupts: wait on
                    }
                } else {
                    changed.awaitUninterruptibly();
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public int release(int local, long nextKey, byte[] blob) {
        lock.lock();
        try {
            calls++;
            if (destroyedLocals.contains(local)) {
                callsOnDestroyedHandles++;
            }
            KObject o = byLocal.get(local);
            if (o == null) {
                return NtStatus.INVALID_PARAMETER;
            }
            if (o.abandoned) {
                return NtStatus.ABANDONED;
            }
            if (o.ownerThread != Thread.currentThread() || o.ownerLocal != local) {
                return NtStatus.INVALID_PARAMETER;
            }
            if (blob != null) {
                if (blob.length != (o.blob == null ? 0 : o.blob.length)) {
                    return NtStatus.INVALID_PARAMETER;
                }
                o.blob = blob.clone();
            }
            o.key = nextKey;
            o.ownerThread = null;
            o.ownerLocal = 0;
            changed.signalAll();
            return NtStatus.SUCCESS;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int destroy(int local) {
        lock.lock();
        try {
            calls++;
            KObject o = byLocal.remove(local);
            if (o == null) {
                callsOnDestroyedHandles += destroyedLocals.contains(local) ? 1 : 0;
                return NtStatus.INVALID_PARAMETER;
            }
            destroyedLocals.add(local);
            o.locals.remove(local);
            if (o.ownerThread != null && o.ownerLocal == local) {
                o.abandoned = true;
            }
            if (o.locals.isEmpty()) {
                byGlobal.remove(o.global);
            }
            changed.signalAll();
            return NtStatus.SUCCESS;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- the name store double

    @Override
    public AutoCloseable publish(String name, byte[] record) throws FileAlreadyExistsException {
        synchronized (names) {
            if (names.containsKey(name)) {
                throw new FileAlreadyExistsException(NamedMappings.objectName(name));
            }
            names.put(name, record.clone());
        }
        return () -> {
            synchronized (names) {
                namesWithdrawn++;
                names.remove(name);
            }
        };
    }

    @Override
    public ByteBuffer read(String name) throws NoSuchFileException {
        synchronized (names) {
            byte[] r = names.get(name);
            if (r == null) {
                throw new NoSuchFileException(NamedMappings.objectName(name));
            }
            Integer unwritten = unwrittenReads.get(name);
            if (unwritten != null && unwritten > 0) {
                unwrittenReads.put(name, unwritten - 1);
                return ByteBuffer.wrap(new byte[r.length]); // what Windows shows before the publisher writes
            }
            return ByteBuffer.wrap(r.clone());
        }
    }

    /**
     * Kernel calls (acquire, release, destroy) made with a local handle after it was destroyed:
     * on Windows the value may by then name another object. Guarded by lock.
     */
    int callsOnDestroyedHandles;
    private final java.util.Set<Integer> destroyedLocals = new java.util.HashSet<>();
    /** How many times a published name's closer ran (it closes a Windows handle: once only). */
    int namesWithdrawn;

    /** Guarded by names: how many more reads of a name see it still zero-filled (created, not yet written). */
    private final java.util.Map<String, Integer> unwrittenReads = new java.util.HashMap<>();

    /** Tests: the next {@code reads} reads of a name see it created but not yet written. */
    void unwrittenFor(String name, int reads) {
        synchronized (names) {
            unwrittenReads.put(name, reads);
        }
    }

    /** Tests: write raw bytes under a name (a hostile or foreign record). */
    void plant(String name, byte[] record) {
        synchronized (names) {
            names.put(name, record);
        }
    }

    static long millisToNanos(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
