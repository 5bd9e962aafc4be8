package dev.keyedmutex.shm;

import dev.keyedmutex.testkit.Waits;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Owner liveness from /proc: a reused pid, a zombie, a live process. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcsTest {

    @BeforeAll
    static void linux() {
        assumeTrue(Files.isDirectory(Paths.get("/proc/self/task")), "needs Linux /proc");
    }

    private static String stat(long pid) {
        try {
            return new String(Files.readAllBytes(Paths.get("/proc/" + pid + "/stat")), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aLiveProcessLivesAndAnotherStartTimeIsAnotherProcess() {
        long start = Procs.PID_START;
        assertTrue(start > 0);
        assertTrue(Procs.processAlive(Procs.PID, start));
        assertTrue(Procs.processAliveLow32(Procs.PID, start & 0xFFFF_FFFFL));
        // The same pid with another start time is a reused pid: not the owner that was recorded.
        assertFalse(Procs.processAlive(Procs.PID, start + 1));
        assertFalse(Procs.processAliveLow32(Procs.PID, (start + 1) & 0xFFFF_FFFFL));
        assertFalse(Procs.processAlive(0, 0));
        assertFalse(Procs.processAlive(-5, 0));
    }

    /**
     * A holder killed while its parent does not reap it stays a zombie, whose /proc entry (with
     * its start time) outlives it: it must count as dead, or abandonment waits for the parent.
     */
    @Test
    void aZombieIsDead() throws Exception {
        // A parent that forks a child which exits at once, and never reaps it (python3: the
        // shells reap their children behind our back).
        Process p;
        try {
            p = new ProcessBuilder("python3", "-c", "import os, signal, sys, time\n"
                + "signal.signal(signal.SIGCHLD, signal.SIG_DFL)\n"
                + "pid = os.fork()\n"
                + "if pid == 0:\n    os._exit(0)\n"
                + "print(pid, flush=True)\n"
                + "time.sleep(30)\n")
                .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(e == null, "needs python3 to make a zombie: " + e);
            return;
        }
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
            int zombie = Integer.parseInt(r.readLine().trim());
            Waits.until(() -> {
                String s = stat(zombie);
                return !s.isEmpty() && Procs.parseState(s) == 'Z';
            }, () -> "pid " + zombie + " never became a zombie: " + stat(zombie));
            long start = Procs.parseStartTime(stat(zombie));
            assertFalse(Procs.processAlive(zombie, start), "a zombie passed for a live process");
            assertFalse(Procs.processAliveLow32(zombie, start & 0xFFFF_FFFFL), "a zombie passed for a live process");
            assertFalse(Procs.threadAlive(zombie, zombie, start), "a zombie thread passed for a live one");
            assertTrue(Procs.processAlive((int) p.pid(), 0), "its parent lives");
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void statLinesAreParsedWhateverTheCommandName() {
        String line = "1234 (a) b) c) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 424242 20 21";
        assertEquals('S', Procs.parseState(line));
        assertEquals(424242L, Procs.parseStartTime(line));
        assertTrue(Procs.isDeadState('Z') && Procs.isDeadState('X') && !Procs.isDeadState('R') && !Procs.isDeadState('S'));
        Path self = Paths.get("/proc/self/stat");
        assertTrue(Procs.startTimeOrMinusOne(self) > 0);
    }
}
