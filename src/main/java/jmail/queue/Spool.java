package jmail.queue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * Message bodies as files: written to {@code incoming/}, fsync'd, renamed into {@code messages/ID} and the
 * directory fsync'd. Bodies stay out of H2 because BLOB churn makes its file grow without bound.
 */
public final class Spool {
    private final Path incoming;
    private final Path messages;

    public Spool(Path queueDirectory) throws IOException {
        this.incoming = Files.createDirectories(queueDirectory.resolve("incoming"));
        this.messages = Files.createDirectories(queueDirectory.resolve("messages"));
    }

    /** A body being received; {@link #write} it, then {@link #commit} or {@link #abort}. */
    public final class Draft implements AutoCloseable {
        private final String id;
        private final Path temp;
        private final FileChannel channel;
        private final OutputStream out;
        private long size;
        private boolean closed;

        private Draft(String id) throws IOException {
            this.id = id;
            this.temp = incoming.resolve(id);
            this.channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            this.out = new java.io.BufferedOutputStream(Channels.newOutputStream(channel), 65536);
        }

        public String id() {
            return id;
        }

        public long size() {
            return size;
        }

        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            size += len;
        }

        /** Makes the body durable under its queue ID: fsync the file, rename it, fsync the directory. */
        public void commit() throws IOException {
            out.flush();
            forceAndClose();
            move(temp, messages.resolve(id));
            syncDirectory(messages);
        }

        /**
         * Writes the body out and renames it into place without any fsync; {@link #forceAndClose}
         * then makes its bytes durable and the caller's group commit the rename. This lets the body's
         * fsync run while H2's own runs, instead of one after the other.
         */
        void flushAndRename() throws IOException {
            out.flush();
            move(temp, messages.resolve(id));
        }

        void forceAndClose() throws IOException {
            try {
                channel.force(true);
            } finally {
                close();
            }
        }

        public void abort() {
            close();
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // a stale temp file is removed at the next start
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // nothing was promised for this body
                }
            }
        }
    }

    public Draft create(String id) throws IOException {
        return new Draft(id);
    }

    /** Stores a complete body from a stream (maildrop import, bounces). */
    public long store(String id, InputStream in) throws IOException {
        try (Draft d = create(id)) {
            byte[] buf = new byte[65536];
            int n;
            try {
                while ((n = in.read(buf)) > 0) {
                    d.write(buf, 0, n);
                }
                d.commit();
            } catch (IOException e) {
                d.abort();
                throw e;
            }
            return d.size();
        }
    }

    /** Makes every rename into {@code messages/} so far durable. */
    void syncMessagesDirectory() throws IOException {
        syncDirectory(messages);
    }

    public Path path(String id) {
        return messages.resolve(id);
    }

    /** The stored body's length in bytes, or -1 if there is none. */
    long storedSize(String id) {
        try {
            return Files.size(path(id));
        } catch (IOException e) {
            return -1;
        }
    }

    public InputStream open(String id) throws IOException {
        return Files.newInputStream(path(id));
    }

    public void delete(String id) {
        try {
            Files.deleteIfExists(path(id));
        } catch (IOException ignored) {
            // an orphan body is removed by the next start's sweep
        }
    }

    /** Removes temp files left by a crash (never acknowledged, so nothing promised is lost). */
    public void sweepIncoming() throws IOException {
        try (Stream<Path> s = Files.list(incoming)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    public Stream<String> storedIds() throws IOException {
        return Files.list(messages).map(p -> p.getFileName().toString());
    }

    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            // some file systems refuse fsync on a directory; the file itself was fsync'd
        }
    }
}
