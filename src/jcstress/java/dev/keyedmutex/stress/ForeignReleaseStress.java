package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IJ_Result;

/**
 * Hazard: a release by a thread that does not hold the mutex changes it (SPEC 2.6). A stranger
 * tries release(7) while the owner goes 0 -> 1: it must get IllegalMonitorStateException, and the
 * key must end as 1, unlocked.
 */
@JCStressTest
@Description("A release by a non-holder throws and changes nothing")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "refused; the owner's hand-off stands")
@Outcome(expect = Expect.FORBIDDEN, desc = "the stranger's release was taken, or the state changed")
@State
public class ForeignReleaseStress {
    final KeyedMutex m = Flavours.mutex(false);
    volatile int refused;

    @Actor
    public void owner() {
        Flavours.acquire(m, 0);
        m.release(1);
    }

    @Actor
    public void stranger() {
        try {
            m.release(7);
        } catch (IllegalMonitorStateException expected) {
            refused = 1;
        }
    }

    @Arbiter
    public void arbiter(IJ_Result r) {
        r.r1 = refused;
        r.r2 = m.isLocked() ? -1 : m.key();
    }
}
