package jmail.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job, end to end with real processes: bin/sendmail -> jmaild -> H2 queue -> a relay on
 * loopback that demands AUTH.
 */
class CorePipelineIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String USER = System.getProperty("user.name");

    @TempDir
    Path tmp;

    static {
        System.setProperty("mail.smtp.localhost", "relay.example.com");
    }

    @Test
    void utf8BodyGoesThroughAnAuthenticatingTlsRelay() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth("ictsc", "ictsc")
                .capabilities("8BITMIME", "SIZE 10240000", "ENHANCEDSTATUSCODES", "AUTH PLAIN LOGIN").start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), "ictsc", "ictsc").start()) {
            JmailHarness.Run run = h.sendmail("メール本文\n", "user@example.test");
            assertEquals(0, run.exit(), run.all());
            assertEquals("", run.all());

            ScriptedRelay.Received m = relay.awaitMessages(1, WAIT).get(0);
            assertEquals(USER + "@example.com", m.sender());
            assertEquals(java.util.List.of("user@example.test"), m.recipients());
            assertTrue(m.mailFromLine().contains("BODY=8BITMIME"), m.mailFromLine());
            String content = m.contentAsString();
            assertTrue(content.endsWith("\r\n\r\nメール本文\r\n"), content);
            assertTrue(content.contains("From: " + USER + "@example.com\r\n"), content);
            assertTrue(content.contains("\r\nDate: "), content);
            assertTrue(content.contains("\r\nMessage-ID: <"), content);
            assertTrue(content.contains("Content-Type: text/plain; charset=UTF-8\r\n"), content);
            ScriptedRelay.Transcript t = relay.transcript(0);
            assertTrue(t.tls(), "STARTTLS was used");
            assertEquals("ictsc", t.authenticatedUser());
            h.awaitEmptyQueue(WAIT);
            assertTrue(h.logText().contains("status=sent"), h.logText());
            assertFalse(h.logText().contains("ictsc:"), "no credentials in the log");
        }
    }

    @Test
    void greenMailRelayWithAuthWhenCleartextIsExplicitlyAllowed() throws Exception {
        int port = JmailHarness.freePort();
        GreenMail relay = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtp"));
        relay.setUser("ictsc", "ictsc");
        relay.getManagers().getSmtpManager().getUserManager().setAuthRequired(true);
        relay.start();
        try (JmailHarness h = new JmailHarness(tmp).relayWithAuth(port, "ictsc", "ictsc")) {
            h.set("smtp_sasl_security_options", "\"noanonymous\"").start();
            JmailHarness.Run run = h.sendmail("Subject: hi\n\nhello relay\n", "-f", "alerts@example.com", "--", "ops@example.test");
            assertEquals(0, run.exit(), run.all());
            assertTrue(relay.waitForIncomingEmail(60_000, 1), h.logText());
            MimeMessage got = relay.getReceivedMessages()[0];
            assertEquals("hi", got.getSubject());
            // GreenMail stores the body without its last CRLF; exact wire bytes are asserted with ScriptedRelay.
            assertEquals("hello relay", new String(got.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals("alerts@example.com", got.getHeader("Return-Path", null).replaceAll("[<>]", ""));
            h.awaitEmptyQueue(WAIT);
        } finally {
            relay.stop();
        }
    }

    @Test
    void relayDownKeepsTheMessageQueuedWithTheReasonAndDeliversWhenItComesBack() throws Exception {
        int relayPort = JmailHarness.freePort();
        try (JmailHarness h = new JmailHarness(tmp).relay(relayPort).start()) {
            JmailHarness.Run run = h.sendmail("Subject: later\n\nbody\n", "user@example.test");
            assertEquals(0, run.exit(), run.all());
            h.await(WAIT, () -> q(h).contains("Connection refused"), "jmailq to show the reason");
            String listing = q(h);
            assertTrue(listing.contains("user@example.test"), listing);
            assertTrue(listing.contains("-- 1 Kbytes in 1 Request."), listing);
            try (ScriptedRelay relay = ScriptedRelay.builder().port(relayPort).start()) {
                relay.awaitMessages(1, WAIT);
                h.awaitEmptyQueue(WAIT);
                Thread.sleep(1500);
                assertEquals(1, relay.messages().size(), "delivered once");
            }
        }
    }

    @Test
    void killMinus9AfterAcceptanceThenRestartDeliversExactlyOnce() throws Exception {
        int relayPort = JmailHarness.freePort();
        try (JmailHarness h = new JmailHarness(tmp).relay(relayPort).start()) {
            JmailHarness.Run run = h.sendmail("Subject: survive\n\ncrash test\n", "user@example.test");
            assertEquals(0, run.exit(), run.all());
            h.kill9();
            try (ScriptedRelay relay = ScriptedRelay.builder().port(relayPort).start()) {
                h.start();
                relay.awaitMessages(1, WAIT);
                h.awaitEmptyQueue(WAIT);
                Thread.sleep(1500);
                assertEquals(1, relay.messages().size());
                assertTrue(relay.messages().get(0).contentAsString().contains("crash test"));
            }
        }
    }

    @Test
    void wrongPasswordIsDeferredWithTheRelays535AndNoMail() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth("ictsc", "ictsc")
                .capabilities("8BITMIME", "AUTH PLAIN LOGIN").start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), "ictsc", "wrong-secret").start()) {
            assertEquals(0, h.sendmail("x\n", "user@example.test").exit());
            h.await(WAIT, () -> q(h).contains("535 5.7.8"), "jmailq to show the 535");
            assertTrue(relay.commandLines().stream().noneMatch(l -> l.startsWith("MAIL")), relay.commandLines().toString());
            assertFalse(q(h).contains("wrong-secret"));
            assertFalse(h.logText().contains("wrong-secret"));
        }
    }

    @Test
    void postfixStyleUnquotedRelayhostStopsTheDaemonWithOneClearLine() throws Exception {
        JmailHarness h = new JmailHarness(tmp);
        Files.writeString(h.conf(), "queue_directory = \"" + tmp.resolve("q") + "\"\nrelayhost = [smtp.example.net]:587\n");
        JmailHarness.Run run = h.jmaildOnce("-C", h.conf().toString());
        assertEquals(78, run.exit());
        String err = run.err().strip();
        assertFalse(err.contains("\n"), err);
        assertFalse(err.contains("Exception"), err);
        assertTrue(err.contains(h.conf() + ":2"), err);
        assertTrue(err.contains("relayhost = \"[smtp.example.net]:587\""), err);
    }

    @Test
    void unknownKeyStopsTheDaemonWithADidYouMeanHint() throws Exception {
        JmailHarness h = new JmailHarness(tmp);
        Files.writeString(h.conf(), "relayhots = \"[smtp.example.net]:587\"\n");
        JmailHarness.Run run = h.jmaildOnce("-C", h.conf().toString());
        assertEquals(78, run.exit());
        assertEquals("jmaild: fatal: " + h.conf() + ":1: unknown setting relayhots (did you mean relayhost?)", run.err().strip());
    }

    private static String q(JmailHarness h) {
        try {
            return h.jmailq().out();
        } catch (Exception e) {
            return "";
        }
    }
}
