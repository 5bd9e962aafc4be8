package dev.keyedmutex.local;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.spi.KeyedMutexProvider;

/**
 * The in-process provider, {@code local}: pure Java, available on every JVM, and the default.
 * Its mutexes live in this JVM only, so they have no names; both fairness policies are
 * supported. See {@code LocalKeyedMutex} for the algorithm.
 *
 * <p>Abandonment: if the holding thread terminates without releasing, waiting threads get
 * {@link dev.keyedmutex.AbandonedMutexException} within about 20 ms (plus scheduling delay),
 * and a {@code tryAcquire} or {@code isAbandoned()} that finds the mutex held by a terminated
 * thread detects it at once.
 */
public final class LocalProvider implements KeyedMutexProvider {

    /** The provider's name, {@value}. */
    public static final String NAME = "local";

    /** Creates the provider (called by {@link java.util.ServiceLoader}). */
    public LocalProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isSupported() {
        return true;
    }

    @Override
    public boolean isCrossProcess() {
        return false;
    }

    @Override
    public KeyedMutex create(String nameOrNull, long initialKey, int privateDataCapacity) {
        return create(nameOrNull, initialKey, privateDataCapacity, false);
    }

    @Override
    public KeyedMutex create(String nameOrNull, long initialKey, int privateDataCapacity, boolean fair) {
        if (nameOrNull != null) {
            throw new UnsupportedOperationException(
                    "the local provider makes in-process mutexes, which have no names; use a cross-process provider for '"
                            + nameOrNull + "'");
        }
        return new LocalKeyedMutex(initialKey, privateDataCapacity, fair);
    }

    @Override
    public KeyedMutex open(String name) {
        throw new UnsupportedOperationException(
                "the local provider makes in-process mutexes, which cannot be opened by name");
    }

    @Override
    public String toString() {
        return "LocalProvider[" + NAME + "]";
    }
}
