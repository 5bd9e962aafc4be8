package dev.keyedmutex.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IJ_Result;

/**
 * Hazard: a release (an unlock) by a thread that does not hold the mutex changes it (SPEC 2.6),
 * KeyedMutexLock, fair. A stranger tries to release with key 7 while the owner goes 0 -> 1: it must get
 * IllegalMonitorStateException, and the mutex must end free with key 1.
 */
@JCStressTest
@Description("A release by a non-holder throws and changes nothing (KeyedMutexLock, fair)")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "refused; the owner's hand-off stands")
@Outcome(expect = Expect.FORBIDDEN, desc = "the stranger's release was taken, or the state changed")
@State
public class FairLockForeignReleaseStress {
    final Subject s = Subject.lock(true);
    volatile int refused;

    @Actor
    public void owner() {
        s.acquireUninterruptibly(0);
        s.release(1);
    }

    @Actor
    public void stranger() {
        try {
            s.release(7);
        } catch (IllegalMonitorStateException expected) {
            refused = 1;
        }
    }

    @Arbiter
    public void arbiter(IJ_Result r) {
        r.r1 = refused;
        r.r2 = s.m.isLocked() ? -1 : s.m.key();
    }
}
