package dev.keyedmutex;

import dev.keyedmutex.local.LocalProvider;
import dev.keyedmutex.spi.KeyedMutexProvider;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The entry point: creates and opens keyed mutexes through the discovered providers.
 *
 * <p>Providers are found once, on first use, with {@link ServiceLoader} (through this library's
 * class loader and the thread's context class loader). The system property
 * {@value #PROVIDER_PROPERTY} selects one by name for {@link #create(long)} and, when the named
 * provider is cross-process, for {@link #createShared}, {@link #openShared} and
 * {@link #deleteShared}. Without it, {@code create} uses {@code local} and the shared methods use
 * the first supported cross-process provider.
 *
 * <p>Shared mutex names match {@code [A-Za-z0-9_][A-Za-z0-9._-]{0,199}}; they are checked here,
 * before any provider sees them.
 */
public final class KeyedMutexes {

    /** The system property that selects a provider by name: {@value}. */
    public static final String PROVIDER_PROPERTY = "dev.keyedmutex.provider";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,199}");
    private static final System.Logger LOG = System.getLogger(KeyedMutexes.class.getName());

    private KeyedMutexes() {
    }

    /**
     * Creates an in-process keyed mutex, unlocked, with key {@code initialKey}, no private data
     * and the non-fair policy, from the selected provider ({@code local} by default).
     *
     * @param initialKey the key the first acquirer must present
     * @return a new keyed mutex
     * @throws IllegalArgumentException if {@value #PROVIDER_PROPERTY} names no known provider
     * @throws UnsupportedOperationException if the selected provider is not supported here
     */
    public static KeyedMutex create(long initialKey) {
        return create(initialKey, 0, false);
    }

    /**
     * Creates a keyed mutex with a private-data capacity (see
     * {@link KeyedMutex#release(long, java.nio.ByteBuffer)}).
     *
     * @param initialKey the key the first acquirer must present
     * @param privateDataCapacity the capacity in bytes, 0 for none
     * @return a new keyed mutex
     * @throws IllegalArgumentException if the capacity is negative, or the selected provider unknown
     * @throws UnsupportedOperationException if the selected provider is not supported here
     */
    public static KeyedMutex create(long initialKey, int privateDataCapacity) {
        return create(initialKey, privateDataCapacity, false);
    }

    /**
     * Creates a keyed mutex with the given fairness policy. Fair: a release hands the mutex to
     * the longest-waiting thread for the new key, and no thread barges in ahead of queued ones.
     * Non-fair (the default elsewhere): higher throughput under contention, still without
     * starving a waiter whose key keeps being released.
     *
     * @param initialKey the key the first acquirer must present
     * @param privateDataCapacity the capacity in bytes, 0 for none
     * @param fair whether to use the fair policy
     * @return a new keyed mutex
     * @throws IllegalArgumentException if the capacity is negative, or the selected provider unknown
     * @throws UnsupportedOperationException if the selected provider is not supported here or
     *         has no such policy
     */
    public static KeyedMutex create(long initialKey, int privateDataCapacity, boolean fair) {
        checkCapacity(privateDataCapacity);
        String selected = System.getProperty(PROVIDER_PROPERTY);
        KeyedMutexProvider p = selected == null ? provider(LocalProvider.NAME) : provider(selected);
        requireSupported(p);
        return p.create(null, initialKey, privateDataCapacity, fair);
    }

    /**
     * Creates a keyed mutex that other processes can open by {@code name}.
     *
     * @param name the name, matching {@code [A-Za-z0-9_][A-Za-z0-9._-]{0,199}}
     * @param initialKey the key the first acquirer must present
     * @param privateDataCapacity the private-data capacity in bytes, 0 for none
     * @return a new handle
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if the name or capacity is not acceptable
     * @throws UnsupportedOperationException if no cross-process provider is supported here
     * @throws java.io.UncheckedIOException if the name is taken or cannot be created
     */
    public static KeyedMutex createShared(String name, long initialKey, int privateDataCapacity) {
        checkName(name);
        checkCapacity(privateDataCapacity);
        return sharedProvider().create(name, initialKey, privateDataCapacity);
    }

    /**
     * Opens a keyed mutex that this or another process created with
     * {@link #createShared(String, long, int)}.
     *
     * @param name the name
     * @return a new handle
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if the name is not acceptable
     * @throws UnsupportedOperationException if no cross-process provider is supported here
     * @throws java.io.UncheckedIOException if there is no such mutex, no permission, or it is corrupt
     */
    public static KeyedMutex openShared(String name) {
        checkName(name);
        return sharedProvider().open(name);
    }

    /**
     * Removes a shared mutex's name; handles already open keep working.
     *
     * @param name the name
     * @return {@code false} if there was no such name
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if the name is not acceptable
     * @throws UnsupportedOperationException if no cross-process provider is supported here
     */
    public static boolean deleteShared(String name) {
        checkName(name);
        return sharedProvider().delete(name);
    }

    /**
     * Returns every discovered provider, supported here or not, built-in ones first.
     *
     * @return an unmodifiable list
     */
    public static List<KeyedMutexProvider> providers() {
        return Discovered.PROVIDERS;
    }

    /**
     * Returns the first discovered provider with the given name.
     *
     * @param name a provider name such as {@code "local"}
     * @return the provider
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if no provider has that name
     */
    public static KeyedMutexProvider provider(String name) {
        Objects.requireNonNull(name, "name");
        for (KeyedMutexProvider p : providers()) {
            if (name.equals(p.name())) {
                return p;
            }
        }
        List<String> names = new ArrayList<>();
        for (KeyedMutexProvider p : providers()) {
            names.add(p.name());
        }
        throw new IllegalArgumentException("no keyed mutex provider named '" + name + "'; discovered: " + names);
    }

    /**
     * Checks a shared mutex name against {@code [A-Za-z0-9_][A-Za-z0-9._-]{0,199}}: no path
     * separators, no {@code ..} at the start, no control characters, 1 to 200 characters.
     * Providers call this again before touching a file system or the kernel.
     *
     * @param name the name
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if the name does not match
     */
    public static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid keyed mutex name '" + printable(name)
                    + "': it must match [A-Za-z0-9_][A-Za-z0-9._-]{0,199}");
        }
    }

    private static String printable(String name) {
        StringBuilder b = new StringBuilder();
        int n = Math.min(name.length(), 64);
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (name.length() > n) {
            b.append("...(").append(name.length()).append(" chars)");
        }
        return b.toString();
    }

    private static void checkCapacity(int privateDataCapacity) {
        if (privateDataCapacity < 0) {
            throw new IllegalArgumentException("privateDataCapacity must not be negative: " + privateDataCapacity);
        }
    }

    private static void requireSupported(KeyedMutexProvider p) {
        if (!p.isSupported()) {
            throw new UnsupportedOperationException("keyed mutex provider '" + p.name() + "' is not supported here ("
                    + System.getProperty("os.name") + ", Java " + System.getProperty("java.version") + ")");
        }
    }

    private static KeyedMutexProvider sharedProvider() {
        String selected = System.getProperty(PROVIDER_PROPERTY);
        if (selected != null) {
            KeyedMutexProvider p = provider(selected);
            if (p.isCrossProcess()) {
                requireSupported(p);
                return p;
            }
        }
        List<String> seen = new ArrayList<>();
        for (KeyedMutexProvider p : providers()) {
            if (p.isCrossProcess()) {
                if (p.isSupported()) {
                    return p;
                }
                seen.add(p.name());
            }
        }
        throw new UnsupportedOperationException("no cross-process keyed mutex provider is supported here ("
                + System.getProperty("os.name") + "); cross-process providers found but unsupported: " + seen);
    }

    /** Lazily discovered providers (the holder idiom: loaded on first use, once). */
    private static final class Discovered {
        static final List<KeyedMutexProvider> PROVIDERS = load();

        private static List<KeyedMutexProvider> load() {
            List<KeyedMutexProvider> found = new ArrayList<>();
            Set<String> classes = new HashSet<>();
            ClassLoader own = KeyedMutexes.class.getClassLoader();
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            collect(ServiceLoader.load(KeyedMutexProvider.class, own), found, classes);
            if (context != null && context != own) {
                collect(ServiceLoader.load(KeyedMutexProvider.class, context), found, classes);
            }
            // Built-ins first, then third parties in discovery order.
            List<KeyedMutexProvider> ordered = new ArrayList<>();
            for (KeyedMutexProvider p : found) {
                if (p.getClass().getName().startsWith("dev.keyedmutex.")) {
                    ordered.add(p);
                }
            }
            for (KeyedMutexProvider p : found) {
                if (!ordered.contains(p)) {
                    ordered.add(p);
                }
            }
            return Collections.unmodifiableList(ordered);
        }

        private static void collect(ServiceLoader<KeyedMutexProvider> loader, List<KeyedMutexProvider> found,
                                    Set<String> classes) {
            Iterator<KeyedMutexProvider> it = loader.iterator();
            for (;;) {
                try {
                    if (!it.hasNext()) {
                        return;
                    }
                    KeyedMutexProvider p = it.next();
                    if (classes.add(p.getClass().getName())) {
                        found.add(p);
                    }
                } catch (ServiceConfigurationError e) {
                    // A broken third-party jar must not take the working providers down with it.
                    LOG.log(System.Logger.Level.WARNING, "skipping a keyed mutex provider that failed to load", e);
                }
            }
        }
    }
}
