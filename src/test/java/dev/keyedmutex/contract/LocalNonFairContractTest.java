package dev.keyedmutex.contract;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

/** The contract, against the {@code local} provider's non-fair mutex (the default). */
class LocalNonFairContractTest extends KeyedMutexContract {
    @Override
    protected KeyedMutex create(long initialKey, int privateDataCapacity) {
        return KeyedMutexes.provider("local").create(null, initialKey, privateDataCapacity, false);
    }

    @Override
    protected java.util.function.ToLongFunction<KeyedMutex> wakeUps() {
        return dev.keyedmutex.local.LocalProbe::wakeUps;
    }
}
