package dev.keyedmutex.contract;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;
import dev.keyedmutex.shm.ShmProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract, unchanged, against the {@code shm} provider (same process, one handle per mutex;
 * the several-handles and cross-process rules have their own tests). Every region is deleted
 * after its test.
 */
class ShmContractTest extends KeyedMutexContract {

    private static final AtomicInteger SEQ = new AtomicInteger();
    private final List<String> names = new ArrayList<>();

    @BeforeAll
    static void supported() {
        assumeTrue(new ShmProvider().isSupported(), ShmProvider::unsupportedReason);
    }

    @Override
    protected KeyedMutex create(long initialKey, int privateDataCapacity) {
        String name = "kmtest-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        synchronized (names) {
            names.add(name);
        }
        return KeyedMutexes.provider(ShmProvider.NAME).create(name, initialKey, privateDataCapacity);
    }

    @Override
    protected Duration abandonmentBound() {
        return Duration.ofMillis(100);
    }

    @AfterEach
    void deleteRegions() {
        synchronized (names) {
            for (String n : names) {
                KeyedMutexes.provider(ShmProvider.NAME).delete(n);
            }
            names.clear();
        }
    }

    @Override
    protected java.util.function.ToLongFunction<KeyedMutex> wakeUps() {
        return dev.keyedmutex.shm.ShmProbe::wakeUps;
    }
}
