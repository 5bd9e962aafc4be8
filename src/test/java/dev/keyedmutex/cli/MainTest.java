package dev.keyedmutex.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MainTest {

    private static final class Run {
        final int status;
        final String out;
        final String err;

        Run(String... args) {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            status = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
            out = o.toString(StandardCharsets.UTF_8);
            err = e.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void providersPrintsATable() {
        Run r = new Run("providers");
        assertEquals(0, r.status, r.err);
        assertTrue(r.out.startsWith("NAME"), r.out);
        assertTrue(r.out.contains("SUPPORTED") && r.out.contains("CROSS-PROCESS"), r.out);
        assertTrue(r.out.matches("(?s).*\\nlocal +yes +no +dev\\.keyedmutex\\.local\\.LocalProvider.*"), r.out);
        assertTrue(r.out.contains("test-monitor"), "the third-party provider on the class path is listed: " + r.out);
        assertEquals("", r.err);
    }

    @Test
    void demoRunsTheRingAndChecksTheChecksum() {
        for (String[] args : new String[][] {
                {"demo", "--stages", "3", "--rounds", "500", "--buffer", "64"},
                {"demo", "--stages", "5", "--rounds", "200", "--fair"}}) {
            Run r = new Run(args);
            assertEquals(0, r.status, r.out + r.err);
            assertTrue(r.out.contains("checksum:") && r.out.contains("OK"), r.out);
            assertTrue(r.out.contains("round"), "shows progress: " + r.out);
            assertEquals("", r.err);
        }
    }

    @Test
    void sharedDemoRunsTheRingAcrossProcesses() {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.keyedmutex.shm.ShmProvider.unsupportedReason() == null);
        Run r = new Run("demo", "--shared", "--stages", "3", "--rounds", "300", "--buffer", "512");
        assertEquals(0, r.status, r.out + r.err);
        assertTrue(r.out.contains("cross-process hand-offs") && r.out.contains("OK"), r.out);
        assertEquals("", r.err);
    }

    @Test
    void inspectDescribesASharedMutexAndReportsAMissingOne() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.keyedmutex.shm.ShmProvider.unsupportedReason() == null);
        String name = "kmtest-" + ProcessHandle.current().pid() + "-inspect";
        try (dev.keyedmutex.KeyedMutex m = dev.keyedmutex.KeyedMutexes.createShared(name, 77, 4)) {
            m.acquire(77);
            Run r = new Run("inspect", name);
            assertEquals(0, r.status, r.err);
            assertTrue(r.out.contains("key:           77") && r.out.contains("locked:        yes")
                    && r.out.contains("owner:         pid " + ProcessHandle.current().pid()), r.out);
            m.release(78);
        } finally {
            dev.keyedmutex.KeyedMutexes.deleteShared(name);
        }
        Run missing = new Run("inspect", name);
        assertEquals(1, missing.status);
        assertTrue(missing.err.startsWith("keyed-mutex: no shared keyed mutex at "), missing.err);
        assertEquals(1, missing.err.strip().split("\\R").length, missing.err);
    }

    @Test
    void expectedChecksumMatchesTheWorkDoneByOneThread() {
        byte[] a = {1, 2, 3, (byte) 250};
        byte[] b = a.clone();
        int stages = 3;
        int rounds = 7;
        for (int r = 0; r < rounds; r++) {
            for (int s = 0; s < stages; s++) {
                for (int i = 0; i < b.length; i++) {
                    b[i] += (byte) (s + 1);
                }
            }
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b);
        assertEquals(crc.getValue(), Main.expectedChecksum(a, stages, rounds));
    }

    @Test
    void helpAndVersion() {
        for (String h : new String[] {"--help", "-h", "help"}) {
            Run r = new Run(h);
            assertEquals(0, r.status);
            assertTrue(r.out.contains("usage:") && r.out.contains("providers") && r.out.contains("demo"), r.out);
        }
        Run v = new Run("--version");
        assertEquals(0, v.status);
        assertTrue(v.out.startsWith("keyed-mutex "), v.out);
    }

    @Test
    void badCommandLinesGetOneLineAndStatus2() {
        String[][] bad = {
                {},
                {"frobnicate"},
                {"providers", "extra"},
                {"demo", "--stages"},
                {"demo", "--stages", "x"},
                {"demo", "--stages", "1"},
                {"demo", "--rounds", "0"},
                {"demo", "--buffer", "99999999999"},
                {"demo", "--nope"},
                {"demo", "--shared", "--fair"},
                {"demo", "--shared", "--stages", "17"},
                {"inspect"},
                {"inspect", "a", "b"},
                {"inspect", "../etc"},
        };
        for (String[] args : bad) {
            Run r = new Run(args);
            assertEquals(2, r.status, String.join(" ", args) + ": " + r.out + r.err);
            assertEquals("", r.out, String.join(" ", args));
            assertTrue(r.err.startsWith("keyed-mutex: "), r.err);
            assertEquals(1, r.err.strip().split("\\R").length, "one line: " + r.err);
        }
    }
}
