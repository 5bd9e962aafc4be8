package dev.keyedmutex.shm;

import dev.keyedmutex.KeyedMutex;

/** For tests outside this package: the shm provider's white-box counters. */
public final class ShmProbe {

    private ShmProbe() {
    }

    /**
     * @param m ignored: the count is this JVM's, over every shared mutex
     * @return how many sleepers this JVM's futex wake calls have woken (the kernel's count)
     */
    public static long wakeUps(KeyedMutex m) {
        return LinuxNative.FUTEX_WOKEN.sum();
    }
}
