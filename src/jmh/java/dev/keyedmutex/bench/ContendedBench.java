package dev.keyedmutex.bench;

import dev.keyedmutex.KeyedMutexLock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Section 6, contended throughput (lock+unlock pairs per us, all threads together): every thread
 * hammers one lock with a tiny critical section (a counter increment). Measured: a plain
 * (single-key) {@link KeyedMutexLock}, non-fair and fair. Anchors: {@link ReentrantLock}, non-fair
 * and fair. The thread count comes from the command line: scripts/bench.sh runs {@code -t 2},
 * {@code -t 4} and {@code -t 8} (the default here is 4).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(4)
@State(Scope.Benchmark)
public class ContendedBench {

    final Lock keyedNonFair = new KeyedMutexLock();
    final Lock keyedFair = new KeyedMutexLock(true);
    final Lock reentrantNonFair = new ReentrantLock();
    final Lock reentrantFair = new ReentrantLock(true);
    long counter;

    private void hammer(Lock lock) {
        lock.lock();
        try {
            counter++;
        } finally {
            lock.unlock();
        }
    }

    @Benchmark
    public void keyedLockNonFair() {
        hammer(keyedNonFair);
    }

    @Benchmark
    public void keyedLockFair() {
        hammer(keyedFair);
    }

    @Benchmark
    public void reentrantLockNonFair() {
        hammer(reentrantNonFair);
    }

    @Benchmark
    public void reentrantLockFair() {
        hammer(reentrantFair);
    }
}
