package jmail.submit;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Makes a body sendable without changing what it says: lines over 998 octets are re-encoded
 * as quoted-printable, and 8-bit UTF-8 text without MIME headers gets them, so receivers know
 * how to read it. Multipart and message/* bodies are left alone: re-encoding them would need
 * a MIME parser and a mistake would corrupt every part, so an over-long line there goes out
 * as it is.
 */
final class BodyEncoding {

    private BodyEncoding() {
    }

    static void apply(Message m) {
        boolean tooLong = m.body.stream().anyMatch(line -> line.length > HeaderField.MAX_LINE);
        boolean eightBit = m.body.stream().anyMatch(BodyEncoding::hasEightBit);
        if (tooLong && canReencode(m)) {
            String charset = !eightBit ? "us-ascii" : isUtf8(m.body) ? "UTF-8" : "unknown-8bit";
            m.body = QuotedPrintable.encode(m.body);
            addMimeHeaders(m, charset);
            m.replace(HeaderField.generated("Content-Transfer-Encoding", "quoted-printable", HeaderField.MAX_LINE));
        } else if (eightBit && !m.has("MIME-Version") && !m.has("Content-Type") && isUtf8(m.body)) {
            addMimeHeaders(m, "UTF-8");
            if (!m.has("Content-Transfer-Encoding")) {
                m.headers.add(HeaderField.generated("Content-Transfer-Encoding", "8bit", HeaderField.MAX_LINE));
            }
        }
    }

    private static void addMimeHeaders(Message m, String charset) {
        if (!m.has("MIME-Version")) {
            m.headers.add(HeaderField.generated("MIME-Version", "1.0", HeaderField.MAX_LINE));
        }
        if (!m.has("Content-Type")) {
            m.headers.add(HeaderField.generated("Content-Type", "text/plain; charset=" + charset, HeaderField.MAX_LINE));
        }
    }

    /** Only an identity-encoded (7bit, 8bit or none), single-part body may be re-encoded. */
    private static boolean canReencode(Message m) {
        HeaderField cte = m.first("Content-Transfer-Encoding");
        if (cte != null) {
            String enc = token(cte.value());
            if (!enc.equals("7bit") && !enc.equals("8bit")) {
                return false;
            }
        }
        HeaderField type = m.first("Content-Type");
        if (type != null) {
            String t = token(type.value());
            return !t.startsWith("multipart/") && !t.startsWith("message/");
        }
        return true;
    }

    /** The leading token of a MIME value, lower case: "8bit" from " 8BIT (comment)". */
    private static String token(String value) {
        String v = value.strip();
        int end = 0;
        while (end < v.length() && ";( \t\r\n".indexOf(v.charAt(end)) < 0) {
            end++;
        }
        return v.substring(0, end).toLowerCase(Locale.ROOT);
    }

    static boolean hasEightBit(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean isUtf8(List<byte[]> lines) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            for (byte[] line : lines) {
                decoder.reset();
                decoder.decode(ByteBuffer.wrap(line));
            }
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
