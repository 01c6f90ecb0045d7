package jmail.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import jmail.testing.ScriptedRelay;

/** Assertions on a DATA payload as a relay received it. */
final class Wire {
    private Wire() {
    }

    /**
     * The case file's global invariants: every LF after a CR, every CR before an LF, one
     * end-of-data at the very end, no line over 998 octets.
     */
    static void assertWellFormed(ScriptedRelay.Received m) {
        byte[] d = m.data();
        int lineStart = 0;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == '\n' && (i == 0 || d[i - 1] != '\r')) {
                fail("bare LF at offset " + i + " in " + printable(m));
            }
            if (d[i] == '\r' && (i + 1 >= d.length || d[i + 1] != '\n')) {
                fail("bare CR at offset " + i + " in " + printable(m));
            }
            if (d[i] == '\n') {
                assertTrue(i - 1 - lineStart <= 998, "line of " + (i - 1 - lineStart) + " octets");
                lineStart = i + 1;
            }
        }
        String s = new String(d, StandardCharsets.ISO_8859_1);
        assertTrue(s.endsWith("\r\n.\r\n"), printable(m));
        assertEquals(s.length() - 5, s.indexOf("\r\n.\r\n"), "one end-of-data, at the end: " + printable(m));
    }

    /** The payload as text, with the generated Date and Message-ID values replaced by placeholders. */
    static String normalized(ScriptedRelay.Received m) {
        return m.dataAsString()
                .replaceAll("(?md)^Date: [A-Z][a-z]{2}, \\d{1,2} [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\r$", "Date: DATE\r")
                .replaceAll("(?md)^Message-ID: <\\d{14}\\.[0-9a-f]{16}@client\\.example\\.com>\r$", "Message-ID: <ID>\r");
    }

    static String printable(ScriptedRelay.Received m) {
        return m.dataAsString().replace("\r", "\\r").replace("\n", "\\n\n");
    }
}
