package dev.keyedmutex.local;

import dev.keyedmutex.AbstractKeyedMutex;

/*
 * Field layout of LocalKeyedMutex, padded by inheritance: threads spinning for the mutex read
 * `state` and `key`, while the holder writes `owner`, the hold count, and the adaptive-spin
 * fields right after it acquires. On one cache line those writes and the spinners' reads bounce
 * the line back and forth several times per hand-off (measured: a two-thread key ping-pong took
 * ~1.3 us per round trip with them together, see docs/measurements.md). HotSpot lays superclass
 * fields out before subclass fields, so 64 bytes of padding on each side keep `state` and `key`
 * on a line of their own.
 */

/** Padding before the hot fields. */
abstract class LocalPadBefore extends AbstractKeyedMutex {
    long p00, p01, p02, p03, p04, p05, p06, p07;

    LocalPadBefore(int privateDataCapacity) {
        super(privateDataCapacity);
    }
}

/** The fields spinners read: the state word and the key. */
abstract class LocalHotFields extends LocalPadBefore {
    volatile long state;
    long key; // accessed through a VarHandle (opaque)

    LocalHotFields(int privateDataCapacity) {
        super(privateDataCapacity);
    }
}

/** Padding after the hot fields. */
abstract class LocalPadAfter extends LocalHotFields {
    long p10, p11, p12, p13, p14, p15, p16, p17;

    LocalPadAfter(int privateDataCapacity) {
        super(privateDataCapacity);
    }
}
