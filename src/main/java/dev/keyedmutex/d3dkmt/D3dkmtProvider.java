package dev.keyedmutex.d3dkmt;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;
import dev.keyedmutex.spi.KeyedMutexProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The Windows provider, {@code d3dkmt}: the graphics kernel's own keyed mutex, created without
 * any GPU resource through {@code D3DKMTCreateKeyedMutex(2)} in gdi32.dll (JNA, loaded lazily),
 * with the kernel's precise timeouts and, for a mutex with private data, the version-2 calls.
 *
 * <p><b>Sharing.</b> A standalone keyed mutex cannot be shared as an NT handle (the kernel only
 * shares one together with an allocation), so it is shared by its <em>global D3DKMT handle</em>.
 * {@code createShared(name, ...)} publishes that handle and the private-data capacity in a named
 * file mapping, {@code Local\keyed-mutex.NAME}, which only processes of the same session can
 * open and whose default security admits only the creating user; {@code openShared(name)} reads
 * it and calls {@code D3DKMTOpenKeyedMutex(2)}. {@link #openGlobalHandle(int, int)} opens a mutex
 * from a raw global handle another process (native D3D code, say) passed over.
 *
 * <p><b>Security.</b> Global D3DKMT handles are small, sequential numbers: any process on the
 * machine can guess one and open the mutex behind it, whatever protects the name. Microsoft keeps
 * global handles only for old runtimes. Do not use a d3dkmt keyed mutex to guard anything from
 * other users' processes; use it between cooperating processes.
 *
 * <p><b>Names.</b> Windows removes a named object with its last handle: the name lives while the
 * creating handle is open ({@link #delete} withdraws it early in the creating process), and the
 * kernel destroys the mutex itself with its last handle.
 *
 * <p><b>Snapshots.</b> The kernel has no query for a keyed mutex's key or owner:
 * {@code key()} and {@code isLocked()} report what this process has seen.
 *
 * <p>Not yet run on Windows by this project: its Java logic is tested on Linux against an
 * in-memory double of the kernel calls (see docs/d3dkmt.md).
 */
public final class D3dkmtProvider implements KeyedMutexProvider {

    /** The provider's name, {@value}. */
    public static final String NAME = "d3dkmt";

    static final int MAX_CAPACITY = Rendezvous.MAX_CAPACITY;
    /** How long {@code open} waits for a record whose publisher has created the name but not yet written it. */
    static final long UNWRITTEN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final D3dkmtApi fixedApi;
    private final RendezvousStore fixedStore;
    private final Map<String, AutoCloseable> published = new ConcurrentHashMap<>();
    private volatile D3dkmtApi api;
    private volatile RendezvousStore store;

    /** Creates the provider (called by {@link java.util.ServiceLoader}); binds nothing yet. */
    public D3dkmtProvider() {
        this(null, null);
    }

    /** For tests: a provider over a double of the kernel calls and an in-memory name store. */
    D3dkmtProvider(D3dkmtApi api, RendezvousStore store) {
        this.fixedApi = api;
        this.fixedStore = store;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isCrossProcess() {
        return true;
    }

    @Override
    public boolean isSupported() {
        return fixedApi != null || unsupportedReason() == null;
    }

    /** @return why this provider cannot work here, or {@code null} if it can; never throws */
    public static String unsupportedReason() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("windows")) {
            return "d3dkmt needs Windows, this is " + os;
        }
        String arch = System.getProperty("os.arch", "");
        if (!(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "d3dkmt supports 64-bit x86 Windows, this is " + arch;
        }
        try {
            Class.forName("com.sun.jna.Native", false, D3dkmtProvider.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "d3dkmt needs JNA (net.java.dev.jna:jna) on the class path, or the module com.sun.jna";
        }
        try {
            Gdi32D3dkmt.load();
            NamedMappings.load();
            return null;
        } catch (UnsatisfiedLinkError e) {
            return "gdi32.dll lacks the D3DKMT keyed-mutex exports (Windows 8 or later needed): " + e.getMessage();
        } catch (LinkageError | RuntimeException e) {
            return "d3dkmt could not bind gdi32.dll: " + e;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Error e) {
            // JNA reports an incompatible native library with a plain Error: unsupported, not fatal.
            return "d3dkmt could not load JNA's native library: " + e;
        }
    }

    private D3dkmtApi api() {
        if (fixedApi != null) {
            return fixedApi;
        }
        D3dkmtApi a = api;
        if (a == null) {
            String why = unsupportedReason();
            if (why != null) {
                throw new UnsupportedOperationException(why);
            }
            a = Gdi32D3dkmt.load();
            api = a;
        }
        return a;
    }

    private RendezvousStore store() {
        if (fixedStore != null) {
            return fixedStore;
        }
        RendezvousStore s = store;
        if (s == null) {
            api(); // checks support first
            s = NamedMappings.load();
            store = s;
        }
        return s;
    }

    @Override
    public KeyedMutex create(String nameOrNull, long initialKey, int privateDataCapacity) {
        if (nameOrNull != null) {
            KeyedMutexes.checkName(nameOrNull);
        }
        if (privateDataCapacity < 0 || privateDataCapacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("privateDataCapacity must be in 0.." + MAX_CAPACITY + ": " + privateDataCapacity);
        }
        D3dkmtApi a = api();
        int[] handles = new int[2];
        byte[] blob = privateDataCapacity > 0 ? Blob.empty(privateDataCapacity) : null;
        int status = a.create(initialKey, blob, handles);
        if (status != NtStatus.SUCCESS) {
            throw NtStatus.failure(D3dkmtApi.name("Create", blob != null), status);
        }
        AutoCloseable name = null;
        if (nameOrNull != null) {
            try {
                name = store().publish(nameOrNull, new Rendezvous(handles[0], privateDataCapacity,
                        (int) ProcessHandle.current().pid()).encode());
            } catch (IOException | RuntimeException e) {
                a.destroy(handles[1]);
                throw e instanceof IOException
                        ? new UncheckedIOException("cannot create shared keyed mutex '" + nameOrNull + "'", (IOException) e)
                        : (RuntimeException) e;
            }
        }
        AutoCloseable withdraw = null;
        if (name != null) {
            // Closed once, by whichever comes first: deleteShared(name) or closing the handle.
            AutoCloseable mapping = name;
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            String publishedName = nameOrNull;
            withdraw = new AutoCloseable() {
                @Override
                public void close() throws Exception {
                    if (done.compareAndSet(false, true)) {
                        published.remove(publishedName, this);
                        mapping.close();
                    }
                }
            };
            this.published.put(nameOrNull, withdraw);
        }
        String label = nameOrNull == null ? String.format("d3dkmt keyed mutex 0x%08x", handles[0])
                : "d3dkmt keyed mutex '" + nameOrNull + "'";
        return new D3dkmtKeyedMutex(a, label, handles[1], handles[0], privateDataCapacity, initialKey, withdraw, true);
    }

    @Override
    public KeyedMutex open(String name) {
        KeyedMutexes.checkName(name);
        Rendezvous r;
        try {
            r = Rendezvous.decode(readWritten(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open shared keyed mutex '" + name + "': " + e.getMessage(), e);
        }
        return openHandle(r.globalHandle, r.capacity, "d3dkmt keyed mutex '" + name + "'");
    }

    /**
     * Reads the record under a name, waiting up to {@link #UNWRITTEN_WAIT_NANOS} while it is still
     * unwritten: the name becomes visible a moment before its creator writes the record.
     */
    private ByteBuffer readWritten(String name) throws IOException {
        RendezvousStore s = store();
        long start = System.nanoTime();
        for (;;) {
            ByteBuffer record = s.read(name);
            if (!Rendezvous.isUnwritten(record)) {
                return record;
            }
            if (System.nanoTime() - start >= UNWRITTEN_WAIT_NANOS) {
                throw new IOException("the record under the name is still unwritten (magic 0) after "
                        + TimeUnit.NANOSECONDS.toMillis(UNWRITTEN_WAIT_NANOS)
                        + " ms: it was not created by this library, or its creator stopped while publishing it");
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }

    /**
     * Opens the keyed mutex behind a raw global D3DKMT handle that another process handed over
     * (interop with native D3D code). A capacity above 0 uses the version-2 calls with this
     * library's private-data format (a 4-byte length, then the data); use 0 for a peer that does
     * not use private data.
     *
     * @param globalHandle the global handle
     * @param privateDataCapacity the capacity the creator chose, or 0
     * @return a new handle
     * @throws IllegalArgumentException if the value is not a global handle, or the capacity is out of range
     * @throws UnsupportedOperationException off Windows, or without the exports
     */
    public KeyedMutex openGlobalHandle(int globalHandle, int privateDataCapacity) {
        if ((globalHandle & 0xC000_0000) == 0 || (globalHandle & 0x3F) != 2) {
            throw new IllegalArgumentException(String.format("0x%08x is not a global D3DKMT handle", globalHandle));
        }
        if (privateDataCapacity < 0 || privateDataCapacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("privateDataCapacity must be in 0.." + MAX_CAPACITY + ": " + privateDataCapacity);
        }
        return openHandle(globalHandle, privateDataCapacity, String.format("d3dkmt keyed mutex 0x%08x", globalHandle));
    }

    private KeyedMutex openHandle(int globalHandle, int capacity, String label) {
        D3dkmtApi a = api();
        int[] local = new int[1];
        int blobSize = capacity > 0 ? Blob.size(capacity) : 0;
        int status = a.open(globalHandle, blobSize, local);
        if (status == NtStatus.INVALID_PARAMETER) {
            throw new UncheckedIOException(new IOException(label + ": the kernel refused global handle "
                    + String.format("0x%08x", globalHandle) + " (" + NtStatus.describe(status)
                    + "): the mutex no longer exists, or its private-data size differs"));
        }
        if (status != NtStatus.SUCCESS) {
            throw NtStatus.failure(D3dkmtApi.name("Open", capacity > 0), status);
        }
        return new D3dkmtKeyedMutex(a, label, local[0], globalHandle, capacity, Long.MIN_VALUE, null, false);
    }

    /**
     * Withdraws a name this process published; Windows removes a named object with its last
     * handle, so a name published by another process cannot be removed from here.
     *
     * @return {@code false} if there is no such name
     * @throws UnsupportedOperationException if another process published it
     */
    @Override
    public boolean delete(String name) {
        KeyedMutexes.checkName(name);
        AutoCloseable mine = published.remove(name);
        if (mine != null) {
            try {
                mine.close();
            } catch (Exception e) {
                throw new UncheckedIOException(new IOException("cannot withdraw the name '" + name + "'", e));
            }
            return true;
        }
        try {
            store().read(name);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new UnsupportedOperationException("the name '" + name + "' belongs to another process; it goes away when that "
                + "process closes its handle");
    }

    @Override
    public String toString() {
        return "D3dkmtProvider[" + NAME + "]";
    }
}
