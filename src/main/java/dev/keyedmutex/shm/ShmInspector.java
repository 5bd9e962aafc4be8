package dev.keyedmutex.shm;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static dev.keyedmutex.shm.ShmLayout.INTS;
import static dev.keyedmutex.shm.ShmLayout.LONGS;

/** Reads a validated region, read-only, into a description for {@code inspect}. */
final class ShmInspector {

    private ShmInspector() {
    }

    static String describe(String name, Path path, ByteBuffer b) {
        long state = (long) LONGS.getVolatile(b, ShmLayout.STATE_OFF);
        boolean locked = (state & ShmLayout.LOCKED) != 0;
        boolean abandoned = (state & ShmLayout.ABANDONED) != 0;
        long ownerVersion = (long) LONGS.getAcquire(b, ShmLayout.OWNER_VERSION_OFF);
        long slot = (long) LONGS.getVolatile(b, ShmLayout.slotOffset(ShmLayout.slotOf(state)));
        int pid = (int) (slot >>> 32);
        int tid = (int) INTS.get(b, ShmLayout.OWNER_TID_OFF);
        long javaTid = (long) LONGS.get(b, ShmLayout.OWNER_JTID_OFF);
        int waiters = 0;
        for (int i = 0; i < ShmLayout.BUCKETS; i++) {
            waiters += Math.max(0, (int) INTS.getVolatile(b, ShmLayout.waitersOffset(i)));
        }
        StringBuilder o = new StringBuilder();
        o.append("name:          ").append(name).append('\n');
        o.append("file:          ").append(path).append('\n');
        o.append("layout:        version ").append((int) INTS.get(b, ShmLayout.VERSION_OFF)).append(", ")
                .append(b.capacity()).append(" bytes, created by pid ").append((int) INTS.get(b, ShmLayout.CREATOR_PID_OFF))
                .append('\n');
        o.append("key:           ").append((long) LONGS.getOpaque(b, ShmLayout.KEY_OFF)).append('\n');
        o.append("locked:        ").append(locked ? "yes" : "no").append('\n');
        boolean ownerGone = false;
        if (locked) {
            boolean alive = Procs.processAliveLow32(pid, slot & 0xFFFF_FFFFL);
            ownerGone = !alive;
            o.append("owner:         pid ").append(pid).append(alive ? " (running)" : " (gone)");
            if (ownerVersion == state) {
                o.append(", thread ").append(tid == 0 ? "?" : Integer.toString(tid))
                        .append(" (java thread id ").append(javaTid).append(")");
            }
            o.append('\n');
        } else {
            o.append("owner:         none\n");
        }
        o.append("waiters:       ").append(waiters).append(" (threads sleeping; spinning ones are not counted)\n");
        o.append("abandoned:     ").append(abandoned ? "yes"
                : ownerGone ? "not yet marked: its holder is gone, so the next acquirer will find it abandoned" : "no").append('\n');
        o.append("private data:  ").append((int) INTS.get(b, ShmLayout.DATA_LENGTH_OFF)).append(" of ")
                .append((int) INTS.get(b, ShmLayout.CAPACITY_OFF)).append(" bytes");
        return o.toString();
    }
}
