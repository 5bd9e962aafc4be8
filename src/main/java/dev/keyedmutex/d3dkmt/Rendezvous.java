package dev.keyedmutex.d3dkmt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What {@code createShared(name, ...)} publishes under the name for {@code openShared(name)}: the
 * keyed mutex's global D3DKMT handle and its private-data capacity. On Windows it lives in a
 * named file mapping {@code Local\keyed-mutex.NAME}, which only the same session can open (and
 * whose default security lets only the creating user in). The record is 32 bytes, little-endian:
 * <pre>
 *   0  8  magic "KMTXD3D1"
 *   8  4  version (1)
 *  12  4  global handle (D3DKMT_HANDLE)
 *  16  4  private-data capacity (0..1 MiB)
 *  20  4  creator process id
 *  24  8  reserved (0)
 * </pre>
 * {@link #decode} checks everything before the handle is used.
 *
 * <p>Publishing is not atomic: the name exists (as a zero-filled mapping) before its record is
 * written. So the publisher writes bytes 8..31 first and the magic last, with a fence between, and
 * a reader reads the magic first, then (after a fence) the rest: a reader that sees the magic sees
 * the whole record. A magic of 0 means "not written yet" ({@link #isUnwritten}); the opener waits
 * a bounded time for it.
 */
final class Rendezvous {

    static final int SIZE = 32;
    static final long MAGIC = 0x31_44_33_44_58_54_4D_4BL; // "KMTXD3D1"
    static final int VERSION = 1;
    static final int MAX_CAPACITY = 1 << 20;

    final int globalHandle;
    final int capacity;
    final int creatorPid;

    Rendezvous(int globalHandle, int capacity, int creatorPid) {
        this.globalHandle = globalHandle;
        this.capacity = capacity;
        this.creatorPid = creatorPid;
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, MAGIC).putInt(8, VERSION).putInt(12, globalHandle).putInt(16, capacity).putInt(20, creatorPid);
        return b.array();
    }

    /** Whether a record is still the zero-filled mapping its publisher has not yet written. */
    static boolean isUnwritten(ByteBuffer record) {
        ByteBuffer b = record.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return b.remaining() >= 8 && b.getLong(b.position()) == 0L;
    }

    /**
     * @param record the bytes found under the name (a mapping view may be larger than the record)
     * @throws IOException saying what is wrong
     */
    static Rendezvous decode(ByteBuffer record) throws IOException {
        ByteBuffer b = record.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < SIZE) {
            throw new IOException("keyed mutex rendezvous of " + b.remaining() + " bytes, expected at least " + SIZE);
        }
        int base = b.position();
        long magic = b.getLong(base);
        if (magic != MAGIC) {
            throw new IOException(String.format("not a keyed mutex rendezvous: magic 0x%016x", magic));
        }
        int version = b.getInt(base + 8);
        if (version != VERSION) {
            throw new IOException("keyed mutex rendezvous version " + version + "; this library reads version " + VERSION);
        }
        int handle = b.getInt(base + 12);
        // Global handles have bit 30 or 31 set and low 6 bits == 2 (d3dkmt-abi.md, 1.3).
        if ((handle & 0xC000_0000) == 0 || (handle & 0x3F) != 2) {
            throw new IOException(String.format("keyed mutex rendezvous holds 0x%08x, which is not a global D3DKMT handle", handle));
        }
        int capacity = b.getInt(base + 16);
        if (capacity < 0 || capacity > MAX_CAPACITY) {
            throw new IOException("keyed mutex rendezvous claims a private-data capacity of " + capacity);
        }
        if (b.getLong(base + 24) != 0L) {
            throw new IOException("keyed mutex rendezvous has non-zero reserved bytes");
        }
        return new Rendezvous(handle, capacity, b.getInt(base + 20));
    }
}
