package dev.keyedmutex.internal;

/**
 * How a would-be holder spins before it sleeps, shared by the built-in providers. One instance per
 * mutex handle; its fields are racy heuristics (any value in range is correct).
 *
 * <p>Only with more than one CPU: a hand-off from a thread running on the other CPU then costs a
 * fraction of a microsecond instead of a sleep and a wake-up (~25-50 us on 2-vCPU VMs).
 *
 * <p>Spinning pays for a hand-off: a thread waiting for key k while the mutex is held with
 * another key will be handed k by the holder's release, soon if the holder is running. It does not
 * pay for plain contention on one key: if the mutex is held with the very key wanted, the holder
 * (or a newcomer) will take it again right after its release, and a spinner on the other CPU only
 * pulls the mutex's cache line back and forth, halving throughput (measured: 15 vs 33 million
 * lock/unlock pairs per second with 8 threads on 2 CPUs). So the spin stops then, and the thread
 * sleeps as under ReentrantLock. The stop rule, from what {@link Target#look(long)} reports:
 * <ul>
 *   <li>{@link #STOP} (closed, abandoned, or held with the key wanted by a holder that has
 *       recorded itself): stop.</li>
 *   <li>{@link #OTHER_KEY} (free or held with another key): a hand-off to the key wanted may come;
 *       go on, and remember that this spin is waiting for one.</li>
 *   <li>{@link #UNOWNED} (held with the key wanted, no holder recorded): either a release to the
 *       key wanted is under way (a releaser clears its record, writes the next key, then unlocks)
 *       or a thread has locked and not yet recorded itself. A spin that has seen another key is
 *       waiting for a hand-off, and this is it arriving: go on. A spin that has only ever seen
 *       the key wanted is contending for one key (every release there is "to" that key): stop,
 *       as on {@link #STOP}. Going on there let two threads on one key pull the line back and
 *       forth (measured with 2 threads on 2 CPUs: 0.2–0.7× the throughput of a non-fair
 *       ReentrantLock, against 0.65–1.1× when it stops); stopping in a hand-off made one
 *       ping-pong round trip in three or four go through the waiter queue
 *       (docs/measurements.md). A spin whose very first look falls in the nanoseconds between a
 *       releaser's key write and its unlock takes that hand-off for contention, and its thread
 *       queues once: the price of deciding from this spin's own looks.</li>
 *   <li>{@link #GO}: try to grab.</li>
 * </ul>
 *
 * <p>Phase 1 spins for an adaptive window: it doubles after a success and halves after a failure,
 * within [{@value #MIN_SPIN_NANOS}, {@value #MAX_SPIN_NANOS}] ns.
 *
 * <p>Phase 2 applies only right after a release through this handle woke a sleeping thread
 * ({@link #wokeSomeone()}): that thread needs a wake-up latency before it can hand the mutex back,
 * and it may have been woken onto this very CPU, where a spinning thread would keep it from
 * running. So phase 2 calls {@link Thread#yield()} between checks, for up to
 * {@value #WAKE_SPIN_NANOS} ns. Without it both sides of a ping-pong fall into paying a sleep and
 * a wake-up per hand-off for good once one of them has slept (measured: docs/measurements.md).
 * Whether phase 2 pays is scored: a success adds one, a failure takes two; at zero it is skipped,
 * and re-tried after 64 skipped chances, so where it never pays (a ring of many threads) it wastes
 * at most one window in 64 hand-offs.
 */
public final class Spinner {

    /** {@link Target#look}: free with the key wanted, or nothing to tell: try to grab. */
    public static final int GO = 0;
    /** {@link Target#look}: free or held with another key: a hand-off to the key wanted may come. */
    public static final int OTHER_KEY = 1;
    /** {@link Target#look}: held with the key wanted, and no holder recorded (see the class comment). */
    public static final int UNOWNED = 2;
    /** {@link Target#look}: closed or abandoned, or held with the key wanted by a recorded holder. */
    public static final int STOP = 3;

    /** What is spun for. */
    public interface Target {
        /**
         * One attempt to take the mutex.
         *
         * @param key the key wanted
         * @return {@code true} if taken
         */
        boolean tryGrab(long key);

        /**
         * @param key the key wanted
         * @return {@link #STOP}, {@link #OTHER_KEY}, {@link #UNOWNED} or {@link #GO}, for the stop
         *         rule of the class comment; a target that cannot tell returns {@link #GO} (or
         *         {@link #STOP} when closed or abandoned: the caller reports it)
         */
        int look(long key);
    }

    /** The number of CPUs this JVM may use. */
    public static final int NCPU = Runtime.getRuntime().availableProcessors();

    static final int MIN_SPIN_NANOS = 500;
    static final int MAX_SPIN_NANOS = 20_000;
    static final int INITIAL_SPIN_NANOS = 4_000;
    static final long WAKE_SPIN_NANOS = 200_000L;
    static final int SCORE_MAX = 8;

    private int spinNanos = INITIAL_SPIN_NANOS;
    private long lastWakeNanos = Long.MIN_VALUE / 2;
    private int wakeSpinScore = SCORE_MAX / 2;
    private int wakeSpinSkipped;

    /** Records that a release through this handle just woke a sleeping thread. */
    public void wokeSomeone() {
        lastWakeNanos = System.nanoTime();
    }

    /**
     * Spins for {@code key}.
     *
     * @param target the mutex
     * @param key the key wanted
     * @param timed whether {@code deadline} applies
     * @param deadline a {@link System#nanoTime()} deadline, if timed
     * @return {@code true} if the mutex was taken
     */
    public boolean spin(Target target, long key, boolean timed, long deadline) {
        if (NCPU < 2) {
            return false;
        }
        int budget = spinNanos;
        long start = System.nanoTime();
        boolean afterWake = start - lastWakeNanos < WAKE_SPIN_NANOS;
        if (afterWake && wakeSpinScore <= 0) {
            afterWake = false;
            if (++wakeSpinSkipped >= 64) {
                wakeSpinSkipped = 0;
                wakeSpinScore = 1;
            }
        }
        long spinEnd = start + budget;
        long yieldEnd = afterWake ? start + WAKE_SPIN_NANOS : spinEnd;
        if (timed) {
            if (deadline - spinEnd < 0) {
                spinEnd = deadline;
            }
            if (deadline - yieldEnd < 0) {
                yieldEnd = deadline;
            }
        }
        boolean yielding = false;
        boolean handOffAwaited = false;
        for (int i = 1;; i++) {
            int seen = target.look(key);
            if (seen == OTHER_KEY) {
                handOffAwaited = true;
            } else if (seen == STOP || (seen == UNOWNED && !handOffAwaited)) {
                return false;
            }
            if (target.tryGrab(key)) {
                if (yielding) {
                    wakeSpinScore = Math.min(SCORE_MAX, wakeSpinScore + 1);
                } else if (budget < MAX_SPIN_NANOS) {
                    spinNanos = Math.min(MAX_SPIN_NANOS, budget * 2);
                }
                return true;
            }
            if (yielding) {
                Thread.yield();
                if (System.nanoTime() - yieldEnd >= 0) {
                    wakeSpinScore = Math.max(0, wakeSpinScore - 2);
                    return false;
                }
            } else {
                Thread.onSpinWait();
                if ((i & 15) == 0) {
                    long now = System.nanoTime();
                    if (now - spinEnd >= 0) {
                        if (yieldEnd - now > 0) {
                            yielding = true; // phase 2: phase 1 failed for a known reason
                        } else {
                            spinNanos = Math.max(MIN_SPIN_NANOS, budget / 2);
                            return false;
                        }
                    }
                }
            }
        }
    }
}
