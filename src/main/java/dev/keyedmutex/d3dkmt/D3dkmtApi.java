package dev.keyedmutex.d3dkmt;

/**
 * The kernel's keyed-mutex calls, as the provider uses them: the version-2 call when a blob is
 * given (a mutex with private data), the version-1 call otherwise. Returns raw NTSTATUS values
 * ({@link NtStatus}). Implemented by {@code Gdi32D3dkmt} on Windows (JNA into gdi32.dll) and, in
 * the tests, by an in-memory double that follows the documented kernel semantics.
 */
interface D3dkmtApi {

    /**
     * D3DKMTCreateKeyedMutex(2).
     *
     * @param initialKey the key the mutex starts released to
     * @param initialBlob the private data blob (v2), or {@code null} (v1)
     * @param handles out: [0] the global (shared) handle, [1] the process-local handle
     */
    int create(long initialKey, byte[] initialBlob, int[] handles);

    /**
     * D3DKMTOpenKeyedMutex(2).
     *
     * @param globalHandle the global handle
     * @param blobSize the private data blob's size (v2), or 0 (v1)
     * @param local out: [0] the new process-local handle
     */
    int open(int globalHandle, int blobSize, int[] local);

    /**
     * D3DKMTAcquireKeyedMutex(2).
     *
     * @param local the process-local handle
     * @param key the key to wait for
     * @param timeout100ns the NT timeout (negative: relative, 0: test only), or {@code null} to wait forever
     * @param blobOut out: receives the private data (v2), or {@code null} (v1)
     */
    int acquire(int local, long key, Long timeout100ns, byte[] blobOut);

    /**
     * D3DKMTReleaseKeyedMutex(2).
     *
     * @param local the process-local handle
     * @param nextKey the key the next acquirer must present
     * @param blob the private data to store (v2), or {@code null} (v1)
     */
    int release(int local, long nextKey, byte[] blob);

    /** D3DKMTDestroyKeyedMutex. */
    int destroy(int local);

    /** The export names, for messages: the version-2 name when {@code v2}. */
    static String name(String base, boolean v2) {
        return "D3DKMT" + base + "KeyedMutex" + (v2 ? "2" : "");
    }
}
