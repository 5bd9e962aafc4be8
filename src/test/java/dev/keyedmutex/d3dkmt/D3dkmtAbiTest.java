package dev.keyedmutex.d3dkmt;

import com.sun.jna.Structure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What can be checked of the Windows binding on any OS: struct sizes and field offsets against
 * the ABI table (d3dkmt-abi.md 1.2, Windows x64, computed by JNA with MSVC rules), the status
 * mapping, the timeout conversion, the private-data format and the rendezvous record.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class D3dkmtAbiTest {

    private static void layout(Gdi32D3dkmt.Struct s, int size, Object... fieldsAndOffsets) {
        assertEquals(size, s.size(), s.getClass().getSimpleName() + " size");
        for (int i = 0; i < fieldsAndOffsets.length; i += 2) {
            String f = (String) fieldsAndOffsets[i];
            assertEquals((int) fieldsAndOffsets[i + 1], s.offsetOf(f), s.getClass().getSimpleName() + "." + f);
        }
    }

    @Test
    void structLayoutsMatchTheAbiTable() {
        layout(new Gdi32D3dkmt.CreateKeyedMutex(), 16, "InitialValue", 0, "hSharedHandle", 8, "hKeyedMutex", 12);
        layout(new Gdi32D3dkmt.CreateKeyedMutex2(), 32, "InitialValue", 0, "hSharedHandle", 8, "hKeyedMutex", 12,
                "pPrivateRuntimeData", 16, "PrivateRuntimeDataSize", 24, "Flags", 28);
        layout(new Gdi32D3dkmt.OpenKeyedMutex(), 8, "hSharedHandle", 0, "hKeyedMutex", 4);
        layout(new Gdi32D3dkmt.OpenKeyedMutex2(), 24, "hSharedHandle", 0, "hKeyedMutex", 4, "pPrivateRuntimeData", 8,
                "PrivateRuntimeDataSize", 16);
        layout(new Gdi32D3dkmt.AcquireKeyedMutex(), 32, "hKeyedMutex", 0, "Key", 8, "pTimeout", 16, "FenceValue", 24);
        layout(new Gdi32D3dkmt.AcquireKeyedMutex2(), 48, "hKeyedMutex", 0, "Key", 8, "pTimeout", 16, "FenceValue", 24,
                "pPrivateRuntimeData", 32, "PrivateRuntimeDataSize", 40);
        layout(new Gdi32D3dkmt.ReleaseKeyedMutex(), 24, "hKeyedMutex", 0, "Key", 8, "FenceValue", 16);
        layout(new Gdi32D3dkmt.ReleaseKeyedMutex2(), 40, "hKeyedMutex", 0, "Key", 8, "FenceValue", 16,
                "pPrivateRuntimeData", 24, "PrivateRuntimeDataSize", 32);
        layout(new Gdi32D3dkmt.DestroyKeyedMutex(), 4, "hKeyedMutex", 0);
        assertEquals(Structure.ALIGN_MSVC, Structure.ALIGN_MSVC); // the rules the structs use
    }

    @Test
    void onlyExactlyZeroMeansAcquired() {
        assertEquals(0, NtStatus.SUCCESS);
        assertEquals(0x80, NtStatus.ABANDONED);
        assertEquals(0x102, NtStatus.TIMEOUT);
        assertTrue(NtStatus.ABANDONED >= 0 && NtStatus.TIMEOUT >= 0, "both pass NT_SUCCESS, which is why it is not used");
        assertEquals("STATUS_DEVICE_REMOVED (0xC00002B6)", NtStatus.describe(NtStatus.DEVICE_REMOVED));
        assertEquals("STATUS_INVALID_PARAMETER (0xC000000D)", NtStatus.describe(NtStatus.INVALID_PARAMETER));
        assertEquals("an unknown NTSTATUS (0xC0001234)", NtStatus.describe(0xC000_1234));
        IllegalStateException e = NtStatus.failure("D3DKMTAcquireKeyedMutex2", NtStatus.DEVICE_REMOVED);
        assertEquals("D3DKMTAcquireKeyedMutex2 failed: STATUS_DEVICE_REMOVED (0xC00002B6)", e.getMessage());
    }

    @Test
    void timeoutsRoundUpToWhole100NanosecondUnitsAndNeverEndEarly() {
        assertEquals(0, Timeouts.relative100ns(0), "0: test only");
        assertEquals(0, Timeouts.relative100ns(-5));
        assertEquals(0, Timeouts.relative100ns(Long.MIN_VALUE));
        assertEquals(-1, Timeouts.relative100ns(1));
        assertEquals(-1, Timeouts.relative100ns(100));
        assertEquals(-2, Timeouts.relative100ns(101));
        assertEquals(-10_000, Timeouts.relative100ns(1_000_000), "1 ms");
        assertEquals(-(Long.MAX_VALUE / 100 + 1), Timeouts.relative100ns(Long.MAX_VALUE), "no overflow");
        for (long n = 1; n < 100_000; n += 37) {
            long units = -Timeouts.relative100ns(n);
            assertTrue(units * 100 >= n && (units - 1) * 100 < n, "n=" + n);
        }
    }

    @Test
    void privateDataCarriesItsLengthAndHostileLengthsAreRefused() throws IOException {
        byte[] blob = Blob.encode(ByteBuffer.wrap(new byte[] {9, 8, 7}), 8);
        assertEquals(12, blob.length);
        ByteBuffer out = ByteBuffer.allocate(8);
        Blob.decode(blob, 8, out);
        assertEquals(3, out.position());
        assertArrayEquals(new byte[] {9, 8, 7}, java.util.Arrays.copyOf(out.array(), 3));
        ByteBuffer empty = ByteBuffer.allocate(8);
        Blob.decode(Blob.empty(8), 8, empty);
        assertEquals(0, empty.position());
        for (int hostile : new int[] {-1, 9, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            byte[] b = Blob.empty(8);
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0, hostile);
            IOException e = assertThrows(IOException.class, () -> Blob.decode(b, 8, ByteBuffer.allocate(8)));
            assertTrue(e.getMessage().contains("capacity"), e.getMessage());
        }
        assertThrows(IOException.class, () -> Blob.decode(new byte[5], 8, ByteBuffer.allocate(8)));
    }

    @Test
    void theRendezvousRecordRoundTripsAndRefusesWhatIsWrong() throws IOException {
        int global = 0x4000_0042;
        Rendezvous r = Rendezvous.decode(ByteBuffer.wrap(new Rendezvous(global, 64, 1234).encode()));
        assertEquals(global, r.globalHandle);
        assertEquals(64, r.capacity);
        assertEquals(1234, r.creatorPid);
        refused(b -> b.putLong(0, 0x1234L), "magic");
        refused(b -> b.putInt(8, 2), "version 2");
        refused(b -> b.putInt(12, 0x4000_0040), "not a global D3DKMT handle"); // a local handle
        refused(b -> b.putInt(12, 0x0000_0002), "not a global D3DKMT handle");
        refused(b -> b.putInt(16, -1), "capacity");
        refused(b -> b.putInt(16, Integer.MAX_VALUE), "capacity");
        refused(b -> b.putLong(24, 1L), "reserved");
        IOException shortRecord = assertThrows(IOException.class, () -> Rendezvous.decode(ByteBuffer.allocate(31)));
        assertTrue(shortRecord.getMessage().contains("31 bytes"), shortRecord.getMessage());
    }

    private static void refused(java.util.function.Consumer<ByteBuffer> damage, String expected) {
        ByteBuffer b = ByteBuffer.wrap(new Rendezvous(0x4000_0042, 64, 1).encode()).order(ByteOrder.LITTLE_ENDIAN);
        damage.accept(b);
        IOException e = assertThrows(IOException.class, () -> Rendezvous.decode(b));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
