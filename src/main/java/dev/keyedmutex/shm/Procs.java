package dev.keyedmutex.shm;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who holds a shared mutex, and whether it still lives, from /proc (no native calls).
 *
 * <p>An owner is identified by its process id and the process's start time (field 22 of
 * {@code /proc/PID/stat}, in clock ticks since boot), so a process id reused by the OS does not
 * pass for the dead owner; by its Linux thread id and that thread's start time, when the holder is
 * a platform thread (0 for a virtual thread, whose carrier changes); and by its
 * {@code java.lang.Thread} id, which this process uses to find its own holder threads.
 */
final class Procs {

    /** The identity a thread writes into the region when it takes a mutex. */
    static final class Self {
        final long javaTid;
        final int tid;
        final long tidStart;

        Self(long javaTid, int tid, long tidStart) {
            this.javaTid = javaTid;
            this.tid = tid;
            this.tidStart = tidStart;
        }
    }

    static final int PID = (int) ProcessHandle.current().pid();
    static final long PID_START = startTimeOrZero(Paths.get("/proc/self/stat"));

    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();
    private static final ThreadLocal<Self> SELF = ThreadLocal.withInitial(Procs::identify);

    /** This process's threads that have taken a shared mutex, by java.lang.Thread id. */
    private static final ConcurrentHashMap<Long, ThreadRef> THREADS = new ConcurrentHashMap<>();
    private static final ReferenceQueue<Thread> GONE = new ReferenceQueue<>();

    private static final class ThreadRef extends WeakReference<Thread> {
        final long id;

        ThreadRef(Thread t) {
            super(t, GONE);
            this.id = t.getId();
        }
    }

    private Procs() {
    }

    /** @return the current thread's identity (computed once per thread) */
    static Self self() {
        return SELF.get();
    }

    private static Self identify() {
        Thread t = Thread.currentThread();
        purge();
        THREADS.put(t.getId(), new ThreadRef(t));
        if (isVirtual(t)) {
            return new Self(t.getId(), 0, 0L);
        }
        try {
            // /proc/thread-self -> "<pid>/task/<tid>"
            Path link = Files.readSymbolicLink(Paths.get("/proc/thread-self"));
            int tid = Integer.parseInt(link.getFileName().toString());
            return new Self(t.getId(), tid, startTimeOrZero(Paths.get("/proc/self/task/" + tid + "/stat")));
        } catch (IOException | RuntimeException e) {
            return new Self(t.getId(), 0, 0L); // thread liveness then rests on the process check
        }
    }

    private static void purge() {
        for (Object r; (r = GONE.poll()) != null;) {
            THREADS.remove(((ThreadRef) r).id, r);
        }
    }

    /**
     * Whether the thread of this process with the given java.lang.Thread id has ended (or was
     * never seen here). Observing a thread's end with {@link Thread#isAlive()} synchronizes with it
     * (JLS 17.4.4), so its writes to the region are visible afterwards.
     */
    static boolean localThreadEnded(long javaTid) {
        ThreadRef ref = THREADS.get(javaTid);
        Thread t = ref == null ? null : ref.get();
        return t == null || !t.isAlive();
    }

    /** @return this process's thread with that java.lang.Thread id, if it took a shared mutex and lives */
    static Thread localThread(long javaTid) {
        ThreadRef ref = THREADS.get(javaTid);
        return ref == null ? null : ref.get();
    }

    /** Whether process {@code pid}, started at {@code start}, still runs. */
    static boolean processAlive(int pid, long start) {
        if (pid <= 0) {
            return false;
        }
        long now = processStartTime(pid);
        return now >= 0 && (start == 0 || now == start);
    }

    /** Like {@link #processAlive}, comparing only the low 32 bits of the start time (as kept in a slot). */
    static boolean processAliveLow32(int pid, long startLow) {
        if (pid <= 0) {
            return false;
        }
        long now = processStartTime(pid);
        return now >= 0 && (now == 0 || (now & 0xFFFF_FFFFL) == startLow);
    }

    /**
     * The start time of a running process; -1 if it has ended, including a process that died
     * and waits for its parent to reap it (a zombie: its stat file stays until then, and a holder
     * killed while its parent is busy must not pass for alive). A zombie thread-group leader whose
     * other threads still run is a live process.
     */
    private static long processStartTime(int pid) {
        Path stat = Paths.get("/proc/" + pid + "/stat");
        String line = readStat(stat);
        if (line == null) {
            return -1L;
        }
        if (line.isEmpty()) {
            return 0L; // unreadable: alive, start time unknown
        }
        try {
            if (isDeadState(parseState(line)) && liveTasks(pid) <= 1) {
                return -1L;
            }
            return parseStartTime(line);
        } catch (RuntimeException e) {
            return 0L;
        }
    }

    private static long liveTasks(int pid) {
        try (java.util.stream.Stream<Path> tasks = Files.list(Paths.get("/proc/" + pid + "/task"))) {
            return tasks.count();
        } catch (IOException | RuntimeException e) {
            return 0L; // gone meanwhile
        }
    }

    /** Whether thread {@code tid} of process {@code pid}, started at {@code start}, still runs. */
    static boolean threadAlive(int pid, int tid, long start) {
        String line = readStat(Paths.get("/proc/" + pid + "/task/" + tid + "/stat"));
        if (line == null) {
            return false;
        }
        if (line.isEmpty()) {
            return true;
        }
        try {
            if (isDeadState(parseState(line))) {
                return false; // a thread that has exited (only a leader lingers as a zombie)
            }
            long now = parseStartTime(line);
            return start == 0 || now == start;
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** The text of a /proc stat file: null if it does not exist, "" if it cannot be read. */
    private static String readStat(Path stat) {
        try {
            return new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Z (zombie) and X (dead): the task has ended, whatever its stat file still says. */
    static boolean isDeadState(char state) {
        return state == 'Z' || state == 'X' || state == 'x';
    }

    /** Parses the state (field 3) from a stat line. */
    static char parseState(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            throw new IllegalArgumentException("not a stat line");
        }
        return stat.charAt(close + 2);
    }

    private static long startTimeOrZero(Path stat) {
        long t = startTimeOrMinusOne(stat);
        return Math.max(0L, t);
    }

    /** Field 22 (starttime) of a /proc stat file; -1 if the file does not exist (the task ended). */
    static long startTimeOrMinusOne(Path stat) {
        try {
            return parseStartTime(new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            return -1L;
        } catch (IOException | RuntimeException e) {
            // A zombie or an unreadable entry: treat as alive, with an unknown start time.
            return 0L;
        }
    }

    /** Parses starttime from a stat line; the command name (field 2) may hold spaces and ')'. */
    static long parseStartTime(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a stat line");
        }
        String[] fields = stat.substring(close + 2).trim().split(" ");
        // fields[0] is field 3 (state), so field 22 is fields[19]
        return Long.parseLong(fields[19]);
    }

    private static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            return false;
        }
    }

    private static MethodHandle isVirtualHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            return null; // before JDK 21: no virtual threads
        }
    }
}
