package jmail.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain SMTP client for load in fault tests: one session, sequential transactions, the final reply
 * code of each returned as a number. Any I/O error (the daemon was killed) ends the session.
 */
final class SmtpSession implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    SmtpSession(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(60_000);
        socket.setTcpNoDelay(true);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        out = socket.getOutputStream();
        expect(reply(), 220);
        expect(command("EHLO load.example.com"), 250);
    }

    /** Sends one message; returns the reply code to the end of DATA (or the first refusal). */
    int send(String from, String to, String message) throws IOException {
        int code = command("MAIL FROM:<" + from + ">");
        if (code != 250) {
            return code;
        }
        code = command("RCPT TO:<" + to + ">");
        if (code != 250) {
            command("RSET");
            return code;
        }
        code = command("DATA");
        if (code != 354) {
            return code;
        }
        out.write(message.replace("\n.", "\n..").getBytes(StandardCharsets.UTF_8));
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply();
    }

    private int command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply();
    }

    private int reply() throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed");
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        return Integer.parseInt(line.substring(0, 3));
    }

    private static void expect(int code, int wanted) throws IOException {
        if (code != wanted) {
            throw new IOException("expected " + wanted + ", got " + code);
        }
    }

    /** A small message tagged so the relay's copy can be matched: {@code Subject: TAG}. */
    static String tagged(String tag, int bodyLines) {
        StringBuilder b = new StringBuilder()
                .append("From: load@example.com\r\nTo: user@example.net\r\n")
                .append("Message-ID: <").append(tag).append("@example.com>\r\n")
                .append("Subject: ").append(tag).append("\r\n\r\n");
        for (int i = 0; i < bodyLines; i++) {
            b.append("line ").append(i).append(" of ").append(tag).append("\r\n");
        }
        return b.toString();
    }

    /** The tag of a message as the relay received it. */
    static String tagOf(String content) {
        String text = "\r\n" + content;
        int i = text.indexOf("\r\nSubject: ");
        int end = text.indexOf("\r\n", i + 11);
        return text.substring(i + 11, end);
    }

    @Override
    public void close() {
        try {
            command("QUIT");
        } catch (IOException ignored) {
            // the daemon may be gone
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
