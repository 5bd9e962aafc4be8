package dev.keyedmutex.bench;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexLock;
import dev.keyedmutex.KeyedMutexes;

import java.util.concurrent.Exchanger;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * Section 2, two-thread hand-off ping-pong: the round-trip time (us). Each group runs two
 * threads; an operation of either thread is one full round trip (wait for my turn, hand the turn
 * over), so the score, the average time per operation, is the round-trip time. Measured: the keyed
 * mutex ({@code acquire(0)..release(1)} against {@code acquire(1)..release(0)}) and a
 * {@link KeyedMutexLock} keyed ({@code lock(0)..unlock(1)} against {@code lock(1)..unlock(0)}).
 * Anchors: {@link ReentrantLock} with two {@link Condition}s and a turn variable,
 * {@link SynchronousQueue} (one transfer each way), {@link Exchanger} (one exchange),
 * {@link LockSupport} park/unpark on a volatile turn, and busy-spin on a volatile turn (the limit).
 *
 * <p>Every wait is timed ({@value #WAIT_MS} ms) and checks {@link Control#stopMeasurement} when it
 * times out (JMH sample 18): at the end of an iteration one thread leaves first, and an untimed
 * wait of its partner would hang. A keyed mutex's timed and untimed waits share one path (spin,
 * then park) until shortly before the deadline, which is never reached during a measurement.
 * {@link ThreadCpu} gives the CPU time both threads burn per round trip.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class PingPongBench {

    static final long WAIT_MS = 20;
    static final Object TOKEN = new Object();

    static boolean acquire(KeyedMutex m, long key, Control c) throws InterruptedException {
        while (!m.tryAcquire(key, WAIT_MS, TimeUnit.MILLISECONDS)) {
            if (c.stopMeasurement) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ keyed mutex

    @State(Scope.Group)
    public static class Keyed {
        final KeyedMutex m = KeyedMutexes.create(0);
    }

    @Benchmark
    @Group("keyed")
    public void keyedPing(Keyed s, Control c, ThreadCpu cpu) throws InterruptedException {
        if (acquire(s.m, 0, c)) {
            s.m.release(1);
            cpu.cpuOps++;
        }
    }

    @Benchmark
    @Group("keyed")
    public void keyedPong(Keyed s, Control c, ThreadCpu cpu) throws InterruptedException {
        if (acquire(s.m, 1, c)) {
            s.m.release(0);
            cpu.cpuOps++;
        }
    }

    // ------------------------------------------------------------------ KeyedMutexLock, keyed

    @State(Scope.Group)
    public static class KeyedLock {
        final KeyedMutexLock lock = new KeyedMutexLock();
    }

    static boolean lock(KeyedMutexLock lock, long key, Control c) throws InterruptedException {
        while (!lock.tryLock(key, WAIT_MS, TimeUnit.MILLISECONDS)) {
            if (c.stopMeasurement) {
                return false;
            }
        }
        return true;
    }

    @Benchmark
    @Group("keyedLock")
    public void keyedLockPing(KeyedLock s, Control c, ThreadCpu cpu) throws InterruptedException {
        if (lock(s.lock, 0, c)) {
            s.lock.unlock(1);
            cpu.cpuOps++;
        }
    }

    @Benchmark
    @Group("keyedLock")
    public void keyedLockPong(KeyedLock s, Control c, ThreadCpu cpu) throws InterruptedException {
        if (lock(s.lock, 1, c)) {
            s.lock.unlock(0);
            cpu.cpuOps++;
        }
    }

    // ------------------------------------------------------------------ ReentrantLock + 2 Conditions

    @State(Scope.Group)
    public static class Conditions {
        final ReentrantLock lock = new ReentrantLock();
        final Condition[] turnOf = {lock.newCondition(), lock.newCondition()};
        int turn;   // guarded by lock
    }

    static boolean conditionsSide(Conditions s, int me, Control c) throws InterruptedException {
        s.lock.lock();
        try {
            while (s.turn != me) {
                if (!s.turnOf[me].await(WAIT_MS, TimeUnit.MILLISECONDS) && c.stopMeasurement) {
                    return false;
                }
            }
            s.turn = 1 - me;
            s.turnOf[1 - me].signal();
            return true;
        } finally {
            s.lock.unlock();
        }
    }

    @Benchmark
    @Group("reentrantConditions")
    public void conditionsPing(Conditions s, Control c, ThreadCpu cpu) throws InterruptedException {
        if (conditionsSide(s, 0, c)) {
            cpu.cpuOps++;
        }
    }

    @Benchmark
    @Group("reentrantConditions")
    public void conditionsPong(Conditions s, Control c, ThreadCpu cpu) throws InterruptedException {
        if (conditionsSide(s, 1, c)) {
            cpu.cpuOps++;
        }
    }

    // ------------------------------------------------------------------ SynchronousQueue

    @State(Scope.Group)
    public static class Queues {
        final SynchronousQueue<Object> there = new SynchronousQueue<>();
        final SynchronousQueue<Object> back = new SynchronousQueue<>();
    }

    static boolean put(SynchronousQueue<Object> q, Control c) throws InterruptedException {
        while (!q.offer(TOKEN, WAIT_MS, TimeUnit.MILLISECONDS)) {
            if (c.stopMeasurement) {
                return false;
            }
        }
        return true;
    }

    static boolean take(SynchronousQueue<Object> q, Control c) throws InterruptedException {
        while (q.poll(WAIT_MS, TimeUnit.MILLISECONDS) == null) {
            if (c.stopMeasurement) {
                return false;
            }
        }
        return true;
    }

    @Benchmark
    @Group("synchronousQueue")
    public void queuePing(Queues s, Control c, ThreadCpu cpu) throws InterruptedException {
        if (put(s.there, c) && take(s.back, c)) {
            cpu.cpuOps++;
        }
    }

    @Benchmark
    @Group("synchronousQueue")
    public void queuePong(Queues s, Control c, ThreadCpu cpu) throws InterruptedException {
        if (take(s.there, c) && put(s.back, c)) {
            cpu.cpuOps++;
        }
    }

    // ------------------------------------------------------------------ Exchanger

    @State(Scope.Group)
    public static class Exchange {
        final Exchanger<Object> exchanger = new Exchanger<>();
    }

    static boolean exchange(Exchanger<Object> x, Control c) throws InterruptedException {
        for (;;) {
            try {
                x.exchange(TOKEN, WAIT_MS, TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                if (c.stopMeasurement) {
                    return false;
                }
            }
        }
    }

    @Benchmark
    @Group("exchanger")
    public void exchangerPing(Exchange s, Control c, ThreadCpu cpu) throws InterruptedException {
        if (exchange(s.exchanger, c)) {
            cpu.cpuOps++;
        }
    }

    @Benchmark
    @Group("exchanger")
    public void exchangerPong(Exchange s, Control c, ThreadCpu cpu) throws InterruptedException {
        if (exchange(s.exchanger, c)) {
            cpu.cpuOps++;
        }
    }

    // ------------------------------------------------------------------ park/unpark, busy-spin

    @State(Scope.Group)
    public static class Turn {
        volatile int turn;
        volatile Thread side0;   // each side registers itself, for park/unpark
        volatile Thread side1;
    }

    static boolean parkSide(Turn s, int me, Control c) {
        Thread self = Thread.currentThread();
        if ((me == 0 ? s.side0 : s.side1) != self) {
            if (me == 0) {
                s.side0 = self;
            } else {
                s.side1 = self;
            }
        }
        while (s.turn != me) {
            if (c.stopMeasurement) {
                return false;
            }
            // Timed: an unpark sent before the partner registered is lost; the park bounds it.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(WAIT_MS));
        }
        s.turn = 1 - me;
        LockSupport.unpark(me == 0 ? s.side1 : s.side0);
        return true;
    }

    @Benchmark
    @Group("parkUnpark")
    public void parkPing(Turn s, Control c, ThreadCpu cpu) {
        if (parkSide(s, 0, c)) {
            cpu.cpuOps++;
        }
    }

    @Benchmark
    @Group("parkUnpark")
    public void parkPong(Turn s, Control c, ThreadCpu cpu) {
        if (parkSide(s, 1, c)) {
            cpu.cpuOps++;
        }
    }

    static boolean spinSide(Turn s, int me, Control c) {
        while (s.turn != me) {
            if (c.stopMeasurement) {
                return false;
            }
            Thread.onSpinWait();
        }
        s.turn = 1 - me;
        return true;
    }

    @Benchmark
    @Group("busySpin")
    public void spinPing(Turn s, Control c, ThreadCpu cpu) {
        if (spinSide(s, 0, c)) {
            cpu.cpuOps++;
        }
    }

    @Benchmark
    @Group("busySpin")
    public void spinPong(Turn s, Control c, ThreadCpu cpu) {
        if (spinSide(s, 1, c)) {
            cpu.cpuOps++;
        }
    }
}
