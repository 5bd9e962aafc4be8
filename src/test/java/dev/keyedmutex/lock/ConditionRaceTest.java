package dev.keyedmutex.lock;

import dev.keyedmutex.KeyedMutexLock;
import dev.keyedmutex.testkit.TestThread;
import dev.keyedmutex.testkit.Waits;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A signal racing a timed await's deadline is delivered exactly once: either the timed waiter
 * reports it (and the other waiter is not woken), or the timed waiter timed out and the signal
 * goes to the other waiter. The signal is aimed at the moment the timed waiter wakes at its
 * deadline. Run against ReentrantLock too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConditionRaceTest {

    @ParameterizedTest
    @ValueSource(strings = {"ReentrantLock", "KeyedMutexLock", "KeyedMutexLock(fair)"})
    void aSignalRacingATimeoutIsNeverLostNorDeliveredTwice(String kind) throws Exception {
        java.util.concurrent.locks.Lock l = kind.equals("ReentrantLock") ? new ReentrantLock()
                : new KeyedMutexLock(kind.endsWith("(fair)"));
        int rounds = 400;
        for (int r = 0; r < rounds; r++) {
            Condition c = l.newCondition();
            TestThread<Boolean> a = TestThread.start("timed", () -> {
                l.lock();
                try {
                    return c.await(3, TimeUnit.MILLISECONDS);
                } finally {
                    l.unlock();
                }
            });
            awaitWaiters(l, c, 1, a);
            TestThread<Boolean> b = TestThread.start("untimed", () -> {
                l.lock();
                try {
                    c.await();
                    return true;
                } finally {
                    l.unlock();
                }
            });
            awaitWaiters(l, c, 2, a);
            l.lock();
            try {
                long end = System.nanoTime() + 20_000_000L;
                while (a.thread().getState() == Thread.State.TIMED_WAITING && System.nanoTime() - end < 0) {
                    Thread.onSpinWait(); // aim at the timed waiter's wake-up
                }
                c.signal();
            } finally {
                l.unlock();
            }
            boolean aSignalled = a.join();
            l.lock();
            try {
                int left = waitQueueLength(l, c);
                if (aSignalled) {
                    assertEquals(1, left, kind + " round " + r + ": the timed waiter took the signal, yet the other was woken too");
                    c.signal();
                } else {
                    assertEquals(0, left, kind + " round " + r + ": the timed waiter timed out and the signal was lost");
                }
            } finally {
                l.unlock();
            }
            assertTrue(b.join());
        }
    }

    private static int waitQueueLength(java.util.concurrent.locks.Lock l, Condition c) {
        return l instanceof ReentrantLock ? ((ReentrantLock) l).getWaitQueueLength(c) : ((KeyedMutexLock) l).getWaitQueueLength(c);
    }

    private static void awaitWaiters(java.util.concurrent.locks.Lock l, Condition c, int n, TestThread<Boolean> timed) {
        Waits.until(() -> {
            if (!l.tryLock()) {
                return false;
            }
            try {
                int waiting = waitQueueLength(l, c);
                return waiting >= n || (timed.isDone() && waiting >= n - 1);
            } finally {
                l.unlock();
            }
        }, () -> n + " waiters never awaited");
    }
}
