package dev.keyedmutex.d3dkmt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The keyed mutex's private runtime data as the kernel keeps it: a fixed-size blob. The library
 * stores a variable length (0..capacity) in it as a 4-byte little-endian length followed by
 * {@code capacity} bytes, so the blob is always {@code capacity + 4} bytes. A blob read back is
 * checked: another process may have written anything.
 */
final class Blob {

    static final int HEADER = 4;

    private Blob() {
    }

    static int size(int capacity) {
        return HEADER + capacity;
    }

    /** An empty blob: length 0. */
    static byte[] empty(int capacity) {
        return new byte[size(capacity)];
    }

    /** Encodes {@code in}'s remaining bytes (at most {@code capacity}, checked by the caller), leaving {@code in} untouched. */
    static byte[] encode(ByteBuffer in, int capacity) {
        byte[] blob = new byte[size(capacity)];
        int length = in.remaining();
        ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN).putInt(0, length);
        in.get(in.position(), blob, HEADER, length);
        return blob;
    }

    /**
     * Decodes a blob into {@code out} at its position, advancing it.
     *
     * @throws IOException if the blob's size or length is impossible
     */
    static void decode(byte[] blob, int capacity, ByteBuffer out) throws IOException {
        if (blob.length != size(capacity)) {
            throw new IOException("private data of " + blob.length + " bytes, expected " + size(capacity));
        }
        int length = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (length < 0 || length > capacity) {
            throw new IOException("private data claims " + length + " bytes, capacity is " + capacity);
        }
        int position = out.position();
        out.put(position, blob, HEADER, length);
        out.position(position + length);
    }
}
