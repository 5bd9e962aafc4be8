package dev.keyedmutex.bench;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Section 3, a token ring of {@code n} threads (hand-offs per second): stage {@code i} waits for
 * its turn, then passes it to stage {@code (i + 1) % n}. Stage 0 is the benchmark thread, stages
 * 1..n-1 are threads started in setup and stopped (interrupted) in teardown; one invocation drives
 * the token round the ring for {@value #HANDOFFS} hand-offs. Measured ({@code impl}):
 * {@code keyed}, one keyed mutex with keys 0..n-1 ({@code acquire(i)..release(i + 1)}). Anchors:
 * {@code conditionPerThread}, a {@link ReentrantLock} with one {@link Condition} per stage (signal
 * the next); {@code signalAll}, one shared Condition woken with {@code signalAll} (the thundering
 * herd); {@code parkUnpark}, a volatile turn and {@link LockSupport#unpark} of the next stage.
 * {@link Cpu} gives the CPU time all n threads burn per hand-off.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RingBench {

    /** Hand-offs per invocation: a multiple of every n. */
    static final int HANDOFFS = 128;

    /** One way to pass the turn round a ring. */
    abstract static class Ring {
        final int n;

        Ring(int n) {
            this.n = n;
        }

        /** Waits for stage {@code i}'s turn, then passes it to the next stage. */
        abstract void stage(int i) throws InterruptedException;
    }

    static final class Keyed extends Ring {
        final KeyedMutex m = KeyedMutexes.create(0);

        Keyed(int n) {
            super(n);
        }

        @Override
        void stage(int i) throws InterruptedException {
            m.acquire(i);
            m.release((i + 1) % n);
        }
    }

    static final class ConditionPerThread extends Ring {
        final ReentrantLock lock = new ReentrantLock();
        final Condition[] turnOf;
        int turn;   // guarded by lock

        ConditionPerThread(int n) {
            super(n);
            turnOf = new Condition[n];
            for (int i = 0; i < n; i++) {
                turnOf[i] = lock.newCondition();
            }
        }

        @Override
        void stage(int i) throws InterruptedException {
            lock.lock();
            try {
                while (turn != i) {
                    turnOf[i].await();
                }
                turn = (i + 1) % n;
                turnOf[turn].signal();
            } finally {
                lock.unlock();
            }
        }
    }

    static final class SignalAll extends Ring {
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        int turn;   // guarded by lock

        SignalAll(int n) {
            super(n);
        }

        @Override
        void stage(int i) throws InterruptedException {
            lock.lock();
            try {
                while (turn != i) {
                    changed.await();
                }
                turn = (i + 1) % n;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    static final class ParkUnpark extends Ring {
        volatile int turn;
        final Thread[] threads;   // stage 0 (the benchmark thread) registers before each invocation

        ParkUnpark(int n) {
            super(n);
            threads = new Thread[n];
        }

        @Override
        void stage(int i) throws InterruptedException {
            while (turn != i) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            int next = (i + 1) % n;
            turn = next;
            LockSupport.unpark(next == 0 ? driver : threads[next]);
        }

        volatile Thread driver;
    }

    @State(Scope.Benchmark)
    public static class RingState {
        @Param({"2", "4", "16", "64"})
        int n;

        @Param({"keyed", "conditionPerThread", "signalAll", "parkUnpark"})
        String impl;

        Ring ring;
        final List<Thread> threads = new ArrayList<>();

        @Setup(Level.Trial)
        public void start() {
            switch (impl) {
                case "keyed": ring = new Keyed(n); break;
                case "conditionPerThread": ring = new ConditionPerThread(n); break;
                case "signalAll": ring = new SignalAll(n); break;
                case "parkUnpark": ring = new ParkUnpark(n); break;
                default: throw new IllegalArgumentException("impl " + impl);
            }
            for (int i = 1; i < n; i++) {
                int stage = i;
                Thread t = new Thread(() -> {
                    try {
                        for (;;) {
                            ring.stage(stage);
                        }
                    } catch (InterruptedException e) {
                        // stopped
                    }
                }, "ring-" + stage);
                t.setDaemon(true);
                if (ring instanceof ParkUnpark) {
                    ((ParkUnpark) ring).threads[i] = t;
                }
                threads.add(t);
            }
            threads.forEach(Thread::start);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            threads.forEach(Thread::interrupt);
            for (Thread t : threads) {
                t.join(10_000);
                if (t.isAlive()) {
                    throw new IllegalStateException(t.getName() + " did not stop");
                }
            }
        }

        long cpuNanos() {
            long sum = ThreadCpu.THREADS.getCurrentThreadCpuTime();
            for (Thread t : threads) {
                sum += Math.max(0, ThreadCpu.THREADS.getThreadCpuTime(t.getId()));
            }
            return sum;
        }
    }

    /** The CPU time of all the ring's threads over an iteration, and the hand-offs made meanwhile. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Cpu {
        public long cpuNanos;
        public long cpuOps;
        private long start;

        @Setup(Level.Iteration)
        public void start(RingState s) {
            cpuOps = 0;
            cpuNanos = 0;
            start = s.cpuNanos();
        }

        @TearDown(Level.Iteration)
        public void stop(RingState s) {
            cpuNanos = s.cpuNanos() - start;
        }
    }

    @Benchmark
    @OperationsPerInvocation(HANDOFFS)
    public void ring(RingState s, Cpu cpu) throws InterruptedException {
        Ring ring = s.ring;
        if (ring instanceof ParkUnpark) {
            ((ParkUnpark) ring).driver = Thread.currentThread();
        }
        for (int lap = HANDOFFS / s.n; lap > 0; lap--) {
            ring.stage(0);
        }
        cpu.cpuOps += HANDOFFS;
    }
}
