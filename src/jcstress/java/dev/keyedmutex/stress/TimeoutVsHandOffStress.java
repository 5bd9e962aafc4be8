package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * Hazard: a timeout racing a hand-off leaves the mutex held by nobody, or by a thread that
 * believes it timed out (SPEC 2.4). The holder releases to key 1 while a waiter's short timed
 * acquire of key 1 expires; afterwards nobody may hold it, and it must be free with the key its
 * last holder left (1 if the waiter gave up, 2 if it got the mutex and released it).
 */
@JCStressTest
@Description("Timeout vs hand-off, non-fair")
@Outcome(id = "true, true", expect = Expect.ACCEPTABLE, desc = "the waiter got it, and handed it on")
@Outcome(id = "false, true", expect = Expect.ACCEPTABLE, desc = "the waiter timed out; the mutex is free with key 1")
@Outcome(expect = Expect.FORBIDDEN, desc = "the mutex was lost, or the waiter's result disagrees with ownership")
@State
public class TimeoutVsHandOffStress {
    final KeyedMutex m = Flavours.mutex(false);
    volatile boolean got;
    volatile boolean consistent = true;

    @Actor
    public void holder() {
        Flavours.acquire(m, 0);
        m.release(1);
    }

    @Actor
    public void waiter() {
        boolean ok = Flavours.tryAcquire(m, 1, 20_000L);
        if (ok != m.isHeldByCurrentThread()) {
            consistent = false;
        }
        if (ok) {
            m.release(2);
        }
        got = ok;
    }

    @Arbiter
    public void arbiter(ZZ_Result r) {
        r.r1 = got;
        r.r2 = consistent && !m.isLocked() && m.key() == (got ? 2 : 1) && m.tryAcquire(m.key());
    }
}
