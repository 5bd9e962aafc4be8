package dev.keyedmutex.d3dkmt;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.contract.KeyedMutexContract;

import java.time.Duration;

/**
 * The contract, unchanged, against the d3dkmt provider's Java logic (ownership checks, wait
 * slices, interrupts, status mapping, abandonment, private-data format) over {@link FakeD3dkmt},
 * an in-memory TEST DOUBLE of the kernel calls. This is not Windows: D3dkmtWindowsTest runs the
 * same suite against the real kernel, on Windows only.
 */
class D3dkmtContractTest extends KeyedMutexContract {

    private final FakeD3dkmt kernel = new FakeD3dkmt();
    private final D3dkmtProvider provider = new D3dkmtProvider(kernel, kernel);

    @Override
    protected KeyedMutex create(long initialKey, int privateDataCapacity) {
        return provider.create(null, initialKey, privateDataCapacity);
    }

    @Override
    protected Duration abandonmentBound() {
        return Duration.ofMillis(100); // one 50 ms wait slice, with room for scheduling
    }

    @Override
    protected boolean promptInterrupts() {
        return false; // a kernel wait cannot be interrupted: the next 50 ms slice sees it
    }
}
