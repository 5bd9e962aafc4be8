package dev.keyedmutex.shm;

import dev.keyedmutex.testkit.ChildJvm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * 10,000 mutated regions opened and used in a child JVM (a crash there is a failed test here, not
 * a dead test JVM): every one must open and work, or be refused with a documented exception; none
 * may crash the JVM or hang. The regions live in a temporary directory, removed afterwards.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ShmFuzzTest {

    @BeforeAll
    static void supported() {
        assumeTrue(new ShmProvider().isSupported(), ShmProvider::unsupportedReason);
    }

    @Test
    void tenThousandMutatedRegionsNeverCrashOrHang(@TempDir Path dir) throws Exception {
        long seed = System.nanoTime();
        ChildJvm.Result r = ChildJvm.run(ChildJvm.currentJava(), Duration.ofSeconds(240), "-cp", System.getProperty("java.class.path"),
                "-XX:+UseSerialGC", "dev.keyedmutex.testkit.ShmFuzzChild", dir.toString(), "10000", Long.toString(seed));
        assertEquals(0, r.exitCode, "seed " + seed + ": " + r);
        assertTrue(r.stdout.contains("FUZZED 10000 regions"), r.stdout);
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "the fuzzer left region files behind");
        }
        System.out.println(r.stdout.trim() + " (seed " + seed + ")");
    }
}
