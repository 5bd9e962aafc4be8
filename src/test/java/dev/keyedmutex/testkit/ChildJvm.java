package dev.keyedmutex.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a child JVM, bounded in time, and collects its exit status and output. The child is
 * killed (with its descendants) if it outlives its deadline or the test fails; its output goes
 * to temporary files that are deleted afterwards.
 */
public final class ChildJvm {

    /** What a finished child printed. */
    public static final class Result {
        public final int exitCode;
        public final String stdout;
        public final String stderr;

        Result(int exitCode, String stdout, String stderr) {
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    private ChildJvm() {
    }

    /** The {@code java} launcher of the running JVM. */
    public static Path currentJava() {
        return Paths.get(System.getProperty("java.home"), "bin", "java");
    }

    /** The {@code java} launcher of an installed JDK 25, if there is one. */
    public static Path jdk25Java() {
        String env = System.getenv("KEYED_MUTEX_JDK25");
        if (env != null && Files.isExecutable(Paths.get(env, "bin", "java"))) {
            return Paths.get(env, "bin", "java");
        }
        try (Stream<Path> s = Files.list(Paths.get("/usr/lib/jvm"))) {
            return s.filter(p -> p.getFileName().toString().matches("(temurin|jdk|java)-25.*"))
                    .map(p -> p.resolve("bin").resolve("java"))
                    .filter(Files::isExecutable)
                    .sorted()
                    .findFirst()
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** target/classes of this build (set by surefire). */
    public static Path mainClasses() {
        return Paths.get(System.getProperty("keyedmutex.test.classes", "target/classes"));
    }

    /** target/test-classes of this build (set by surefire). */
    public static Path testClasses() {
        return Paths.get(System.getProperty("keyedmutex.test.testClasses", "target/test-classes"));
    }

    /** The class path of the library alone plus the test classes. */
    public static String libraryAndTestClassPath() {
        return mainClasses() + File.pathSeparator + testClasses();
    }

    public static Result run(Path java, Duration timeout, String... args) {
        return run(java, timeout, Arrays.asList(args));
    }

    public static Result run(Path java, Duration timeout, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(args);
        Path out = null;
        Path err = null;
        Process p = null;
        try {
            out = Files.createTempFile("keyed-mutex-child", ".out");
            err = Files.createTempFile("keyed-mutex-child", ".err");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().remove("JAVA_TOOL_OPTIONS"); // it would print "Picked up ..." to stderr
            pb.environment().remove("JDK_JAVA_OPTIONS");
            p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("child JVM did not finish within " + timeout + ": " + command + "\nstdout so far:\n"
                        + read(out) + "\nstderr so far:\n" + read(err));
            }
            return new Result(p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new AssertionError("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        } finally {
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            delete(out);
            delete(err);
        }
    }

    /** A child JVM still running: its output lines arrive as they are printed. */
    public static final class Running implements AutoCloseable {
        public final Process process;
        private final java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        private final StringBuilder all = new StringBuilder();

        Running(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (java.io.BufferedReader r = new java.io.BufferedReader(
                        new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null;) {
                        synchronized (all) {
                            all.append(line).append('\n');
                        }
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "child-stdout-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits (bounded) for a line equal to {@code expected}. */
        public void awaitLine(String expected, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                for (;;) {
                    long left = deadline - System.nanoTime();
                    String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                    if (line == null) {
                        throw new AssertionError("child " + process.pid() + " did not print '" + expected + "' within "
                                + timeout + "; alive=" + process.isAlive() + ", output so far:\n" + output());
                    }
                    if (line.equals(expected)) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** Waits (bounded) for the child to exit; returns its status. */
        public int waitFor(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("child " + process.pid() + " did not exit within " + timeout + "; output:\n" + output());
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** @return whether the child process still runs */
        public boolean isAlive() {
            return process.isAlive();
        }

        /** SIGKILL, and wait until the process is gone. */
        public void kill() {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(30));
        }

        public String output() {
            synchronized (all) {
                return all.toString();
            }
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Starts a child JVM; stderr goes to this JVM's stderr. Close it (try-with-resources). */
    public static Running start(Path java, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(args);
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().remove("JDK_JAVA_OPTIONS");
            return new Running(pb.start());
        } catch (IOException e) {
            throw new AssertionError("could not start " + command, e);
        }
    }

    private static String read(Path file) throws IOException {
        return file == null ? "" : new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // best effort: a temporary file
            }
        }
    }
}
