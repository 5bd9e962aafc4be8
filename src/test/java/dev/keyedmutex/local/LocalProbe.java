package dev.keyedmutex.local;

import dev.keyedmutex.KeyedMutex;

/** For tests outside this package: the local provider's white-box counters. */
public final class LocalProbe {

    private LocalProbe() {
    }

    /** @return how many times releases of {@code m} (a local mutex) have woken or granted to a waiter */
    public static long wakeUps(KeyedMutex m) {
        return ((LocalKeyedMutex) m).wakeups();
    }
}
