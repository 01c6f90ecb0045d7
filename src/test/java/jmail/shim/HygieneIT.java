package jmail.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Message hygiene through the whole pipeline (bin/sendmail, jmaild, a relay on loopback), the cases
 * of public-bug-cases.md asserted at the relay; sender rewriting; and the two relays a message may
 * meet: a modern one (PIPELINING, 8BITMIME, SMTPUTF8) and a 7-bit one that offers neither.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HygieneIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String USER = System.getProperty("user.name");
    private static final String ADDED = "From: " + USER + "@example.com\r\nDate: DATE\r\nMessage-ID: <ID>\r\n";

    private ScriptedRelay modern;
    private ScriptedRelay sevenBit;
    private JmailHarness h;
    private JmailHarness old;

    @BeforeAll
    void start() throws Exception {
        modern = ScriptedRelay.builder().capabilities("PIPELINING", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES").start();
        sevenBit = ScriptedRelay.builder().capabilities("PIPELINING", "ENHANCEDSTATUSCODES").start();
        h = new JmailHarness(Files.createTempDirectory("jmail-hygiene")).relay(modern.port()).start();
        old = new JmailHarness(Files.createTempDirectory("jmail-7bit")).relay(sevenBit.port()).start();
    }

    @AfterAll
    void stop() {
        h.close();
        old.close();
        modern.close();
        sevenBit.close();
        Wire.deleteTree(h.dir());
        Wire.deleteTree(old.dir());
    }

    private ScriptedRelay.Received deliver(String stdin, String... argv) throws Exception {
        return deliver(h, modern, stdin.getBytes(StandardCharsets.UTF_8), argv);
    }

    private static ScriptedRelay.Received deliver(JmailHarness via, ScriptedRelay at, byte[] stdin, String... argv)
            throws Exception {
        return Wire.deliver(via, at, stdin, argv);
    }

    @Test
    void b02CrlfInputIsNotDoubledAndEqualsLfInput() throws Exception {
        String crlf = Wire.normalized(deliver("Subject: crlf\r\n\r\nline1\r\nline2\r\n", "-i", "rcpt@example.net"));
        String lf = Wire.normalized(deliver("Subject: crlf\n\nline1\nline2\n", "-i", "rcpt@example.net"));
        assertEquals("Subject: crlf\r\n" + ADDED + "\r\nline1\r\nline2\r\n.\r\n", crlf);
        assertEquals(crlf, lf);
    }

    @Test
    void b03BareCrBecomesALineBreakAndCannotSmuggleAnEndOfData() throws Exception {
        assertEquals("Subject: log\r\n" + ADDED + "\r\n50%\r\n100%\r\ndone\r\n.\r\n",
                Wire.normalized(deliver("Subject: log\n\n50%\r100%\ndone\n", "-i", "rcpt@example.net")));
        int before = modern.messages().size();
        ScriptedRelay.Received m = deliver("Subject: x\n\nhello\r\r\n.\r\r\nQUIT\r\n", "-i", "rcpt@example.net");
        // A run of CRs before LF is one line end (as in MessageCleanupTest); the dot line is stuffed.
        assertEquals("Subject: x\r\n" + ADDED + "\r\nhello\r\n..\r\nQUIT\r\n.\r\n", Wire.normalized(m));
        Thread.sleep(500);
        assertEquals(before + 1, modern.messages().size(), "one message, not two");
    }

    @Test
    void b04NulDoesNotCutTheMessage() throws Exception {
        String body = Wire.normalized(deliver("Subject: nul\n\nbefore\0after\nlast line\n", "-i", "rcpt@example.net"));
        assertTrue(body.endsWith("\r\n\r\nbefore\0after\r\nlast line\r\n.\r\n") || body.endsWith("\r\n\r\nbeforeafter\r\nlast line\r\n.\r\n"),
                body);
    }

    @Test
    void b05LeadingDotsAreStuffedWithAndWithoutI() throws Exception {
        String in = "Subject: dots\n\n.hidden\n..two\n.x.y=\n";
        String stuffed = "\r\n\r\n..hidden\r\n...two\r\n..x.y=\r\n.\r\n";
        assertTrue(deliver(in, "-i", "rcpt@example.net").dataAsString().endsWith(stuffed));
        assertTrue(deliver(in, "rcpt@example.net").dataAsString().endsWith(stuffed));
    }

    @Test
    void b09GroupsBccOnlyAndDuplicates() throws Exception {
        ScriptedRelay.Received a = deliver("To: undisclosed-recipients:;\nBcc: only@example.net\nSubject: s\n\nb\n", "-t");
        assertEquals(List.of("only@example.net"), a.recipients());
        assertEquals("To: undisclosed-recipients:;\r\nSubject: s\r\n" + ADDED + "\r\nb\r\n.\r\n", Wire.normalized(a));
        ScriptedRelay.Received b = deliver("To: dup@example.net\nSubject: s\n\nb\n", "-t", "dup@example.net");
        assertEquals(List.of("dup@example.net"), b.recipients());
        int connections = modern.connectionCount();
        JmailHarness.Run c = h.sendmail("Subject: s\n\nb\n", "-t");
        assertEquals(64, c.exit());
        assertTrue(c.err().contains("no recipients"), c.err());
        assertEquals(connections, modern.connectionCount());
    }

    @Test
    void b11HeaderlessInputGetsFromDateAndAFreshMessageId() throws Exception {
        ScriptedRelay.Received one = deliver("disk almost full\n", "-i", "admin@example.net");
        ScriptedRelay.Received two = deliver("disk almost full\n", "-i", "admin@example.net");
        assertEquals(USER + "@example.com", one.sender());
        assertEquals(ADDED + "\r\ndisk almost full\r\n.\r\n", Wire.normalized(one));
        assertNotEquals(messageId(one), messageId(two));
        assertFalse(one.dataAsString().contains("admin@example.net"));
    }

    private static String messageId(ScriptedRelay.Received m) {
        return m.dataAsString().lines().filter(l -> l.startsWith("Message-ID:")).findFirst().orElseThrow();
    }

    @Test
    void b12HeadersOnlyWithoutNewlineAndEmptyInput() throws Exception {
        assertEquals("Subject: only headers\r\nX-Tag: last\r\n" + ADDED + "\r\n.\r\n",
                Wire.normalized(deliver("Subject: only headers\nX-Tag: last", "-i", "r@example.net")));
        assertEquals(ADDED + "\r\n.\r\n", Wire.normalized(deliver("", "-i", "r@example.net")));
        h.awaitEmptyQueue(WAIT);
    }

    @Test
    void b13LongBodyLineIsQuotedPrintableAndLongToIsFolded() throws Exception {
        ScriptedRelay.Received a = deliver("Subject: long\n\n" + "A".repeat(5000) + "\n", "-i", "r@example.net");
        String text = Wire.normalized(a);
        assertTrue(text.contains("\r\nContent-Transfer-Encoding: quoted-printable\r\n"), text);
        String body = text.substring(text.indexOf("\r\n\r\n") + 4, text.length() - 3);
        assertEquals("A".repeat(5000) + "\r\n", body.replace("=\r\n", ""));
        String to = IntStream.rangeClosed(1, 60).mapToObj(i -> String.format("user%02d@example.net", i))
                .collect(Collectors.joining(", "));
        ScriptedRelay.Received b = deliver("To: " + to + "\nSubject: many\n\nx\n", "-t", "-i");
        assertEquals(60, b.recipients().size());
        String unfolded = b.dataAsString().replaceAll("\r\n[ \t]", " ");
        assertTrue(unfolded.contains(to.replace(", ", ",  ")) || unfolded.contains(to), unfolded);
    }

    @Test
    void b28NullSenderAndFullNames() throws Exception {
        for (String f : List.of("<>", "")) {
            ScriptedRelay.Received m = deliver("x\n", "-i", "-f", f, "r@example.net");
            assertEquals("", m.sender());
            assertTrue(m.dataAsString().startsWith("From: " + USER + "@example.com\r\n"), m.dataAsString());
        }
        ScriptedRelay.Received b = deliver("x\n", "-i", "-f", "jane@example.com", "-F", "Doe, Jane", "r@example.net");
        assertEquals("jane@example.com", b.sender());
        assertTrue(b.dataAsString().startsWith("From: \"Doe, Jane\" <jane@example.com>\r\n"), b.dataAsString());
        ScriptedRelay.Received c = deliver("x\n", "-i", "-f", "jane@example.com", "-F", "山田 太郎", "r@example.net");
        assertTrue(c.dataAsString().startsWith("From: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <jane@example.com>\r\n"), c.dataAsString());
        ScriptedRelay.Received d = deliver("From: Boss <boss@example.com>\n\nx\n", "-i", "-f", "jane@example.com", "-F", "Doe, Jane",
                "r@example.net");
        assertEquals("jane@example.com", d.sender());
        assertEquals("From: Boss <boss@example.com>\r\nDate: DATE\r\nMessage-ID: <ID>\r\n\r\nx\r\n.\r\n", Wire.normalized(d));
    }

    @Test
    void b29CommaListsGroupsRoutesAndEncodedWords() throws Exception {
        assertEquals(List.of("a@example.com", "b@example.net"), deliver("x\n", "-i", "a@example.com,b@example.net").recipients());
        ScriptedRelay.Received b = deliver("To: \"Doe, John\" <john@example.net>, (team) jane@example.net (Jane), "
                + "<@hop.example.org:rt@example.net>, list: g1@example.net, g2@example.net;\nSubject: s\n\nx\n", "-t", "-i");
        assertEquals(List.of("john@example.net", "jane@example.net", "rt@example.net", "g1@example.net", "g2@example.net"),
                b.recipients());
        ScriptedRelay.Received c = deliver("From: =?UTF-8?B?Sm9obiA8ai5kb2VAZXhhbXBsZS5jb20+?=\n\nx\n", "-i", "r@example.net");
        assertTrue(c.dataAsString().startsWith("From: =?UTF-8?B?Sm9obiA8ai5kb2VAZXhhbXBsZS5jb20+?=\r\n"), c.dataAsString());
    }

    @Test
    void b15aInternationalAddressGoesWithSmtpUtf8() throws Exception {
        ScriptedRelay.Received m = deliver("Subject: u\n\nx\n", "-i", "josé@example.net");
        // Angus puts SMTPUTF8 on every MAIL to a relay that offers it; once, and with BODY=8BITMIME (vmime#209).
        assertEquals("MAIL FROM:<" + USER + "@example.com> SMTPUTF8 BODY=8BITMIME", m.mailFromLine());
        assertEquals(List.of("josé@example.net"), m.recipients());
    }

    @Test
    void senderRewriteFixesEnvelopeAndFromKeepingTheName() throws Exception {
        Path map = h.dir().resolve("sender_rewrite");
        try {
            h.set("sender_rewrite", "\"alerts@example.com\"").set("sender_rewrite_reply_to", "yes");
            ScriptedRelay.Received a = deliver("From: Backup Job <root>\nSubject: nightly\n\nok\n", "-i", "ops@example.net");
            assertEquals("alerts@example.com", a.sender());
            assertEquals("From: Backup Job <alerts@example.com>\r\nSubject: nightly\r\nReply-To: root@example.com\r\n"
                    + "Date: DATE\r\nMessage-ID: <ID>\r\n\r\nok\r\n.\r\n", Wire.normalized(a));

            Files.writeString(map, "# login  address\n" + USER + "  shop@example.com\n");
            h.set("sender_rewrite_maps", "\"" + map + "\"");
            ScriptedRelay.Received b = deliver("x\n", "-i", "-F", "Web Shop", "ops@example.net");
            assertEquals("shop@example.com", b.sender());
            assertEquals("Reply-To: " + USER + "@example.com\r\nFrom: Web Shop <shop@example.com>\r\nDate: DATE\r\n"
                    + "Message-ID: <ID>\r\n\r\nx\r\n.\r\n", Wire.normalized(b));

            ScriptedRelay.Received c = deliver("x\n", "-i", "-f", "<>", "ops@example.net");
            assertEquals("", c.sender(), "a bounce stays a bounce");

            h.set("sender_rewrite", "\"not an address\"");
            JmailHarness.Run bad = h.sendmail("x\n", "ops@example.net");
            assertEquals(78, bad.exit());
            assertTrue(bad.err().contains("sender_rewrite"), bad.err());
        } finally {
            h.set("sender_rewrite", "\"\"").set("sender_rewrite_maps", "\"\"").set("sender_rewrite_reply_to", "no");
        }
    }

    @Test
    void eightBitBodyIsReencodedForARelayWithout8bitmime() throws Exception {
        ScriptedRelay.Received m = deliver(old, sevenBit, "Subject: u\n\nメール本文\n".getBytes(StandardCharsets.UTF_8),
                "-i", "r@example.net");
        assertEquals("MAIL FROM:<" + USER + "@example.com>", m.mailFromLine());
        for (byte x : m.data()) {
            assertTrue(x >= 0, "no 8-bit byte goes to a 7-bit relay");
        }
        String text = Wire.normalized(m);
        assertEquals("Subject: u\r\n" + ADDED + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n44Oh44O844Or5pys5paHDQo=\r\n.\r\n", text);
        assertEquals("メール本文\r\n", new String(Base64.getMimeDecoder().decode("44Oh44O844Or5pys5paHDQo="), StandardCharsets.UTF_8));
    }

    @Test
    void b15bInternationalAddressWithoutSmtpUtf8FailsOnceWith567() throws Exception {
        int before = sevenBit.messages().size();
        JmailHarness.Run run = old.sendmail("Subject: u\n\nx\n", "-i", "josé@example.net");
        assertEquals(0, run.exit(), run.all());
        ScriptedRelay.Received bounce = sevenBit.awaitMessages(before + 1, WAIT).get(before);
        assertEquals("", bounce.sender());
        assertEquals(List.of(USER + "@example.com"), bounce.recipients());
        assertTrue(bounce.dataAsString().contains("5.6.7"), bounce.dataAsString());
        assertTrue(bounce.dataAsString().contains("SMTPUTF8"), bounce.dataAsString());
        old.awaitEmptyQueue(WAIT);
        List<String> nonAscii = new ArrayList<>();
        for (String l : sevenBit.commandLines()) {
            if (!l.chars().allMatch(c -> c < 0x80)) {
                nonAscii.add(l);
            }
        }
        assertEquals(List.of(), nonAscii);
        assertTrue(old.logText().contains("dsn=5.6.7"), old.logText());
    }

    @Test
    void b15cInternationalDomainGoesAsPunycode() throws Exception {
        ScriptedRelay.Received m = deliver(old, sevenBit, "Subject: d\n\nx\n".getBytes(StandardCharsets.UTF_8), "-i", "user@bücher.example");
        assertEquals(List.of("user@xn--bcher-kva.example"), m.recipients());
        assertEquals("MAIL FROM:<" + USER + "@example.com>", m.mailFromLine());
    }
}
