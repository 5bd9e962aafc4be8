package dev.keyedmutex.bench;

import java.util.concurrent.atomic.AtomicInteger;

/** Names for the shm regions the benchmarks create (unique per process; deleted in teardown). */
final class Shm {

    private static final AtomicInteger SEQ = new AtomicInteger();

    private Shm() {
    }

    static String uniqueName(String what) {
        return "jmh-" + what + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    }
}
