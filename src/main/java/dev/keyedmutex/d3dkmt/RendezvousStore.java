package dev.keyedmutex.d3dkmt;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where names meet handles: on Windows, named file mappings in the session's {@code Local\}
 * namespace ({@code NamedMappings}); in the tests, a map in memory.
 */
interface RendezvousStore {

    /**
     * Publishes a record under a name that must not exist yet.
     *
     * @return what keeps the name alive; closing it withdraws the record
     * @throws java.nio.file.FileAlreadyExistsException if the name is taken
     */
    AutoCloseable publish(String name, byte[] record) throws IOException;

    /**
     * Reads the record published under a name.
     *
     * @throws java.nio.file.NoSuchFileException if there is none
     */
    ByteBuffer read(String name) throws IOException;
}
