package dev.keyedmutex.d3dkmt;

import dev.keyedmutex.KeyedMutex;
import dev.keyedmutex.KeyedMutexes;
import dev.keyedmutex.contract.KeyedMutexContract;
import dev.keyedmutex.testkit.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract against the REAL Windows kernel keyed mutex, and a two-process hand-off. Enabled
 * on Windows only; as of this writing it has never been run (no Windows machine here): see
 * docs/d3dkmt.md.
 */
@EnabledOnOs(OS.WINDOWS)
class D3dkmtWindowsTest extends KeyedMutexContract {

    private static final AtomicInteger SEQ = new AtomicInteger();

    @Override
    protected KeyedMutex create(long initialKey, int privateDataCapacity) {
        return new D3dkmtProvider().create(null, initialKey, privateDataCapacity);
    }

    @Override
    protected boolean promptInterrupts() {
        return false;
    }

    @Test
    void twoProcessesHandTheMutexBackAndForthByName() throws Exception {
        String name = "kmtest-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        try (KeyedMutex m = KeyedMutexes.createShared(name, 0, 8)) {
            ChildJvm.Running child = ChildJvm.start(ChildJvm.currentJava(), java.util.List.of("-cp",
                    System.getProperty("java.class.path"), "dev.keyedmutex.testkit.ShmChild", "pingpong", name, "500", "1"));
            try {
                ByteBuffer in = ByteBuffer.allocate(8);
                for (int r = 0; r < 500; r++) {
                    in.clear();
                    assertTrue(m.tryAcquire(2L * r, 30, TimeUnit.SECONDS, in), "round " + r);
                    long hops = in.position() == 0 ? 0 : in.getLong(0);
                    assertEquals(2L * r, hops);
                    m.release(2L * r + 1, ByteBuffer.allocate(8).putLong(0, hops + 1));
                }
                assertEquals(0, child.waitFor(Duration.ofMinutes(2)), child.output());
            } finally {
                child.close();
            }
        }
    }
}
