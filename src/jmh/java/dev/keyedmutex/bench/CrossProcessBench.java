package dev.keyedmutex.bench;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Section 5, cross-process ping-pong between two JVMs: the round-trip time (us). Setup starts a
 * child JVM (this class's {@link #main}) for the other side and teardown kills it. Measured:
 * {@code shm}, a shared keyed mutex (created in setup, deleted in teardown): this JVM does
 * {@code acquire(0)..release(1)}, the child {@code acquire(1)..release(0)}. Anchor: {@code tcp},
 * one byte there and back over a loopback TCP connection (TCP_NODELAY) to the child. The other
 * anchor, a C futex ping-pong between two processes, is scripts/futex_pingpong.c (run by
 * scripts/bench.sh beside this). The wait for the child is timed (10 s) so that a dead child
 * fails the benchmark instead of hanging it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CrossProcessBench {

    static final long CHILD_WAIT_SECONDS = 10;

    /** Starts this class's main in a child JVM and returns it once it printed its first line. */
    static Child startChild(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), CrossProcessBench.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (line == null) {
            p.destroyForcibly();
            throw new IllegalStateException("child JVM " + cmd + " ended before it was ready");
        }
        return new Child(p, line);
    }

    static final class Child {
        final Process process;
        final String firstLine;

        Child(Process process, String firstLine) {
            this.process = process;
            this.firstLine = firstLine;
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(CHILD_WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @State(Scope.Benchmark)
    public static class ShmPair {
        String name;
        KeyedMutex mutex;
        Child child;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            name = Shm.uniqueName("pingpong");
            mutex = KeyedMutexes.createShared(name, 0, 0);
            child = startChild("shm", name);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            child.kill();
            mutex.close();
            KeyedMutexes.deleteShared(name);
        }
    }

    @State(Scope.Benchmark)
    public static class TcpPair {
        Child child;
        Socket socket;
        InputStream in;
        OutputStream out;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            child = startChild("tcp");
            int port = Integer.parseInt(child.firstLine.trim());
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException, InterruptedException {
            socket.close();
            child.kill();
        }
    }

    @Benchmark
    public void shm(ShmPair p) throws InterruptedException {
        if (!p.mutex.tryAcquire(0, CHILD_WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the child JVM did not hand the shm mutex back");
        }
        p.mutex.release(1);
    }

    @Benchmark
    public int tcp(TcpPair p) throws IOException {
        p.out.write(1);
        int b = p.in.read();
        if (b < 0) {
            throw new IllegalStateException("the child JVM closed the connection");
        }
        return b;
    }

    /**
     * The child: {@code shm NAME} answers on the shared mutex, {@code tcp} on a loopback port it
     * prints first. It exits when its standard input closes (the benchmark JVM ended).
     */
    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the parent never writes; EOF means it is gone
                }
            } catch (IOException e) {
                // gone as well
            }
            Runtime.getRuntime().halt(0);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        PrintStream ready = System.out;
        if (args.length == 2 && args[0].equals("shm")) {
            KeyedMutex m = KeyedMutexes.openShared(args[1]);
            ready.println("ready");
            ready.flush();
            for (;;) {
                m.acquire(1);
                m.release(0);
            }
        } else if (args.length == 1 && args[0].equals("tcp")) {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                ready.println(server.getLocalPort());
                ready.flush();
                try (Socket s = server.accept()) {
                    s.setTcpNoDelay(true);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    for (int b; (b = in.read()) >= 0;) {
                        out.write(b);
                    }
                }
            }
        } else {
            System.err.println("usage: CrossProcessBench shm NAME | tcp");
            System.exit(2);
        }
    }
}
