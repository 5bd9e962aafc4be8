package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two handles (two mappings) of one shm region, for the cross-mapping stress tests.
 *
 * <p>Each state takes a pair from a pool ({@link #take}) and its arbiter gives it back
 * ({@link #dispose}), reset to what a new region is: free, key 0, no private data, the data
 * area zeroed. Creating, mapping twice, closing and deleting a region per state cost about
 * 200 us: these tests sampled 14–28 times slower than with the pool (a full {@code -m default}
 * pass of the six took about 4.5 hours, now about 70 minutes). A pair that cannot be reset
 * (still held: a test failed) is closed and deleted instead; the pool is closed and deleted when
 * the JVM exits.
 */
final class SharedPair {

    private static final AtomicLong SEQ = new AtomicLong();
    private static final Map<Integer, Queue<SharedPair>> POOL = new ConcurrentHashMap<>();
    private static final Queue<SharedPair> ALL = new ConcurrentLinkedQueue<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (SharedPair p : ALL) {
                try {
                    p.delete();
                } catch (RuntimeException e) {
                    System.err.println("SharedPair cleanup: " + p.name + ": " + e); // and go on with the rest
                }
            }
        }, "SharedPair cleanup"));
    }

    final String name = "jcstress-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    final int capacity;
    final KeyedMutex first;
    final KeyedMutex second;

    private SharedPair(int capacity) {
        this.capacity = capacity;
        first = KeyedMutexes.createShared(name, 0L, capacity);
        second = KeyedMutexes.openShared(name);
    }

    /** A pair with the given private-data capacity: free, key 0, no private data. */
    static SharedPair take(int capacity) {
        SharedPair p = POOL.computeIfAbsent(capacity, c -> new ConcurrentLinkedQueue<>()).poll();
        if (p == null) {
            p = new SharedPair(capacity);
            ALL.add(p);
        }
        return p;
    }

    /**
     * Resets the pair and gives it back to the pool (the arbiter calls it last, from the thread
     * that may hold the mutex through {@link #first} after its checks).
     */
    void dispose() {
        if (first.isHeldByCurrentThread() || (!first.isLocked() && first.tryAcquire(first.key()))) {
            // Zeros over the whole data area, then no data: a reader that got the length of a
            // release but not its bytes must find zeros, as in a new region, not the bytes of
            // the sample before (which the hand-off tests write the same every time).
            first.release(0L, ByteBuffer.allocate(capacity));
            if (!first.tryAcquire(0L)) {
                throw new IllegalStateException("shm pair " + name + ": not free with key 0 right after its reset");
            }
            first.release(0L, ByteBuffer.allocate(0));
            POOL.get(capacity).add(this);
        } else {
            ALL.remove(this);
            delete();
        }
    }

    private void delete() {
        try {
            first.close();
            second.close();
        } finally {
            KeyedMutexes.deleteShared(name);
        }
    }
}
