package dev.keyedmutex.shm;

import dev.keyedmutex.AbandonedMutexException;
import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;
import dev.keyedmutex.testkit.ChildJvm;
import dev.keyedmutex.testkit.TestThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Processes sharing a keyed mutex: child JVMs (bounded, killed and their regions deleted even when
 * a test fails) hand it back and forth, keep a counter exact, and get killed while holding it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ShmCrossProcessTest {

    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Duration CHILD = Duration.ofSeconds(120);
    private final List<String> names = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();
    private final List<ChildJvm.Running> children = new ArrayList<>();

    @BeforeAll
    static void supported() {
        assumeTrue(new ShmProvider().isSupported(), ShmProvider::unsupportedReason);
    }

    @AfterEach
    void cleanUp() throws IOException {
        children.forEach(ChildJvm.Running::close);
        for (String n : names) {
            Files.deleteIfExists(ShmProvider.file(n));
        }
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
    }

    private String newName() {
        String n = "kmtest-" + ProcessHandle.current().pid() + "-xp-" + SEQ.incrementAndGet();
        names.add(n);
        return n;
    }

    private ChildJvm.Running child(String... args) {
        List<String> cmd = new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "dev.keyedmutex.testkit.ShmChild"));
        cmd.addAll(Arrays.asList(args));
        ChildJvm.Running c = ChildJvm.start(ChildJvm.currentJava(), cmd);
        children.add(c);
        return c;
    }

    @Test
    void twoProcessesPingPongWithAPrivateDataCounter() throws Exception {
        String name = newName();
        int rounds = 2_000;
        try (KeyedMutex m = KeyedMutexes.createShared(name, 0, 8)) {
            ChildJvm.Running a = child("pingpong", name, Integer.toString(rounds), "0");
            ChildJvm.Running b = child("pingpong", name, Integer.toString(rounds), "1");
            assertEquals(0, a.waitFor(CHILD), a.output());
            assertEquals(0, b.waitFor(CHILD), b.output());
            ByteBuffer out = ByteBuffer.allocate(8);
            assertTrue(m.tryAcquire(2L * rounds, 5, TimeUnit.SECONDS, out), "the last hand-off did not arrive");
            assertEquals(2L * rounds, out.getLong(0), "the hop counter lost or repeated a hand-off");
            m.release(0);
        }
    }

    @Test
    void fourProcessesKeepACounterInSharedMemoryExact() throws Exception {
        String name = newName();
        Path counter = ShmProvider.directory().resolve("kmtest-counter-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
        files.add(counter);
        Files.write(counter, new byte[8]);
        int rounds = 3_000;
        try (KeyedMutex m = KeyedMutexes.createShared(name, 0, 0)) {
            List<ChildJvm.Running> cs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                cs.add(child("counter", name, Integer.toString(rounds), counter.toString()));
            }
            for (ChildJvm.Running c : cs) {
                assertEquals(0, c.waitFor(CHILD), c.output());
            }
            m.acquire(0);
            long value = ByteBuffer.wrap(Files.readAllBytes(counter)).order(java.nio.ByteOrder.BIG_ENDIAN).getLong(0);
            m.release(0);
            assertEquals(4L * rounds, value, "lost updates: two processes were inside at once");
        }
    }

    /**
     * A holder thread that ends without releasing in a process that lives on: waiters in another
     * process see the abandonment within the bound (the thread's /proc entry is gone).
     */
    @Test
    void aHolderThreadThatEndsInAnotherLiveProcessAbandonsTheMutex() throws Exception {
        String name = newName();
        try (KeyedMutex m = KeyedMutexes.createShared(name, 0, 0)) {
            ChildJvm.Running c = child("threadexit", name);
            c.awaitLine("HELD", Duration.ofSeconds(60));
            long start = System.nanoTime();
            assertThrows(AbandonedMutexException.class, () -> m.tryAcquire(0, 10, TimeUnit.SECONDS));
            long took = System.nanoTime() - start;
            assertTrue(took <= TimeUnit.MILLISECONDS.toNanos(100), "abandonment seen after " + took / 1e6 + " ms");
            assertTrue(m.isAbandoned());
            assertTrue(c.isAlive(), "the child process must still live: " + c.output());
        }
    }

    /**
     * Chaos: a child takes and releases the mutex in a tight loop and is SIGKILLed at a random
     * moment, 50 times. A thread of this process waits meanwhile (asleep on the futex, for a key
     * nobody releases). If the child died holding the mutex, that waiter must see the abandonment
     * within 100 ms; if not, the mutex must be free and its private data whole: (n, ~n).
     */
    @Test
    void killingTheHolderIsDetectedAndNeverCorruptsSilently() throws Exception {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        int abandoned = 0;
        int free = 0;
        long worstNanos = 0;
        for (int round = 0; round < 50; round++) {
            String name = newName();
            try (KeyedMutex m = KeyedMutexes.createShared(name, 0, 16)) {
                TestThread<Long> waiter = TestThread.start("waiter-" + round, () -> {
                    try {
                        m.acquire(1);
                        return -1L; // nobody releases key 1
                    } catch (AbandonedMutexException e) {
                        return System.nanoTime();
                    } catch (IllegalStateException closed) {
                        return 0L;
                    }
                });
                ChildJvm.Running c = child("churn", name);
                c.awaitLine("READY", Duration.ofSeconds(60));
                waiter.awaitBlocked();
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(rnd.nextInt(150_000))); // chaos timing, not synchronization
                c.kill();
                long dead = System.nanoTime();
                Long seenAt = waitUpTo(waiter, Duration.ofMillis(400));
                if (seenAt != null) {
                    assertTrue(seenAt > 0, "round " + round + ": the waiter ended without seeing the abandonment");
                    long latency = seenAt - dead;
                    worstNanos = Math.max(worstNanos, latency);
                    assertTrue(latency <= TimeUnit.MILLISECONDS.toNanos(100), "round " + round + " (seed " + seed
                            + "): abandonment seen after " + latency / 1e6 + " ms");
                    assertTrue(m.isAbandoned());
                    abandoned++;
                } else {
                    ByteBuffer out = ByteBuffer.allocate(16);
                    boolean got;
                    try {
                        got = m.tryAcquire(0, 5, TimeUnit.SECONDS, out);
                    } catch (AbandonedMutexException e) {
                        fail("round " + round + " (seed " + seed + "): abandoned, but the sleeping waiter did not notice in 400 ms");
                        return;
                    }
                    assertTrue(got, "round " + round + ": the mutex is neither free nor abandoned (a hang)");
                    if (out.position() == 16) {
                        long n = out.getLong(0);
                        assertEquals(~n, out.getLong(8), "round " + round + " (seed " + seed + "): torn private data");
                    } else {
                        assertEquals(0, out.position(), "round " + round + ": partial private data");
                    }
                    m.release(0);
                    free++;
                    m.close(); // wakes the waiter of key 1 with IllegalStateException
                    assertEquals(0L, waiter.join());
                }
            }
            KeyedMutexes.deleteShared(name);
        }
        System.out.printf("chaos (seed %d): %d rounds abandoned, %d free; worst detection %.1f ms%n", seed, abandoned, free,
                worstNanos / 1e6);
        assertTrue(abandoned > 0, "the holder was never killed while holding: the test proved nothing (seed " + seed + ")");
    }

    private static Long waitUpTo(TestThread<Long> t, Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        while (!t.isDone()) {
            if (System.nanoTime() - deadline > 0) {
                return null;
            }
            LockSupport.parkNanos(200_000L);
        }
        return t.join();
    }
}
