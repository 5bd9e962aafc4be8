package dev.keyedmutex.local;

import dev.keyedmutex.AbstractKeyedMutex;

/**
 * The fields of {@link LocalKeyedMutex} that every hand-off writes, declared in a class of their
 * own so that they sit together, right after {@link AbstractKeyedMutex}'s. With compressed class
 * pointers and compressed references (the default below 32 GB of heap) the object reads: the base
 * class's {@code entryKey} at 16 and {@code holds} at 24, then {@code owner} at 28, {@code state}
 * at 32, {@code key} at 40, {@code freeGuess} at 48. The written ones ({@code holds} is written
 * only when it changes) span offsets 16 to 55, 40 bytes.
 *
 * <p>How that comes about: HotSpot lays out a superclass's fields before a subclass's, so the
 * longs of this class follow the base class's directly; a later field can only go into a hole,
 * and the one hole here (at 28) is taken by the 4-byte {@code owner}. Without compressed
 * references {@code owner} takes 8 bytes, goes after {@code freeGuess} (at 56), and the group
 * spans 48 bytes. {@code LocalKeyedMutexTest.theFieldsEveryHandOffWritesLieTogether} checks the
 * span on the JVM that runs the tests.
 *
 * <p>Why: a hand-off between two threads on two CPUs moves each cache line that both sides
 * write. With these fields spread over the object (as they were, with two counters and the
 * waiter bookkeeping between {@code state} and {@code owner}), they always spanned two lines.
 * Together, they share one line whenever the object starts 0, 8, 48 or 56 bytes past a 64-byte
 * boundary, and there the two-thread key ping-pong round trip halved (measured,
 * {@code PlacementBench}, docs/measurements.md). Java gives no control over where an object
 * starts (8-byte alignment; the garbage collector moves it), so the other placements keep the
 * two-line cost.
 *
 * <p>The fast path also reads fields of {@link LocalKeyedMutex} itself ({@code closed},
 * {@code fair}, {@code queued}); those are written never after construction, once
 * ({@code closed}) or only when threads queue, so where they lie costs a hand-off nothing.
 *
 * <p>Access rules are those of {@link LocalKeyedMutex}'s class comment. Only that class touches
 * these fields (directly, or through its VarHandles), and its unit test, to set up a state.
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
