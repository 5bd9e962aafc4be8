package dev.keyedmutex.d3dkmt;

/**
 * Java nanoseconds to the kernel's {@code LARGE_INTEGER} timeout (d3dkmt-abi.md, 1.4): 100-ns
 * units, negative for a relative interval, 0 to test without waiting, and a NULL pointer (here
 * {@code null}) to wait forever, never a huge number.
 */
final class Timeouts {

    /** The longest single kernel wait: long waits go in slices so that Java can see interrupts. */
    static final long SLICE_NANOS = 50_000_000L;

    private Timeouts() {
    }

    /**
     * A relative kernel timeout for {@code nanos}, rounded up to whole 100-ns units so that a wait
     * never ends early; 0 (test only) for {@code nanos <= 0}.
     */
    static long relative100ns(long nanos) {
        if (nanos <= 0) {
            return 0L;
        }
        long units = nanos / 100 + (nanos % 100 == 0 ? 0 : 1); // ceil without overflow
        return -units;
    }
}
