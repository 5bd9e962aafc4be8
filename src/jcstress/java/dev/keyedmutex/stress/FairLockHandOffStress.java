package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexLock;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * Hazard: the next holder sees stale or torn data (SPEC 2.3). The writer fills plain fields
 * (long, double, ints, array, and a reference to a new multi-field object) under key 0 and releases with key 1; a reader that gets key 1 must see every field
 * whole. -1: the reader came first and did not get the mutex.
 */
@JCStressTest
@Description("Happens-before across a key hand-off: long, double, ints, array, reference, KeyedMutexLock lock(key)/unlock(nextKey), fair")
@Outcome(id = "-1", expect = Expect.ACCEPTABLE, desc = "the reader came before the hand-off")
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "the reader saw everything written before release(1)")
@Outcome(id = "0", expect = Expect.FORBIDDEN, desc = "the reader holds the mutex but saw stale or torn data")
@State
public class FairLockHandOffStress {
    final KeyedMutex m = Flavours.mutex(true);
    final KeyedMutexLock lock = m.asLock(0, 1);
    long along;
    double adouble;
    int a;
    int b;
    int c;
    final int[] array = new int[4];
    Payload ref; // a multi-field object built by the writer, published through this plain field

    @Actor
    public void writer() {
        lock.lock(0);
        fill();
        lock.unlock(1);
    }

    @Actor
    public void reader(I_Result r) {
        if (lock.tryLock(1)) {
            r.r1 = complete() ? 1 : 0;
            lock.unlock(2);
        } else {
            r.r1 = -1;
        }
    }

    boolean complete() {
        return along == 0x1234_5678_9ABC_DEF0L && adouble == Math.PI && a == 1 && b == 2 && c == 3
                && array[0] == 7 && array[1] == 7 && array[2] == 7 && array[3] == 7
                && ref != null && ref.isWhole();
    }

    void fill() {
        along = 0x1234_5678_9ABC_DEF0L;
        adouble = Math.PI;
        a = 1;
        b = 2;
        c = 3;
        array[0] = 7;
        array[1] = 7;
        array[2] = 7;
        array[3] = 7;
        ref = new Payload();
    }
}
