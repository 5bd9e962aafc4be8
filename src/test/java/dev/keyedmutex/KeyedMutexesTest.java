package dev.keyedmutex;

import dev.keyedmutex.local.LocalProvider;
import dev.keyedmutex.spi.KeyedMutexProvider;
import org.example.thirdparty.MonitorKeyedMutexProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The entry point: discovery, selection by property, names, bad input (SPEC 2.10-2.12, 3). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeyedMutexesTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(KeyedMutexes.PROVIDER_PROPERTY);
    }

    private static List<String> names(Iterable<KeyedMutexProvider> providers) {
        List<String> names = new ArrayList<>();
        providers.forEach(p -> names.add(p.name()));
        return names;
    }

    @Test
    void serviceLoaderFindsTheBuiltInAndTheThirdPartyProvider() {
        List<String> viaServiceLoader = names(ServiceLoader.load(KeyedMutexProvider.class));
        assertTrue(viaServiceLoader.contains("local"), viaServiceLoader.toString());
        assertTrue(viaServiceLoader.contains(MonitorKeyedMutexProvider.NAME), viaServiceLoader.toString());
        List<String> viaLibrary = names(KeyedMutexes.providers());
        assertEquals("local", viaLibrary.get(0), "built-in providers come first");
        assertTrue(viaLibrary.contains(MonitorKeyedMutexProvider.NAME), viaLibrary.toString());
        assertEquals(viaLibrary.size(), viaLibrary.stream().distinct().count(), "a provider was listed twice");
        assertThrows(UnsupportedOperationException.class, () -> KeyedMutexes.providers().clear());
    }

    @Test
    void providerByName() {
        assertTrue(KeyedMutexes.provider("local") instanceof LocalProvider);
        KeyedMutexProvider p = KeyedMutexes.provider(MonitorKeyedMutexProvider.NAME);
        assertTrue(p.isSupported());
        assertFalse(p.isCrossProcess());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyedMutexes.provider("nope"));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("local"), e.getMessage());
        assertThrows(NullPointerException.class, () -> KeyedMutexes.provider(null));
    }

    @Test
    void createUsesLocalByDefaultAndThePropertyWhenSet() throws Exception {
        try (KeyedMutex m = KeyedMutexes.create(3)) {
            assertTrue(m.getClass().getName().startsWith("dev.keyedmutex.local."), m.getClass().getName());
            assertEquals(3, m.key());
        }
        System.setProperty(KeyedMutexes.PROVIDER_PROPERTY, MonitorKeyedMutexProvider.NAME);
        try (KeyedMutex m = KeyedMutexes.create(4, 8)) {
            assertEquals("org.example.thirdparty.MonitorKeyedMutex", m.getClass().getName());
            assertEquals(8, m.privateDataCapacity());
            m.acquire(4);
            m.release(5);
            assertEquals(5, m.key());
        }
        assertThrows(UnsupportedOperationException.class, () -> KeyedMutexes.create(0, 0, true),
                "the third-party provider has no fair policy and says so");
        System.setProperty(KeyedMutexes.PROVIDER_PROPERTY, "no-such-provider");
        assertThrows(IllegalArgumentException.class, () -> KeyedMutexes.create(0));
    }

    @Test
    void fairAndNonFairLocalMutexes() {
        try (KeyedMutex fair = KeyedMutexes.create(0, 0, true); KeyedMutex nonFair = KeyedMutexes.create(0, 0, false)) {
            assertTrue(fair.asLock(0, 0).isFair());
            assertFalse(nonFair.asLock(0, 0).isFair());
        }
    }

    @Test
    void negativeCapacityIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> KeyedMutexes.create(0, -1));
        assertThrows(IllegalArgumentException.class, () -> KeyedMutexes.provider("local").create(null, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> KeyedMutexes.createShared("ok", 0, -1));
    }

    @Test
    void namesAreCheckedBeforeAnyProviderSeesThem() {
        for (String bad : new String[] {"", "a/b", "..", "../x", ".hidden", "-dash", "a\0b", "a\nb", "tab\tname", "sp ace",
                "slash\\", "x".repeat(201), "caf\u00e9", "a:b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyedMutexes.checkName(bad),
                    "accepted " + bad);
            assertFalse(e.getMessage().contains("\0") || e.getMessage().contains("\n"), "the message must be printable");
            assertThrows(IllegalArgumentException.class, () -> KeyedMutexes.createShared(bad, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> KeyedMutexes.openShared(bad));
            assertThrows(IllegalArgumentException.class, () -> KeyedMutexes.deleteShared(bad));
        }
        for (String good : new String[] {"a", "_", "0", "frame-ring.v2", "A_b-c.d", "x".repeat(200)}) {
            KeyedMutexes.checkName(good);
        }
        assertThrows(NullPointerException.class, () -> KeyedMutexes.checkName(null));
        assertThrows(NullPointerException.class, () -> KeyedMutexes.createShared(null, 0, 0));
        assertThrows(NullPointerException.class, () -> KeyedMutexes.openShared(null));
        assertThrows(NullPointerException.class, () -> KeyedMutexes.deleteShared(null));
    }

    @Test
    void sharedMutexesNeedACrossProcessProvider() {
        // Neither local nor the test provider is cross-process; with no supported cross-process
        // provider (this holds until one is added) the shared calls say so clearly.
        boolean anyCrossProcess = KeyedMutexes.providers().stream().anyMatch(p -> p.isCrossProcess() && p.isSupported());
        org.junit.jupiter.api.Assumptions.assumeFalse(anyCrossProcess, "a cross-process provider is supported here");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> KeyedMutexes.createShared("name", 0, 0));
        assertTrue(e.getMessage().contains("cross-process"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> KeyedMutexes.openShared("name"));
        assertThrows(UnsupportedOperationException.class, () -> KeyedMutexes.deleteShared("name"));
    }

    @Test
    void theLocalProviderHasNoNames() {
        KeyedMutexProvider local = KeyedMutexes.provider("local");
        assertThrows(UnsupportedOperationException.class, () -> local.create("named", 0, 0));
        assertThrows(UnsupportedOperationException.class, () -> local.open("named"));
        assertThrows(UnsupportedOperationException.class, () -> local.delete("named"));
        assertFalse(local.isCrossProcess());
        assertTrue(local.isSupported());
        assertSame(local, KeyedMutexes.provider("local"));
    }
}
