package dev.keyedmutex.contract;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

/** The contract, against the {@code local} provider's fair mutex. */
class LocalFairContractTest extends KeyedMutexContract {
    @Override
    protected KeyedMutex create(long initialKey, int privateDataCapacity) {
        return KeyedMutexes.provider("local").create(null, initialKey, privateDataCapacity, true);
    }

    @Override
    protected boolean fair() {
        return true;
    }

    @Override
    protected java.util.function.ToLongFunction<KeyedMutex> wakeUps() {
        return dev.keyedmutex.local.LocalProbe::wakeUps;
    }
}
