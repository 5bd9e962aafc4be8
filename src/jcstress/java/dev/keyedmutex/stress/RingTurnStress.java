package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * Hazard: a stage of a ring running out of turn (SPEC 2.2). Two actors own the even and the odd
 * turns of a ring of four keys: each waits for its key and releases to the next. Whatever the
 * interleaving, the turns must come in key order. (Two actors: jcstress runs no more actors than
 * there are CPUs, and these machines have two.)
 */
@JCStressTest
@Description("A ring of four turns taken by key")
@Outcome(id = "0123", expect = Expect.ACCEPTABLE, desc = "stages ran in key order")
@Outcome(expect = Expect.FORBIDDEN, desc = "a stage ran out of turn")
@State
public class RingTurnStress {
    final KeyedMutex m = Flavours.mutex(false);
    final StringBuilder order = new StringBuilder(); // guarded by the mutex

    void turn(int i) {
        Flavours.acquire(m, i);
        order.append(i);
        m.release((i + 1) % 4);
    }

    @Actor
    public void even() {
        turn(0);
        turn(2);
    }

    @Actor
    public void odd() {
        turn(1);
        turn(3);
    }

    @Arbiter
    public void arbiter(L_Result r) {
        Flavours.acquire(m, 0);
        r.r1 = order.toString();
        m.release(0);
    }
}
