package jmail.submit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits submitted input into lines without their line ends. LF, CRLF, a run of CRs before
 * an LF ({@code \r\r\n}) and a lone CR each end one line, so no bare CR survives (the
 * SMTP-smuggling and "552 bare CR" problems). NUL bytes are dropped: they must not end or
 * split anything. A final line without a line end is kept.
 */
final class MessageLines {

    private static final int EOF = -1;

    private final InputStream in;
    private final byte[] buf = new byte[8192];
    private int len;
    private int next;

    private MessageLines(InputStream in) {
        this.in = in;
    }

    /**
     * Reads lines until end of input or, when {@code dotEndsInput}, a line holding only ".".
     * Stops reading right there, so a writer that sends "." and waits is not left hanging.
     */
    static List<byte[]> read(InputStream in, boolean dotEndsInput) throws IOException {
        return new MessageLines(in).readAll(dotEndsInput);
    }

    private List<byte[]> readAll(boolean dotEndsInput) throws IOException {
        List<byte[]> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int c;
        while ((c = read()) != EOF) {
            if (c == 0) {
                continue;
            }
            if (c != '\r' && c != '\n') {
                line.write(c);
                continue;
            }
            int endedLines = 1;
            if (c == '\r') {
                int crs = 1;
                while ((c = read()) == '\r' || c == 0) {
                    crs += c == '\r' ? 1 : 0;
                }
                if (c != '\n') {
                    endedLines = crs; // each lone CR is a line end of its own
                    unread(c);
                }
            }
            for (int k = 0; k < endedLines; k++) {
                byte[] done = line.toByteArray();
                line.reset();
                if (dotEndsInput && done.length == 1 && done[0] == '.') {
                    return lines;
                }
                lines.add(done);
            }
        }
        if (line.size() > 0 && !(dotEndsInput && line.size() == 1 && line.toByteArray()[0] == '.')) {
            lines.add(line.toByteArray());
        }
        return lines;
    }

    private int read() throws IOException {
        if (next == len) {
            // read() rather than readNBytes(): return whatever has arrived, never wait for more.
            len = in.read(buf, 0, buf.length);
            next = 0;
            if (len <= 0) {
                len = 0;
                return EOF;
            }
        }
        return buf[next++] & 0xff;
    }

    private void unread(int c) {
        if (c != EOF) {
            next--;
        }
    }
}
