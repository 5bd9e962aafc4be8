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
 * Hazard: an acquirer of key 1 admitted while the key is not 1 (SPEC 2.2), KeyedMutex, non-fair. One actor
 * moves the mutex 0 -> 1, then waits up to 1 ms for key 1 and moves it back to 0; the other waits
 * up to 10 us for key 1 and, once in, reads the key: it must be 1. Afterwards the mutex is free
 * with the key its last holder left. (Two actors: jcstress runs no more actors than CPUs.)
 */
@JCStressTest
@Description("Key gating race (KeyedMutex, non-fair): key 1 is taken only while the key is 1")
@Outcome(id = "2, 0, 1", expect = Expect.ACCEPTABLE, desc = "the intruder timed out; the owner went round")
@Outcome(id = "2, 1, 1", expect = Expect.ACCEPTABLE, desc = "the intruder had key 1 in between")
@Outcome(id = "1, 1, 1", expect = Expect.ACCEPTABLE, desc = "the intruder held key 1 through the owner's 1 ms")
@Outcome(expect = Expect.FORBIDDEN, desc = "admitted with another key, a free key 1 missed, or a wrong final state")
@State
public class KeyGatingRaceStress {
    final Subject s = Subject.mutex(false);
    volatile int done;

    @Actor
    public void owner(III_Result r) {
        int d = 0;
        if (s.tryAcquire(0)) {
            s.release(1);
            d++;
            if (s.tryAcquireNanos(1, 1_000_000L)) {
                s.release(0);
                d++;
            }
        }
        r.r1 = d;
        done = d;
    }

    @Actor
    public void intruder(III_Result r) {
        int v = 0;
        if (s.tryAcquireNanos(1, 10_000L)) {
            v = s.m.key() == 1 ? 1 : -1;
            s.release(1);
        }
        r.r2 = v;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = !s.m.isLocked() && s.m.key() == (done == 2 ? 0 : 1) ? 1 : 0;
    }
}
