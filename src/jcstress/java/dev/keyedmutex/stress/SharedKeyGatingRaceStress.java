package dev.keyedmutex.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Hazard: an acquirer of key 1 admitted while the key is not 1 (SPEC 2.2), through two mappings
 * of one shm region: the owner works through one handle, the intruder through the other (as
 * {@link KeyGatingRaceStress} does in process).
 */
@JCStressTest
@Description("Key gating race across two mappings of one shared region (shm)")
@Outcome(id = "2, 0, 1", expect = Expect.ACCEPTABLE, desc = "the intruder timed out; the owner went round")
@Outcome(id = "2, 1, 1", expect = Expect.ACCEPTABLE, desc = "the intruder had key 1 in between")
@Outcome(id = "1, 1, 1", expect = Expect.ACCEPTABLE, desc = "the intruder held key 1 through the owner's 1 ms")
@Outcome(expect = Expect.FORBIDDEN, desc = "admitted with another key, a free key 1 missed, or a wrong final state")
@State
public class SharedKeyGatingRaceStress {
    final SharedPair pair = SharedPair.take(0);
    final Subject owner = Subject.of(pair.first);
    final Subject intruder = Subject.of(pair.second);
    volatile int done;

    @Actor
    public void owner(III_Result r) {
        int d = 0;
        if (owner.tryAcquire(0)) {
            owner.release(1);
            d++;
            if (owner.tryAcquireNanos(1, 1_000_000L)) {
                owner.release(0);
                d++;
            }
        }
        r.r1 = d;
        done = d;
    }

    @Actor
    public void intruder(III_Result r) {
        int v = 0;
        if (intruder.tryAcquireNanos(1, 10_000L)) {
            v = intruder.m.key() == 1 ? 1 : -1;
            intruder.release(1);
        }
        r.r2 = v;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = !owner.m.isLocked() && owner.m.key() == (done == 2 ? 0 : 1) ? 1 : 0;
        pair.dispose();
    }
}
