package dev.keyedmutex.probe;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Exchanger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A measurement, not a test (the JMH suite is its own issue): round-trip time of a two-thread
 * hand-off, the keyed mutex ({@code acquire(0)..release(1)} against {@code acquire(1)..release(0)})
 * beside its anchors in the same run: busy-spin on a volatile, Exchanger, park/unpark, and
 * ReentrantLock with two Conditions. Prints the median of several runs and the ratio to each anchor.
 * Run: {@code java -cp target/classes:target/test-classes dev.keyedmutex.probe.PingPongProbe [rounds] [runs]}
 */
public final class PingPongProbe {

    interface Side {
        void run(int rounds) throws Exception;
    }

    static volatile int turn;
    static volatile Thread t0;
    static volatile Thread t1;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        System.out.printf(Locale.ROOT, "JDK %s, %d CPUs visible, %d rounds x %d runs (median, min-max)%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), rounds, runs);
        double keyed = measure("keyed mutex acquire/release", rounds, runs, PingPongProbe::keyed);
        // On one CPU a busy-spin only moves on when the scheduler preempts it: skip it there.
        double spin = Runtime.getRuntime().availableProcessors() > 1
                ? measure("busy-spin on a volatile", rounds, runs, PingPongProbe::spin) : Double.NaN;
        double exchanger = measure("Exchanger", rounds, runs, PingPongProbe::exchanger);
        double park = measure("LockSupport park/unpark", Math.min(rounds, 50_000), runs, PingPongProbe::parkUnpark);
        double rl = measure("ReentrantLock + 2 Conditions", Math.min(rounds, 50_000), runs, PingPongProbe::reentrant);
        System.out.printf(Locale.ROOT, "keyed / busy-spin %.2f, / Exchanger %.2f, / park-unpark %.3f, / ReentrantLock+Conditions %.3f%n",
                keyed / spin, keyed / exchanger, keyed / park, keyed / rl);
    }

    static double measure(String name, int rounds, int runs, Side both) throws Exception {
        List<Double> us = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            long start = System.nanoTime();
            both.run(rounds);
            us.add((System.nanoTime() - start) / 1e3 / rounds);
        }
        Collections.sort(us);
        double median = us.get(us.size() / 2);
        System.out.printf(Locale.ROOT, "| %s | %.3f us | %.3f-%.3f us |%n", name, median, us.get(0), us.get(us.size() - 1));
        return median;
    }

    static void twoThreads(Runnable a, Runnable b) throws InterruptedException {
        Thread other = new Thread(b);
        other.start();
        a.run();
        other.join();
    }

    static void keyed(int rounds) throws Exception {
        KeyedMutex m = KeyedMutexes.create(0);
        twoThreads(() -> side(m, 0, 1, rounds), () -> side(m, 1, 0, rounds));
    }

    static void side(KeyedMutex m, long mine, long next, int rounds) {
        try {
            for (int i = 0; i < rounds; i++) {
                m.acquire(mine);
                m.release(next);
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static void spin(int rounds) throws Exception {
        turn = 0;
        twoThreads(() -> {
            for (int i = 0; i < rounds; i++) {
                while (turn != 0) {
                    Thread.onSpinWait();
                }
                turn = 1;
            }
        }, () -> {
            for (int i = 0; i < rounds; i++) {
                while (turn != 1) {
                    Thread.onSpinWait();
                }
                turn = 0;
            }
        });
    }

    static void exchanger(int rounds) throws Exception {
        Exchanger<Integer> ex = new Exchanger<>();
        Runnable r = () -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    ex.exchange(i);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        twoThreads(r, r);
    }

    static void parkUnpark(int rounds) throws Exception {
        turn = 0;
        t0 = Thread.currentThread();
        Thread other = new Thread(() -> {
            for (int i = 0; i < rounds; i++) {
                while (turn != 1) {
                    LockSupport.park();
                }
                turn = 0;
                LockSupport.unpark(t0);
            }
        });
        t1 = other;
        other.start();
        for (int i = 0; i < rounds; i++) {
            turn = 1;
            LockSupport.unpark(t1);
            while (turn != 0) {
                LockSupport.park();
            }
        }
        other.join();
    }

    static void reentrant(int rounds) throws Exception {
        ReentrantLock lock = new ReentrantLock();
        Condition[] c = {lock.newCondition(), lock.newCondition()};
        int[] t = {0};
        twoThreads(() -> rlSide(lock, c, t, 0, rounds), () -> rlSide(lock, c, t, 1, rounds));
    }

    static void rlSide(ReentrantLock lock, Condition[] c, int[] t, int me, int rounds) {
        for (int i = 0; i < rounds; i++) {
            lock.lock();
            try {
                while (t[0] != me) {
                    c[me].awaitUninterruptibly();
                }
                t[0] = 1 - me;
                c[1 - me].signal();
            } finally {
                lock.unlock();
            }
        }
    }
}
