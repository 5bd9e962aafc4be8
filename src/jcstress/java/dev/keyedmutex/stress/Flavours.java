package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

import java.util.concurrent.TimeUnit;

/**
 * Mutexes under test and small helpers shared by the stress tests. The suite runs against the
 * {@code local} provider's two policies; every test class picks one.
 */
final class Flavours {

    private Flavours() {
    }

    static KeyedMutex mutex(boolean fair) {
        return mutex(fair, 0);
    }

    static KeyedMutex mutex(boolean fair, int privateDataCapacity) {
        return KeyedMutexes.provider("local").create(null, 0L, privateDataCapacity, fair);
    }

    /** acquire(k), for actors that cannot throw checked exceptions. */
    static void acquire(KeyedMutex m, long k) {
        try {
            m.acquire(k);
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted in a stress actor", e);
        }
    }

    /** tryAcquire(k, nanos), for actors that cannot throw checked exceptions. */
    static boolean tryAcquire(KeyedMutex m, long k, long nanos) {
        try {
            return m.tryAcquire(k, nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted in a stress actor", e);
        }
    }
}
