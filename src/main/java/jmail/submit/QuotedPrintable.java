package jmail.submit;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** RFC 2045 quoted-printable encoding of body lines, used when a line is too long to send. */
final class QuotedPrintable {

    /** RFC 2045: encoded lines are at most 76 characters, counting a trailing soft-break "=". */
    static final int MAX_LINE = 76;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private QuotedPrintable() {
    }

    /**
     * Encodes text lines (each without its line end). Every input line end stays a hard line
     * break, so decoding gives back each line followed by CRLF, byte for byte.
     */
    static List<byte[]> encode(List<byte[]> lines) {
        List<byte[]> out = new ArrayList<>();
        ByteArrayOutputStream cur = new ByteArrayOutputStream(MAX_LINE);
        for (byte[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                int b = line[i] & 0xff;
                boolean last = i == line.length - 1;
                boolean literal = b >= 33 && b <= 126 && b != '='
                        || (b == ' ' || b == '\t') && !last; // white space before a line end is lost in transit
                int width = literal ? 1 : 3;
                // Leave room for the soft-break "=" unless this is the line's final unit.
                int limit = last ? MAX_LINE : MAX_LINE - 1;
                if (cur.size() + width > limit) {
                    cur.write('=');
                    out.add(cur.toByteArray());
                    cur.reset();
                }
                if (literal) {
                    cur.write(b);
                } else {
                    cur.write('=');
                    cur.write(HEX[b >> 4]);
                    cur.write(HEX[b & 0xf]);
                }
            }
            out.add(cur.toByteArray());
            cur.reset();
        }
        return out;
    }
}
