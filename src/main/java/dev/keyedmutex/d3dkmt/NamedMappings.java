package dev.keyedmutex.d3dkmt;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.WString;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

/**
 * {@link RendezvousStore} on Windows: one pagefile-backed named file mapping per name, in the
 * session's namespace ({@code Local\keyed-mutex.NAME}), created with the default security of the
 * process token, which lets in only the creating user (and SYSTEM, administrators). The creator
 * keeps the mapping handle open; Windows removes the name with the last handle.
 *
 * <p>Not yet run on Windows by this project.
 */
final class NamedMappings implements RendezvousStore {

    private static final int PAGE_READWRITE = 0x04;
    private static final int FILE_MAP_WRITE = 0x0002;
    private static final int FILE_MAP_READ = 0x0004;
    private static final int ERROR_FILE_NOT_FOUND = 2;
    private static final int ERROR_ACCESS_DENIED = 5;
    private static final int ERROR_ALREADY_EXISTS = 183;
    private static final Pointer INVALID_HANDLE_VALUE = Pointer.createConstant(-1L);

    private final com.sun.jna.Function createFileMapping;
    private final com.sun.jna.Function openFileMapping;
    private final com.sun.jna.Function mapViewOfFile;
    private final com.sun.jna.Function unmapViewOfFile;
    private final com.sun.jna.Function closeHandle;

    private NamedMappings(NativeLibrary kernel32) {
        createFileMapping = kernel32.getFunction("CreateFileMappingW");
        openFileMapping = kernel32.getFunction("OpenFileMappingW");
        mapViewOfFile = kernel32.getFunction("MapViewOfFile");
        unmapViewOfFile = kernel32.getFunction("UnmapViewOfFile");
        closeHandle = kernel32.getFunction("CloseHandle");
    }

    static NamedMappings load() {
        return new NamedMappings(NativeLibrary.getInstance("kernel32"));
    }

    static String objectName(String name) {
        return "Local\\keyed-mutex." + name;
    }

    @Override
    public AutoCloseable publish(String name, byte[] record) throws IOException {
        if (record.length != Rendezvous.SIZE) { // the native writes below assume the whole record
            throw new IllegalArgumentException("a rendezvous record is " + Rendezvous.SIZE + " bytes, not " + record.length);
        }
        Native.setLastError(0); // CreateFileMappingW reports "already exists" only through the last error
        Pointer handle = (Pointer) createFileMapping.invoke(Pointer.class, new Object[] {INVALID_HANDLE_VALUE, null,
            PAGE_READWRITE, 0, record.length, new WString(objectName(name))});
        int error = Native.getLastError();
        if (handle == null) {
            throw error == ERROR_ACCESS_DENIED ? new AccessDeniedException(objectName(name))
                    : new IOException("CreateFileMappingW failed for " + objectName(name) + ": error " + error);
        }
        if (error == ERROR_ALREADY_EXISTS) {
            closeHandle.invokeInt(new Object[] {handle});
            throw new FileAlreadyExistsException(objectName(name));
        }
        Pointer view = (Pointer) mapViewOfFile.invoke(Pointer.class, new Object[] {handle, FILE_MAP_WRITE, 0, 0, (long) record.length});
        if (view == null) {
            closeHandle.invokeInt(new Object[] {handle});
            throw new IOException("MapViewOfFile failed for " + objectName(name) + ": error " + Native.getLastError());
        }
        // The name is visible (zero-filled) already: the magic goes last, so that a reader who sees
        // it sees the whole record (Rendezvous). The fence orders the two native stores on any CPU.
        view.write(8, record, 8, record.length - 8);
        VarHandle.fullFence();
        view.write(0, record, 0, 8);
        unmapViewOfFile.invokeInt(new Object[] {view});
        return () -> closeHandle.invokeInt(new Object[] {handle});
    }

    @Override
    public ByteBuffer read(String name) throws IOException {
        Pointer handle = (Pointer) openFileMapping.invoke(Pointer.class, new Object[] {FILE_MAP_READ, false, new WString(objectName(name))});
        if (handle == null) {
            int error = Native.getLastError();
            if (error == ERROR_FILE_NOT_FOUND) {
                throw new NoSuchFileException(objectName(name));
            }
            throw error == ERROR_ACCESS_DENIED ? new AccessDeniedException(objectName(name))
                    : new IOException("OpenFileMappingW failed for " + objectName(name) + ": error " + error);
        }
        try {
            Pointer view = (Pointer) mapViewOfFile.invoke(Pointer.class, new Object[] {handle, FILE_MAP_READ, 0, 0, (long) Rendezvous.SIZE});
            if (view == null) {
                throw new IOException("MapViewOfFile failed for " + objectName(name) + ": error " + Native.getLastError());
            }
            try {
                // The magic first, then the rest (the publisher's order reversed, see Rendezvous).
                byte[] record = new byte[Rendezvous.SIZE];
                view.read(0, record, 0, 8);
                VarHandle.fullFence();
                view.read(8, record, 8, Rendezvous.SIZE - 8);
                return ByteBuffer.wrap(record);
            } finally {
                unmapViewOfFile.invokeInt(new Object[] {view});
            }
        } finally {
            closeHandle.invokeInt(new Object[] {handle});
        }
    }
}
