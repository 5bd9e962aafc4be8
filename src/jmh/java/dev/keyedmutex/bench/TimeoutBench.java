package dev.keyedmutex.bench;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Section 4, timeout precision: how long a timed wait that cannot succeed takes, for
 * {@code d} = 50 us, 1 ms, 10 ms (SampleTime: the distribution of single waits; the overshoot past
 * the deadline is the sample minus {@code d}, computed by scripts/bench-report.py). Measured: the
 * keyed mutex's {@code tryAcquire(wrongKey, d)} (the mutex is free with key 0, the wait is for key
 * 1). Anchors: {@link ReentrantLock#tryLock(long, TimeUnit)} against a thread that holds the lock
 * for the whole trial, and {@link LockSupport#parkNanos(long)}. {@link ThreadCpu} gives the CPU
 * time each wait burns (the keyed wait spins the last stretch before its deadline).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class TimeoutBench {

    @Param({"50", "1000", "10000"})
    long micros;

    long nanos;
    KeyedMutex mutex;
    final ReentrantLock reentrantLock = new ReentrantLock();
    Thread holder;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        nanos = TimeUnit.MICROSECONDS.toNanos(micros);
        mutex = KeyedMutexes.create(0);
        holder = new Thread(() -> {
            reentrantLock.lock();
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    LockSupport.park(this);
                }
            } finally {
                reentrantLock.unlock();
            }
        }, "holder");
        holder.setDaemon(true);
        holder.start();
        while (!reentrantLock.isLocked()) {
            Thread.sleep(1);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        holder.interrupt();
        holder.join();
        mutex.close();
    }

    @Benchmark
    public boolean keyedTryAcquire(ThreadCpu cpu) throws InterruptedException {
        cpu.cpuOps++;
        return mutex.tryAcquire(1, nanos, TimeUnit.NANOSECONDS);
    }

    @Benchmark
    public boolean reentrantTryLock(ThreadCpu cpu) throws InterruptedException {
        cpu.cpuOps++;
        return reentrantLock.tryLock(nanos, TimeUnit.NANOSECONDS);
    }

    @Benchmark
    public void parkNanos(ThreadCpu cpu) {
        cpu.cpuOps++;
        LockSupport.parkNanos(nanos);
    }
}
