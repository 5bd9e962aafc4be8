package dev.keyedmutex.cli;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;
import dev.keyedmutex.spi.KeyedMutexProvider;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

/**
 * The command line: {@code java -jar keyed-mutex.jar providers | demo [options] | --help}.
 * Exit status 0 on success, 1 if a command failed, 2 for a bad command line.
 */
public final class Main {

    static final String USAGE = String.join(System.lineSeparator(),
            "usage: java -jar keyed-mutex.jar COMMAND [OPTIONS]",
            "",
            "commands:",
            "  providers            list the keyed mutex providers found, whether each is supported",
            "                       here and whether it works across processes",
            "  demo [OPTIONS]       run a ring of threads that hand a buffer around by key:",
            "                       stage i acquires key i, works on the buffer, releases with key i+1",
            "    --stages N         threads in the ring, 2..1024 (default 4)",
            "    --rounds N         trips around the ring, 1..10000000 (default 20000)",
            "    --buffer BYTES     size of the buffer handed around, 1..1048576 (default 4096)",
            "    --fair             use the fair policy",
            "    --shared           run each stage in its own process, around a shared keyed mutex",
            "                       (shm provider, Linux); the buffer travels as its private data",
            "  inspect NAME         show a shared keyed mutex: key, locked, owner (pid, thread),",
            "                       waiters, abandoned, private data length",
            "  --help, -h           show this help",
            "  --version            show the version",
            "",
            "The provider is chosen with -Ddev.keyedmutex.provider=NAME (default: local).");

    private Main() {
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /**
     * Runs the command line.
     *
     * @param args the arguments
     * @param out where results go
     * @param err where errors go
     * @return the exit status: 0 success, 1 failure, 2 bad command line
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("keyed-mutex: no command given (try --help)");
            return 2;
        }
        try {
            switch (args[0]) {
                case "--help":
                case "-h":
                case "help":
                    out.println(USAGE);
                    return 0;
                case "--version":
                    out.println("keyed-mutex " + version());
                    return 0;
                case "providers":
                    noMoreArgs(args, 1);
                    return providers(out);
                case "demo": {
                    DemoOptions o = DemoOptions.parse(Arrays.copyOfRange(args, 1, args.length));
                    return o.shared ? SharedDemo.run(o, out, err) : demo(o, out, err);
                }
                case "inspect":
                    if (args.length != 2) {
                        throw new UsageException("inspect needs exactly one NAME (try --help)");
                    }
                    return inspect(args[1], out, err);
                case SharedDemo.STAGE_COMMAND:
                    return SharedDemo.stage(args, out, err);
                default:
                    throw new UsageException("unknown command '" + args[0] + "' (try --help)");
            }
        } catch (UsageException e) {
            err.println("keyed-mutex: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("keyed-mutex: " + e);
            return 1;
        }
    }

    private static int inspect(String name, PrintStream out, PrintStream err) {
        try {
            KeyedMutexes.checkName(name);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        String why = dev.keyedmutex.shm.ShmProvider.unsupportedReason();
        if (why != null) {
            err.println("keyed-mutex: " + why);
            return 1;
        }
        try {
            out.println(dev.keyedmutex.shm.ShmProvider.inspect(name));
            return 0;
        } catch (java.io.UncheckedIOException e) {
            err.println("keyed-mutex: " + e.getMessage());
            return 1;
        }
    }

    private static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    private static void noMoreArgs(String[] args, int from) {
        if (args.length > from) {
            throw new UsageException("unexpected argument '" + args[from] + "' (try --help)");
        }
    }

    // ---------------------------------------------------------------- providers

    private static int providers(PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "SUPPORTED", "CROSS-PROCESS", "CLASS"});
        for (KeyedMutexProvider p : KeyedMutexes.providers()) {
            boolean supported;
            try {
                supported = p.isSupported();
            } catch (RuntimeException | LinkageError e) {
                supported = false;
            }
            rows.add(new String[] {p.name(), yesNo(supported), yesNo(p.isCrossProcess()), p.getClass().getName()});
        }
        int[] width = new int[4];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                b.append(i == r.length - 1 ? r[i] : String.format("%-" + (width[i] + 2) + "s", r[i]));
            }
            out.println(b.toString().stripTrailing());
        }
        String selected = System.getProperty(KeyedMutexes.PROVIDER_PROPERTY);
        out.println("selected for create(): " + (selected == null ? "local (default)" : selected));
        return 0;
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    // ---------------------------------------------------------------- demo

    /** Parsed options of {@code demo}. */
    static final class DemoOptions {
        int stages = 4;
        int rounds = 20_000;
        int buffer = 4096;
        boolean fair;
        boolean shared;

        static DemoOptions parse(String[] args) {
            DemoOptions o = new DemoOptions();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--stages":
                        o.stages = intValue(args, ++i, a, 2, 1024);
                        break;
                    case "--rounds":
                        o.rounds = intValue(args, ++i, a, 1, 10_000_000);
                        break;
                    case "--buffer":
                        o.buffer = intValue(args, ++i, a, 1, 1 << 20);
                        break;
                    case "--fair":
                        o.fair = true;
                        break;
                    case "--shared":
                        o.shared = true;
                        break;
                    default:
                        throw new UsageException("unknown demo option '" + a + "' (try --help)");
                }
            }
            if (o.shared && o.fair) {
                throw new UsageException("--shared and --fair do not go together: the shm provider has no fair policy");
            }
            if (o.shared && o.stages > 16) {
                throw new UsageException("--shared runs one process per stage: at most 16 stages");
            }
            return o;
        }

        private static int intValue(String[] args, int i, String option, int min, int max) {
            if (i >= args.length) {
                throw new UsageException(option + " needs a value, an integer in " + min + ".." + max);
            }
            try {
                int v = Integer.parseInt(args[i]);
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new UsageException(option + " must be an integer in " + min + ".." + max + ", got '" + args[i] + "'");
        }
    }

    /**
     * The ring: the buffer lives outside the mutex and is guarded by it; a 16-byte header travels
     * in the mutex's private data (round and hop count), so each stage can check that it sees
     * exactly the previous stage's work. Stage i adds i+1 to every byte of the buffer. The final
     * CRC-32 is compared with the same work done by one thread.
     */
    static int demo(DemoOptions o, PrintStream out, PrintStream err) {
        final int stages = o.stages;
        final int rounds = o.rounds;
        final byte[] buffer = new byte[o.buffer];
        for (int i = 0; i < buffer.length; i++) {
            buffer[i] = (byte) i;
        }
        long expected = expectedChecksum(buffer.clone(), stages, rounds);
        out.printf(Locale.ROOT, "demo: %d stages, %d rounds, %d-byte buffer, %s policy, provider %s%n", stages, rounds,
                buffer.length, o.fair ? "fair" : "non-fair", providerName());
        final int header = 16;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        try (KeyedMutex mutex = KeyedMutexes.create(0L, header, o.fair)) {
            Thread[] threads = new Thread[stages];
            for (int s = 0; s < stages; s++) {
                final int stage = s;
                threads[s] = new Thread(() -> {
                    ByteBuffer in = ByteBuffer.allocate(header);
                    ByteBuffer outData = ByteBuffer.allocate(header);
                    try {
                        for (int r = 0; r < rounds; r++) {
                            in.clear();
                            if (!mutex.tryAcquire(stage, 30, TimeUnit.SECONDS, in)) {
                                throw new IllegalStateException("stage " + stage + " waited 30 s for its key in round " + r);
                            }
                            in.flip();
                            long round = in.remaining() == 0 ? 0 : in.getLong(0);
                            long hops = in.remaining() == 0 ? 0 : in.getLong(8);
                            long wantHops = (long) r * stages + stage;
                            if (round != r || hops != wantHops) {
                                throw new IllegalStateException("stage " + stage + " expected round " + r + " hop " + wantHops
                                        + " but the private data says round " + round + " hop " + hops);
                            }
                            byte add = (byte) (stage + 1);
                            for (int i = 0; i < buffer.length; i++) {
                                buffer[i] += add;
                            }
                            boolean last = stage == stages - 1;
                            outData.clear();
                            outData.putLong(0, last ? r + 1 : r).putLong(8, hops + 1);
                            if (last && (r + 1) % Math.max(1, rounds / 10) == 0) {
                                out.printf(Locale.ROOT, "  round %d/%d, %d hand-offs%n", r + 1, rounds, hops + 1);
                            }
                            mutex.release(last ? 0 : stage + 1, outData);
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }, "demo-stage-" + s);
                threads[s].setDaemon(true);
                threads[s].start();
            }
            for (Thread t : threads) {
                t.join(TimeUnit.MINUTES.toMillis(10));
                if (t.isAlive()) {
                    failure.compareAndSet(null, new IllegalStateException(t.getName() + " did not finish in 10 minutes"));
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failure.get() != null) {
            err.println("keyed-mutex: demo failed: " + failure.get());
            return 1;
        }
        CRC32 crc = new CRC32();
        crc.update(buffer);
        long handoffs = (long) stages * rounds;
        out.printf(Locale.ROOT, "done: %d hand-offs in %.3f s (%.0f hand-offs/s, %.2f us each)%n", handoffs, seconds,
                handoffs / seconds, seconds * 1e6 / handoffs);
        boolean ok = crc.getValue() == expected;
        out.printf(Locale.ROOT, "checksum: %08x (expected %08x) %s%n", crc.getValue(), expected, ok ? "OK" : "MISMATCH");
        return ok ? 0 : 1;
    }

    static long expectedChecksum(byte[] buffer, int stages, int rounds) {
        // Every round adds 1 + 2 + ... + stages to each byte.
        long perRound = (long) stages * (stages + 1) / 2;
        byte add = (byte) (perRound * rounds);
        for (int i = 0; i < buffer.length; i++) {
            buffer[i] += add;
        }
        CRC32 crc = new CRC32();
        crc.update(buffer);
        return crc.getValue();
    }

    private static String providerName() {
        String selected = System.getProperty(KeyedMutexes.PROVIDER_PROPERTY);
        return selected == null ? "local" : selected;
    }

    /** A bad command line: one line to stderr, exit status 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
