package dev.keyedmutex;

/**
 * Thrown to a thread that waits for, or tries to acquire, a keyed mutex whose holder disappeared
 * without releasing it: its thread terminated, its process died, or it closed its handle while
 * holding. Mirrors {@code WAIT_ABANDONED} / {@code STATUS_ABANDONED} of the Windows keyed mutex.
 *
 * <p>The data the mutex protected may be inconsistent. An abandoned mutex stays abandoned
 * ({@link KeyedMutex#isAbandoned()} returns {@code true}); recreate it.
 *
 * <p>Memory consistency effects: none. The thread that gets this exception does not hold the
 * mutex, and no happens-before edge runs from the vanished holder's actions to it; what the holder
 * wrote may be seen partly, or not at all.
 */
public class AbandonedMutexException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with no detail message. */
    public AbandonedMutexException() {
        super();
    }

    /**
     * Creates an exception with a detail message.
     *
     * @param message what was abandoned, and how it was detected
     */
    public AbandonedMutexException(String message) {
        super(message);
    }
}
