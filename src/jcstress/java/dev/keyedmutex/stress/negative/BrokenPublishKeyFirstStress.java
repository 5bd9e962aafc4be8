package dev.keyedmutex.stress.negative;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * NEGATIVE CONTROL: a deliberately broken release that publishes the new key before it writes the
 * data. The same hand-off test as HandOffStress; jcstress must see the FORBIDDEN stale read.
 * .ci/jcstress fails if this test passes.
 */
@JCStressTest
@Description("NEGATIVE CONTROL: release publishes the key before the data (must be caught)")
@Outcome(id = "-1", expect = Expect.ACCEPTABLE, desc = "the reader came before the hand-off")
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "the reader saw the data")
@Outcome(id = "0", expect = Expect.FORBIDDEN, desc = "the reader got the key but saw stale data")
@State
public class BrokenPublishKeyFirstStress {
    volatile long key;
    long data;

    @Actor
    public void writer() {
        key = 1;             // BROKEN: the hand-off is visible...
        data = 0x1234_5678L; // ...before the data it hands off
    }

    @Actor
    public void reader(I_Result r) {
        if (key == 1) {
            r.r1 = data == 0x1234_5678L ? 1 : 0;
        } else {
            r.r1 = -1;
        }
    }
}
