package jmail.control;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import jmail.mail.Sysexits;

/** Runs a command in the daemon through its control socket, copying its output to ours. */
public final class ControlClient {
    private ControlClient() {
    }

    /** The command's exit code, or empty when no daemon answers on the socket. */
    public static OptionalInt run(Path queueDirectory, List<String> args, PrintStream out, PrintStream err) throws IOException {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(ControlSocket.path(queueDirectory)));
        } catch (IOException e) {
            return OptionalInt.empty();
        }
        try (ch) {
            byte[] req = String.join("\0", args).getBytes(StandardCharsets.UTF_8);
            DataOutputStream o = new DataOutputStream(Channels.newOutputStream(ch));
            o.writeInt(req.length);
            o.write(req);
            o.flush();
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Channels.newInputStream(ch)));
            while (true) {
                byte type;
                try {
                    type = in.readByte();
                } catch (EOFException e) {
                    err.println("jmail: the daemon closed the control connection early");
                    return OptionalInt.of(Sysexits.TEMPFAIL);
                }
                int len = in.readInt();
                if (type == ControlSocket.EXIT) {
                    return OptionalInt.of(in.readInt());
                }
                byte[] b = in.readNBytes(len);
                (type == ControlSocket.ERR ? err : out).write(b);
            }
        } finally {
            out.flush();
            err.flush();
        }
    }
}
