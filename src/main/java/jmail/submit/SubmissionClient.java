package jmail.submit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The shim's SMTP client to the local listener: java.base only, one buffered write per command
 * batch with TCP_NODELAY (PIPELINING), so no Nagle/delayed-ACK stall is paid per message.
 */
public final class SubmissionClient {
    /** The listener's final answer; {@code code} 250 means stored. */
    public record Reply(int code, String text) {
        public boolean ok() {
            return code / 100 == 2;
        }
    }

    private SubmissionClient() {
    }

    /**
     * Submits one message; returns the first non-2xx reply or the final 250. Throws IOException when
     * the listener cannot be reached or the session breaks before the final reply.
     */
    public static Reply submit(InetSocketAddress listener, String sender, List<String> rcpts, byte[] message,
                               boolean eightBit, String heloName, int timeoutMillis) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(listener, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            Reply r = read(in);
            if (!r.ok()) {
                return r;
            }
            out.write(("EHLO " + heloName + "\r\n").getBytes(StandardCharsets.US_ASCII));
            r = read(in);
            if (!r.ok()) {
                return r;
            }
            boolean utf8 = !isAscii(sender) || rcpts.stream().anyMatch(a -> !isAscii(a));
            StringBuilder batch = new StringBuilder("MAIL FROM:<").append(sender).append(">");
            if (eightBit || utf8) {
                batch.append(" BODY=8BITMIME");
            }
            if (utf8) {
                batch.append(" SMTPUTF8");
            }
            batch.append("\r\n");
            for (String rc : rcpts) {
                batch.append("RCPT TO:<").append(rc).append(">\r\n");
            }
            batch.append("DATA\r\n");
            out.write(batch.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            Reply failure = null;
            for (int i = 0; i < rcpts.size() + 1; i++) {
                Reply x = read(in);
                if (!x.ok() && failure == null) {
                    failure = x;
                }
            }
            Reply data = read(in);
            if (failure != null || data.code() != 354) {
                if (data.code() == 354) {
                    // Some recipients were accepted, so a "." would queue the message for them alone
                    // while we report failure: reset the connection instead, which aborts the DATA.
                    s.setSoLinger(true, 0);
                    return failure;
                }
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return failure != null ? failure : data;
            }
            out.write(dotStuff(message));
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return read(in);
        }
    }

    /** Dot-stuffs a CRLF message and appends the end-of-data line. */
    static byte[] dotStuff(byte[] m) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(m.length + 64);
        boolean lineStart = true;
        for (byte c : m) {
            if (lineStart && c == '.') {
                b.write('.');
            }
            b.write(c);
            lineStart = c == '\n';
        }
        if (!lineStart) {
            b.write('\r');
            b.write('\n');
        }
        b.write('.');
        b.write('\r');
        b.write('\n');
        return b.toByteArray();
    }

    private static Reply read(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        while (true) {
            String line = line(in);
            if (line.length() < 3) {
                throw new IOException("malformed reply from the listener: " + line);
            }
            text.append(text.length() > 0 ? " " : "").append(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) != '-') {
                return new Reply(Integer.parseInt(line.substring(0, 3)), line.substring(0, 3) + " " + text);
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(80);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("the listener closed the connection");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }
}
