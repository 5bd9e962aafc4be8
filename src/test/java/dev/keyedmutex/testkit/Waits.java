package dev.keyedmutex.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Bounded waits for an observable condition (never a sleep standing in for synchronization). */
public final class Waits {

    public static final Duration DEFAULT = Duration.ofSeconds(20);

    private Waits() {
    }

    public static void until(BooleanSupplier condition, Supplier<String> what) {
        until(condition, DEFAULT, what);
    }

    public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int spins = 0;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout + ": " + what.get());
            }
            if (++spins < 100) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(200_000L); // poll interval, not synchronization
            }
        }
    }
}
