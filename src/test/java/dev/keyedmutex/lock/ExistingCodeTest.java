package dev.keyedmutex.lock;

import dev.keyedmutex.lock.LockUnderTest.Kind;
import dev.keyedmutex.testkit.TestThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Existing code": classic {@link Lock}/{@link Condition} programs written against the
 * {@code java.util.concurrent.locks} interfaces only, as users have them today, run unchanged
 * with {@code ReentrantLock} and with {@code KeyedMutexLock} as the {@code Lock}. Every item must
 * be delivered exactly once (checked per item with a counting array, not by a sum).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExistingCodeTest {

    private final List<TestThread<?>> threads = Collections.synchronizedList(new ArrayList<>());

    private <T> TestThread<T> start(String name, TestThread.Body<T> body) {
        TestThread<T> t = TestThread.start(name, body);
        threads.add(t);
        return t;
    }

    /** Joins all; if one fails, interrupts the others (every wait below is interruptible) and rethrows. */
    private static void joinAll(List<? extends TestThread<?>> ts) {
        try {
            for (TestThread<?> t : ts) {
                t.join();
            }
        } catch (AssertionError e) {
            for (TestThread<?> t : ts) {
                t.interrupt();
            }
            throw e;
        }
    }

    @AfterEach
    void noThreadLeftBehind() throws InterruptedException {
        List<TestThread<?>> ts;
        synchronized (threads) {
            ts = new ArrayList<>(threads);
        }
        for (TestThread<?> t : ts) {
            if (!t.isDone()) {
                t.interrupt();
            }
        }
        List<String> alive = new ArrayList<>();
        for (TestThread<?> t : ts) {
            t.thread().join(5_000);
            if (t.thread().isAlive()) {
                alive.add(t.thread().getName());
            }
        }
        assertTrue(alive.isEmpty(), () -> "threads left running: " + alive);
    }

    // ================================================================ the "existing code"

    /**
     * The bounded buffer of the {@link Condition} javadoc, for longs, with a mutual-exclusion
     * witness: {@code inside} counts the threads between lock and unlock (minus those in await),
     * so two threads inside at once are caught, and the ring indices are checked on every access.
     */
    static final class BoundedBuffer {
        private final Lock lock;
        private final Condition notFull;
        private final Condition notEmpty;
        private final long[] items;
        private int putIndex;
        private int takeIndex;
        private int count;
        private int inside;

        BoundedBuffer(Lock lock, int capacity) {
            this.lock = lock;
            this.notFull = lock.newCondition();
            this.notEmpty = lock.newCondition();
            this.items = new long[capacity];
        }

        void put(long x) throws InterruptedException {
            lock.lock();
            try {
                enter();
                while (count == items.length) {
                    inside--;
                    notFull.await();
                    enter();
                }
                items[putIndex] = x;
                putIndex = (putIndex + 1) % items.length;
                count++;
                check();
                notEmpty.signal();
                inside--;
            } finally {
                lock.unlock();
            }
        }

        long take() throws InterruptedException {
            lock.lockInterruptibly();
            try {
                enter();
                while (count == 0) {
                    inside--;
                    notEmpty.await();
                    enter();
                }
                long x = items[takeIndex];
                takeIndex = (takeIndex + 1) % items.length;
                count--;
                check();
                notFull.signal();
                inside--;
                return x;
            } finally {
                lock.unlock();
            }
        }

        private void enter() {
            if (++inside != 1) {
                throw new AssertionError(inside + " threads inside the lock at once");
            }
        }

        private void check() {
            if (count < 0 || count > items.length
                    || Math.floorMod(putIndex - takeIndex - count, items.length) != 0) {
                throw new AssertionError("ring corrupted: put=" + putIndex + " take=" + takeIndex + " count=" + count);
            }
        }
    }

    static final long PILL = -1L;

    // ================================================================ (a) producers and consumers

    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void boundedBufferDeliversEveryItemExactlyOnce(Kind kind) {
        final int producers = 4;
        final int consumers = 4;
        final int items = 20_000;
        Lock lock = kind.create().raw();
        BoundedBuffer buffer = new BoundedBuffer(lock, 8);
        AtomicIntegerArray deliveries = new AtomicIntegerArray(items);

        List<TestThread<Integer>> ts = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            ts.add(start("producer-" + p, () -> {
                int n = 0;
                for (int item = id; item < items; item += producers) {
                    buffer.put(item);
                    n++;
                }
                buffer.put(PILL); // after all of its items: the last pill follows every item
                return n;
            }));
        }
        for (int c = 0; c < consumers; c++) {
            ts.add(start("consumer-" + c, () -> {
                // The buffer is FIFO, so one consumer sees each producer's items in increasing order.
                int[] last = new int[producers];
                Arrays.fill(last, -1);
                int n = 0;
                for (long x = buffer.take(); x != PILL; x = buffer.take()) {
                    int item = (int) x;
                    assertTrue(item >= 0 && item < items, "unknown item " + x);
                    int producer = item % producers;
                    assertTrue(item > last[producer], "item " + item + " after " + last[producer] + " of the same producer");
                    last[producer] = item;
                    deliveries.incrementAndGet(item);
                    n++;
                }
                return n;
            }));
        }
        joinAll(ts);

        int produced = 0;
        int consumed = 0;
        for (int i = 0; i < ts.size(); i++) {
            if (i < producers) {
                produced += ts.get(i).join();
            } else {
                consumed += ts.get(i).join();
            }
        }
        assertEquals(items, produced);
        assertDeliveredExactlyOnce(deliveries, kind.toString());
        assertEquals(items, consumed);
        assertEquals(0, buffer.count, "items left in the buffer");
    }

    // ================================================================ (b) a multi-stage pipeline

    /**
     * Feeders put ids into queue 0; stage s (two workers) takes from queue s, applies its step and
     * puts into queue s+1; sinks drain queue 4. Each queue is a {@link BoundedBuffer} with its own
     * lock. Every item carries its id and a value that each stage transforms, so the sink checks
     * that it went through all four stages, in order, exactly once.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void pipelineOfFourStagesDeliversEveryItemExactlyOnce(Kind kind) {
        final int stages = 4;
        final int workersPerStage = 2;
        final int feeders = 2;
        final int sinks = 2;
        final int items = 20_000;
        Supplier<Lock> locks = () -> kind.create().raw();
        BoundedBuffer[] queues = new BoundedBuffer[stages + 1];
        for (int q = 0; q <= stages; q++) {
            queues[q] = new BoundedBuffer(locks.get(), 16);
        }
        AtomicIntegerArray deliveries = new AtomicIntegerArray(items);

        List<TestThread<Integer>> ts = new ArrayList<>();
        for (int f = 0; f < feeders; f++) {
            int id = f;
            ts.add(start("feeder-" + f, () -> {
                int n = 0;
                for (int item = id; item < items; item += feeders) {
                    queues[0].put(pack(item, item));
                    n++;
                }
                queues[0].put(PILL);
                return n;
            }));
        }
        for (int s = 0; s < stages; s++) {
            int stage = s;
            for (int w = 0; w < workersPerStage; w++) {
                ts.add(start("stage-" + s + "-worker-" + w, () -> {
                    // Each worker ends on its first pill and passes one pill on after its last item,
                    // so the last pill into the next queue follows every item.
                    int n = 0;
                    for (long x = queues[stage].take(); x != PILL; x = queues[stage].take()) {
                        queues[stage + 1].put(pack(id(x), step(stage, value(x))));
                        n++;
                    }
                    queues[stage + 1].put(PILL);
                    return n;
                }));
            }
        }
        for (int k = 0; k < sinks; k++) {
            ts.add(start("sink-" + k, () -> {
                int n = 0;
                for (long x = queues[stages].take(); x != PILL; x = queues[stages].take()) {
                    int item = id(x);
                    assertTrue(item >= 0 && item < items, "unknown item " + item);
                    int expected = item;
                    for (int s = 0; s < stages; s++) {
                        expected = step(s, expected);
                    }
                    assertEquals(expected, value(x), "item " + item + " did not pass through every stage once, in order");
                    deliveries.incrementAndGet(item);
                    n++;
                }
                return n;
            }));
        }
        joinAll(ts);

        int fed = 0;
        int[] perStage = new int[stages];
        int sunk = 0;
        int i = 0;
        for (; i < feeders; i++) {
            fed += ts.get(i).join();
        }
        for (int s = 0; s < stages; s++) {
            for (int w = 0; w < workersPerStage; w++, i++) {
                perStage[s] += ts.get(i).join();
            }
        }
        for (; i < ts.size(); i++) {
            sunk += ts.get(i).join();
        }
        assertEquals(items, fed);
        for (int s = 0; s < stages; s++) {
            assertEquals(items, perStage[s], "items through stage " + s);
        }
        assertDeliveredExactlyOnce(deliveries, kind.toString());
        assertEquals(items, sunk);
        for (int q = 0; q <= stages; q++) {
            assertEquals(0, queues[q].count, "items left in queue " + q);
        }
    }

    private static long pack(int id, int value) {
        return ((long) id << 32) | (value & 0xFFFF_FFFFL);
    }

    private static int id(long x) {
        return (int) (x >>> 32);
    }

    private static int value(long x) {
        return (int) x;
    }

    /** Stage s's work: an order-sensitive step, so a skipped, repeated or reordered stage shows. */
    private static int step(int stage, int value) {
        return value * 31 + (stage + 1) * 0x9E37;
    }

    private static void assertDeliveredExactlyOnce(AtomicIntegerArray deliveries, String what) {
        BitSet missing = new BitSet();
        BitSet duplicated = new BitSet();
        for (int i = 0; i < deliveries.length(); i++) {
            int n = deliveries.get(i);
            if (n == 0) {
                missing.set(i);
            } else if (n > 1) {
                duplicated.set(i);
            }
        }
        assertTrue(missing.isEmpty() && duplicated.isEmpty(), () -> what + ": " + missing.cardinality()
                + " items never delivered " + head(missing) + ", " + duplicated.cardinality()
                + " delivered more than once " + head(duplicated));
    }

    private static String head(BitSet bits) {
        StringBuilder sb = new StringBuilder("[");
        int shown = 0;
        for (int i = bits.nextSetBit(0); i >= 0 && shown < 10; i = bits.nextSetBit(i + 1), shown++) {
            sb.append(shown == 0 ? "" : ", ").append(i);
        }
        return sb.append(bits.cardinality() > shown ? ", ...]" : "]").toString();
    }
}
