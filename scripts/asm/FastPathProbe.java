import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexLock;
import dev.keyedmutex.KeyedMutexes;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Warms up one uncontended acquire+release pair of each kind so that C2 compiles it (each pair is
 * its own method, kept out of line), for scripts/fastpath-asm.sh to print and disassemble.
 */
public class FastPathProbe {
    static int counter;

    static void keyed(KeyedMutex m) throws InterruptedException {
        m.acquire(0);
        counter++;
        m.release(0);
    }

    static void keyedLock(KeyedMutexLock l) {
        l.lock();
        try {
            counter++;
        } finally {
            l.unlock();
        }
    }

    static void reentrant(ReentrantLock l) {
        l.lock();
        try {
            counter++;
        } finally {
            l.unlock();
        }
    }

    public static void main(String[] args) throws Exception {
        KeyedMutex m = KeyedMutexes.create(0);
        KeyedMutexLock kl = new KeyedMutexLock();
        ReentrantLock rl = new ReentrantLock();
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 2_000_000; i++) {
                keyed(m);
                keyedLock(kl);
                reentrant(rl);
            }
        }
        System.out.println("counter " + counter);
    }
}
