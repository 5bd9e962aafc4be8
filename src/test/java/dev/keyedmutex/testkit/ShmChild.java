package dev.keyedmutex.testkit;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;

/**
 * The other side of the cross-process tests: a child JVM that opens a shared keyed mutex by name
 * and plays one part. Prints one line per milestone on stdout; exit status 0 on success.
 *
 * <pre>
 *   pingpong NAME ROUNDS SIDE       SIDE 0 waits for even keys, 1 for odd; the private data holds a
 *                                   hop counter that must grow by exactly one per hand-off
 *   counter NAME ROUNDS COUNTERFILE increments a plain long in another shared file under key 0
 *   churn NAME                      takes key 0 and releases it forever, rewriting the private data
 *                                   as (n, ~n): a parent SIGKILLs it at a random moment
 *   threadexit NAME                 a thread takes key 0 and ends without releasing; the process
 *                                   prints HELD and lives on until its stdin closes
 * </pre>
 */
public final class ShmChild {

    public static void main(String[] args) throws Exception {
        ChildWatchdog.start();
        String mode = args[0];
        String name = args[1];
        try (KeyedMutex m = KeyedMutexes.openShared(name)) {
            switch (mode) {
                case "pingpong":
                    pingPong(m, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
                    break;
                case "counter":
                    counter(m, Integer.parseInt(args[2]), args[3]);
                    break;
                case "churn":
                    churn(m);
                    break;
                case "threadexit":
                    threadExit(m);
                    break;
                default:
                    throw new IllegalArgumentException(mode);
            }
        }
        System.out.println("DONE");
        System.out.flush();
    }

    private static void pingPong(KeyedMutex m, int rounds, int side) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(8);
        ByteBuffer out = ByteBuffer.allocate(8);
        System.out.println("READY");
        System.out.flush();
        for (int r = 0; r < rounds; r++) {
            long key = 2L * r + side;
            in.clear();
            if (!m.tryAcquire(key, 30, TimeUnit.SECONDS, in)) {
                throw new IllegalStateException("side " + side + " waited 30 s for key " + key);
            }
            long hops = in.position() == 0 ? 0 : in.getLong(0);
            if (hops != key) {
                throw new IllegalStateException("side " + side + ": private data says " + hops + " hops at key " + key);
            }
            out.clear();
            out.putLong(0, hops + 1);
            m.release(key + 1, out);
        }
    }

    private static void counter(KeyedMutex m, int rounds, String counterFile) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(counterFile, "rw"); FileChannel ch = f.getChannel()) {
            MappedByteBuffer c = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8);
            System.out.println("READY");
            System.out.flush();
            for (int i = 0; i < rounds; i++) {
                m.acquire(0);
                long v = c.getLong(0);  // plain read-modify-write: only the mutex protects it
                Thread.onSpinWait();
                c.putLong(0, v + 1);
                m.release(0);
            }
        }
    }

    private static void churn(KeyedMutex m) throws Exception {
        ByteBuffer data = ByteBuffer.allocate(16);
        System.out.println("READY");
        System.out.flush();
        for (long n = 1;; n++) {
            m.acquire(0);
            data.clear();
            data.putLong(0, n).putLong(8, ~n);
            m.release(0, data);
        }
    }

    private static void threadExit(KeyedMutex m) throws Exception {
        Thread t = new Thread(() -> {
            try {
                m.acquire(0); // and end, holding it
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, "holder-that-ends");
        t.start();
        t.join();
        System.out.println("HELD");
        System.out.flush();
        while (System.in.read() >= 0) {
            // live on until the parent closes our stdin or kills us
        }
    }
}
