package dev.keyedmutex.testkit;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A daemon thread running a body that may throw, with bounded waits for its result. Tests never
 * sleep to synchronize: they wait, with a deadline, for a state they can observe.
 */
public final class TestThread<T> {

    /** A body that may throw anything. */
    @FunctionalInterface
    public interface Body<T> {
        T run() throws Throwable;
    }

    /** A body without a result. */
    @FunctionalInterface
    public interface VoidBody {
        void run() throws Throwable;
    }

    public static final Duration LONG = Duration.ofSeconds(20);

    private final Thread thread;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicReference<T> result = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private TestThread(String name, Body<T> body) {
        this.thread = new Thread(() -> {
            try {
                result.set(body.run());
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                done.countDown();
            }
        }, name);
        thread.setDaemon(true);
    }

    public static <T> TestThread<T> start(String name, Body<T> body) {
        TestThread<T> t = new TestThread<>(name, body);
        t.thread.start();
        return t;
    }

    public static TestThread<Void> run(String name, VoidBody body) {
        return start(name, () -> {
            body.run();
            return null;
        });
    }

    public Thread thread() {
        return thread;
    }

    public void interrupt() {
        thread.interrupt();
    }

    public boolean isDone() {
        return done.getCount() == 0;
    }

    /** Waits (bounded) for the body to finish and returns what it returned, or fails with what it threw. */
    public T join() {
        return join(LONG);
    }

    public T join(Duration timeout) {
        awaitDone(timeout);
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError(thread.getName() + " failed: " + t, t);
        }
        return result.get();
    }

    /** Waits (bounded) for the body to finish by throwing, and returns what it threw. */
    public Throwable joinFailure() {
        awaitDone(LONG);
        Throwable t = failure.get();
        if (t == null) {
            fail(thread.getName() + " was expected to throw but returned " + result.get());
        }
        return t;
    }

    /** Waits (bounded) for the body to throw an exception of the given type. */
    public <X extends Throwable> X joinFailure(Class<X> type) {
        Throwable t = joinFailure();
        if (!type.isInstance(t)) {
            throw new AssertionError(thread.getName() + " threw " + t + ", expected " + type.getName(), t);
        }
        return type.cast(t);
    }

    private void awaitDone(Duration timeout) {
        try {
            if (!done.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                thread.interrupt();
                fail(thread.getName() + " did not finish within " + timeout + "; state " + thread.getState()
                        + ", stack " + java.util.Arrays.toString(thread.getStackTrace()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits (bounded) until the thread is parked or waiting: blocked in a lock, not spinning. */
    public TestThread<T> awaitBlocked() {
        awaitBlocked(thread);
        return this;
    }

    /** Asserts the thread is still alive and has not finished (as much as can be observed). */
    public void assertStillBlocked() {
        assertTrue(!isDone(), () -> thread.getName() + " finished but should still be blocked: "
                + (failure.get() != null ? failure.get() : result.get()));
        Thread.State s = thread.getState();
        assertTrue(s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.RUNNABLE,
                () -> thread.getName() + " is " + s);
    }

    /**
     * Waits (bounded) until the thread is parked, or asleep in a native futex wait (where Java
     * reports it RUNNABLE), i.e. blocked rather than spinning.
     */
    public static void awaitBlocked(Thread thread) {
        Waits.until(() -> {
            Thread.State s = thread.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.TERMINATED
                    || (s == Thread.State.RUNNABLE && inNativeSleep(thread));
        }, () -> thread.getName() + " never blocked; it is " + thread.getState());
        assertTrue(thread.getState() != Thread.State.TERMINATED, thread.getName() + " terminated instead of blocking");
    }

    private static boolean inNativeSleep(Thread thread) {
        StackTraceElement[] stack = thread.getStackTrace();
        return stack.length > 0 && stack[0].isNativeMethod() && stack[0].getClassName().endsWith(".LinuxNative");
    }

    /** Asserts the body finished normally with the expected result. */
    public void assertResult(T expected) {
        assertEquals(expected, join());
    }

    static void pause() {
        LockSupport.parkNanos(100_000L);
    }
}
