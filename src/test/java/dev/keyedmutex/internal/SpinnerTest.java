package dev.keyedmutex.internal;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The spin's stop rule (see the Spinner class comment), driven by a scripted target: each look
 * returns the next scripted answer (the last one repeats), and a grab succeeds only right after a
 * look that said {@link Spinner#GO}. Fewer than 16 looks per case, so the spin's clock (read every
 * 16 iterations) never ends a case: the outcome depends on the rule alone.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SpinnerTest {

    private static final class Script implements Spinner.Target {
        private final int[] answers;
        private final boolean grabsSucceed;
        private int looks;
        private int last = -1;
        final List<Integer> grabs = new ArrayList<>();

        Script(int... answers) {
            this(true, answers);
        }

        Script(boolean grabsSucceed, int... answers) {
            this.grabsSucceed = grabsSucceed;
            this.answers = answers;
        }

        @Override
        public int look(long key) {
            last = answers[Math.min(looks, answers.length - 1)];
            looks++;
            return last;
        }

        @Override
        public boolean tryGrab(long key) {
            grabs.add(looks);
            return grabsSucceed && last == Spinner.GO;
        }
    }

    @BeforeEach
    void needsTwoCpus() {
        assumeTrue(Spinner.NCPU > 1, "the Spinner does not spin on one CPU");
    }

    @Test
    void contentionForOneKeyStopsAtOnce() {
        // Only ever "held with the key wanted, no owner": one key, every release "to" it.
        Script t = new Script(Spinner.UNOWNED);
        assertFalse(new Spinner().spin(t, 7, false, 0L));
        assertEquals(1, t.looks);
        assertTrue(t.grabs.isEmpty(), "a contending spinner must not try to grab: " + t.grabs);
    }

    @Test
    void aRecordedHolderWithTheKeyWantedStopsTheSpin() {
        Script t = new Script(Spinner.OTHER_KEY, Spinner.OTHER_KEY, Spinner.STOP, Spinner.GO);
        assertFalse(new Spinner().spin(t, 7, false, 0L));
        assertEquals(3, t.looks);
    }

    @Test
    void aReleaseUnderWayAfterAnotherKeyIsTheHandOffArriving() {
        // Held with another key, then the releaser's "key written, not yet unlocked", then free.
        Script t = new Script(Spinner.OTHER_KEY, Spinner.UNOWNED, Spinner.UNOWNED, Spinner.GO);
        assertTrue(new Spinner().spin(t, 7, false, 0L), "the spin stopped in the middle of a hand-off");
        assertEquals(4, t.looks);
    }

    @Test
    void aLostGrabOfTheKeyWantedIsNoHandOff() {
        // Free with the key wanted, a barger wins the grab, then "held with my key, no owner":
        // only the key wanted was ever seen, so this is contention.
        Script t = new Script(false, Spinner.GO, Spinner.UNOWNED, Spinner.GO);
        assertFalse(new Spinner().spin(t, 7, false, 0L));
        assertEquals(2, t.looks);
    }

    @Test
    void aHandOffAwaitedStillStopsWhenTheNewHolderIsRecorded() {
        // Another key, then a release under way to the key wanted, then someone else took it.
        Script t = new Script(Spinner.OTHER_KEY, Spinner.UNOWNED, Spinner.STOP, Spinner.GO);
        assertFalse(new Spinner().spin(t, 7, false, 0L));
        assertEquals(3, t.looks);
    }

    @Test
    void freeWithTheKeyWantedIsGrabbed() {
        Script t = new Script(Spinner.GO);
        assertTrue(new Spinner().spin(t, 7, false, 0L));
        assertEquals(List.of(1), t.grabs);
    }
}
