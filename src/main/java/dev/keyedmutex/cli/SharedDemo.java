package dev.keyedmutex.cli;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * {@code demo --shared}: the ring demo across processes. The parent creates a shared keyed mutex
 * whose private data is the buffer, starts one child JVM per stage, waits for them, and checks the
 * buffer's CRC-32. Stage i (a process) acquires key i, which copies the buffer out of the mutex,
 * adds i+1 to every byte, and releases with key i+1, which stores the buffer back.
 */
final class SharedDemo {

    static final String STAGE_COMMAND = "shared-demo-stage"; // internal: one stage, run by the parent

    private SharedDemo() {
    }

    static int run(Main.DemoOptions o, PrintStream out, PrintStream err) {
        int stages = o.stages;
        int rounds = o.rounds;
        byte[] initial = new byte[o.buffer];
        for (int i = 0; i < initial.length; i++) {
            initial[i] = (byte) i;
        }
        long expected = Main.expectedChecksum(initial.clone(), stages, rounds);
        String name = "demo-" + ProcessHandle.current().pid();
        out.printf(Locale.ROOT, "demo --shared: %d processes, %d rounds, %d-byte buffer in shared keyed mutex '%s'%n", stages,
                rounds, initial.length, name);
        List<Process> children = new ArrayList<>();
        long start = System.nanoTime();
        try (KeyedMutex m = KeyedMutexes.createShared(name, 0, initial.length)) {
            m.acquire(0);
            m.release(0, ByteBuffer.wrap(initial));
            for (int s = 0; s < stages; s++) {
                children.add(new ProcessBuilder(childCommand(name, s, stages, rounds)).inheritIO().start());
            }
            for (Process p : children) {
                if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    err.println("keyed-mutex: demo --shared: stage process " + p.pid() + " failed");
                    return 1;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            ByteBuffer buffer = ByteBuffer.allocate(initial.length);
            if (!m.tryAcquire(0, 10, TimeUnit.SECONDS, buffer)) {
                err.println("keyed-mutex: demo --shared: the ring did not hand the buffer back");
                return 1;
            }
            m.release(0);
            CRC32 crc = new CRC32();
            crc.update(buffer.array(), 0, buffer.position());
            long handoffs = (long) stages * rounds;
            out.printf(Locale.ROOT, "done: %d cross-process hand-offs in %.3f s (%.0f hand-offs/s, %.2f us each, process start included)%n",
                    handoffs, seconds, handoffs / seconds, seconds * 1e6 / handoffs);
            boolean ok = crc.getValue() == expected;
            out.printf(Locale.ROOT, "checksum: %08x (expected %08x) %s%n", crc.getValue(), expected, ok ? "OK" : "MISMATCH");
            return ok ? 0 : 1;
        } catch (Exception e) {
            err.println("keyed-mutex: demo --shared failed: " + e);
            return 1;
        } finally {
            for (Process p : children) {
                p.destroyForcibly();
            }
            try {
                KeyedMutexes.deleteShared(name);
            } catch (RuntimeException ignored) {
                // nothing was created
            }
        }
    }

    private static List<String> childCommand(String name, int stage, int stages, int rounds) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        String dir = System.getProperty("dev.keyedmutex.shm.dir");
        if (dir != null) {
            cmd.add("-Ddev.keyedmutex.shm.dir=" + dir);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.add(STAGE_COMMAND);
        cmd.add(name);
        cmd.add(Integer.toString(stage));
        cmd.add(Integer.toString(stages));
        cmd.add(Integer.toString(rounds));
        return cmd;
    }

    /** One stage, in a child process: {@code shared-demo-stage NAME STAGE STAGES ROUNDS}. */
    static int stage(String[] args, PrintStream out, PrintStream err) {
        String name = args[1];
        int stage = Integer.parseInt(args[2]);
        int stages = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        try (KeyedMutex m = KeyedMutexes.openShared(name)) {
            ByteBuffer buffer = ByteBuffer.allocate(m.privateDataCapacity());
            byte add = (byte) (stage + 1);
            boolean last = stage == stages - 1;
            for (int r = 0; r < rounds; r++) {
                buffer.clear();
                if (!m.tryAcquire(stage, 30, TimeUnit.SECONDS, buffer)) {
                    err.println("keyed-mutex: stage " + stage + " waited 30 s for its key in round " + r);
                    return 1;
                }
                buffer.flip();
                for (int i = 0; i < buffer.limit(); i++) {
                    buffer.put(i, (byte) (buffer.get(i) + add));
                }
                if (last && (r + 1) % Math.max(1, rounds / 10) == 0) {
                    out.printf(Locale.ROOT, "  round %d/%d (process %d)%n", r + 1, rounds, ProcessHandle.current().pid());
                }
                m.release(last ? 0 : stage + 1, buffer);
            }
            return 0;
        } catch (Exception e) {
            err.println("keyed-mutex: stage " + stage + " failed: " + e);
            return 1;
        }
    }
}
