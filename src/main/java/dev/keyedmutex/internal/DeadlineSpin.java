package dev.keyedmutex.internal;

/**
 * Precise timed waits: a waiter sleeps until shortly before its deadline and spins the rest,
 * because a timed park or futex wait overshoots its timeout (70-200 us on these machines).
 *
 * <p>The final-spin window follows the sleep overshoot measured lately, at about its 90th
 * percentile: it moves a quarter of the way up towards a larger overshoot (plus a margin) and a
 * thirty-second of the way down towards a smaller one, within [20, 300] us. A rare long overshoot
 * (a descheduled thread) thus cannot make every later timed wait spin for a millisecond. Shared
 * by all mutexes of the JVM; racy updates are fine.
 */
public final class DeadlineSpin {

    static final long MIN_NANOS = 20_000L;
    static final long MAX_NANOS = 300_000L;
    private static volatile long windowNanos = 150_000L;

    private DeadlineSpin() {
    }

    /** @return how long before a deadline to stop sleeping and spin, in ns */
    public static long window() {
        return windowNanos;
    }

    /**
     * Learns from one timed sleep.
     *
     * @param overshoot how long after its timeout the sleep returned, in ns (negative or zero if
     *        it was woken early, which says nothing)
     */
    public static void learn(long overshoot) {
        if (overshoot <= 0L) {
            return;
        }
        long current = windowNanos;
        long wanted = overshoot + 10_000L;
        long next = wanted > current ? current + (wanted - current) / 4 : current - (current - wanted) / 32;
        windowNanos = Math.max(MIN_NANOS, Math.min(MAX_NANOS, next));
    }

    /** One step of the final spin: a pause with more than one CPU, a yield with one. */
    public static void pause() {
        if (Spinner.NCPU > 1) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }
}
