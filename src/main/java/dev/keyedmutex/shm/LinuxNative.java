package dev.keyedmutex.shm;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;

/**
 * The only native calls of the library, through JNA direct mapping into libc, loaded the first
 * time a shared mutex is created or opened: futex wait/wake and mmap. Every address passed here
 * is the base of a validated mapping plus one of {@link ShmLayout}'s constant offsets.
 */
final class LinuxNative {

    private static final long SYS_FUTEX = sysFutex();
    private static final int FUTEX_WAIT_BITSET = 9;
    private static final int FUTEX_WAKE_BITSET = 10;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_FIXED = 0x10;
    private static final int MAP_ANONYMOUS = 0x20;

    /** Futex calls made by this JVM, for tests that prove the uncontended path makes none. */
    static final java.util.concurrent.atomic.LongAdder FUTEX_CALLS = new java.util.concurrent.atomic.LongAdder();

    static {
        Native.register(LinuxNative.class, NativeLibrary.getInstance("c"));
    }

    private LinuxNative() {
    }

    /** Loads JNA and binds the functions (the class initializer); throws LinkageError if it cannot. */
    static void load() {
        // nothing: calling this runs the static initializer once
    }

    private static native long syscall(long number, long uaddr, int op, int val, long[] timeout, long uaddr2, int val3);

    private static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    private static long sysFutex() {
        String arch = System.getProperty("os.arch");
        if ("amd64".equals(arch) || "x86_64".equals(arch)) {
            return 202;
        }
        if ("aarch64".equals(arch)) {
            return 98;
        }
        throw new UnsupportedOperationException("no futex syscall number known for " + arch);
    }

    /** @return the native address of a direct (mapped) buffer */
    static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    /**
     * Sleeps while the 32-bit word at {@code addr} holds {@code expected}, until woken with a
     * matching bitset or until {@code deadlineNanos} on the {@link System#nanoTime()} clock
     * (CLOCK_MONOTONIC on Linux). Returns early, harmlessly, for any other reason (EAGAIN, EINTR).
     */
    static void futexWait(long addr, int expected, long deadlineNanos, int bitset) {
        FUTEX_CALLS.increment();
        long d = Math.max(0L, deadlineNanos);
        syscall(SYS_FUTEX, addr, FUTEX_WAIT_BITSET, expected, new long[] {d / 1_000_000_000L, d % 1_000_000_000L}, 0L, bitset);
    }

    /** Sleepers woken by this JVM's futex wake calls (the kernel's count), for tests of waking by key. */
    static final java.util.concurrent.atomic.LongAdder FUTEX_WOKEN = new java.util.concurrent.atomic.LongAdder();

    /** Wakes up to {@code count} sleepers on the word at {@code addr} whose bitset meets {@code bitset}. */
    static void futexWake(long addr, int count, int bitset) {
        FUTEX_CALLS.increment();
        long woken = syscall(SYS_FUTEX, addr, FUTEX_WAKE_BITSET, count, null, 0L, bitset);
        if (woken > 0) {
            FUTEX_WOKEN.add(woken);
        }
    }

    /**
     * Replaces a closed handle's file mapping with private anonymous memory at the same address:
     * the file is unmapped, and a thread still inside a method of the closed handle touches
     * harmless zeroes instead of faulting. The buffer's own cleaner unmaps the range later.
     *
     * @return whether the kernel accepted it
     */
    static boolean replaceWithAnonymous(long addr, long length) {
        long r = mmap(addr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0L);
        return r == addr;
    }
}
