package jmail.lifecycle;

import static jmail.lifecycle.Scenario.WAIT;
import static jmail.lifecycle.Scenario.commands;
import static jmail.lifecycle.Scenario.notices;
import static jmail.lifecycle.Scenario.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * B22 and partial results: what a relay's 2xx, 4xx and 5xx do to each recipient, the DSN the sender
 * gets (parsed as RFC 3464), the backoff between retries, and that notices never loop.
 */
class BounceAndRetryIT {
    private static final String REJECT = "550 5.1.1 <nouser@example.net>: Recipient address rejected";

    @TempDir
    Path tmp;

    @Test
    void permanentRejectionIsTriedOnceAndBouncedToTheSenderWithTheNullSender() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().replyToRcpt("nouser@example.net", REJECT).start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port()).start()) {
            String id = Scenario.send(h, "alice@example.com", "Subject: for nobody\n\nhello\n", "nouser@example.net");
            ScriptedRelay.Received dsnMail = relay.awaitMessages(1, WAIT).get(0);
            h.awaitEmptyQueue(WAIT);
            Thread.sleep(2500); // longer than the backoff: a retry would show now

            assertEquals(1, commands(relay, "RCPT TO:<nouser@example.net>"), relay.commandLines().toString());
            assertEquals(1, relay.messages().size());
            assertTrue(dsnMail.mailFromLine().startsWith("MAIL FROM:<>"), dsnMail.mailFromLine());
            assertEquals(List.of("alice@example.com"), dsnMail.recipients());
            Scenario.Dsn dsn = Scenario.parse(dsnMail);
            assertEquals("Undelivered Mail Returned to Sender", dsn.subject());
            assertTrue(dsn.notification().contains("<nouser@example.net>: " + REJECT), dsn.notification());
            assertTrue(dsn.status().contains("Reporting-MTA: dns; client.example.com\r\n"), dsn.status());
            assertTrue(dsn.status().contains("Final-Recipient: rfc822; nouser@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                    + "Diagnostic-Code: smtp; " + REJECT + "\r\n"), dsn.status());
            assertTrue(dsn.originalHeaders().contains("Subject: for nobody\r\n"), dsn.originalHeaders());
            String log = h.logText();
            assertTrue(log.contains(id + ": to=<nouser@example.net>, relay=127.0.0.1[127.0.0.1]:" + relay.port()), log);
            assertTrue(log.contains("dsn=5.1.1, status=bounced (" + REJECT + ")"), log);
            assertTrue(log.contains(id + ": sender non-delivery notification: "), log);
            assertTrue(log.contains(id + ": removed"), log);
        }
    }

    @Test
    void temporaryFailureStaysQueuedWithGapsThatNeverShrink() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().replyToMail("451 4.7.1 try again later").start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port())) {
            h.set("maximal_backoff_time", "8s").start();
            String id = Scenario.send(h, "alice@example.com", "Subject: later\n\nbody\n", "bob@example.net");
            List<Long> times = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (times.size() < 4 && System.nanoTime() < deadline) {
                long n = commands(relay, "MAIL FROM:");
                while (times.size() < n) {
                    times.add(System.nanoTime() / 1_000_000);
                }
                Thread.sleep(20);
            }
            assertEquals(4, times.size(), h.logText());
            long g1 = times.get(1) - times.get(0);
            long g2 = times.get(2) - times.get(1);
            long g3 = times.get(3) - times.get(2);
            // minimal_backoff_time 1s doubling: about 1s, 2s, 4s. Slack for the poll above only.
            assertTrue(g1 >= 900 && g2 >= g1 - 100 && g3 >= g2 - 100 && g3 >= 2 * g1 - 200, g1 + " " + g2 + " " + g3);

            String listing = q(h);
            assertTrue(listing.contains("(451 4.7.1 try again later; attempts: "), listing);
            assertTrue(listing.startsWith("-Queue ID-"), listing);
            assertTrue(listing.contains(id), listing);
            assertEquals(0, notices(relay).size());
            assertTrue(h.logText().contains(id + ": to=<bob@example.net>"), h.logText());
            assertTrue(h.logText().contains("dsn=4.7.1, status=deferred (451 4.7.1 try again later)"), h.logText());
        }
    }

    @Test
    void mixedRepliesInOneTransactionAreHandledPerRecipient() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().replyToRcpt("nouser@example.net", REJECT)
                .replyToRcpt("later@example.net", "450 4.2.0 <later@example.net>: mailbox busy").start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port()).start()) {
            String id = Scenario.send(h, "alice@example.com", "Subject: three\n\nbody\n",
                    "ok@example.net", "nouser@example.net", "later@example.net");
            h.await(WAIT, () -> relay.messages().size() == 2, "the message and the bounce");
            h.await(WAIT, () -> commands(relay, "RCPT TO:<later@example.net>") >= 3, "two retries of the deferred recipient");

            ScriptedRelay.Received delivered = relay.messages().stream().filter(m -> !m.sender().isEmpty()).findFirst().orElseThrow();
            assertEquals(List.of("ok@example.net"), delivered.recipients());
            Scenario.Dsn dsn = Scenario.parse(notices(relay).get(0));
            assertTrue(dsn.status().contains("Final-Recipient: rfc822; nouser@example.net\r\n"), dsn.status());
            assertTrue(!dsn.status().contains("later@example.net") && !dsn.status().contains("ok@example.net"), dsn.status());
            assertEquals(1, commands(relay, "RCPT TO:<ok@example.net>"));
            assertEquals(1, commands(relay, "RCPT TO:<nouser@example.net>"));
            String listing = q(h);
            assertTrue(listing.contains("(450 4.2.0 <later@example.net>: mailbox busy; attempts: "), listing);
            assertTrue(listing.contains("later@example.net") && !listing.contains("ok@example.net")
                    && !listing.contains("nouser@example.net"), listing);
            assertEquals(2, relay.messages().size(), "no second copy, no second bounce");
            String log = h.logText();
            assertTrue(log.contains(id + ": to=<ok@example.net>") && log.contains("status=sent"), log);
        }
    }

    @Test
    void queueLifetimesExpireMailAndNoticesNeverLoop() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().replyToRcpt("slow@example.net", "451 4.7.1 try again later")
                .replyToRcpt("postmaster@example.com", "550 5.1.1 <postmaster@example.com>: no such user").start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port())) {
            h.set("maximal_queue_lifetime", "6s").set("bounce_queue_lifetime", "2s").start();
            String normal = Scenario.send(h, "alice@example.com", "Subject: slow\n\nbody\n", "slow@example.net");
            String nullSender = Scenario.send(h, "<>", "Subject: a bounce\n\nbody\n", "slow@example.net");
            h.awaitEmptyQueue(WAIT);
            Thread.sleep(2500);

            String log = h.logText();
            int nullExpired = log.indexOf(nullSender + ": to=<slow@example.net>, relay");
            assertTrue(log.matches("(?s).*" + nullSender + ": to=<slow@example.net>, [^\\n]*dsn=5.7.1, status=bounced \\(delivery time expired: 451.*"), log);
            assertTrue(log.matches("(?s).*" + normal + ": to=<slow@example.net>, [^\\n]*dsn=5.7.1, status=bounced \\(delivery time expired: 451.*"), log);
            assertTrue(nullExpired >= 0 && log.indexOf("status=bounced (delivery time expired", log.indexOf(nullSender + ": to="))
                    < log.lastIndexOf(normal + ": to=<slow@example.net>"), "bounce_queue_lifetime (2s) ends first\n" + log);

            // the sender of the normal message gets a DSN; the null-sender message goes to the postmaster once,
            // and when that copy fails too it is dropped: nothing more is generated
            List<ScriptedRelay.Received> toAlice = notices(relay).stream().filter(m -> m.recipients().contains("alice@example.com")).toList();
            assertEquals(1, toAlice.size(), relay.messages().toString());
            Scenario.Dsn dsn = Scenario.parse(toAlice.get(0));
            assertTrue(dsn.status().contains("Status: 5.7.1\r\n"), dsn.status());
            assertEquals(1, commands(relay, "RCPT TO:<postmaster@example.com>"), relay.commandLines().toString());
            assertTrue(log.contains("undeliverable postmaster notification discarded"), log);
            assertEquals(1, relay.messages().size(), relay.messages().toString());
        }
    }

    @Test
    void delayNoticeIsSentOnceAndAFailedBounceGoesToThePostmaster() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().replyToRcpt("slow@example.net", "451 4.7.1 try again later")
                .replyToRcpt("nouser@example.net", REJECT)
                .replyToRcpt("gone@example.org", "550 5.1.1 <gone@example.org>: no such user").start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port())) {
            h.set("delay_warning_time", "1s").set("2bounce_notice_recipient", "\"admin@example.com\"").start();
            String slow = Scenario.send(h, "alice@example.com", "Subject: slow\n\nbody\n", "slow@example.net");
            h.await(WAIT, () -> commands(relay, "RCPT TO:<slow@example.net>") >= 4, "three retries");
            List<ScriptedRelay.Received> delay = notices(relay);
            assertEquals(1, delay.size(), relay.messages().toString());
            Scenario.Dsn d = Scenario.parse(delay.get(0));
            assertEquals("Delayed Mail (still being retried)", d.subject());
            assertTrue(d.status().contains("Final-Recipient: rfc822; slow@example.net\r\nAction: delayed\r\nStatus: 4.7.1\r\n"), d.status());
            assertTrue(h.logText().contains(slow + ": sender delay notification: "), h.logText());

            // a bounce whose recipient does not exist goes to 2bounce_notice_recipient
            Scenario.send(h, "gone@example.org", "Subject: doomed\n\nbody\n", "nouser@example.net");
            h.await(WAIT, () -> relay.messages().stream().anyMatch(m -> m.recipients().contains("admin@example.com")), "the postmaster copy");
            ScriptedRelay.Received copy = relay.messages().stream().filter(m -> m.recipients().contains("admin@example.com")).findFirst().orElseThrow();
            assertTrue(copy.mailFromLine().startsWith("MAIL FROM:<>"), copy.mailFromLine());
            Scenario.Dsn pc = Scenario.parse(copy);
            assertEquals("Postmaster Copy: Undelivered Mail", pc.subject());
            assertTrue(pc.status().contains("Final-Recipient: rfc822; gone@example.org\r\n"), pc.status());
            assertTrue(pc.originalHeaders().contains("Subject: Undelivered Mail Returned to Sender"), pc.originalHeaders());
            assertEquals(1, commands(relay, "RCPT TO:<gone@example.org>"));
        }
    }
}
