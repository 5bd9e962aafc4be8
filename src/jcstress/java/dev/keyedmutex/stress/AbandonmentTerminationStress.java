package dev.keyedmutex.stress;

import dev.keyedmutex.AbandonedMutexException;
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
 * Hazard: waiters hang when the holder thread ends without releasing (SPEC 2.7). The state's
 * constructor starts a thread that acquires and ends; the actor's acquire must end with
 * AbandonedMutexException (the signal does nothing: no release is coming).
 */
@JCStressTest(Mode.Termination)
@Description("Liveness: a holder thread that ends abandons the mutex; the waiter wakes")
@Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "the waiter saw the abandonment")
@Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "the waiter hung")
@State
public class AbandonmentTerminationStress {
    final KeyedMutex m = Flavours.mutex(false);

    public AbandonmentTerminationStress() {
        Thread holder = new Thread(() -> Flavours.acquire(m, 0));
        holder.start();
        try {
            holder.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Actor
    public void actor() {
        try {
            m.acquire(0);
            throw new IllegalStateException("acquired an abandoned mutex");
        } catch (AbandonedMutexException expected) {
            // as required
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Signal
    public void signal() {
        // nothing: the actor must wake by itself
    }
}
