package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Two handles (two mappings) of one shm region, for the cross-mapping stress tests. Each state
 * gets its own region; the test's arbiter closes both handles and deletes it.
 */
final class SharedPair {

    private static final AtomicLong SEQ = new AtomicLong();

    final String name = "jcstress-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    final KeyedMutex first;
    final KeyedMutex second;

    SharedPair(int capacity) {
        first = KeyedMutexes.createShared(name, 0L, capacity);
        second = KeyedMutexes.openShared(name);
    }

    void dispose() {
        first.close();
        second.close();
        KeyedMutexes.deleteShared(name);
    }
}
