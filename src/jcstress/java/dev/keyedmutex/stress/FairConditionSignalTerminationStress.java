package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutexLock;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import java.util.concurrent.locks.Condition;

/**
 * Hazard (fair policy): a thread blocked in await is never woken by a signal (a lost wake-up). The actor
 * awaits until told; the signal sets the flag and signals under the lock.
 */
@JCStressTest(Mode.Termination)
@Description("Condition (fair): a blocked await wakes on signal")
@Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "the waiter woke")
@Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "the waiter never woke: signal lost")
@State
public class FairConditionSignalTerminationStress {
    final KeyedMutexLock lock = new KeyedMutexLock(true);
    final Condition c = lock.newCondition();
    boolean go; // guarded by lock

    @Actor
    public void actor() {
        lock.lock();
        try {
            while (!go) {
                c.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    @Signal
    public void signal() {
        lock.lock();
        try {
            go = true;
            c.signal();
        } finally {
            lock.unlock();
        }
    }
}
