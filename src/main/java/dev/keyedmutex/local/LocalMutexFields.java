package dev.keyedmutex.local;

import dev.keyedmutex.AbstractKeyedMutex;

/**
 * The fields of {@link LocalKeyedMutex} that every hand-off writes, declared in a class of their
 * own so that they sit together, right after {@link AbstractKeyedMutex}'s, in one 40-byte stretch
 * of the object (offsets 16 to 55 with compressed class pointers: the base class's entry key, then
 * {@code owner}, {@code state}, {@code key}, {@code freeGuess}). HotSpot lays out a superclass's
 * fields before a subclass's, so no later field of {@code LocalKeyedMutex} can come between them.
 *
 * <p>Why: a hand-off between two threads on two CPUs costs one transfer of each cache line that
 * both sides write. With these fields spread over the object (as they were, with two counters
 * and the waiter bookkeeping between {@code state} and {@code owner}), they always spanned two
 * lines. Together, they share one line whenever the object starts 0, 8, 48 or 56 bytes past a
 * 64-byte boundary, and there the two-thread key ping-pong round trip halved (measured,
 * {@code PlacementBench}, docs/measurements.md). Java gives no control over where an object
 * starts (8-byte alignment; the garbage collector moves it), so the other placements keep the
 * two-line cost.
 *
 * <p>Access rules are those of {@link LocalKeyedMutex}'s class comment; only that class touches
 * these fields (directly, or through its VarHandles).
 */
abstract class LocalMutexFields extends AbstractKeyedMutex {

    /** See "State" in {@link LocalKeyedMutex}. */
    volatile long state;
    /** Accessed through LocalKeyedMutex.KEY. */
    long key;
    /** Accessed through LocalKeyedMutex.FREE_GUESS. */
    long freeGuess;
    /** Accessed through LocalKeyedMutex.OWNER. */
    Thread owner;

    LocalMutexFields(int privateDataCapacity) {
        super(privateDataCapacity);
    }
}
