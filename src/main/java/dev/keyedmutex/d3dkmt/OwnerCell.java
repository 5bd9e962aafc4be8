package dev.keyedmutex.d3dkmt;

import java.util.HashMap;
import java.util.Map;

/**
 * The holder of one kernel keyed mutex in this process, shared by every handle on it (keyed by
 * its global handle): ownership belongs to a thread, not to a handle (SPEC 2.12), and the kernel
 * is never asked to re-acquire for the thread that holds it (SPEC 2.6).
 */
final class OwnerCell {

    private static final Map<Integer, OwnerCell> CELLS = new HashMap<>();

    final int globalHandle;
    /** The holding thread of this process, or null. */
    volatile Thread owner;
    /** The handle it holds through (its kernel handle is destroyed if the thread ends holding). */
    volatile D3dkmtKeyedMutex ownerHandle;
    /** Seen abandoned by any handle of this process: final. */
    volatile boolean abandoned;
    /** The last key this process saw (the kernel has no query). */
    volatile long lastKey;
    /** The blob of the current hold, re-sent by a release that brings no new data (holder only). */
    byte[] heldBlob;
    private int refs;

    private OwnerCell(int globalHandle) {
        this.globalHandle = globalHandle;
    }

    /**
     * @param created whether the caller just created the kernel object: the kernel hands out a
     *        global handle value again only once every handle of the old object is destroyed, so
     *        a cell still registered under it (a handle of this process destroyed to abandon the
     *        mutex, not yet closed) belongs to a dead object and is replaced
     */
    static synchronized OwnerCell acquireRef(int globalHandle, long knownKey, boolean created) {
        OwnerCell c = CELLS.get(globalHandle);
        if (c == null || created) {
            c = new OwnerCell(globalHandle);
            c.lastKey = knownKey;
            CELLS.put(globalHandle, c);
        }
        c.refs++;
        return c;
    }

    static synchronized void releaseRef(OwnerCell c) {
        if (--c.refs == 0) {
            CELLS.remove(c.globalHandle, c);
        }
    }
}
