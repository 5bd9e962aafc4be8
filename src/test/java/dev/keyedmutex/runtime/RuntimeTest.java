package dev.keyedmutex.runtime;

import dev.keyedmutex.testkit.ChildJvm;
import dev.keyedmutex.testkit.ChildJvm.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The library in child JVMs: the local path never loads JNA; JDK 25 runs it without a warning;
 * virtual threads wait without pinning their carrier.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RuntimeTest {

    private static final Duration CHILD = Duration.ofSeconds(120);

    /** The test JVM's whole class path: whatever the build puts there (JNA too, once present). */
    private static String fullClassPath() {
        return System.getProperty("java.class.path");
    }

    @Test
    void theLocalPathNeverLoadsJna() {
        Result r = ChildJvm.run(ChildJvm.currentJava(), CHILD, "-verbose:class", "-cp", fullClassPath(),
                "dev.keyedmutex.cli.Main", "demo", "--stages", "4", "--rounds", "500");
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.stdout.contains("dev.keyedmutex.local.LocalKeyedMutex"), "class loading was not traced");
        assertTrue(r.stdout.contains("dev.keyedmutex.KeyedMutexLock") || r.stdout.contains("dev.keyedmutex.KeyedMutexes"));
        for (String line : r.stdout.split("\\R")) {
            assertTrue(!line.contains("com.sun.jna"), "the local path loaded JNA: " + line);
        }
    }

    @Test
    void jdk25RunsTheDemoWithoutAnyWarning() {
        Path java = ChildJvm.jdk25Java();
        assumeTrue(java != null, "no JDK 25 installed under /usr/lib/jvm (or KEYED_MUTEX_JDK25)");
        for (List<String> args : List.of(
                List.of("-cp", ChildJvm.mainClasses().toString(), "dev.keyedmutex.cli.Main", "demo", "--stages", "8", "--rounds", "2000"),
                List.of("-cp", ChildJvm.mainClasses().toString(), "dev.keyedmutex.cli.Main", "demo", "--fair", "--rounds", "2000"),
                List.of("-cp", ChildJvm.mainClasses().toString(), "dev.keyedmutex.cli.Main", "providers"))) {
            Result r = ChildJvm.run(java, CHILD, args);
            assertEquals(0, r.exitCode, r.toString());
            assertEquals("", r.stderr, "JDK 25 printed something on stderr (a warning?)");
            assertTrue(!r.stdout.contains("WARNING"), r.stdout);
        }
    }

    /** The shm provider on JDK 25, with the flag the README documents: no warning either. */
    @Test
    void jdk25RunsTheSharedDemoWithoutAnyWarning() {
        Path java = ChildJvm.jdk25Java();
        assumeTrue(java != null, "no JDK 25 installed under /usr/lib/jvm (or KEYED_MUTEX_JDK25)");
        Result r = ChildJvm.run(java, CHILD, "--enable-native-access=ALL-UNNAMED", "-cp", fullClassPath(),
                "dev.keyedmutex.cli.Main", "demo", "--shared", "--stages", "2", "--rounds", "300");
        assertEquals(0, r.exitCode, r.toString());
        assertEquals("", r.stderr, "JDK 25 printed something on stderr (a warning?)");
        assertTrue(r.stdout.contains("OK"), r.stdout);
    }

    @Test
    void virtualThreadsWaitWithoutPinningTheirCarrier() {
        Path java = ChildJvm.jdk25Java();
        assumeTrue(java != null, "no JDK 21+ installed under /usr/lib/jvm (or KEYED_MUTEX_JDK25)");
        Result r = ChildJvm.run(java, CHILD,
                "-Djdk.virtualThreadScheduler.parallelism=1",
                "-Djdk.virtualThreadScheduler.maxPoolSize=1",
                "-cp", ChildJvm.mainClasses() + File.pathSeparator + ChildJvm.testClasses(),
                "dev.keyedmutex.testkit.VirtualThreadsCheck");
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.stdout.contains("pinned events: 0 OK"), r.stdout);
        assertEquals("", r.stderr);
    }

    /** Off Linux, shm says it is unsupported and createShared fails clearly (os.name overridden in a child). */
    @Test
    void offLinuxTheSharedProviderIsUnsupported() {
        Result r = ChildJvm.run(ChildJvm.currentJava(), CHILD, "-Dos.name=Windows 11", "-cp", fullClassPath(),
                "dev.keyedmutex.cli.Main", "providers");
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.stdout.matches("(?s).*\\nshm +no +yes.*"), r.stdout);
        Result demo = ChildJvm.run(ChildJvm.currentJava(), CHILD, "-Dos.name=Windows 11", "-cp", fullClassPath(),
                "dev.keyedmutex.cli.Main", "demo", "--shared", "--rounds", "10");
        assertEquals(1, demo.exitCode, demo.toString());
        assertTrue(demo.stderr.contains("UnsupportedOperationException") && demo.stderr.contains("cross-process"), demo.stderr);
    }

    @Test
    void jdk25IsFoundOnThisKindOfMachine() {
        // The machines this project builds on have Temurin 25 beside the default JDK; if this
        // fails, the two tests above were skipped and proved nothing.
        assumeTrue(new File("/usr/lib/jvm").isDirectory(), "not a Linux JDK layout");
        assertNotNull(ChildJvm.jdk25Java(), "expected a JDK 25 under /usr/lib/jvm");
    }
}
