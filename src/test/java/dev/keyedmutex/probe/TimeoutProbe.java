package dev.keyedmutex.probe;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A measurement, not a test: how far past its deadline a timed wait returns, and the CPU time it
 * burns, for {@code tryAcquire(wrongKey, d)} beside {@code ReentrantLock.tryLock(d)} against a
 * holder and {@code LockSupport.parkNanos(d)}, in one run. Results go to docs/measurements.md.
 * Run: {@code java -cp target/classes:target/test-classes dev.keyedmutex.probe.TimeoutProbe [samples]}
 */
public final class TimeoutProbe {

    interface TimedWait {
        boolean await(long nanos) throws InterruptedException;
    }

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        KeyedMutex m = KeyedMutexes.create(0);
        ReentrantLock rl = new ReentrantLock();
        Thread holder = new Thread(() -> {
            rl.lock();
            LockSupport.park();
        }, "holder");
        holder.setDaemon(true);
        holder.start();
        while (!rl.isLocked()) {
            Thread.onSpinWait();
        }
        System.out.printf(Locale.ROOT, "JDK %s, %d CPUs, %s%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"));
        System.out.println("| wait | d | median overshoot | p99 | max | CPU per wait |");
        System.out.println("|---|---|---|---|---|---|");
        for (long d : new long[] {50_000, 1_000_000, 10_000_000}) {
            int n = d >= 10_000_000 ? Math.max(50, samples / 8) : samples;
            report("keyed tryAcquire(wrongKey, d)", d, n, nanos -> m.tryAcquire(1, nanos, TimeUnit.NANOSECONDS));
            report("ReentrantLock.tryLock(d)", d, n, nanos -> rl.tryLock(nanos, TimeUnit.NANOSECONDS));
            report("LockSupport.parkNanos(d)", d, n, nanos -> {
                LockSupport.parkNanos(nanos);
                return false;
            });
        }
    }

    static void report(String name, long d, int n, TimedWait w) throws InterruptedException {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < Math.min(50, n); i++) {
            w.await(d); // warm up
        }
        long[] over = new long[n];
        long cpuBefore = bean.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            if (w.await(d)) {
                throw new IllegalStateException(name + " acquired");
            }
            over[i] = System.nanoTime() - start - d;
        }
        long cpu = (bean.getCurrentThreadCpuTime() - cpuBefore) / n;
        Arrays.sort(over);
        System.out.printf(Locale.ROOT, "| %s | %s | %.1f us | %.1f us | %.1f us | %.1f us |%n", name, fmt(d),
                over[n / 2] / 1e3, over[(int) (n * 0.99)] / 1e3, over[n - 1] / 1e3, cpu / 1e3);
    }

    static String fmt(long d) {
        return d >= 1_000_000 ? (d / 1_000_000) + " ms" : (d / 1_000) + " us";
    }
}
