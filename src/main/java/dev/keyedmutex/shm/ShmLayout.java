package dev.keyedmutex.shm;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The shared-memory layout of a keyed mutex, owned by this one class (docs/shm-layout.md is its
 * prose twin). All words are in the platform's native byte order and aligned to their size; the
 * hot words sit on cache lines of their own.
 *
 * <pre>
 * offset  size  field
 * ------  ----  ---------------------------------------------------------------
 *      0     8  MAGIC            "KMTXSHM1", written last by the creator (release)
 *      8     4  VERSION          layout version, 1
 *     12     4  HEADER_SIZE      2304 (offset of the private data)
 *     16     8  REGION_SIZE      size of the file = mapping
 *     24     4  CAPACITY         private-data capacity, 0..1 MiB
 *     28     4  BUCKETS          number of futex buckets, 64
 *     32     4  CREATOR_PID      for inspect only
 *     64     8  STATE            bit 0 LOCKED, bit 1 ABANDONED, bits 2..7 OWNER SLOT,
 *                                bits 8..63 VERSION                                   (CAS)
 *     72     8  KEY              written only by the holder (and the creator)
 *    128     4  OWNER_PID        holder's process id                    \
 *    132     4  OWNER_TID        holder's Linux thread id, 0 if unknown  |  written by the
 *    136     8  OWNER_PID_START  holder process start time (clock ticks) |  holder after it
 *    144     8  OWNER_TID_START  holder thread start time, 0 if unknown  |  locks; OWNER_VERSION
 *    152     8  OWNER_VERSION    STATE's version this owner locked at    |  last, 0 while none
 *    160     8  OWNER_JTID       holder's java.lang.Thread id           /
 *    168     4  DATA_LENGTH      stored private-data length, 0..CAPACITY
 *    256  64*4  SEQ[64]          futex words, one per bucket (bumped on every wake)
 *    512  64*4  WAITERS[64]      number of threads sleeping (or about to) per bucket
 *   1280  64*8  SLOTS[64]        processes using the mutex: pid &lt;&lt; 32 | (start time &amp; 0xffffffff),
 *                                0 if free; claimed by CAS when a process opens the mutex
 *   2304   cap  DATA             private data
 *                                region size = HEADER_SIZE + CAPACITY rounded up to 4096
 * </pre>
 *
 * The locking CAS writes the holder's process slot into STATE, so the holding process is known
 * the instant the mutex is taken: a process killed right after its CAS is still found out. The
 * thread-level owner record (tid, java thread id) follows the CAS and is trusted only when its
 * OWNER_VERSION equals STATE. At most 64 processes can use one mutex at a time; a slot of a dead
 * process is reused (after marking the mutex abandoned if that process held it).
 *
 * <p>A waiter for key k sleeps on {@code SEQ[bucket(k)]} with the futex bitset {@code bit(k)}, so a
 * release wakes only sleepers whose key hashes to the same bucket and bit (1 in 2048 for two
 * random keys); a woken waiter of another key passes the wake-up on.
 *
 * <p>{@link #validate} checks a region before anything else touches it: magic, version, every size
 * and offset against the mapping, and the state word's bits. Offsets used for atomics and futex
 * calls are this class's constants, never values read from the region.
 */
final class ShmLayout {

    static final long MAGIC = 0x31_4D_48_53_58_54_4D_4BL; // "KMTXSHM1" as little-endian bytes
    static final int VERSION = 1;

    static final int MAGIC_OFF = 0;
    static final int VERSION_OFF = 8;
    static final int HEADER_SIZE_OFF = 12;
    static final int REGION_SIZE_OFF = 16;
    static final int CAPACITY_OFF = 24;
    static final int BUCKETS_OFF = 28;
    static final int CREATOR_PID_OFF = 32;

    static final int STATE_OFF = 64;
    static final int KEY_OFF = 72;

    static final int OWNER_PID_OFF = 128;
    static final int OWNER_TID_OFF = 132;
    static final int OWNER_PID_START_OFF = 136;
    static final int OWNER_TID_START_OFF = 144;
    static final int OWNER_VERSION_OFF = 152;
    static final int OWNER_JTID_OFF = 160;
    static final int DATA_LENGTH_OFF = 168;

    static final int BUCKETS = 64;
    static final int SEQ_OFF = 256;
    static final int WAITERS_OFF = SEQ_OFF + 4 * BUCKETS;   // 512
    static final int SLOTS = 64;
    static final int SLOTS_OFF = 1280;
    static final int DATA_OFF = SLOTS_OFF + 8 * SLOTS; // 2304
    static final int HEADER_SIZE = DATA_OFF;

    static final int MAX_CAPACITY = 1 << 20;
    static final int PAGE = 4096;

    static final long LOCKED = 1L;
    static final long ABANDONED = 2L;
    static final int SLOT_SHIFT = 2;
    static final long SLOT_MASK = 63L << SLOT_SHIFT;
    static final long VERSION_UNIT = 1L << 8;

    static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private ShmLayout() {
    }

    /** The size of a region with the given private-data capacity (checked by the caller). */
    static long regionSize(int capacity) {
        long raw = (long) HEADER_SIZE + capacity;
        return (raw + PAGE - 1) / PAGE * PAGE;
    }

    static int bucket(long key) {
        return (int) (mix(key) >>> 58); // 6 bits: 0..63
    }

    /** The futex bitset class of a key within its bucket: one of 32 bits. */
    static int bit(long key) {
        return 1 << (int) (mix(key) & 31);
    }

    private static long mix(long k) {
        // A 64-bit finalizer (xor-shift-multiply); any good mixing would do.
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** The state after locking {@code unlocked}: next version, the holder's slot, LOCKED. */
    static long lockedBy(long unlocked, int slot) {
        return ((unlocked & ~0xFFL) + VERSION_UNIT) | ((long) slot << SLOT_SHIFT) | LOCKED;
    }

    /** The holder's process slot in a locked state. */
    static int slotOf(long state) {
        return (int) ((state & SLOT_MASK) >>> SLOT_SHIFT);
    }

    static int slotOffset(int slot) {
        return SLOTS_OFF + 8 * slot;
    }

    /** A slot's value for a process: pid in the high half, the low 32 bits of its start time in the low half. */
    static long slotValue(int pid, long startTime) {
        return ((long) pid << 32) | (startTime & 0xFFFF_FFFFL);
    }

    static int seqOffset(int bucket) {
        return SEQ_OFF + 4 * bucket;
    }

    static int waitersOffset(int bucket) {
        return WAITERS_OFF + 4 * bucket;
    }

    /** Writes a fresh header into a zeroed region; MAGIC last, with a release store. */
    static void initialize(ByteBuffer b, long initialKey, int capacity, int creatorPid) {
        INTS.set(b, VERSION_OFF, VERSION);
        INTS.set(b, HEADER_SIZE_OFF, HEADER_SIZE);
        LONGS.set(b, REGION_SIZE_OFF, regionSize(capacity));
        INTS.set(b, CAPACITY_OFF, capacity);
        INTS.set(b, BUCKETS_OFF, BUCKETS);
        INTS.set(b, CREATOR_PID_OFF, creatorPid);
        LONGS.set(b, KEY_OFF, initialKey);
        LONGS.setVolatile(b, STATE_OFF, 0L);
        LONGS.setRelease(b, MAGIC_OFF, MAGIC);
    }

    /**
     * Checks a mapped region before any other access.
     *
     * @param b the mapping (its capacity is the file size, at most Integer.MAX_VALUE)
     * @return the private-data capacity it declares
     * @throws IOException saying what is wrong
     */
    static int validate(ByteBuffer b) throws IOException {
        int size = b.capacity();
        if (size < HEADER_SIZE) {
            throw new IOException("corrupt keyed mutex region: " + size + " bytes, smaller than the " + HEADER_SIZE
                    + "-byte header (truncated, or not a keyed mutex)");
        }
        long magic = (long) LONGS.getAcquire(b, MAGIC_OFF);
        if (magic != MAGIC) {
            throw new IOException(magic == 0L
                    ? "not a keyed mutex region: no magic (not initialized, or its creator died while creating it)"
                    : String.format("not a keyed mutex region: magic 0x%016x, expected 0x%016x", magic, MAGIC));
        }
        int version = (int) INTS.get(b, VERSION_OFF);
        if (version != VERSION) {
            throw new IOException("keyed mutex region has layout version " + version + "; this library reads version " + VERSION);
        }
        int headerSize = (int) INTS.get(b, HEADER_SIZE_OFF);
        if (headerSize != HEADER_SIZE) {
            throw new IOException("corrupt keyed mutex region: header size " + headerSize + ", expected " + HEADER_SIZE);
        }
        int capacity = (int) INTS.get(b, CAPACITY_OFF);
        if (capacity < 0 || capacity > MAX_CAPACITY) {
            throw new IOException("corrupt keyed mutex region: private-data capacity " + capacity + " outside 0.." + MAX_CAPACITY);
        }
        long regionSize = (long) LONGS.get(b, REGION_SIZE_OFF);
        if (regionSize != regionSize(capacity) || regionSize != size) {
            throw new IOException("corrupt keyed mutex region: declared size " + regionSize + ", file size " + size
                    + ", expected " + regionSize(capacity) + " for capacity " + capacity);
        }
        int buckets = (int) INTS.get(b, BUCKETS_OFF);
        if (buckets != BUCKETS) {
            throw new IOException("corrupt keyed mutex region: " + buckets + " buckets, expected " + BUCKETS);
        }
        long state = (long) LONGS.getVolatile(b, STATE_OFF);
        if ((state & LOCKED) == 0 && (state & ABANDONED) != 0) {
            throw new IOException(String.format("corrupt keyed mutex region: state 0x%x is abandoned but not locked", state));
        }
        if ((state & LOCKED) != 0 && (long) LONGS.getVolatile(b, slotOffset(slotOf(state))) == 0L) {
            // A holder's process claims its slot before it can lock: an empty one names nobody.
            throw new IOException(String.format("corrupt keyed mutex region: state 0x%x is locked by process slot %d, which is empty",
                    state, slotOf(state)));
        }
        int dataLength = (int) INTS.get(b, DATA_LENGTH_OFF);
        if (dataLength < 0 || dataLength > capacity) {
            throw new IOException("corrupt keyed mutex region: private-data length " + dataLength + " outside 0.." + capacity);
        }
        return capacity;
    }
}
