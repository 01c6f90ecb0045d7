package jmail.submit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A submitted message split into header fields and body lines, and written back with CRLF. */
final class Message {

    private static final byte[] CRLF = {'\r', '\n'};

    final List<HeaderField> headers = new ArrayList<>();
    List<byte[]> body = new ArrayList<>();

    private Message() {
    }

    /**
     * Splits lines into header and body. The header section is the leading run of field lines
     * and their continuations; it ends at an empty line (or one of only white space, which
     * some readers would take for the end anyway), or at the first line that is neither, which
     * then starts the body. When the first line is not a field, everything is body.
     */
    static Message split(List<byte[]> lines) {
        Message m = new Message();
        int i = skipMboxFromLine(lines);
        HeaderField current = null;
        for (; i < lines.size(); i++) {
            byte[] line = lines.get(i);
            if (isBlank(line)) {
                if (current != null) {
                    i++; // the separator belongs to neither part
                }
                break;
            }
            HeaderField field = HeaderField.start(line);
            if (field != null) {
                m.headers.add(field);
                current = field;
            } else if (current != null && (line[0] == ' ' || line[0] == '\t')) {
                current.addContinuation(line);
            } else {
                break;
            }
        }
        m.body = new ArrayList<>(lines.subList(i, lines.size()));
        return m;
    }

    /**
     * Skips a leading mbox "From sender date" line when a header field follows it, as
     * sendmail does; without a field after it, the line may be text ("From the ops team")
     * and is kept as body.
     */
    private static int skipMboxFromLine(List<byte[]> lines) {
        if (lines.size() > 1 && startsWith(lines.get(0), "From ") && HeaderField.isFieldStart(lines.get(1))) {
            return 1;
        }
        return 0;
    }

    private static boolean startsWith(byte[] line, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        if (line.length < p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (line[i] != p[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    /** The first field with this name (case-insensitive), or null. */
    HeaderField first(String name) {
        for (HeaderField h : headers) {
            if (h.is(name)) {
                return h;
            }
        }
        return null;
    }

    boolean has(String name) {
        return first(name) != null;
    }

    void removeAll(String name) {
        headers.removeIf(h -> h.is(name));
    }

    /** Puts {@code field} where the first field of that name is, removing the others; else appends it. */
    void replace(HeaderField field) {
        int at = -1;
        for (int i = headers.size() - 1; i >= 0; i--) {
            if (headers.get(i).is(field.name())) {
                headers.remove(i);
                at = i;
            }
        }
        headers.add(at < 0 ? headers.size() : at, field);
    }

    /** Header lines, the empty separator line and the body, each line ending in CRLF. */
    byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(estimateSize());
        for (HeaderField h : headers) {
            for (byte[] line : h.wireLines()) {
                out.writeBytes(line);
                out.writeBytes(CRLF);
            }
        }
        out.writeBytes(CRLF);
        for (byte[] line : body) {
            out.writeBytes(line);
            out.writeBytes(CRLF);
        }
        return out.toByteArray();
    }

    private int estimateSize() {
        long size = 1024;
        for (byte[] line : body) {
            size += line.length + 2;
        }
        return (int) Math.min(size, Integer.MAX_VALUE - 8);
    }
}
