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
 * Hazard: a release by a thread that does not hold the mutex changes it (SPEC 2.6), through two
 * mappings of one shm region: the stranger releases through the other handle.
 */
@JCStressTest
@Description("A release by a non-holder throws and changes nothing, across two mappings (shm)")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "refused; the owner's hand-off stands")
@Outcome(expect = Expect.FORBIDDEN, desc = "the stranger's release was taken, or the state changed")
@State
public class SharedForeignReleaseStress {
    final SharedPair pair = SharedPair.take(0);
    volatile int refused;

    @Actor
    public void owner() {
        Flavours.acquire(pair.first, 0);
        pair.first.release(1);
    }

    @Actor
    public void stranger() {
        try {
            pair.second.release(7);
        } catch (IllegalMonitorStateException expected) {
            refused = 1;
        }
    }

    @Arbiter
    public void arbiter(IJ_Result r) {
        r.r1 = refused;
        r.r2 = pair.first.isLocked() ? -1 : pair.first.key();
        pair.dispose();
    }
}
