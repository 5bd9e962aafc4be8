package dev.keyedmutex.stress;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * Hazard: private data seen partly written, or a mix of two releases (SPEC 2.8), through two
 * mappings of one shm region (as {@link PrivateDataWholeStress} does in process): the writer
 * stores 1s then 2s through one handle, the reader takes key 2 or key 1 through the other.
 */
@JCStressTest
@Description("Private data is seen whole, from the last release only, across two mappings (shm)")
@Outcome(id = "0", expect = Expect.ACCEPTABLE, desc = "the reader got neither key")
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "key 1: saw the first release's data, whole")
@Outcome(id = "2", expect = Expect.ACCEPTABLE, desc = "key 2: saw the second release's data, whole")
@Outcome(expect = Expect.FORBIDDEN, desc = "torn, empty or mixed data, or data of the wrong release")
@State
public class SharedPrivateDataWholeStress {
    final SharedPair pair = SharedPair.take(16);

    @Actor
    public void writer() {
        if (pair.first.tryAcquire(0)) {
            pair.first.release(1, PrivateDataWholeStress.filled(1));
        }
        if (Flavours.tryAcquire(pair.first, 1, 100_000L)) {
            pair.first.release(2, PrivateDataWholeStress.filled(2));
        }
    }

    @Actor
    public void reader(I_Result r) {
        ByteBuffer out = ByteBuffer.allocate(16);
        try {
            for (long key = 2; key >= 1; key--) {
                out.clear();
                if (pair.second.tryAcquire(key, 0, TimeUnit.NANOSECONDS, out)) {
                    r.r1 = out.position() == 16 && PrivateDataWholeStress.uniform(out) == key ? (int) key : -(int) key;
                    pair.second.release(key);
                    return;
                }
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        r.r1 = 0;
    }

    @Arbiter
    public void arbiter() {
        pair.dispose();
    }
}
