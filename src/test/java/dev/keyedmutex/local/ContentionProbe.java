package dev.keyedmutex.local;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A measurement, not a test: N threads hammer one plain lock (a counter increment inside) for a
 * while, as {@code ContendedBench} does, and this prints what JMH does not: the mutex's own
 * wake-up and grant counters, the process's context switches, and each thread's CPU time per
 * lock+unlock pair. It is how docs/measurements.md ("The AMD EPYC machine") found that every pair
 * gets slower while threads are queued. Pin it to one CPU to take the cache out of the picture:
 * <pre>
 *   taskset -c 0 java -cp target/classes:target/test-classes dev.keyedmutex.local.ContentionProbe 8 keyed 1500 2
 *   taskset -c 0 java -cp target/classes:target/test-classes dev.keyedmutex.local.ContentionProbe 8 reentrant 1500 2
 * </pre>
 * Arguments: threads, {@code keyed} or {@code reentrant}, milliseconds per pass, passes (the first
 * ones warm the JIT up; compare the last). The threads of a pass are joined before the next starts.
 */
public final class ContentionProbe {

    private static volatile boolean stop;
    private static long counter; // guarded by the lock under test

    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !(args[1].equals("keyed") || args[1].equals("reentrant"))) {
            System.err.println("usage: ContentionProbe THREADS keyed|reentrant MILLIS PASSES");
            System.exit(2);
        }
        int threads = Integer.parseInt(args[0]);
        boolean keyed = args[1].equals("keyed");
        long millis = Long.parseLong(args[2]);
        int passes = Integer.parseInt(args[3]);
        LocalKeyedMutex m = new LocalKeyedMutex(0L, 0, false);
        Lock lock = keyed ? m.asLock(0L, 0L) : new ReentrantLock();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int pass = 1; pass <= passes; pass++) {
            stop = false;
            long[] pairs = new long[threads];
            long[] cpu = new long[threads];
            CyclicBarrier start = new CyclicBarrier(threads + 1);
            Thread[] ts = new Thread[threads];
            for (int i = 0; i < threads; i++) {
                int me = i;
                ts[i] = new Thread(() -> {
                    try {
                        start.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    long cpu0 = mx.getCurrentThreadCpuTime();
                    long n = 0;
                    while (!stop) {
                        lock.lock();
                        try {
                            counter++;
                        } finally {
                            lock.unlock();
                        }
                        n++;
                    }
                    cpu[me] = mx.getCurrentThreadCpuTime() - cpu0;
                    pairs[me] = n;
                }, "contender-" + i);
                ts[i].setDaemon(true);
                ts[i].start();
            }
            long wakeups0 = m.wakeups();
            long backOffs0 = m.backOffs();
            long grants0 = m.grants();
            long switches0 = contextSwitches();
            start.await(10, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            Thread.sleep(millis); // the length of the measured pass, not synchronization (stop + join end it)
            long switches = contextSwitches() - switches0;
            stop = true;
            for (Thread t : ts) {
                t.join(10_000);
                if (t.isAlive()) {
                    throw new IllegalStateException(t.getName() + " did not stop within 10 s");
                }
            }
            long elapsed = System.nanoTime() - t0;
            long total = 0;
            for (long p : pairs) {
                total += p;
            }
            System.out.printf(Locale.ROOT, "pass %d: %s, %d threads: %.2f M pairs/s; wake-ups %d, back-offs %d, grants %d, context switches %d%n",
                    pass, keyed ? "KeyedMutexLock" : "ReentrantLock", threads, total * 1000.0 / elapsed,
                    m.wakeups() - wakeups0, m.backOffs() - backOffs0, m.grants() - grants0, switches);
            for (int i = 0; i < threads; i++) {
                System.out.printf(Locale.ROOT, "  thread %d: %d pairs, %.1f ms CPU, %.2f ns CPU per pair%n",
                        i, pairs[i], cpu[i] / 1e6, cpu[i] / (double) Math.max(1, pairs[i]));
            }
        }
    }

    /** Voluntary and involuntary context switches of every thread of this process so far (Linux). */
    private static long contextSwitches() throws IOException {
        Path tasks = Paths.get("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return -1;
        }
        long sum = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
            for (Path t : ds) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(t.resolve("status"));
                } catch (IOException ended) {
                    continue; // the thread ended meanwhile
                }
                for (String line : lines) {
                    if (line.startsWith("voluntary_ctxt_switches") || line.startsWith("nonvoluntary_ctxt_switches")) {
                        sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            }
        }
        return sum;
    }
}
