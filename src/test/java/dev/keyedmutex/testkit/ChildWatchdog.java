package dev.keyedmutex.testkit;

import java.util.concurrent.TimeUnit;

/**
 * Ends a test's child JVM when its parent (the test JVM) ends, or after a fixed lifetime,
 * whichever comes first: a child never outlives a test run that was killed or crashed.
 */
public final class ChildWatchdog {

    /** The longest a child JVM may run. */
    public static final long MAX_LIFETIME_MINUTES = 10;

    private ChildWatchdog() {
    }

    /** Starts the watchdog thread (a daemon); call first thing in a child's main. */
    public static void start() {
        Thread t = new Thread(() -> {
            try {
                ProcessHandle.current().parent()
                        .map(ProcessHandle::onExit)
                        .orElseThrow()
                        .get(MAX_LIFETIME_MINUTES, TimeUnit.MINUTES);
            } catch (Exception e) {
                // timed out, or no parent to watch: end anyway
            }
            Runtime.getRuntime().halt(97);
        }, "child-watchdog");
        t.setDaemon(true);
        t.start();
    }
}
