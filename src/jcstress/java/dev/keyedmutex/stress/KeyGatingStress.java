package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Hazard: an acquirer with a key the mutex does not have is admitted (SPEC 2.2). One actor moves
 * the mutex 0 -> 1 -> 0; the other tries key 2, which the mutex never has, in every form that
 * does not block. (Two actors: jcstress runs no more actors than there are CPUs.)
 */
@JCStressTest
@Description("Key gating: a key the mutex never has is never admitted")
@Outcome(id = "2, 0", expect = Expect.ACCEPTABLE, desc = "both hand-offs done, intruder refused")
@Outcome(expect = Expect.FORBIDDEN, desc = "the intruder was admitted with key 2, or a hand-off failed")
@State
public class KeyGatingStress {
    final KeyedMutex m = Flavours.mutex(false);

    @Actor
    public void churn(II_Result r) {
        int done = 0;
        if (m.tryAcquire(0)) {
            m.release(1);
            done++;
        }
        if (Flavours.tryAcquire(m, 1, 1_000_000L)) {
            m.release(0);
            done++;
        }
        r.r1 = done;
    }

    @Actor
    public void intruder(II_Result r) {
        int admitted = 0;
        if (m.tryAcquire(2)) {
            admitted++;
            m.release(2);
        }
        if (Flavours.tryAcquire(m, 2, 0L)) {
            admitted++;
            m.release(2);
        }
        if (Flavours.tryAcquire(m, 2, 1_000L)) {
            admitted++;
            m.release(2);
        }
        r.r2 = admitted;
    }
}
