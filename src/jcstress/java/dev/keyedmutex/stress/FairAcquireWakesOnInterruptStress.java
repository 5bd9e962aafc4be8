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
 * Hazard: an interrupt does not wake a blocked, interruptible acquire (SPEC 2.5), KeyedMutex, fair. The
 * actor waits for a key nobody releases; the signal interrupts it.
 */
@JCStressTest(Mode.Termination)
@Description("Liveness (KeyedMutex, fair): a blocked interruptible acquire wakes on interrupt")
@Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "woke with InterruptedException")
@Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "never woke")
@State
public class FairAcquireWakesOnInterruptStress {
    final Subject s = Subject.mutex(true);
    volatile Thread waiter;

    @Actor
    public void actor() {
        waiter = Thread.currentThread();
        try {
            s.acquire(1);
            throw new IllegalStateException("acquired a key nobody released");
        } catch (InterruptedException expected) {
            // woken as required
        }
    }

    @Signal
    public void signal() {
        Thread t;
        while ((t = waiter) == null) {
            Thread.onSpinWait();
        }
        t.interrupt();
    }
}
