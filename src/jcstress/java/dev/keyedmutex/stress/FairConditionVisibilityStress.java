package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutexLock;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.util.concurrent.locks.Condition;

/**
 * Hazard: a signal lost between await and signal, or state written before signal/unlock not
 * visible after await returns (Condition contract). The waiter awaits until ready; the signaller
 * writes plain data, sets ready, signals, unlocks. The waiter must always finish and see it.
 */
@JCStressTest
@Description("Condition: no lost signal; state before signal+unlock visible after await, fair")
@Outcome(id = "42, 1", expect = Expect.ACCEPTABLE, desc = "woken (or never had to wait), saw the data, holds the lock again")
@Outcome(expect = Expect.FORBIDDEN, desc = "stale data, or await returned without the lock")
@State
public class FairConditionVisibilityStress {
    final KeyedMutexLock lock = new KeyedMutexLock(true);
    final Condition ready = lock.newCondition();
    boolean isReady; // guarded by lock
    int data;        // guarded by lock

    @Actor
    public void waiter(II_Result r) {
        lock.lock();
        try {
            while (!isReady) {
                ready.awaitUninterruptibly();
            }
            r.r1 = data;
            r.r2 = lock.getHoldCount();
        } finally {
            lock.unlock();
        }
    }

    @Actor
    public void signaller() {
        lock.lock();
        try {
            data = 42;
            isReady = true;
            ready.signal();
        } finally {
            lock.unlock();
        }
    }
}
