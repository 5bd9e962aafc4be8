package org.example.thirdparty;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.spi.KeyedMutexProvider;

/**
 * A third-party provider, as a user would write one: it lives outside the library's packages,
 * builds on {@link dev.keyedmutex.AbstractKeyedMutex}, and is found through its own
 * {@code META-INF/services} file on the test class path. Its mutex is deliberately the simplest
 * correct design (one internal lock, a condition per key), so it doubles as a reference
 * implementation that the contract suite must also pass.
 */
public final class MonitorKeyedMutexProvider implements KeyedMutexProvider {

    public static final String NAME = "test-monitor";

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
        if (nameOrNull != null) {
            throw new UnsupportedOperationException("test-monitor mutexes have no names");
        }
        return new MonitorKeyedMutex(initialKey, privateDataCapacity);
    }

    @Override
    public KeyedMutex open(String name) {
        throw new UnsupportedOperationException("test-monitor mutexes cannot be opened by name");
    }

    /**
     * For the contract suite's wake-up count.
     *
     * @param m a mutex of this provider
     * @return how many waiters it has signalled
     */
    public static long wakeUps(KeyedMutex m) {
        return ((MonitorKeyedMutex) m).wakeUps();
    }
}
