package dev.keyedmutex.runtime;

import dev.keyedmutex.testkit.ChildJvm;
import dev.keyedmutex.testkit.ChildJvm.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A third-party provider shipped as a jar of its own (its classes and its
 * META-INF/services file) and dropped on the class path beside the library: found, listed,
 * selectable by name. Without the jar, it is not there.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DropInProviderJarTest {

    private static final Duration CHILD = Duration.ofSeconds(60);

    /** Packs org/example/thirdparty and its services file from the test classes into a jar. */
    private static Path providerJar(Path dir) throws IOException {
        Path classes = ChildJvm.testClasses();
        Path jar = dir.resolve("third-party-provider.jar");
        List<Path> files;
        try (Stream<Path> s = Files.walk(classes.resolve("org/example/thirdparty"))) {
            files = s.filter(Files::isRegularFile).collect(Collectors.toList());
        }
        files.add(classes.resolve("META-INF/services/dev.keyedmutex.spi.KeyedMutexProvider"));
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Path f : files) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                try (OutputStream o = new NonClosing(out)) {
                    Files.copy(f, o);
                }
                out.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void aProviderJarDroppedOnTheClassPathIsFoundAndSelectable(@TempDir Path dir) throws IOException {
        Path jar = providerJar(dir);
        String withJar = ChildJvm.mainClasses() + File.pathSeparator + jar;

        Result listed = ChildJvm.run(ChildJvm.currentJava(), CHILD, "-cp", withJar, "dev.keyedmutex.cli.Main", "providers");
        assertEquals(0, listed.exitCode, listed.toString());
        assertTrue(listed.stdout.contains("test-monitor"), listed.stdout);

        Result selected = ChildJvm.run(ChildJvm.currentJava(), CHILD, "-Ddev.keyedmutex.provider=test-monitor", "-cp", withJar,
                "dev.keyedmutex.cli.Main", "demo", "--stages", "3", "--rounds", "300");
        assertEquals(0, selected.exitCode, selected.toString());
        assertTrue(selected.stdout.contains("test-monitor"), "the demo should name the provider it used: " + selected.stdout);

        Result without = ChildJvm.run(ChildJvm.currentJava(), CHILD, "-cp", ChildJvm.mainClasses().toString(),
                "dev.keyedmutex.cli.Main", "providers");
        assertEquals(0, without.exitCode, without.toString());
        assertFalse(without.stdout.contains("test-monitor"), without.stdout);

        // Selecting it without the jar fails: the selection above went through the dropped-in jar.
        Result missing = ChildJvm.run(ChildJvm.currentJava(), CHILD, "-Ddev.keyedmutex.provider=test-monitor", "-cp",
                ChildJvm.mainClasses().toString(), "dev.keyedmutex.cli.Main", "demo", "--stages", "3", "--rounds", "300");
        assertTrue(missing.exitCode != 0, missing.toString());
        assertTrue(missing.stderr.contains("test-monitor"), missing.toString());
    }

    /** Lets Files.copy write into a jar entry without closing the jar. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
