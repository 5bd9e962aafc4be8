package dev.keyedmutex.testkit;

import dev.keyedmutex.AbandonedMutexException;
import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM by ShmFuzzTest, so that a crash shows as a failure instead of taking the test
 * JVM down: writes COUNT mutated copies of a valid region (bit flips, hostile field values,
 * truncation, extension, garbage owner records and process slots), opens each, uses it, damages
 * it again while open, and uses it again. Every outcome must be a normal return or one of the
 * documented exceptions; anything else prints UNEXPECTED and exits 1.
 * Arguments: DIR COUNT SEED.
 */
public final class ShmFuzzChild {

    private static final int HEADER = 2304; // ShmLayout.DATA_OFF
    private static final long[] HOSTILE = {0, 1, -1, 2, 3, 4, 64, 255, 4096, 65535, Integer.MAX_VALUE, Integer.MIN_VALUE,
            Long.MAX_VALUE, Long.MIN_VALUE, 1L << 31, 1L << 32, 0x7fff_ffff_ffffL};

    public static void main(String[] args) throws Exception {
        ChildWatchdog.start();
        Path dir = Paths.get(args[0]);
        int count = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        System.setProperty("dev.keyedmutex.shm.dir", dir.toString());
        Random rnd = new Random(seed);
        try (KeyedMutex base = KeyedMutexes.createShared("fuzz-base", 5, 32)) {
            base.acquire(5);
            base.release(6, ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
        }
        byte[] original = Files.readAllBytes(dir.resolve("keyed-mutex.fuzz-base"));
        int opened = 0;
        int refused = 0;
        for (int i = 0; i < count; i++) {
            int kind = rnd.nextInt(8);
            byte[] region = mutate(original, kind, rnd);
            String name = "fuzz-" + i;
            Path file = dir.resolve("keyed-mutex." + name);
            Files.write(file, region);
            try {
                try (KeyedMutex m = KeyedMutexes.openShared(name)) {
                    opened++;
                    exercise(m, rnd);
                    damageLive(file, rnd);
                    exercise(m, rnd);
                }
            } catch (UncheckedIOException | IllegalArgumentException | IllegalStateException | IllegalMonitorStateException
                    | AbandonedMutexException expected) {
                refused++;
            } catch (Throwable t) {
                System.out.println("UNEXPECTED at iteration " + i + " (kind " + kind + ", seed " + seed + "): " + t);
                t.printStackTrace(System.out);
                System.exit(1);
            } finally {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(dir.resolve("keyed-mutex.fuzz-base"));
        System.out.println("FUZZED " + count + " regions: " + opened + " opened, " + refused + " refused or failed cleanly");
    }

    static byte[] mutate(byte[] original, int kind, Random rnd) {
        byte[] r = original.clone();
        ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.nativeOrder());
        switch (kind) {
            case 0: // flip bytes in the header
                for (int n = 1 + rnd.nextInt(8); n > 0; n--) {
                    r[rnd.nextInt(HEADER)] ^= (byte) (1 + rnd.nextInt(255));
                }
                return r;
            case 1: // a hostile value in an aligned header field
                int off = rnd.nextInt(HEADER / 8) * 8;
                long v = HOSTILE[rnd.nextInt(HOSTILE.length)];
                if (rnd.nextBoolean()) {
                    b.putLong(off, v);
                } else {
                    b.putInt(off + (rnd.nextBoolean() ? 4 : 0), (int) v);
                }
                return r;
            case 2: // truncated
                return Arrays.copyOf(r, rnd.nextInt(r.length));
            case 3: // extended
                return Arrays.copyOf(r, r.length + 1 + rnd.nextInt(3 * 4096));
            case 4: // garbage header, magic kept
                for (int i = 8; i < HEADER; i++) {
                    r[i] = (byte) rnd.nextInt(256);
                }
                return r;
            case 5: // any state word, any key
                b.putLong(64, rnd.nextLong());
                b.putLong(72, rnd.nextLong());
                return r;
            case 6: // process slots: random, this process, init, nonsense
                for (int s = 0; s < 64; s++) {
                    long pick = rnd.nextInt(4) == 0 ? ((long) ProcessHandle.current().pid() << 32) : rnd.nextInt(3) == 0 ? (1L << 32)
                            : rnd.nextLong();
                    b.putLong(1280 + 8 * s, pick);
                }
                b.putLong(64, (rnd.nextLong() & ~2L) | 1L); // locked by some slot
                return r;
            default: // owner record and waiter counts
                for (int o = 128; o < 176; o += 4) {
                    b.putInt(o, (int) HOSTILE[rnd.nextInt(HOSTILE.length)]);
                }
                b.putLong(160, Thread.currentThread().getId());
                for (int w = 512; w < 768; w += 4) {
                    b.putInt(w, rnd.nextInt());
                }
                return r;
        }
    }

    static void exercise(KeyedMutex m, Random rnd) throws InterruptedException {
        long key = safe(m::key, rnd.nextLong());
        ask(m::isLocked);
        ask(m::isAbandoned);
        ask(m::isHeldByCurrentThread);
        try {
            if (m.tryAcquire(key)) {
                m.release(key);
            }
        } catch (AbandonedMutexException | IllegalStateException | UncheckedIOException expected) {
            // documented outcomes
        }
        ByteBuffer out = ByteBuffer.allocate(Math.max(0, safe(() -> (long) m.privateDataCapacity(), 0L).intValue()));
        try {
            if (m.tryAcquire(rnd.nextBoolean() ? key : rnd.nextLong(), 200, TimeUnit.MICROSECONDS, out)) {
                m.release(rnd.nextLong(), ByteBuffer.wrap(new byte[Math.min(out.capacity(), rnd.nextInt(8))]));
            }
        } catch (AbandonedMutexException | IllegalStateException | UncheckedIOException expected) {
            // documented outcomes
        }
        try {
            m.release(key); // not held (usually): refused
        } catch (IllegalMonitorStateException | IllegalStateException expected) {
            // documented outcomes
        }
        m.asLock(key, key).toString();
        m.toString();
    }

    interface LongCall {
        long get();
    }

    interface BoolCall {
        boolean get();
    }

    static Long safe(LongCall c, long fallback) {
        try {
            return c.get();
        } catch (IllegalStateException e) {
            return fallback;
        }
    }

    static void ask(BoolCall c) {
        try {
            c.get();
        } catch (IllegalStateException expected) {
            // closed
        }
    }

    /** Another process scribbling over an open region: state, key, lengths, counts, slots. */
    static void damageLive(Path file, Random rnd) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size < HEADER) {
                return;
            }
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, HEADER).order(ByteOrder.nativeOrder());
            for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
                int off = 64 + rnd.nextInt((HEADER - 64) / 4) * 4;
                b.putInt(off, (int) HOSTILE[rnd.nextInt(HOSTILE.length)]);
            }
        }
    }
}
