package dev.keyedmutex.probe;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

import java.util.Locale;

/**
 * A measurement, not a test: round-trip time of a two-thread key hand-off
 * ({@code acquire(0)..release(1)} against {@code acquire(1)..release(0)}).
 * Run: {@code java -cp target/classes:target/test-classes dev.keyedmutex.probe.PingPongProbe [rounds]}
 */
public final class PingPongProbe {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        for (int run = 0; run < 3; run++) {
            KeyedMutex m = KeyedMutexes.create(0);
            Thread other = new Thread(() -> {
                try {
                    for (int i = 0; i < rounds; i++) {
                        m.acquire(1);
                        m.release(0);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            other.start();
            long start = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                m.acquire(0);
                m.release(1);
            }
            other.join();
            long ns = System.nanoTime() - start;
            System.out.printf(Locale.ROOT, "run %d: %.2f us per round trip%n", run, ns / 1e3 / rounds);
        }
    }
}
