package dev.keyedmutex.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import dev.keyedmutex.KeyedMutex;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Hazard: two holders at once through two mappings of one shm region (SPEC 2.1, shm). Each actor
 * uses its own handle; both increment a counter kept in the region's private data (read on
 * acquire, written on release) and a plain field.
 */
@JCStressTest
@Description("Mutual exclusion through two mappings of one shared region (shm)")
@Outcome(id = "2, 2", expect = Expect.ACCEPTABLE, desc = "both increments kept, in the region and in the heap")
@Outcome(expect = Expect.FORBIDDEN, desc = "lost update")
@State
public class SharedExclusionStress {
    final SharedPair pair = SharedPair.take(8);
    int heapCounter;

    void increment(KeyedMutex m) {
        ByteBuffer b = ByteBuffer.allocate(8);
        try {
            if (!m.tryAcquire(0, 10, TimeUnit.SECONDS, b)) {
                throw new IllegalStateException("waited 10 s for key 0");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        long v = b.position() == 8 ? b.getLong(0) : 0;
        heapCounter++;
        b.clear();
        b.putLong(0, v + 1);
        m.release(0, b);
    }

    @Actor
    public void viaFirst() {
        increment(pair.first);
    }

    @Actor
    public void viaSecond() {
        increment(pair.second);
    }

    @Arbiter
    public void arbiter(II_Result r) {
        ByteBuffer b = ByteBuffer.allocate(8);
        try {
            pair.first.tryAcquire(0, 10, TimeUnit.SECONDS, b);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        r.r1 = b.position() == 8 ? (int) b.getLong(0) : -1;
        r.r2 = heapCounter;
        pair.first.release(0);
        pair.dispose();
    }
}
