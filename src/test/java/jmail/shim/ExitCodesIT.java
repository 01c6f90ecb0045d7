package jmail.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every sysexits code bin/sendmail returns, each from a real cause: 64 usage, 65 data, 69
 * unavailable, 75 temporary (the listener's 4xx; the maildrop case is in {@link MaildropIT}),
 * 78 configuration. Nothing is queued in any of them. More recipients than smtpd_recipient_limit is
 * not an error for a local caller (as with Postfix): such a message goes through the maildrop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExitCodesIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private ScriptedRelay relay;
    private JmailHarness h;

    @BeforeAll
    void start() throws Exception {
        relay = ScriptedRelay.builder().start();
        h = new JmailHarness(Files.createTempDirectory("jmail-exit")).relay(relay.port())
                .set("smtpd_recipient_limit", "2").set("message_size_limit", "2000").start();
    }

    @AfterAll
    void stop() {
        h.close();
        relay.close();
        Wire.deleteTree(h.dir());
    }

    @Test
    void usage64ForAnUnknownFlagAndForNoRecipients() throws Exception {
        JmailHarness.Run unknown = h.sendmail("x\n", "-Z", "r@example.net");
        assertEquals(64, unknown.exit());
        assertEquals("sendmail: unknown option -Z\nusage: sendmail [-t] [-i] [-f sender] [-F fullname] [-C main.conf] [--] recipient ...\n",
                unknown.err());
        JmailHarness.Run none = h.sendmail("x\n", "-i");
        assertEquals(64, none.exit());
        assertTrue(none.err().startsWith("sendmail: no recipients"), none.err());
        assertNothingQueued();
    }

    @Test
    void data65ForHeaderInjectionBadAddressesAndAMessageTooBig() throws Exception {
        JmailHarness.Run f = h.sendmail("x\n", "-f", "a@example.com\nBcc: victim@example.net", "r@example.net");
        assertEquals(65, f.exit());
        assertTrue(f.err().contains("sender (-f) contains a CR, LF or NUL character"), f.err());
        JmailHarness.Run name = h.sendmail("x\n", "-F", "Jane\rBcc: victim@example.net", "r@example.net");
        assertEquals(65, name.exit());
        assertTrue(name.err().contains("full name (-F) contains a CR, LF or NUL character"), name.err());
        JmailHarness.Run addr = h.sendmail("x\n", "a b@example.net");
        assertEquals(65, addr.exit());
        assertEquals("sendmail: bad address syntax: a b@example.net\n", addr.err());
        JmailHarness.Run big = h.sendmail("Subject: big\n\n" + "0123456789\n".repeat(300), "r@example.net");
        assertEquals(65, big.exit());
        assertTrue(big.err().contains("552 5.3.4"), big.err());
        assertNothingQueued();
    }

    @Test
    void temporary75WhenTheListenerSays4xx() throws Exception {
        // A stand-in listener that answers MAIL with 451: the shim must report a temporary failure.
        try (ScriptedRelay busy = ScriptedRelay.builder().replyToMail("451 4.3.0 Error: queue file write error").start()) {
            JmailHarness other = new JmailHarness(Files.createDirectories(h.dir().resolve("busy")));
            other.set("smtpd_listen", "[\"127.0.0.1:" + busy.port() + "\"]");
            JmailHarness.Run run = other.sendmail("x\n", "a@example.net");
            assertEquals(75, run.exit());
            assertEquals("sendmail: the mail system refused the message: 451 4.3.0 Error: queue file write error\n", run.err());
            assertFalse(Files.exists(other.queueDirectory().resolve("maildrop")) && Files.list(other.queueDirectory().resolve("maildrop")).findAny().isPresent(),
                    "a 4xx is reported, not turned into a maildrop file");
        }
    }

    @Test
    void moreRecipientsThanTheListenersLimitStillGoOutBecauseTheLimitIsForSmtpClients() throws Exception {
        JmailHarness.Run run = h.sendmail("Subject: many\n\nx\n", "a@example.net", "b@example.net", "c@example.net");
        assertEquals(0, run.exit(), run.all());
        ScriptedRelay.Received m = relay.awaitMessages(1, WAIT).get(0);
        assertEquals(java.util.List.of("a@example.net", "b@example.net", "c@example.net"), m.recipients());
        h.awaitEmptyQueue(WAIT);
        relay.clearMessages();
    }

    @Test
    void unavailable69ForAQueueCommandWithNoQueue() throws Exception {
        JmailHarness other = new JmailHarness(Files.createTempDirectory("jmail-noqueue"));
        JmailHarness.Run run = other.sendmail("", "-q");
        Wire.deleteTree(other.dir());
        assertEquals(69, run.exit());
        assertTrue(run.err().contains("no queue in " + other.queueDirectory()), run.err());
    }

    @Test
    void config78ForABrokenMainConf() throws Exception {
        JmailHarness other = new JmailHarness(Files.createDirectories(h.dir().resolve("badconf")));
        Path conf = other.conf();
        Files.writeString(conf, "relayhost = [smtp.example.net]:587\n");
        JmailHarness.Run run = other.sendmail("x\n", "r@example.net");
        assertEquals(78, run.exit());
        assertTrue(run.err().startsWith("sendmail: fatal: " + conf + ":1"), run.err());
        assertFalse(run.err().strip().contains("\n"), run.err());
        Files.writeString(conf, "relayhots = \"[smtp.example.net]:587\"\n");
        JmailHarness.Run typo = other.sendmail("x\n", "r@example.net");
        assertEquals(78, typo.exit());
        assertEquals("sendmail: fatal: " + conf + ":1: unknown setting relayhots (did you mean relayhost?)\n", typo.err());
    }

    private void assertNothingQueued() throws Exception {
        assertTrue(h.jmailq().out().contains("Mail queue is empty"), h.jmailq().out());
        Thread.sleep(300);
        assertEquals(0, relay.messages().size());
    }
}
