package dev.keyedmutex.shm;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;
import dev.keyedmutex.spi.KeyedMutexProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The cross-process provider, {@code shm}, for Linux (x86-64, AArch64): a keyed mutex lives in a
 * file under {@code /dev/shm} (or the directory named by the system property
 * {@value #DIR_PROPERTY}), named {@code keyed-mutex.NAME}, created owner-only (0600) and mapped
 * by every process that opens it. Atomics go through {@code VarHandle}s on the mapping; a thread
 * that must sleep, or wake another, calls futex through JNA, which is loaded only then and only
 * here. If the holding process dies, waiters see {@link dev.keyedmutex.AbandonedMutexException}
 * within about 25 ms (one sleep slice).
 *
 * <p>On JDK 24 and later, run with {@code --enable-native-access=ALL-UNNAMED} (class path) or
 * {@code --enable-native-access=com.sun.jna} (module path, with {@code --add-modules com.sun.jna})
 * so that JNA's native access does not print a warning.
 */
public final class ShmProvider implements KeyedMutexProvider {

    /** The provider's name, {@value}. */
    public static final String NAME = "shm";
    /** The system property naming the directory of the region files: {@value}. */
    public static final String DIR_PROPERTY = "dev.keyedmutex.shm.dir";
    /** The prefix of a region file's name: {@value}. */
    public static final String FILE_PREFIX = "keyed-mutex.";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** Creates the provider (called by {@link java.util.ServiceLoader}). */
    public ShmProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isCrossProcess() {
        return true;
    }

    /**
     * Linux on x86-64 or AArch64, JNA on the class or module path, and a writable directory for
     * the region files. Loads no native code.
     */
    @Override
    public boolean isSupported() {
        return unsupportedReason() == null;
    }

    /** @return why this provider cannot work here, or {@code null} if it can */
    public static String unsupportedReason() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "shm needs Linux, this is " + os;
        }
        String arch = System.getProperty("os.arch", "");
        if (!(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            return "shm supports x86-64 and AArch64, this is " + arch;
        }
        try {
            Class.forName("com.sun.jna.Native", false, ShmProvider.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "shm needs JNA (net.java.dev.jna:jna) on the class path, or the module com.sun.jna";
        }
        Path dir = directory();
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            return "shm needs a writable directory for its regions: " + dir + " (set -D" + DIR_PROPERTY + ")";
        }
        return null;
    }

    /** @return the directory of the region files */
    public static Path directory() {
        return Paths.get(System.getProperty(DIR_PROPERTY, "/dev/shm"));
    }

    /** @return the file of the named region (the name is checked first) */
    public static Path file(String name) {
        KeyedMutexes.checkName(name);
        return directory().resolve(FILE_PREFIX + name);
    }

    private static void requireSupported() {
        String why = unsupportedReason();
        if (why != null) {
            throw new UnsupportedOperationException(why);
        }
        try {
            LinuxNative.load();
        } catch (LinkageError e) {
            // JNA present but unable to load its native library (no writable temp directory,
            // a foreign architecture build...): never let an UnsatisfiedLinkError escape.
            throw new UnsupportedOperationException("shm: JNA could not load its native library: " + e, e);
        }
    }

    @Override
    public KeyedMutex create(String name, long initialKey, int privateDataCapacity) {
        if (name == null) {
            throw new UnsupportedOperationException("shm mutexes are shared by name; use the local provider for an unnamed one");
        }
        Path path = file(name);
        if (privateDataCapacity < 0 || privateDataCapacity > ShmLayout.MAX_CAPACITY) {
            throw new IllegalArgumentException("privateDataCapacity must be in 0.." + ShmLayout.MAX_CAPACITY + ": " + privateDataCapacity);
        }
        requireSupported();
        long size = ShmLayout.regionSize(privateDataCapacity);
        MappedByteBuffer mapping;
        try (FileChannel ch = FileChannel.open(path, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
            try {
                ch.write(ByteBuffer.wrap(new byte[1]), size - 1); // the file is zeroes up to size
                mapping = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            } catch (IOException | RuntimeException | Error e) {
                Files.deleteIfExists(path);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create shared keyed mutex '" + name + "' at " + path, e);
        }
        ShmLayout.initialize(mapping, initialKey, privateDataCapacity, Procs.PID);
        return new ShmKeyedMutex(name, mapping, privateDataCapacity);
    }

    @Override
    public KeyedMutex open(String name) {
        Path path = file(name);
        requireSupported();
        ByteBuffer mapping = map(path, false);
        int capacity;
        try {
            capacity = ShmLayout.validate(mapping);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open shared keyed mutex '" + name + "' at " + path + ": " + e.getMessage(), e);
        }
        return new ShmKeyedMutex(name, mapping, capacity);
    }

    /** Maps a region file after checking its size; never follows a symbolic link. */
    static ByteBuffer map(Path path, boolean readOnly) {
        Set<StandardOpenOption> options = readOnly ? EnumSet.of(StandardOpenOption.READ)
                : EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
        try (FileChannel ch = FileChannel.open(path, withNoFollow(options))) {
            requireOwnedByThisUser(path);
            long size = ch.size();
            if (size < ShmLayout.HEADER_SIZE || size > ShmLayout.regionSize(ShmLayout.MAX_CAPACITY)) {
                throw new IOException("not a keyed mutex region: " + size + " bytes, outside " + ShmLayout.HEADER_SIZE + ".."
                        + ShmLayout.regionSize(ShmLayout.MAX_CAPACITY));
            }
            return ch.map(readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE, 0, size);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UncheckedIOException("no shared keyed mutex at " + path, e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new UncheckedIOException("no permission to open the shared keyed mutex at " + path
                    + (e.getReason() == null ? "" : ": " + e.getReason()), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open shared keyed mutex at " + path + ": " + e, e);
        }
    }

    /**
     * Refuses a region file that another user owns, or that the group or others may access: the
     * library creates every region owner-only, so such a file was planted or changed by someone
     * else (/dev/shm is writable by every user). Checked on the path just opened (without
     * following links), before the mapping is used.
     */
    static void requireOwnedByThisUser(Path path) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int owner = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int me = (Integer) Files.getAttribute(Paths.get("/proc/self"), "unix:uid");
        if (owner != me) {
            throw new java.nio.file.AccessDeniedException(path.toString(), null, "owned by uid " + owner
                    + ", not by this process's uid " + me + " (shared keyed mutexes are private to one user)");
        }
        Set<PosixFilePermission> loose = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : attributes.permissions()) {
            if (!p.name().startsWith("OWNER_")) {
                loose.add(p);
            }
        }
        if (!loose.isEmpty()) {
            throw new java.nio.file.AccessDeniedException(path.toString(), null, "its permissions are "
                    + PosixFilePermissions.toString(attributes.permissions())
                    + "; a keyed mutex region is created rw------- and must not be open to group or others");
        }
    }

    private static java.nio.file.OpenOption[] withNoFollow(Set<StandardOpenOption> options) {
        java.nio.file.OpenOption[] all = new java.nio.file.OpenOption[options.size() + 1];
        int i = 0;
        for (StandardOpenOption o : options) {
            all[i++] = o;
        }
        all[i] = LinkOption.NOFOLLOW_LINKS;
        return all;
    }

    @Override
    public boolean delete(String name) {
        Path path = file(name);
        try {
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete shared keyed mutex '" + name + "' at " + path, e);
        }
    }

    /**
     * Describes a shared mutex without taking it (the CLI's {@code inspect}): key, locked, owner,
     * waiters, abandoned flag, private data length. Maps the region read-only.
     *
     * @param name the mutex's name
     * @return a multi-line description
     * @throws java.io.UncheckedIOException if it does not exist, is not accessible, or is corrupt
     */
    public static String inspect(String name) {
        Path path = file(name);
        ByteBuffer b = map(path, true);
        try {
            ShmLayout.validate(b);
        } catch (IOException e) {
            throw new UncheckedIOException("shared keyed mutex '" + name + "' at " + path + ": " + e.getMessage(), e);
        }
        return ShmInspector.describe(name, path, b);
    }

    @Override
    public String toString() {
        return "ShmProvider[" + NAME + ", " + directory() + "]";
    }
}
