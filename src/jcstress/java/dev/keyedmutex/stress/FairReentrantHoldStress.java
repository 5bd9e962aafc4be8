package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutexLock;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Hazard (fair policy): the reentrant view releases the mutex on an inner unlock, or miscounts holds
 * (SPEC 2.6). One actor locks twice and unlocks once, then checks it still holds alone; the other
 * tries the lock meanwhile and must never get in while the first holds any hold.
 */
@JCStressTest
@Description("KeyedMutexLock reentrancy (fair): an inner unlock keeps the lock")
@Outcome(id = "1, 0, 0", expect = Expect.ACCEPTABLE, desc = "the other thread never got in")
@Outcome(id = "1, 1, 0", expect = Expect.ACCEPTABLE, desc = "the other thread got in before or after, not during")
@Outcome(expect = Expect.FORBIDDEN, desc = "wrong hold count, or two holders")
@State
public class FairReentrantHoldStress {
    final KeyedMutexLock lock = new KeyedMutexLock(true);
    int inside; // guarded by the lock
    int overlaps;

    @Actor
    public void nested(III_Result r) {
        lock.lock();
        inside++;
        lock.lock();
        lock.unlock();
        r.r1 = lock.getHoldCount();
        if (inside != 1) {
            overlaps++;
        }
        inside--;
        lock.unlock();
    }

    @Actor
    public void other(III_Result r) {
        if (lock.tryLock()) {
            if (++inside != 1) {
                overlaps++;
            }
            inside--;
            r.r2 = 1;
            lock.unlock();
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        lock.lock();
        r.r3 = overlaps + (lock.getHoldCount() == 1 ? 0 : 10);
        lock.unlock();
    }
}
