package dev.keyedmutex.testkit;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexLock;
import dev.keyedmutex.KeyedMutexes;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;

/**
 * Run by a JDK 21+ child JVM (see RuntimeTest): many virtual threads hand a keyed mutex around a
 * ring and use a KeyedMutexLock with conditions, on ONE carrier thread. If waiting pinned the
 * carrier, the thread that must release could never run: the program would not finish. JFR's
 * jdk.VirtualThreadPinned events are counted too. Compiled for Java 17, so virtual threads are
 * reached by reflection.
 */
public final class VirtualThreadsCheck {

    public static void main(String[] args) throws Exception {
        Method ofVirtual = Thread.class.getMethod("ofVirtual");
        Object builder = ofVirtual.invoke(null);
        Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
        Path jfr = Files.createTempFile("keyed-mutex-vt", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
            recording.start();

            int stages = 100;
            int rounds = 200;
            KeyedMutex ring = KeyedMutexes.create(0);
            AtomicLong hops = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < stages; s++) {
                final int stage = s;
                threads.add((Thread) start.invoke(builder, (Runnable) () -> {
                    try {
                        for (int r = 0; r < rounds; r++) {
                            ring.acquire(stage);
                            hops.incrementAndGet();
                            ring.release((stage + 1) % stages);
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            // A bounded buffer on conditions, also among virtual threads.
            KeyedMutexLock lock = new KeyedMutexLock(true);
            Condition notEmpty = lock.newCondition();
            Condition notFull = lock.newCondition();
            int[] count = {0};
            long[] sum = {0};
            int items = 2000;
            for (int p = 0; p < 4; p++) {
                threads.add((Thread) start.invoke(builder, (Runnable) () -> {
                    for (int i = 0; i < items; i++) {
                        lock.lock();
                        try {
                            while (count[0] == 4) {
                                notFull.awaitUninterruptibly();
                            }
                            count[0]++;
                            notEmpty.signal();
                        } finally {
                            lock.unlock();
                        }
                    }
                }));
                threads.add((Thread) start.invoke(builder, (Runnable) () -> {
                    for (int i = 0; i < items; i++) {
                        lock.lock();
                        try {
                            while (count[0] == 0) {
                                notEmpty.awaitUninterruptibly();
                            }
                            count[0]--;
                            sum[0]++;
                            notFull.signal();
                        } finally {
                            lock.unlock();
                        }
                    }
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (Thread t : threads) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left > 0) {
                    t.join(left);
                }
                if (t.isAlive()) {
                    System.out.println("STUCK: " + t + " after " + hops.get() + " hops");
                    System.exit(1);
                }
            }
            recording.stop();
            recording.dump(jfr);
            long pinned = 0;
            for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
                if (e.getEventType().getName().equals("jdk.VirtualThreadPinned")) {
                    pinned++;
                    System.out.println("pinned: " + e);
                }
            }
            boolean ok = hops.get() == (long) stages * rounds && sum[0] == 4L * items;
            System.out.println("hops " + hops.get() + ", items " + sum[0] + ", pinned events: " + pinned + (ok ? " OK" : " WRONG"));
            System.exit(ok && pinned == 0 ? 0 : 1);
        } finally {
            Files.deleteIfExists(jfr);
        }
    }
}
