package dev.keyedmutex.runtime;

import dev.keyedmutex.testkit.ChildJvm;
import dev.keyedmutex.testkit.ChildJvm.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library as a named module ({@code module-info.java}: exports, {@code uses},
 * {@code provides}), in child JVMs on the module path: the CLI, an application module that
 * requires it, and a third-party provider module that {@code provides} the SPI.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ModulePathTest {

    private static final Duration CHILD = Duration.ofSeconds(60);

    @Test
    void theCliRunsAsANamedModule() {
        Result r = ChildJvm.run(ChildJvm.currentJava(), CHILD, "--module-path", ChildJvm.mainClasses().toString(),
                "-m", "dev.keyedmutex/dev.keyedmutex.cli.Main", "providers");
        assertEquals(0, r.exitCode, r.toString());
        assertTrue(r.stdout.contains("local"), "the built-in provider is found through 'provides': " + r.stdout);
        Result demo = ChildJvm.run(ChildJvm.currentJava(), CHILD, "--module-path", ChildJvm.mainClasses().toString(),
                "-m", "dev.keyedmutex/dev.keyedmutex.cli.Main", "demo", "--rounds", "300");
        assertEquals(0, demo.exitCode, demo.toString());
        assertTrue(demo.stdout.contains("OK"), demo.stdout);
    }

    /** JNA is optional ({@code requires static}): shm is supported once com.sun.jna is added. */
    @Test
    void theShmProviderNeedsJnaAddedOnTheModulePath() {
        String jna = null;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.matches(".*[/\\\\]jna-[0-9.]+\\.jar")) {
                jna = entry;
            }
        }
        assertNotNull(jna, "JNA is not on the test class path");
        Result without = ChildJvm.run(ChildJvm.currentJava(), CHILD, "--module-path", ChildJvm.mainClasses().toString(),
                "-m", "dev.keyedmutex/dev.keyedmutex.cli.Main", "providers");
        assertEquals(0, without.exitCode, without.toString());
        assertTrue(without.stdout.matches("(?s).*\\nshm +no +yes.*"), "without JNA, shm is unsupported: " + without.stdout);
        Result with = ChildJvm.run(ChildJvm.currentJava(), CHILD, "--module-path", ChildJvm.mainClasses() + File.pathSeparator + jna,
                "--add-modules", "com.sun.jna", "-m", "dev.keyedmutex/dev.keyedmutex.cli.Main", "providers");
        assertEquals(0, with.exitCode, with.toString());
        assertTrue(with.stdout.matches("(?s).*\\nshm +yes +yes.*"), "with JNA, shm is supported: " + with.stdout);
    }

    @Test
    void anApplicationModuleAndAThirdPartyProviderModule(@TempDir Path dir) throws IOException {
        Path provSrc = dir.resolve("src/example.provider");
        write(provSrc.resolve("module-info.java"),
                "module example.provider {\n"
                + "  requires dev.keyedmutex;\n"
                + "  provides dev.keyedmutex.spi.KeyedMutexProvider with example.provider.EchoProvider;\n"
                + "}\n");
        write(provSrc.resolve("example/provider/EchoProvider.java"),
                "package example.provider;\n"
                + "import dev.keyedmutex.KeyedMutex;\n"
                + "import dev.keyedmutex.KeyedMutexes;\n"
                + "public final class EchoProvider implements dev.keyedmutex.spi.KeyedMutexProvider {\n"
                + "  public String name() { return \"echo\"; }\n"
                + "  public boolean isSupported() { return true; }\n"
                + "  public boolean isCrossProcess() { return false; }\n"
                + "  public KeyedMutex create(String n, long k, int c) { return KeyedMutexes.provider(\"local\").create(n, k, c); }\n"
                + "  public KeyedMutex open(String n) { throw new UnsupportedOperationException(); }\n"
                + "}\n");
        Path appSrc = dir.resolve("src/example.app");
        write(appSrc.resolve("module-info.java"), "module example.app { requires dev.keyedmutex; }\n");
        write(appSrc.resolve("example/app/App.java"),
                "package example.app;\n"
                + "import dev.keyedmutex.*;\n"
                + "import java.util.concurrent.locks.*;\n"
                + "public final class App {\n"
                + "  public static void main(String[] a) throws Exception {\n"
                + "    StringBuilder names = new StringBuilder();\n"
                + "    for (var p : KeyedMutexes.providers()) names.append(p.name()).append(' ');\n"
                + "    try (KeyedMutex m = KeyedMutexes.create(0)) {\n"
                + "      Thread t = new Thread(() -> { try { m.acquire(1); m.release(2); } catch (InterruptedException e) { throw new RuntimeException(e); } });\n"
                + "      t.start();\n"
                + "      m.acquire(0); m.release(1); t.join(); m.acquire(2); m.release(0);\n"
                + "    }\n"
                + "    Lock lock = new KeyedMutexLock(true); Condition c = lock.newCondition();\n"
                + "    lock.lock(); try { c.awaitNanos(1000); } finally { lock.unlock(); }\n"
                + "    System.setProperty(KeyedMutexes.PROVIDER_PROPERTY, \"echo\");\n"
                + "    try (KeyedMutex m = KeyedMutexes.create(5)) { m.acquire(5); m.release(6); names.append(\"key=\").append(m.key()); }\n"
                + "    System.out.println(\"providers: \" + names);\n"
                + "  }\n"
                + "}\n");
        Path out = dir.resolve("mods");
        compile(provSrc, out.resolve("example.provider"));
        compile(appSrc, out.resolve("example.app"));
        String modulePath = ChildJvm.mainClasses() + File.pathSeparator + out.resolve("example.provider")
                + File.pathSeparator + out.resolve("example.app");
        Result r = ChildJvm.run(ChildJvm.currentJava(), CHILD, "--module-path", modulePath,
                "--add-modules", "example.provider", "-m", "example.app/example.app.App");
        assertEquals(0, r.exitCode, r.toString());
        // built-ins in module-info order, then the third-party module; the echo mutex worked
        assertTrue(r.stdout.contains("providers: local shm d3dkmt echo key=6"), r.stdout);
        assertEquals("", r.stderr);
    }

    private static void compile(Path src, Path out) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "this JVM has no compiler (a JRE?)");
        List<String> args = new ArrayList<>(List.of("--release", "17", "-d", out.toString(),
                "--module-path", ChildJvm.mainClasses().toString()));
        try (Stream<Path> files = Files.walk(src)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = javac.run(null, null, err, args.toArray(new String[0]));
        assertEquals(0, status, "javac failed: " + err.toString(StandardCharsets.UTF_8));
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
