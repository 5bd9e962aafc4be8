package dev.keyedmutex.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

/**
 * Hazard: a waiter admitted by a release to another key (SPEC 2.2), KeyedMutexLock, non-fair. The signal first
 * hands the mutex through key 2, then marks the moment and releases key 1; the actor, waiting for
 * key 1, must only get in after that mark (it throws if it got in earlier, which jcstress reports
 * as an error), and must then get in (a release to key 2 must not consume its wake-up).
 */
@JCStressTest(Mode.Termination)
@Description("Liveness and gating (KeyedMutexLock, non-fair): release(2) does not admit a waiter of key 1; release(1) does")
@Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "admitted by release(1) only")
@Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "never admitted")
@State
public class LockNotWokenByOtherKeyStress {
    final Subject s = Subject.lock(false);
    volatile boolean oneReleased;

    @Actor
    public void actor() {
        s.acquireUninterruptibly(1);
        if (!oneReleased) {
            throw new IllegalStateException("admitted with key 1 before key 1 was released");
        }
        s.release(0);
    }

    @Signal
    public void signal() {
        s.acquireUninterruptibly(0);
        s.release(2);
        s.acquireUninterruptibly(2);
        oneReleased = true;
        s.release(1);
    }
}
