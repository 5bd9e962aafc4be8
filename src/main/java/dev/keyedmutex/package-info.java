/**
 * keyed-mutex: a mutual-exclusion lock that carries a 64-bit key, after the Windows graphics
 * kernel's keyed mutex.
 *
 * <ul>
 *   <li>{@link dev.keyedmutex.KeyedMutexes}: the entry point (create, open, providers).</li>
 *   <li>{@link dev.keyedmutex.KeyedMutex}: acquire by key, release with the next key, private
 *       data, abandonment.</li>
 *   <li>{@link dev.keyedmutex.KeyedMutexLock}: a drop-in for
 *       {@link java.util.concurrent.locks.ReentrantLock} with keyed lock/unlock on top.</li>
 * </ul>
 *
 * <h2>Memory vocabulary</h2>
 * Comments in this library use the {@link java.lang.invoke.VarHandle} access modes: <i>plain</i>
 * (no ordering), <i>opaque</i> (atomic, no ordering with other variables), <i>release</i> /
 * <i>acquire</i> (a release write is seen, with everything before it, by an acquire read that
 * reads it), <i>volatile</i> (sequentially consistent) and <i>CAS</i> (volatile compare-and-set).
 * Guarantees to users are stated as <i>happens-before</i> edges (JLS 17.4.5), never as
 * "immediately visible".
 */
package dev.keyedmutex;
