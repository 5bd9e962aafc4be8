package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Hazard (fair policy): private data seen partly written, or a mix of two releases (SPEC 2.8). The writer
 * releases 0 -> 1 storing 16 bytes of 1s, then 1 -> 2 storing 16 bytes of 2s; the reader takes
 * key 2 or, failing that, key 1 (and gives key 1 back): with key 1 it must see exactly the 1s,
 * with key 2 exactly the 2s. (Two actors: jcstress runs no more actors than there are CPUs.)
 */
@JCStressTest
@Description("Private data is seen whole, from the last release only (fair)")
@Outcome(id = "0", expect = Expect.ACCEPTABLE, desc = "the reader got neither key")
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "key 1: saw the first release's data, whole")
@Outcome(id = "2", expect = Expect.ACCEPTABLE, desc = "key 2: saw the second release's data, whole")
@Outcome(expect = Expect.FORBIDDEN, desc = "torn, empty or mixed data, or data of the wrong release")
@State
public class FairPrivateDataWholeStress {
    final KeyedMutex m = Flavours.mutex(true, 16);

    static ByteBuffer filled(int value) {
        byte[] b = new byte[16];
        Arrays.fill(b, (byte) value);
        return ByteBuffer.wrap(b);
    }

    @Actor
    public void writer() {
        if (m.tryAcquire(0)) {
            m.release(1, filled(1));
        }
        if (Flavours.tryAcquire(m, 1, 100_000L)) {
            m.release(2, filled(2));
        }
    }

    @Actor
    public void reader(I_Result r) {
        ByteBuffer out = ByteBuffer.allocate(16);
        try {
            for (long key = 2; key >= 1; key--) {
                out.clear();
                if (m.tryAcquire(key, 0, TimeUnit.NANOSECONDS, out)) {
                    r.r1 = out.position() == 16 && uniform(out) == key ? (int) key : -(int) key;
                    m.release(key);
                    return;
                }
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        r.r1 = 0;
    }

    static int uniform(ByteBuffer b) {
        for (int i = 1; i < b.position(); i++) {
            if (b.get(i) != b.get(0)) {
                return -1;
            }
        }
        return b.get(0);
    }
}
