package dev.keyedmutex.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * Hazard: a timeout racing a hand-off leaves the lock held by nobody, or by a thread whose
 * tryLock(key, time) returned false (SPEC 2.4), KeyedMutexLock, fair. The holder unlocks to key 1 while a
 * waiter's short timed tryLock of key 1 expires; afterwards nobody holds it, and it is free with
 * the key its last holder left (1 if the waiter gave up, 2 if it got in and handed on).
 */
@JCStressTest
@Description("Timeout vs hand-off (KeyedMutexLock, fair)")
@Outcome(id = "true, true", expect = Expect.ACCEPTABLE, desc = "the waiter got it, and handed it on")
@Outcome(id = "false, true", expect = Expect.ACCEPTABLE, desc = "the waiter timed out; the lock is free with key 1")
@Outcome(expect = Expect.FORBIDDEN, desc = "the lock was lost, or the waiter's result disagrees with ownership")
@State
public class FairLockTimeoutVsHandOffStress {
    final Subject s = Subject.lock(true);
    volatile boolean got;
    volatile boolean consistent = true;

    @Actor
    public void holder() {
        s.acquireUninterruptibly(0);
        s.release(1);
    }

    @Actor
    public void waiter() {
        boolean ok = s.tryAcquireNanos(1, 20_000L);
        if (ok != s.m.isHeldByCurrentThread()) {
            consistent = false;
        }
        if (ok) {
            s.release(2);
        }
        got = ok;
    }

    @Arbiter
    public void arbiter(ZZ_Result r) {
        r.r1 = got;
        r.r2 = consistent && !s.m.isLocked() && s.m.key() == (got ? 2 : 1) && s.m.tryAcquire(s.m.key());
    }
}
