package dev.keyedmutex.d3dkmt;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * {@link D3dkmtApi} on Windows: JNA calls into gdi32.dll's D3DKMT exports, looked up once, the
 * first time the d3dkmt provider is used. The argument structs below follow d3dkmt-abi.md 1.2;
 * they are laid out with MSVC rules ({@link Structure#ALIGN_MSVC}) so that a test on any OS can
 * check every size and offset against the ABI table.
 *
 * <p>Not yet run on Windows by this project (see README and docs/d3dkmt.md).
 */
final class Gdi32D3dkmt implements D3dkmtApi {

    static final String[] EXPORTS = {
        "D3DKMTCreateKeyedMutex", "D3DKMTCreateKeyedMutex2", "D3DKMTOpenKeyedMutex", "D3DKMTOpenKeyedMutex2",
        "D3DKMTAcquireKeyedMutex", "D3DKMTAcquireKeyedMutex2", "D3DKMTReleaseKeyedMutex", "D3DKMTReleaseKeyedMutex2",
        "D3DKMTDestroyKeyedMutex",
    };

    private final Function create;
    private final Function create2;
    private final Function open;
    private final Function open2;
    private final Function acquire;
    private final Function acquire2;
    private final Function release;
    private final Function release2;
    private final Function destroy;

    private Gdi32D3dkmt(NativeLibrary gdi32) {
        create = gdi32.getFunction("D3DKMTCreateKeyedMutex");
        create2 = gdi32.getFunction("D3DKMTCreateKeyedMutex2");
        open = gdi32.getFunction("D3DKMTOpenKeyedMutex");
        open2 = gdi32.getFunction("D3DKMTOpenKeyedMutex2");
        acquire = gdi32.getFunction("D3DKMTAcquireKeyedMutex");
        acquire2 = gdi32.getFunction("D3DKMTAcquireKeyedMutex2");
        release = gdi32.getFunction("D3DKMTReleaseKeyedMutex");
        release2 = gdi32.getFunction("D3DKMTReleaseKeyedMutex2");
        destroy = gdi32.getFunction("D3DKMTDestroyKeyedMutex");
    }

    /**
     * Binds every export; throws {@link UnsatisfiedLinkError} naming the first one missing (old
     * Windows, old Wine), which the provider turns into "not supported".
     */
    static Gdi32D3dkmt load() {
        return new Gdi32D3dkmt(NativeLibrary.getInstance("gdi32"));
    }

    private static Memory copy(byte[] bytes) {
        Memory m = new Memory(Math.max(1, bytes.length));
        m.write(0, bytes, 0, bytes.length);
        return m;
    }

    @Override
    public int create(long initialKey, byte[] initialBlob, int[] handles) {
        if (initialBlob == null) {
            CreateKeyedMutex s = new CreateKeyedMutex();
            s.InitialValue = initialKey;
            int status = create.invokeInt(new Object[] {s});
            handles[0] = s.hSharedHandle;
            handles[1] = s.hKeyedMutex;
            return status;
        }
        CreateKeyedMutex2 s = new CreateKeyedMutex2();
        s.InitialValue = initialKey;
        s.pPrivateRuntimeData = copy(initialBlob);
        s.PrivateRuntimeDataSize = initialBlob.length;
        s.Flags = 0; // NtSecuritySharing = 0: a global handle is returned
        int status = create2.invokeInt(new Object[] {s});
        handles[0] = s.hSharedHandle;
        handles[1] = s.hKeyedMutex;
        return status;
    }

    @Override
    public int open(int globalHandle, int blobSize, int[] local) {
        if (blobSize == 0) {
            OpenKeyedMutex s = new OpenKeyedMutex();
            s.hSharedHandle = globalHandle;
            int status = open.invokeInt(new Object[] {s});
            local[0] = s.hKeyedMutex;
            return status;
        }
        OpenKeyedMutex2 s = new OpenKeyedMutex2();
        s.hSharedHandle = globalHandle;
        s.pPrivateRuntimeData = new Memory(blobSize); // input only; must match the stored size
        s.PrivateRuntimeDataSize = blobSize;
        int status = open2.invokeInt(new Object[] {s});
        local[0] = s.hKeyedMutex;
        return status;
    }

    @Override
    public int acquire(int local, long key, Long timeout100ns, byte[] blobOut) {
        Memory timeout = null;
        if (timeout100ns != null) {
            timeout = new Memory(8);
            timeout.setLong(0, timeout100ns);
        }
        if (blobOut == null) {
            AcquireKeyedMutex s = new AcquireKeyedMutex();
            s.hKeyedMutex = local;
            s.Key = key;
            s.pTimeout = timeout; // NULL: wait forever
            return acquire.invokeInt(new Object[] {s});
        }
        AcquireKeyedMutex2 s = new AcquireKeyedMutex2();
        Memory data = new Memory(blobOut.length);
        s.hKeyedMutex = local;
        s.Key = key;
        s.pTimeout = timeout;
        s.pPrivateRuntimeData = data;
        s.PrivateRuntimeDataSize = blobOut.length;
        int status = acquire2.invokeInt(new Object[] {s});
        if (status == NtStatus.SUCCESS) {
            data.read(0, blobOut, 0, blobOut.length);
        }
        return status;
    }

    @Override
    public int release(int local, long nextKey, byte[] blob) {
        if (blob == null) {
            ReleaseKeyedMutex s = new ReleaseKeyedMutex();
            s.hKeyedMutex = local;
            s.Key = nextKey;
            return release.invokeInt(new Object[] {s});
        }
        ReleaseKeyedMutex2 s = new ReleaseKeyedMutex2();
        s.hKeyedMutex = local;
        s.Key = nextKey;
        s.pPrivateRuntimeData = copy(blob);
        s.PrivateRuntimeDataSize = blob.length;
        return release2.invokeInt(new Object[] {s});
    }

    @Override
    public int destroy(int local) {
        DestroyKeyedMutex s = new DestroyKeyedMutex();
        s.hKeyedMutex = local;
        return destroy.invokeInt(new Object[] {s});
    }

    // ---------------------------------------------------------------- argument structs (x64)

    /** Base: MSVC layout, and the offsets for the layout test. */
    abstract static class Struct extends Structure {
        Struct() {
            super(ALIGN_MSVC);
        }

        int offsetOf(String field) {
            return fieldOffset(field);
        }
    }

    /** D3DKMT_CREATEKEYEDMUTEX: sizeof 16. */
    @Structure.FieldOrder({"InitialValue", "hSharedHandle", "hKeyedMutex"})
    public static class CreateKeyedMutex extends Struct {
        public long InitialValue;
        public int hSharedHandle;
        public int hKeyedMutex;
    }

    /** D3DKMT_CREATEKEYEDMUTEX2: sizeof 32. */
    @Structure.FieldOrder({"InitialValue", "hSharedHandle", "hKeyedMutex", "pPrivateRuntimeData", "PrivateRuntimeDataSize", "Flags"})
    public static class CreateKeyedMutex2 extends Struct {
        public long InitialValue;
        public int hSharedHandle;
        public int hKeyedMutex;
        public Pointer pPrivateRuntimeData;
        public int PrivateRuntimeDataSize;
        public int Flags;
    }

    /** D3DKMT_OPENKEYEDMUTEX: sizeof 8. */
    @Structure.FieldOrder({"hSharedHandle", "hKeyedMutex"})
    public static class OpenKeyedMutex extends Struct {
        public int hSharedHandle;
        public int hKeyedMutex;
    }

    /** D3DKMT_OPENKEYEDMUTEX2: sizeof 24. */
    @Structure.FieldOrder({"hSharedHandle", "hKeyedMutex", "pPrivateRuntimeData", "PrivateRuntimeDataSize"})
    public static class OpenKeyedMutex2 extends Struct {
        public int hSharedHandle;
        public int hKeyedMutex;
        public Pointer pPrivateRuntimeData;
        public int PrivateRuntimeDataSize;
    }

    /** D3DKMT_ACQUIREKEYEDMUTEX: sizeof 32. */
    @Structure.FieldOrder({"hKeyedMutex", "Key", "pTimeout", "FenceValue"})
    public static class AcquireKeyedMutex extends Struct {
        public int hKeyedMutex;
        public long Key;
        public Pointer pTimeout;
        public long FenceValue;
    }

    /** D3DKMT_ACQUIREKEYEDMUTEX2: sizeof 48. */
    @Structure.FieldOrder({"hKeyedMutex", "Key", "pTimeout", "FenceValue", "pPrivateRuntimeData", "PrivateRuntimeDataSize"})
    public static class AcquireKeyedMutex2 extends Struct {
        public int hKeyedMutex;
        public long Key;
        public Pointer pTimeout;
        public long FenceValue;
        public Pointer pPrivateRuntimeData;
        public int PrivateRuntimeDataSize;
    }

    /** D3DKMT_RELEASEKEYEDMUTEX: sizeof 24. */
    @Structure.FieldOrder({"hKeyedMutex", "Key", "FenceValue"})
    public static class ReleaseKeyedMutex extends Struct {
        public int hKeyedMutex;
        public long Key;
        public long FenceValue;
    }

    /** D3DKMT_RELEASEKEYEDMUTEX2: sizeof 40. */
    @Structure.FieldOrder({"hKeyedMutex", "Key", "FenceValue", "pPrivateRuntimeData", "PrivateRuntimeDataSize"})
    public static class ReleaseKeyedMutex2 extends Struct {
        public int hKeyedMutex;
        public long Key;
        public long FenceValue;
        public Pointer pPrivateRuntimeData;
        public int PrivateRuntimeDataSize;
    }

    /** D3DKMT_DESTROYKEYEDMUTEX: sizeof 4. */
    @Structure.FieldOrder({"hKeyedMutex"})
    public static class DestroyKeyedMutex extends Struct {
        public int hKeyedMutex;
    }
}
