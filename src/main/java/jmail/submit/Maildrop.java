package jmail.submit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The maildrop directory (Postfix's postdrop): where the sendmail shim leaves a message when the
 * daemon cannot take it over SMTP. One file per message: a small envelope header, a blank line, the
 * cleaned message. Written to a temp name, fsync'd, renamed, directory fsync'd: durable before the
 * shim exits 0. java.base only, because the shim loads this class.
 *
 * <p>SECURITY: any local user may write here; the daemon treats every file as untrusted input.
 */
public final class Maildrop {
    static final String MAGIC = "JMAIL-MAILDROP 1";
    private static final java.util.random.RandomGenerator RANDOM = UniqueRandom.create();

    /** The envelope and message of one maildrop file. */
    public record Entry(String sender, List<String> recipients, InputStream message) {
    }

    private Maildrop() {
    }

    public static Path directory(Path queueDirectory) {
        return queueDirectory.resolve("maildrop");
    }

    /** Writes one message durably and returns its file. */
    public static Path write(Path dir, String sender, List<String> recipients, byte[] message) throws IOException {
        byte[] rnd = new byte[6];
        RANDOM.nextBytes(rnd);
        String name = System.currentTimeMillis() + "." + ProcessHandle.current().pid() + "." + HexFormat.of().formatHex(rnd);
        Path temp = dir.resolve("." + name + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = Channels.newOutputStream(ch);
            StringBuilder head = new StringBuilder(MAGIC).append('\n').append("S ").append(sender).append('\n');
            for (String r : recipients) {
                head.append("R ").append(r).append('\n');
            }
            head.append('\n');
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(message);
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        try {
            try {
                Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system; the daemon reads what it can
            }
            Path target = dir.resolve(name);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // some file systems refuse a directory fsync; the file itself is on disk
            }
            return target;
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Reads a maildrop file's envelope; the returned stream is positioned at the message. */
    public static Entry read(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 65536);
        try {
            if (!MAGIC.equals(line(in))) {
                throw new IOException("not a jmail maildrop file");
            }
            String sender = null;
            List<String> rcpts = new ArrayList<>();
            for (String l = line(in); !l.isEmpty(); l = line(in)) {
                if (l.startsWith("S ") && sender == null) {
                    sender = l.substring(2);
                } else if (l.startsWith("R ")) {
                    rcpts.add(l.substring(2));
                } else {
                    throw new IOException("bad envelope line: " + l);
                }
            }
            if (sender == null || rcpts.isEmpty()) {
                throw new IOException("envelope without sender or recipients");
            }
            return new Entry(sender, rcpts, in);
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0 || b.size() > 4096) {
                throw new IOException("truncated envelope");
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
