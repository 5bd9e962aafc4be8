package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Hazard: a release racing with close() undoes the close. The {@code local} holder unlocks with a
 * plain volatile store of the state word, which is safe only because nobody else writes that word
 * while the mutex is held; if close() marked the state word (as it once did, by CAS) the store
 * could erase the mark, and the closed handle would let the next acquirer in. One actor takes the
 * mutex and releases it to key 1 while the other closes the handle; afterwards the handle must
 * refuse an acquire of key 1 with IllegalStateException, whichever came first.
 *
 * <p>With the old CAS-marking close() this could fail only when the CAS fell between the release's
 * read of the state word and its store (release checks closed first): a window of a few
 * instructions. The deterministic guard of the rule is
 * {@code LocalKeyedMutexTest.closeDuringAHoldLeavesTheStateWordToTheHolder}; this test checks the
 * end-to-end promise (a closed handle stays closed) under the race.
 */
@JCStressTest
@Description("close() racing with a release stays closed")
@Outcome(id = {"1, 0", "1, 1"}, expect = Expect.ACCEPTABLE, desc = "closed, whether the holder's calls came before or after")
@Outcome(expect = Expect.FORBIDDEN, desc = "the closed handle let an acquirer in, or reported itself open")
@State
public class CloseVsReleaseStress {
    final KeyedMutex m = Flavours.mutex(false);
    volatile int holderRefused;

    @Actor
    public void holder() {
        try {
            Flavours.acquire(m, 0);
            m.release(1);
        } catch (IllegalStateException closedFirst) {
            holderRefused = 1;
        }
    }

    @Actor
    public void closer() {
        m.close();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        int refused;
        try {
            refused = m.tryAcquire(1) ? 0 : 2; // either is wrong: a closed handle must throw
        } catch (IllegalStateException expected) {
            refused = 1;
        }
        r.r1 = refused;
        r.r2 = holderRefused;
    }
}
