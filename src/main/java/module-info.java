/**
 * keyed-mutex: a keyed mutex for the JVM.
 *
 * <p>{@code dev.keyedmutex} is the API; {@code dev.keyedmutex.spi} the provider interface that
 * {@link java.util.ServiceLoader} finds. Providers' implementation packages are not exported.
 */
module dev.keyedmutex {
    exports dev.keyedmutex;
    exports dev.keyedmutex.spi;

    // Only the shm provider needs JNA; on the module path add it with --add-modules com.sun.jna.
    requires static com.sun.jna;

    uses dev.keyedmutex.spi.KeyedMutexProvider;

    provides dev.keyedmutex.spi.KeyedMutexProvider with
            dev.keyedmutex.local.LocalProvider,
            dev.keyedmutex.shm.ShmProvider,
            dev.keyedmutex.d3dkmt.D3dkmtProvider;
}
