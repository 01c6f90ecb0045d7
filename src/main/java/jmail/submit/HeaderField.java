package jmail.submit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One header field as submitted: its name and its physical lines (without line ends), kept
 * byte for byte. Lines longer than RFC 5322's 998 octets are folded only when written out.
 */
final class HeaderField {

    /** RFC 5322 section 2.1.1: the hard limit, not counting CRLF. */
    static final int MAX_LINE = 998;
    /** RFC 5322 section 2.1.1: the length to aim for when we fold anyway. */
    static final int PREFERRED_LINE = 78;

    private final String name;
    private final List<byte[]> lines = new ArrayList<>();

    private HeaderField(String name, byte[] firstLine) {
        this.name = name;
        lines.add(firstLine);
    }

    /**
     * Starts a field from a line such as "Subject: x", or returns null when the line does
     * not begin with a field name (printable ASCII but ':', at least one) and a colon.
     */
    static HeaderField start(byte[] line) {
        int colon = nameEnd(line);
        return colon < 0 ? null : new HeaderField(new String(line, 0, colon, StandardCharsets.US_ASCII), line);
    }

    private static int nameEnd(byte[] line) {
        for (int i = 0; i < line.length; i++) {
            int b = line[i] & 0xff;
            if (b == ':') {
                return i > 0 ? i : -1;
            }
            if (b < 33 || b > 126) {
                return -1;
            }
        }
        return -1;
    }

    static boolean isFieldStart(byte[] line) {
        return nameEnd(line) > 0;
    }

    /** A field we add, "name: value"; folded only if longer than {@code foldOver} octets. */
    static HeaderField generated(String name, String value, int foldOver) {
        byte[] line = (name + ": " + value).getBytes(StandardCharsets.UTF_8);
        List<byte[]> folded = fold(line, foldOver);
        HeaderField f = new HeaderField(name, folded.get(0));
        f.lines.addAll(folded.subList(1, folded.size()));
        return f;
    }

    void addContinuation(byte[] line) {
        lines.add(line);
    }

    String name() {
        return name;
    }

    boolean is(String other) {
        return name.equalsIgnoreCase(other);
    }

    /** The unfolded value after the colon, decoded as UTF-8 (RFC 6532). */
    String value() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] first = lines.get(0);
        out.write(first, name.length() + 1, first.length - name.length() - 1);
        for (int i = 1; i < lines.size(); i++) {
            out.writeBytes(lines.get(i));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The lines to send: as submitted, except that any line over 998 octets is folded. */
    List<byte[]> wireLines() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] line : lines) {
            out.addAll(fold(line, MAX_LINE));
        }
        return out;
    }

    /**
     * Folds a line longer than {@code trigger} into lines of about 78 octets, never over 998.
     * It breaks before white space, which unfolding undoes exactly; failing that, after a
     * comma, inserting one space (harmless in the address lists that grow this long); and only
     * as a last resort at 998 octets, on a UTF-8 character boundary.
     */
    static List<byte[]> fold(byte[] line, int trigger) {
        if (line.length <= trigger) {
            return List.of(line);
        }
        List<byte[]> out = new ArrayList<>();
        int lastText = line.length - 1;
        while (lastText >= 0 && isWsp(line[lastText])) {
            lastText--;
        }
        int pos = 0;
        boolean pad = false;
        while (line.length - pos + (pad ? 1 : 0) > PREFERRED_LINE) {
            int room = pad ? 1 : 0;
            // The first line keeps the field name and the start of its value: "X-Name:" alone is ugly.
            int textStart = skipWsp(line, pos == 0 ? Math.max(nameEnd(line) + 1, 0) : pos);
            int bp = findBreak(line, pos, textStart, lastText, PREFERRED_LINE - room, MAX_LINE - room);
            if (bp < 0) {
                break;
            }
            out.add(segment(line, pos, bp, pad));
            pad = !isWsp(line[bp]);
            pos = bp;
        }
        int end = line.length - pos + (pad ? 1 : 0) > MAX_LINE ? lastText + 1 : line.length;
        out.add(segment(line, pos, end, pad));
        return out;
    }

    /** Where the next line should start, or -1 when the rest may stay as it is. */
    private static int findBreak(byte[] line, int pos, int textStart, int lastText, int preferred, int max) {
        for (int p = Math.min(pos + preferred, lastText); p > textStart; p--) {
            if (canBreak(line, p, lastText)) {
                return p;
            }
        }
        int limit = Math.min(pos + max, lastText);
        for (int p = Math.max(pos + preferred + 1, textStart + 1); p <= limit; p++) {
            if (canBreak(line, p, lastText)) {
                return p;
            }
        }
        if (line.length - pos <= max) {
            return -1;
        }
        int p = pos + max;
        while (p > textStart + 1 && (line[p] & 0xc0) == 0x80) {
            p--;
        }
        return p <= lastText ? p : -1;
    }

    private static int skipWsp(byte[] line, int from) {
        int i = from;
        while (i < line.length && isWsp(line[i])) {
            i++;
        }
        return i;
    }

    private static boolean canBreak(byte[] line, int p, int lastText) {
        if (isWsp(line[p])) {
            return p < lastText; // the new line must hold more than white space
        }
        return line[p - 1] == ',';
    }

    private static byte[] segment(byte[] line, int from, int to, boolean pad) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from + 1);
        if (pad) {
            out.write(' ');
        }
        out.write(line, from, to - from);
        return out.toByteArray();
    }

    private static boolean isWsp(byte b) {
        return b == ' ' || b == '\t';
    }
}
