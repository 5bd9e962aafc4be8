package dev.keyedmutex.contract;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;
import org.example.thirdparty.MonitorKeyedMutexProvider;

/**
 * The contract, against the third-party reference provider in {@code src/test}: found through
 * its own services file, it must pass the same suite unchanged (which also shows the suite
 * accepts a correct implementation that shares no code with {@code local}).
 */
class ThirdPartyProviderContractTest extends KeyedMutexContract {
    @Override
    protected KeyedMutex create(long initialKey, int privateDataCapacity) {
        return KeyedMutexes.provider(MonitorKeyedMutexProvider.NAME).create(null, initialKey, privateDataCapacity);
    }

    @Override
    protected java.util.function.ToLongFunction<KeyedMutex> wakeUps() {
        return org.example.thirdparty.MonitorKeyedMutexProvider::wakeUps;
    }
}
