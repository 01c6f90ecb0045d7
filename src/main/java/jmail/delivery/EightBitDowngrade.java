package jmail.delivery;

import jakarta.mail.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.eclipse.angus.mail.smtp.SMTPMessage;

/**
 * RFC 6152 section 3: an 8-bit body must not go to a server that did not offer 8BITMIME. A
 * single-part body is re-encoded as base64 (which says exactly the same bytes) and its
 * Content-Transfer-Encoding header replaced; multipart and message/* bodies would need a MIME
 * parser to re-encode part by part and go out unchanged, as do 8-bit header fields.
 *
 * <p>SECURITY: the message is untrusted stored input; only its header names and the
 * Content-Type/Content-Transfer-Encoding tokens are read, and the whole body is encoded blindly.
 */
final class EightBitDowngrade {
    private static final byte[] CRLF = {'\r', '\n'};

    private EightBitDowngrade() {
    }

    /** The message to send: the stored bytes, or their 7-bit form when {@code needed}. */
    static SMTPMessage message(Session session, Path body, boolean needed) {
        return needed ? new Downgraded(session, body) : new RawMessage(session, body);
    }

    /** The 7-bit form of a CRLF message, or the message itself when it cannot be re-encoded. */
    static byte[] toSevenBit(byte[] msg) {
        int split = headerEnd(msg);
        if (split < 0) {
            return msg;
        }
        List<String> fields = fields(new String(msg, 0, split, StandardCharsets.ISO_8859_1));
        String type = token(value(fields, "Content-Type"));
        String cte = token(value(fields, "Content-Transfer-Encoding"));
        if (type.startsWith("multipart/") || type.startsWith("message/")
                || !(cte.isEmpty() || cte.equals("7bit") || cte.equals("8bit") || cte.equals("binary"))) {
            return msg;
        }
        byte[] body = java.util.Arrays.copyOfRange(msg, split + 2, msg.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(msg.length * 4 / 3 + 256);
        for (String f : fields) {
            if (!isField(f, "Content-Transfer-Encoding")) {
                out.writeBytes(f.getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        if (value(fields, "MIME-Version") == null) {
            out.writeBytes("MIME-Version: 1.0\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        if (type.isEmpty()) {
            String charset = isUtf8(body) ? "UTF-8" : "unknown-8bit";
            out.writeBytes(("Content-Type: text/plain; charset=" + charset + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("Content-Transfer-Encoding: base64\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(Base64.getMimeEncoder(76, CRLF).encode(body));
        out.writeBytes(CRLF);
        return out.toByteArray();
    }

    /** The offset of the CRLF that ends the header section's last line, or -1. */
    private static int headerEnd(byte[] m) {
        if (m.length >= 2 && m[0] == '\r' && m[1] == '\n') {
            return 0;
        }
        for (int i = 0; i + 3 < m.length; i++) {
            if (m[i] == '\r' && m[i + 1] == '\n' && m[i + 2] == '\r' && m[i + 3] == '\n') {
                return i + 2;
            }
        }
        return -1;
    }

    /** Header fields with their continuation lines, each ending in CRLF. */
    private static List<String> fields(String header) {
        List<String> out = new ArrayList<>();
        for (String line : header.split("(?<=\r\n)")) {
            if (!out.isEmpty() && (line.startsWith(" ") || line.startsWith("\t"))) {
                out.set(out.size() - 1, out.get(out.size() - 1) + line);
            } else if (!line.isEmpty()) {
                out.add(line);
            }
        }
        return out;
    }

    private static boolean isField(String field, String name) {
        return field.regionMatches(true, 0, name + ":", 0, name.length() + 1);
    }

    private static String value(List<String> fields, String name) {
        for (String f : fields) {
            if (isField(f, name)) {
                return f.substring(name.length() + 1);
            }
        }
        return null;
    }

    /** "8bit" from " 8BIT (comment)\r\n"; "" for a missing field. */
    private static String token(String value) {
        if (value == null) {
            return "";
        }
        String v = value.strip();
        int end = 0;
        while (end < v.length() && ";( \t\r\n".indexOf(v.charAt(end)) < 0) {
            end++;
        }
        return v.substring(0, end).toLowerCase(Locale.ROOT);
    }

    private static boolean isUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** A queued message sent in its 7-bit form. */
    private static final class Downgraded extends SMTPMessage {
        private final Path body;

        Downgraded(Session session, Path body) {
            super(session);
            this.body = body;
        }

        @Override
        public void writeTo(OutputStream os) throws IOException {
            os.write(toSevenBit(Files.readAllBytes(body)));
        }

        @Override
        public void writeTo(OutputStream os, String[] ignoreHeaders) throws IOException {
            writeTo(os);
        }
    }
}
