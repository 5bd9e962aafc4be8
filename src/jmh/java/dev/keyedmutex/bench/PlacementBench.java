package dev.keyedmutex.bench;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * Section 2c of the suite (docs/benchmarks.md): the two-thread key ping-pong of
 * {@link PingPongBench#keyedPing} on a {@code local} mutex placed at a chosen offset from a 64-byte
 * cache-line boundary ({@code placement}: the object's address mod 64). A hand-off costs one
 * transfer per cache line that both threads write, so the round trip shows how the fields every
 * hand-off writes fall on lines (see {@code LocalMutexFields}). Run it with the anchors:
 * <pre>
 *   java -jar target/benchmarks.jar 'dev\.keyedmutex\.bench\.(PlacementBench|PingPongBench\.exchanger)'
 * </pre>
 * It finds an object at the placement wanted by creating mutexes until one lands there, reading
 * addresses with {@code sun.misc.Unsafe} (the benchmark only; the library never does). A young
 * generation of 2 GB keeps the garbage collector from moving it during the run; each iteration
 * checks that it did not move, and fails the run if it did. The address arithmetic assumes
 * compressed references with a shift of 3 (a heap between 4 and 32 GB, set below; a non-zero
 * heap base would not change an address mod 64), and checks it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-Xmn2g"})
public class PlacementBench {

    private static final sun.misc.Unsafe U;

    static {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            U = (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The address of o (right mod 64 whatever the heap base), from its compressed reference (shift 3). */
    static long address(Object o) {
        Object[] holder = {o};
        long narrow = U.getInt(holder, (long) U.arrayBaseOffset(Object[].class)) & 0xFFFF_FFFFL;
        return narrow << 3;
    }

    @State(Scope.Group)
    public static class Placed {
        @Param({"0", "8", "16", "24", "32", "40", "48", "56"})
        int placement;
        KeyedMutex m;
        private final List<KeyedMutex> others = new ArrayList<>();

        @Setup(Level.Trial)
        public void setUp() {
            if (U.addressSize() != 8 || U.arrayIndexScale(Object[].class) != 4) {
                throw new IllegalStateException("needs a 64-bit JVM with compressed references");
            }
            // Two empty long arrays (16 bytes each) allocated one after the other lie 16 bytes
            // apart, unless a new allocation buffer began between them: try a few times.
            long step = 0;
            for (int attempt = 0; attempt < 5 && step != 16; attempt++) {
                long[] a = new long[0];
                long[] b = new long[0];
                step = address(b) - address(a);
            }
            if (step != 16) {
                throw new IllegalStateException("address arithmetic is off: consecutive objects " + step + " bytes apart");
            }
            List<long[]> fillers = new ArrayList<>();
            for (int i = 0; i < 10_000 && m == null; i++) {
                KeyedMutex c = KeyedMutexes.create(0);
                if ((address(c) & 63) == placement) {
                    m = c;
                } else {
                    others.add(c);
                    // A filler of 16 + 8 * (i mod 8) bytes: the next mutex moves by a different step
                    // after each miss, so every placement comes round whatever a mutex's size.
                    fillers.add(new long[i & 7]);
                }
            }
            if (m == null) {
                throw new IllegalStateException("no mutex landed at placement " + placement);
            }
            others.forEach(KeyedMutex::close);
            others.clear();
        }

        @TearDown(Level.Iteration)
        public void checkNotMoved() {
            long now = address(m) & 63;
            if (now != placement) {
                throw new IllegalStateException("the mutex moved to placement " + now + "; the figure would be mixed");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            m.close();
        }
    }

    @Benchmark
    @Group("keyed")
    public void ping(Placed s, Control c) throws InterruptedException {
        if (PingPongBench.acquire(s.m, 0, c)) {
            s.m.release(1);
        }
    }

    @Benchmark
    @Group("keyed")
    public void pong(Placed s, Control c) throws InterruptedException {
        if (PingPongBench.acquire(s.m, 1, c)) {
            s.m.release(0);
        }
    }
}
