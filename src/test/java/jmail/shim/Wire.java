package jmail.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;

/** Assertions on a DATA payload as a relay received it. */
final class Wire {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private Wire() {
    }

    /**
     * Runs bin/sendmail, expects exit 0 and no output, and returns the one message the relay then
     * receives, checked against the global invariants.
     */
    static ScriptedRelay.Received deliver(JmailHarness via, ScriptedRelay at, byte[] stdin, String... argv) throws Exception {
        int before = at.messages().size();
        JmailHarness.Run run = via.sendmail(stdin, argv);
        assertEquals(0, run.exit(), run.all());
        assertEquals("", run.all());
        ScriptedRelay.Received m = at.awaitMessages(before + 1, WAIT).get(before);
        assertWellFormed(m);
        return m;
    }

    /** Removes a temp directory a test class made for its daemons (best effort). */
    static void deleteTree(java.nio.file.Path dir) {
        try (java.util.stream.Stream<java.nio.file.Path> all = java.nio.file.Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // left for the OS to clean up
        }
    }

    /** The MAIL command line, the accepted RCPTs and the payload, byte for byte. */
    static void assertReceivedVerbatim(ScriptedRelay.Received m, String mailFromLine, List<String> recipients, String payload) {
        assertEquals(mailFromLine, m.mailFromLine());
        assertEquals(recipients, m.recipients());
        assertEquals(payload, m.dataAsString());
    }

    /** The MAIL command line, the accepted RCPTs and the {@link #normalized} payload, exactly. */
    static void assertReceived(ScriptedRelay.Received m, String mailFromLine, List<String> recipients, String payload) {
        assertEquals(mailFromLine, m.mailFromLine());
        assertEquals(recipients, m.recipients());
        assertEquals(payload, normalized(m));
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
