package dev.keyedmutex.stress.negative;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * NEGATIVE CONTROL: a deliberately broken keyed "lock" that checks the state and then sets it,
 * without an atomic. The same mutual-exclusion test as MutexExclusionStress; jcstress must see the
 * FORBIDDEN lost update, or the suite could not catch this bug in the real mutex either.
 * .ci/jcstress fails if this test passes.
 */
@JCStressTest
@Description("NEGATIVE CONTROL: check-then-set lock (must be caught)")
@Outcome(id = "2", expect = Expect.ACCEPTABLE, desc = "both increments kept")
@Outcome(expect = Expect.FORBIDDEN, desc = "lost update: two threads were inside at once")
@State
public class BrokenCheckThenSetStress {
    volatile boolean locked;
    volatile long key;
    int counter;

    void lock(long k) {
        while (locked || key != k) {
            Thread.onSpinWait();
        }
        locked = true; // BROKEN: another thread may have passed the check meanwhile
    }

    void unlock(long next) {
        key = next;
        locked = false;
    }

    @Actor
    public void actor1() {
        lock(0);
        int c = counter;
        counter = c + 1;
        unlock(0);
    }

    @Actor
    public void actor2() {
        lock(0);
        int c = counter;
        counter = c + 1;
        unlock(0);
    }

    @Arbiter
    public void arbiter(I_Result r) {
        r.r1 = counter;
    }
}
