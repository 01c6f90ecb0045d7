package jmail.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A bare SMTP client for the listener tests: exact bytes out, whole replies (all lines) in. */
final class RawSmtp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawSmtp(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(60_000);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects from 127.0.0.1 to 127.0.0.1:port. */
    static RawSmtp connect(int port) throws IOException {
        return connect("127.0.0.1", "127.0.0.1", port);
    }

    static RawSmtp connect(String from, String to, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(new InetSocketAddress(InetAddress.getByName(to), port), 30_000);
        return new RawSmtp(s);
    }

    void soTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** Reads one whole reply; the lines without CRLF. An empty list means the server closed the connection. */
    List<String> reply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = line();
            if (line == null) {
                return lines;
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return lines;
            }
        }
    }

    /** The last line of the next reply, or null at end of stream. */
    String replyLine() throws IOException {
        List<String> r = reply();
        return r.isEmpty() ? null : r.get(r.size() - 1);
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.UTF_8);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }

    /** Sends {@code line} plus CRLF and returns the last line of the reply. */
    String command(String line) throws IOException {
        send(line + "\r\n");
        return replyLine();
    }

    void send(String raw) throws IOException {
        send(raw.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** Greeting, EHLO, MAIL, RCPT and DATA, asserting nothing; returns the DATA reply. */
    String openTransaction(String rcpt) throws IOException {
        replyLine();
        command("EHLO test.example.com");
        command("MAIL FROM:<sender@example.com>");
        command("RCPT TO:<" + rcpt + ">");
        return command("DATA");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
