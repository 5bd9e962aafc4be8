package dev.keyedmutex.spi;

import dev.keyedmutex.KeyedMutex;

/**
 * A source of keyed mutexes, found through {@link java.util.ServiceLoader}.
 *
 * <p>Built-in providers: {@code local} (in-process, every JVM), {@code shm} (cross-process, Linux)
 * and {@code d3dkmt} (cross-process, the Windows kernel's keyed mutex). A third party adds a provider by
 * shipping a jar whose {@code META-INF/services/dev.keyedmutex.spi.KeyedMutexProvider} file names
 * its implementation class (and, for the module path, {@code provides} it in
 * {@code module-info.java}). The implementation needs a public no-argument constructor, and
 * should build its mutexes on {@link dev.keyedmutex.AbstractKeyedMutex}, which holds the
 * argument checks and the {@link dev.keyedmutex.KeyedMutexLock} support every provider shares.
 * The system property {@code dev.keyedmutex.provider} selects a provider by {@link #name()}
 * for {@link dev.keyedmutex.KeyedMutexes}.
 *
 * <p>What a provider's mutexes must guarantee is the contract of {@link KeyedMutex} (SPEC section
 * 2), memory consistency effects included: actions of a thread before a {@code release} must
 * happen-before the actions of the thread whose {@code acquire} or successful {@code tryAcquire}
 * takes the mutex next, across processes for a cross-process provider, and the private data
 * stored by that release must be what that acquire copies out. The test suite's
 * {@code KeyedMutexContract} checks all of it, and a new provider can run it unchanged.
 *
 * <p>Memory consistency effects of the provider itself: actions in a thread before it creates or
 * opens a mutex through a provider happen-before actions in any thread that uses the returned
 * handle, as with any safely published object.
 *
 * <p>Implementations must be thread-safe. Arguments reach a provider already checked by
 * {@link dev.keyedmutex.KeyedMutexes} (names valid, capacity not negative), but a provider
 * used directly must check them again: it is the last stop before native code or shared memory.
 */
public interface KeyedMutexProvider {

    /**
     * Returns the provider's unique name, such as {@code "local"}.
     *
     * @return the name used by {@code -Ddev.keyedmutex.provider}
     */
    String name();

    /**
     * Returns whether this provider can create mutexes on this OS and JVM right now. Must not
     * throw, and must not load native code that may be missing.
     *
     * @return {@code true} if usable here
     */
    boolean isSupported();

    /**
     * Returns whether mutexes of this provider can be shared between processes by name.
     *
     * @return {@code true} for a cross-process provider
     */
    boolean isCrossProcess();

    /**
     * Creates a keyed mutex, unlocked, with key {@code initialKey} and empty private data.
     *
     * @param nameOrNull the name of a shared mutex, or {@code null} for an unnamed one
     * @param initialKey the key the first acquirer must present
     * @param privateDataCapacity the private-data capacity in bytes, 0 for none
     * @return a new handle
     * @throws UnsupportedOperationException if the provider is not supported here, or cannot
     *         create a mutex of this kind (for example a named mutex from an in-process provider)
     * @throws IllegalArgumentException if the name or capacity is not acceptable
     * @throws java.io.UncheckedIOException if a shared mutex cannot be created (name taken,
     *         no permission)
     */
    KeyedMutex create(String nameOrNull, long initialKey, int privateDataCapacity);

    /**
     * Creates a keyed mutex with the given fairness policy. Fair: a release hands the mutex to
     * the longest-waiting thread for the new key. Non-fair: a thread arriving at the moment of a
     * release may take the mutex first ("barging"), for throughput. The default supports only the
     * provider's own policy and refuses {@code fair == true}.
     *
     * @param nameOrNull the name of a shared mutex, or {@code null}
     * @param initialKey the key the first acquirer must present
     * @param privateDataCapacity the private-data capacity in bytes
     * @param fair whether to use the fair policy
     * @return a new handle
     * @throws UnsupportedOperationException if the provider has no such policy
     */
    default KeyedMutex create(String nameOrNull, long initialKey, int privateDataCapacity, boolean fair) {
        if (fair) {
            throw new UnsupportedOperationException("provider '" + name() + "' has no fair policy");
        }
        return create(nameOrNull, initialKey, privateDataCapacity);
    }

    /**
     * Opens an existing shared keyed mutex by name.
     *
     * @param name the mutex's name
     * @return a new handle
     * @throws UnsupportedOperationException if the provider is not cross-process or not supported
     * @throws java.io.UncheckedIOException if there is no such mutex, it is not accessible, or
     *         it is corrupt
     */
    KeyedMutex open(String name);

    /**
     * Removes a shared mutex's name; open handles keep working. The default refuses.
     *
     * @param name the mutex's name
     * @return {@code false} if there was no such name
     * @throws UnsupportedOperationException if the provider is not cross-process
     * @throws java.io.UncheckedIOException if the name exists but cannot be removed
     */
    default boolean delete(String name) {
        throw new UnsupportedOperationException("provider '" + name() + "' has no shared mutexes to delete");
    }
}
