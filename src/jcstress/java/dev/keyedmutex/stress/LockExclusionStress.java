package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexLock;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Hazard: two threads inside at once (SPEC 2.1). Both actors increment a plain counter under the
 * KeyedMutexLock (non-fair); a lost update shows as a count of 1.
 */
@JCStressTest
@Description("Mutual exclusion, KeyedMutexLock, non-fair")
@Outcome(id = "2, 0", expect = Expect.ACCEPTABLE, desc = "both increments kept, never two inside")
@Outcome(expect = Expect.FORBIDDEN, desc = "lost update or overlapping holders")
@State
public class LockExclusionStress {
    final KeyedMutex m = Flavours.mutex(false);
    final KeyedMutexLock lock = m.asLock(0, 0);
    int counter;
    int inside;
    int overlaps;

    void work() {
        if (++inside != 1) {
            overlaps++;
        }
        counter++;
        inside--;
    }

    @Actor
    public void actor1() {
        lock.lock();
        try {
            work();
        } finally {
            lock.unlock();
        }
    }

    @Actor
    public void actor2() {
        lock.lock();
        try {
            work();
        } finally {
            lock.unlock();
        }
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = counter;
        r.r2 = overlaps;
    }
}
