package jmail.control;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import jmail.mail.MailLog;
import jmail.mail.Sysexits;

/**
 * The daemon's control socket ({@code queue_directory/public/control}), Postfix's showq and
 * postqueue channel: a client sends its argument list, the daemon runs {@link Commands} and streams
 * back framed stdout, stderr and the exit code.
 *
 * <p>SECURITY: anyone on the host may list and flush the queue (as with Postfix's mailq); commands
 * that change the queue or show message content need root or the daemon's own user, checked with the
 * kernel's peer credentials (SO_PEERCRED), not with anything the client says.
 */
public final class ControlSocket implements AutoCloseable {
    static final byte OUT = 'o';
    static final byte ERR = 'e';
    static final byte EXIT = 'x';

    private final ServerSocketChannel server;
    private final Path path;
    private final Commands commands;
    private final String daemonUser = System.getProperty("user.name");
    private final Thread acceptor;

    private ControlSocket(ServerSocketChannel server, Path path, Commands commands) {
        this.server = server;
        this.path = path;
        this.commands = commands;
        this.acceptor = new Thread(this::acceptLoop, "jmail-control");
        this.acceptor.setDaemon(true);
    }

    public static Path path(Path queueDirectory) {
        return queueDirectory.resolve("public").resolve("control");
    }

    public static ControlSocket start(Path queueDirectory, Commands commands) throws IOException {
        Path p = path(queueDirectory);
        Files.createDirectories(p.getParent());
        Files.deleteIfExists(p);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(p));
        try {
            Files.setPosixFilePermissions(p.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (UnsupportedOperationException ignored) {
            // not POSIX: the defaults stand
        }
        ControlSocket c = new ControlSocket(s, p, commands);
        c.acceptor.start();
        return c;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                Thread t = new Thread(() -> serve(ch), "jmail-control-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (server.isOpen()) {
                    MailLog.warning("master", "control socket: " + e.getMessage());
                }
            }
        }
    }

    private void serve(SocketChannel ch) {
        try (ch; DataOutputStream frames = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)))) {
            List<String> args = readRequest(Channels.newInputStream(ch));
            PrintStream out = new PrintStream(new FrameStream(frames, OUT), false, StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(new FrameStream(frames, ERR), false, StandardCharsets.UTF_8);
            int rc;
            if (!args.isEmpty() && Commands.privileged(args.get(0)) && !authorized(ch)) {
                err.println("jmailctl: " + args.get(0) + ": permission denied (run it as root"
                        + (daemonUser.equals("root") ? "" : " or " + daemonUser) + ")");
                rc = Sysexits.NOPERM;
            } else {
                rc = commands.run(args, out, err);
            }
            out.flush();
            err.flush();
            synchronized (frames) {
                frames.writeByte(EXIT);
                frames.writeInt(4);
                frames.writeInt(rc);
                frames.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private boolean authorized(SocketChannel ch) {
        try {
            UnixDomainPrincipal who = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            String name = who.user().getName();
            return name.equals("root") || name.equals(daemonUser);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static List<String> readRequest(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int len = d.readInt();
        if (len < 0 || len > 65536) {
            throw new IOException("bad request");
        }
        byte[] b = d.readNBytes(len);
        String s = new String(b, StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : Arrays.asList(s.split("\0", -1));
    }

    /** Frames bytes written to one stream of the reply. */
    private static final class FrameStream extends OutputStream {
        private final DataOutputStream frames;
        private final byte type;

        FrameStream(DataOutputStream frames, byte type) {
            this.frames = frames;
            this.type = type;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (frames) {
                frames.writeByte(type);
                frames.writeInt(len);
                frames.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            synchronized (frames) {
                frames.flush();
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // shutting down
        }
    }
}
