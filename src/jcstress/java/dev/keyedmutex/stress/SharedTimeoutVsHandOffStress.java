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
 * Hazard: a timeout racing a hand-off leaves the mutex held by nobody, or by a thread that believes
 * it timed out (SPEC 2.4), through two mappings of one shm region.
 */
@JCStressTest
@Description("Timeout vs hand-off across two mappings of one shared region (shm)")
@Outcome(id = "true, true", expect = Expect.ACCEPTABLE, desc = "the waiter got it, and handed it on")
@Outcome(id = "false, true", expect = Expect.ACCEPTABLE, desc = "the waiter timed out; the mutex is free with key 1")
@Outcome(expect = Expect.FORBIDDEN, desc = "the mutex was lost, or the waiter's result disagrees with ownership")
@State
public class SharedTimeoutVsHandOffStress {
    final SharedPair pair = SharedPair.take(0);
    final Subject holder = Subject.of(pair.first);
    final Subject waiter = Subject.of(pair.second);
    volatile boolean got;
    volatile boolean consistent = true;

    @Actor
    public void holder() {
        holder.acquireUninterruptibly(0);
        holder.release(1);
    }

    @Actor
    public void waiter() {
        boolean ok = waiter.tryAcquireNanos(1, 20_000L);
        if (ok != waiter.m.isHeldByCurrentThread()) {
            consistent = false;
        }
        if (ok) {
            waiter.release(2);
        }
        got = ok;
    }

    @Arbiter
    public void arbiter(ZZ_Result r) {
        KeyedMutex m = pair.first;
        r.r1 = got;
        r.r2 = consistent && !m.isLocked() && m.key() == (got ? 2 : 1) && m.tryAcquire(m.key());
        pair.dispose();
    }
}
