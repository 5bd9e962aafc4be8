package dev.keyedmutex.bench;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexLock;
import dev.keyedmutex.KeyedMutexes;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Section 1, uncontended acquire+release by one thread (ns per pair; run with {@code -prof gc}
 * for bytes per operation): the {@code local} {@link KeyedMutex} ({@code acquire(0)..release(0)}),
 * a plain {@link KeyedMutexLock} ({@code lock()..unlock()}) and an {@code shm} mutex (a region in
 * /dev/shm, created in setup, deleted in teardown). Anchors: {@link ReentrantLock},
 * {@code synchronized}, and a minimal CAS spin lock (near the physical limit: one CAS and one
 * release store). Every critical section increments a plain counter, so none is empty.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class UncontendedBench {

    KeyedMutex local;
    KeyedMutexLock keyedLock;
    KeyedMutex shm;
    String shmName;
    final ReentrantLock reentrantLock = new ReentrantLock();
    final Object monitor = new Object();
    final AtomicInteger spinLock = new AtomicInteger();
    int counter;

    @Setup(Level.Trial)
    public void setUp() {
        local = KeyedMutexes.create(0);
        keyedLock = new KeyedMutexLock();
        shmName = Shm.uniqueName("uncontended");
        shm = KeyedMutexes.createShared(shmName, 0, 0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        shm.close();
        KeyedMutexes.deleteShared(shmName);
    }

    @Benchmark
    public void keyedLocal() throws InterruptedException {
        local.acquire(0);
        counter++;
        local.release(0);
    }

    @Benchmark
    public void keyedMutexLock() {
        keyedLock.lock();
        try {
            counter++;
        } finally {
            keyedLock.unlock();
        }
    }

    @Benchmark
    public void keyedShm() throws InterruptedException {
        shm.acquire(0);
        counter++;
        shm.release(0);
    }

    @Benchmark
    public void reentrantLock() {
        reentrantLock.lock();
        try {
            counter++;
        } finally {
            reentrantLock.unlock();
        }
    }

    @Benchmark
    public void synchronizedBlock() {
        synchronized (monitor) {
            counter++;
        }
    }

    @Benchmark
    public void casSpinLock() {
        while (!spinLock.compareAndSet(0, 1)) {
            Thread.onSpinWait();
        }
        counter++;
        spinLock.setRelease(0);
    }
}
