package dev.keyedmutex.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

/**
 * Hazard: a blocked lock(1) never wakes when key 1 is released (a lost wake-up, SPEC 2.2),
 * KeyedMutexLock, non-fair.
 */
@JCStressTest(Mode.Termination)
@Description("Liveness (KeyedMutexLock, non-fair): a blocked lock(1) wakes on unlock(1)")
@Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "woke and acquired")
@Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "never woke")
@State
public class LockAcquireWakesOnReleaseStress {
    final Subject s = Subject.lock(false);

    @Actor
    public void actor() {
        s.acquireUninterruptibly(1);
        s.release(0);
    }

    @Signal
    public void signal() {
        s.acquireUninterruptibly(0);
        s.release(1);
    }
}
