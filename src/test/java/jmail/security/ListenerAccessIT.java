package jmail.security;

import static jmail.security.Fixtures.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.nio.file.Path;
import java.util.List;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may talk to the listener and for how long: smtpd_listen, mynetworks, the connection limit and
 * smtpd_timeout; and what reaches the relay when bare line ends are allowed.
 */
class ListenerAccessIT {
    @TempDir
    Path tmp;

    @Test
    void aClientOutsideMynetworksGets554AtConnectAndCannotQueue() throws Exception {
        try (JmailHarness h = new JmailHarness(tmp).set("mynetworks", "[\"127.0.0.1/32\"]").start()) {
            try (RawSmtp outsider = RawSmtp.connect("127.0.0.2", "127.0.0.1", h.port())) {
                assertEquals(List.of("554 5.7.1 Access denied: client not in mynetworks"), outsider.reply());
                assertEquals(List.of(), outsider.reply(), "closed after the 554");
            }
            try (RawSmtp insider = RawSmtp.connect("127.0.0.1", "127.0.0.1", h.port())) {
                assertEquals("220 client.example.com ESMTP jmail", insider.replyLine());
            }
            h.await(WAIT, () -> h.logText().contains("NOQUEUE: reject: connect from localhost[127.0.0.2]: 554 5.7.1 client not in mynetworks"), "the reject log line");
            assertTrue(Fixtures.q(h).contains("Mail queue is empty"));
        }
    }

    @Test
    void theListenerBindsOnlyTheConfiguredAddress() throws Exception {
        try (JmailHarness h = new JmailHarness(tmp).start()) {
            assertThrows(ConnectException.class, () -> RawSmtp.connect("127.0.0.1", "127.0.0.2", h.port()).close());
            try (RawSmtp c = RawSmtp.connect(h.port())) {
                assertTrue(c.replyLine().startsWith("220 "));
            }
        }
    }

    @Test
    void connectionsOverTheLimitGet421AndSlowClientsAreDroppedAfterSmtpdTimeout() throws Exception {
        try (JmailHarness h = new JmailHarness(tmp).set("smtpd_client_connection_count_limit", "2")
                .set("smtpd_timeout", "2s").start();
             RawSmtp idle = RawSmtp.connect(h.port());
             RawSmtp stalledInData = RawSmtp.connect(h.port())) {
            assertTrue(idle.replyLine().startsWith("220 "));
            assertEquals("354 End data with <CR><LF>.<CR><LF>", stalledInData.openTransaction("user@example.net"));
            stalledInData.send("Subject: slow\r\n\r\nhalf a li");
            try (RawSmtp third = RawSmtp.connect(h.port())) {
                assertEquals(List.of("421 4.3.2 Too many connections, try again later"), third.reply());
            }
            // both slot holders are cut off after smtpd_timeout; their slots come back
            String timeout = idle.replyLine();
            assertEquals("421 4.4.2 Error: timeout exceeded", timeout);
            assertEquals(List.of("421 4.4.2 Error: timeout exceeded"), stalledInData.reply());
            assertEquals(List.of(), stalledInData.reply(), "closed after the 421");
            h.await(WAIT, () -> greets(h), "a free slot");
            assertTrue(Fixtures.q(h).contains("Mail queue is empty"), Fixtures.q(h));
        }
    }

    private static boolean greets(JmailHarness h) {
        try (RawSmtp c = RawSmtp.connect(h.port())) {
            return c.replyLine().startsWith("220 ");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * With smtpd_forbid_bare_newline = no the smuggling payload is accepted, but as ONE message: the
     * relay receives exactly one transaction whose bare line ends were made CRLF and whose dots were
     * stuffed, so the relay cannot see an end of data either (B07: the first line is unstuffed once).
     */
    @Test
    void whenBareLineEndsAreAllowedTheRelayStillReceivesExactlyOneMessage() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port()).set("smtpd_forbid_bare_newline", "no").start();
             RawSmtp c = RawSmtp.connect(h.port())) {
            assertEquals("354 End data with <CR><LF>.<CR><LF>", c.openTransaction("b@example.net"));
            c.send("..first\r\nsecond\n.\nMAIL FROM:<admin@example.com>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\n"
                    + "smuggled\r.\rRSET\r\nthird\r\n.\r\n");
            assertTrue(c.replyLine().startsWith("250 2.0.0 Ok: queued as "));
            assertEquals("221 2.0.0 Bye", c.command("QUIT"));
            ScriptedRelay.Received m = relay.awaitMessages(1, WAIT).get(0);
            h.awaitEmptyQueue(WAIT);
            Thread.sleep(1000);
            assertEquals(1, relay.messages().size());
            assertEquals(List.of("b@example.net"), m.recipients());
            assertEquals("..first\r\nsecond\r\n..\r\nMAIL FROM:<admin@example.com>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\n"
                    + "smuggled\r\n..\r\nRSET\r\nthird\r\n.\r\n", m.dataAsString());
            assertTrue(relay.commandLines().stream().noneMatch(l -> l.contains("admin@example.com")), relay.commandLines().toString());
        }
    }

    /** BDAT is not advertised, but a client that uses it anyway must get its bytes stored as sent (no unstuffing). */
    @Test
    void bdatContentIsStoredAsSent() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port()).start();
             RawSmtp c = RawSmtp.connect(h.port())) {
            c.replyLine();
            c.command("EHLO test.example.com");
            c.command("MAIL FROM:<sender@example.com>");
            c.command("RCPT TO:<b@example.net>");
            String content = ".first\r\nSubject: chunked\r\n\r\nbody\r\n";
            c.send("BDAT " + content.length() + " LAST\r\n" + content);
            assertTrue(c.replyLine().startsWith("250 2.0.0 Ok: queued as "));
            ScriptedRelay.Received m = relay.awaitMessages(1, WAIT).get(0);
            assertEquals("..first\r\nSubject: chunked\r\n\r\nbody\r\n.\r\n", m.dataAsString());
        }
    }
}
