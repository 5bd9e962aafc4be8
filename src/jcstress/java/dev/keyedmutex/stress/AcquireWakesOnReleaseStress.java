package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

/**
 * Hazard: a blocked acquire never wakes when its key is released (a lost wake-up, SPEC 2.2).
 */
@JCStressTest(Mode.Termination)
@Description("Liveness: a blocked acquire(1) wakes on release(1)")
@Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "woke and acquired")
@Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "never woke")
@State
public class AcquireWakesOnReleaseStress {
    final KeyedMutex m = Flavours.mutex(false);

    @Actor
    public void actor() {
        Flavours.acquire(m, 1);
        m.release(0);
    }

    @Signal
    public void signal() {
        Flavours.acquire(m, 0);
        m.release(1);
    }
}
