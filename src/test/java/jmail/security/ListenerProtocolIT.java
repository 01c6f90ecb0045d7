package jmail.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import jmail.testing.JmailHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The listener's SMTP dialogue against hostile or careless clients (issue 5, B07): smuggling byte
 * sequences, limits, VRFY/EXPN, the EHLO capability list. One daemon serves every test; none of them
 * may leave a message in the queue.
 */
class ListenerProtocolIT {
    @TempDir
    static Path tmp;
    private static JmailHarness h;

    @BeforeAll
    static void startDaemon() throws Exception {
        h = new JmailHarness(tmp).relay(JmailHarness.freePort())
                .set("message_size_limit", "2000")
                .set("smtpd_recipient_limit", "3")
                .start();
    }

    @AfterAll
    static void stopDaemon() {
        h.close();
    }

    @AfterEach
    void nothingWasQueued() throws Exception {
        assertTrue(Fixtures.q(h).contains("Mail queue is empty"), Fixtures.q(h));
    }

    @Test
    void ehloAdvertisesExactlyTheSupportedExtensions() throws Exception {
        try (RawSmtp c = RawSmtp.connect(h.port())) {
            assertEquals("220 client.example.com ESMTP jmail", c.replyLine());
            c.send("EHLO test.example.com\r\n");
            assertEquals(List.of("250-client.example.com", "250-PIPELINING", "250-8BITMIME", "250-ENHANCEDSTATUSCODES",
                    "250-SIZE 2000", "250 SMTPUTF8"), c.reply());
        }
    }

    @Test
    void vrfyAndExpnAreDisabled() throws Exception {
        try (RawSmtp c = RawSmtp.connect(h.port())) {
            c.replyLine();
            c.command("EHLO test.example.com");
            assertTrue(c.command("VRFY root").startsWith("502 5.5.1 "));
            assertTrue(c.command("EXPN staff").startsWith("502 5.5.1 "));
            assertEquals("250 2.0.0 Ok", c.command("NOOP"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"not an address", "", "a@b@c", "<x@example.net>", "x@-bad-.example", "x@exa mple.net"})
    void malformedRecipientsAreRefusedWith553(String rcpt) throws Exception {
        try (RawSmtp c = RawSmtp.connect(h.port())) {
            c.replyLine();
            c.command("EHLO test.example.com");
            assertEquals("250 2.0.0 Ok", c.command("MAIL FROM:<sender@example.com>"));
            String reply = c.command("RCPT TO:<" + rcpt + ">");
            assertTrue(reply.startsWith("553 5.1.3 ") || reply.startsWith("501 5.5.4 "), reply);
        }
    }

    @Test
    void theRecipientAfterTheLimitGets452() throws Exception {
        try (RawSmtp c = RawSmtp.connect(h.port())) {
            c.replyLine();
            c.command("EHLO test.example.com");
            c.command("MAIL FROM:<sender@example.com>");
            for (int i = 1; i <= 3; i++) {
                assertEquals("250 2.0.0 Ok", c.command("RCPT TO:<r" + i + "@example.net>"));
            }
            assertTrue(c.command("RCPT TO:<r4@example.net>").startsWith("452 4.5.3 "));
        }
    }

    @Test
    void anOversizedMessageIsDrainedRefusedWith552AndTheSessionStaysUsable() throws Exception {
        try (RawSmtp c = RawSmtp.connect(h.port())) {
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.openTransaction("user@example.net"));
            // the body holds SMTP commands: if the listener stopped reading at the limit, they would run
            c.send("Subject: big\r\n\r\n" + "x".repeat(3000) + "\r\nRSET\r\nMAIL FROM:<evil@example.com>\r\n.\r\n");
            assertEquals(List.of("552 5.3.4 Message size exceeds fixed limit"), c.reply());
            assertEquals("250 2.0.0 Ok", c.command("MAIL FROM:<sender@example.com>"));
            assertEquals("250 2.0.0 Ok", c.command("RSET"));
            assertTrue(c.command("MAIL FROM:<sender@example.com> SIZE=5000").startsWith("552 5.3.4 "));
        }
    }

    @Test
    void anOverlongCommandLineIsRefusedAndTheDaemonStaysHealthy() throws Exception {
        try (RawSmtp c = RawSmtp.connect(h.port())) {
            c.replyLine();
            assertEquals("500 5.5.2 Error: line too long", c.command("NOOP " + "x".repeat(10_000)));
        }
        try (RawSmtp c = RawSmtp.connect(h.port())) {
            assertTrue(c.replyLine().startsWith("220 "));
        }
    }

    /**
     * The 2023 SMTP smuggling end-of-data variants (CVE-2023-51764/5/6): none may end the data, the
     * smuggled MAIL/RCPT/DATA must never run, and bare line ends get one 521 and nothing is queued.
     */
    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\r.\r", "\r\n.\r", "\n.\r\n", "\r.\n", "\n", "\r"})
    void smugglingSequencesNeverEndTheDataAndGetOne521(String sequence) throws Exception {
        try (RawSmtp c = RawSmtp.connect(h.port())) {
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.openTransaction("user@example.net"));
            c.send("Subject: outer\r\n\r\nouter body" + sequence + "MAIL FROM:<admin@example.com>\r\n"
                    + "RCPT TO:<victim@example.net>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n");
            assertEquals(List.of("521 5.5.2 Error: bare <CR> or <LF> received; use <CR><LF>"), c.reply());
            assertEquals(List.of(), c.reply(), "the connection is closed after 521, nothing else is answered");
        }
    }

    /** B07: a stuffed first line, {@code \n.\n} and an RSET inside the data: exactly one reply. */
    @Test
    void b07PayloadGetsExactlyOneReply() throws Exception {
        try (RawSmtp c = RawSmtp.connect(h.port())) {
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.openTransaction("b@example.net"));
            c.send("..first\r\nsecond\n.\nRSET\r\nthird\r\n.\r\n");
            assertEquals(List.of("521 5.5.2 Error: bare <CR> or <LF> received; use <CR><LF>"), c.reply());
            assertNull(c.replyLine());
        }
    }
}
