package dev.keyedmutex.stress;

import dev.keyedmutex.KeyedMutex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Hazard: the next holder, on another mapping of the region, sees stale or torn private data, or a
 * stale heap field (SPEC 2.3 and 2.8, shm). The writer stores 64 bytes of 7s and sets a plain
 * field under key 0, releasing with key 1 through one handle; the reader takes key 1 through the
 * other handle.
 */
@JCStressTest
@Description("Happens-before and private data across two mappings of one shared region (shm)")
@Outcome(id = "-1", expect = Expect.ACCEPTABLE, desc = "the reader came before the hand-off")
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "the reader saw the data and the field, whole")
@Outcome(expect = Expect.FORBIDDEN, desc = "stale or torn data after acquiring key 1")
@State
public class SharedHandOffStress {
    final SharedPair pair = SharedPair.take(64);
    long field;

    @Actor
    public void writer() {
        KeyedMutex m = pair.first;
        Flavours.acquire(m, 0);
        field = 0x0123_4567_89AB_CDEFL;
        byte[] data = new byte[64];
        Arrays.fill(data, (byte) 7);
        m.release(1, ByteBuffer.wrap(data));
    }

    @Actor
    public void reader(I_Result r) {
        KeyedMutex m = pair.second;
        ByteBuffer out = ByteBuffer.allocate(64);
        boolean got;
        try {
            got = m.tryAcquire(1, 0, java.util.concurrent.TimeUnit.NANOSECONDS, out);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        if (!got) {
            r.r1 = -1;
            return;
        }
        boolean whole = out.position() == 64 && field == 0x0123_4567_89AB_CDEFL;
        for (int i = 0; i < out.position(); i++) {
            whole &= out.get(i) == 7;
        }
        r.r1 = whole ? 1 : 0;
        m.release(2);
    }

    @Arbiter
    public void arbiter() {
        pair.dispose();
    }
}
