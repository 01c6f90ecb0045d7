package jmail.lifecycle;

import static jmail.lifecycle.Scenario.WAIT;
import static jmail.lifecycle.Scenario.commands;
import static jmail.lifecycle.Scenario.notices;
import static jmail.lifecycle.Scenario.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** B16 (SIZE), connection reuse, and a relay that fails as a whole (535) being backed off as a whole. */
class RelayBehaviourIT {
    @TempDir
    Path tmp;

    @Test
    void messageOverTheRelaysSizeIsBouncedWithTheLimitAndNoData() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().capabilities("8BITMIME", "SIZE 1048576", "ENHANCEDSTATUSCODES").start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port()).start()) {
            StringBuilder body = new StringBuilder("Subject: big\n\n");
            String line = "x".repeat(76) + "\n";
            while (body.length() < 2_000_000) {
                body.append(line);
            }
            String id = Scenario.send(h, "alice@example.com", body.toString(), "r@example.net");
            ScriptedRelay.Received bounce = relay.awaitMessages(1, WAIT).get(0);
            h.awaitEmptyQueue(WAIT);

            assertEquals(0, commands(relay, "MAIL FROM:<alice@example.com>"), "no MAIL, so no DATA, for the big message");
            assertEquals(1, commands(relay, "DATA"), "only the bounce's DATA");
            assertEquals("", bounce.sender());
            Scenario.Dsn dsn = Scenario.parse(bounce);
            assertTrue(dsn.status().contains("Final-Recipient: rfc822; r@example.net\r\nAction: failed\r\nStatus: 5.3.4\r\n"), dsn.status());
            String log = h.logText();
            assertTrue(log.matches("(?s).*" + id + ": to=<r@example.net>, [^\\n]*dsn=5\\.3\\.4, status=bounced \\(message size \\d+ "
                    + "exceeds size limit 1048576 of server .*"), log);
        }
    }

    @Test
    void insufficientStorageAtMailIsTemporary() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().replyToMail("452 4.3.1 Insufficient system storage").start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port()).start()) {
            String id = Scenario.send(h, "alice@example.com", "Subject: s\n\nbody\n", "r@example.net");
            h.await(WAIT, () -> commands(relay, "MAIL FROM:<alice@example.com>") >= 2, "a retry");
            assertEquals(0, commands(relay, "DATA"));
            String listing = q(h);
            assertTrue(listing.contains(id) && listing.contains("(452 4.3.1 Insufficient system storage; attempts: "), listing);
            assertTrue(h.logText().contains("dsn=4.3.1, status=deferred (452 4.3.1 Insufficient system storage)"), h.logText());
            assertEquals(0, notices(relay).size());
        }
    }

    @Test
    void aBurstOfMessagesSharesAFewConnections() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port()).start()) {
            Scenario.submitOverSmtp(h, 30, "alice@example.com", "bob@example.net");
            relay.awaitMessages(30, WAIT);
            h.awaitEmptyQueue(WAIT);
            // default_destination_concurrency_limit = 4 workers, each keeping its connection
            assertTrue(relay.connectionCount() <= 4, "connections: " + relay.connectionCount());
            assertEquals(30, relay.messages().size());
        }
    }

    @Test
    void rejectedLoginBacksOffTheRelayNotEachMessage() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth("ictsc", "ictsc")
                .capabilities("8BITMIME", "AUTH PLAIN LOGIN").rejectAllAuth().start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), "ictsc", "ictsc").start()) {
            Scenario.submitOverSmtp(h, 6, "alice@example.com", "bob@example.net");
            h.await(WAIT, () -> totalAttempts(q(h)) >= 18, "three rounds of attempts");
            String listing = q(h);
            int maxAttempts = maxAttempts(listing);
            int connections = relay.connectionCount();
            // one login attempt per backoff period for the relay, shared by all six messages (+1 for a round
            // in progress, +1 for a message arriving just as the relay's backoff ended), not one per message
            int total = totalAttempts(listing);
            assertTrue(connections <= maxAttempts + 2 && connections * 2 < total, "total attempts " + total + ", "
                    + "connections " + connections + ", attempts per message " + maxAttempts
                    + "\n" + listing);
            assertTrue(listing.contains("SASL authentication failed; server 127.0.0.1[127.0.0.1]:" + relay.port()
                    + " said: 535 5.7.8"), listing);
            assertEquals(0, commands(relay, "MAIL"));

            relay.rejectAllAuth(false);
            assertEquals(0, h.jmailctl("flush").exit());
            relay.awaitMessages(6, WAIT);
            h.awaitEmptyQueue(WAIT);
        }
    }

    static int totalAttempts(String listing) {
        Matcher m = Pattern.compile("; attempts: (\\d+)\\)").matcher(listing);
        int n = 0;
        while (m.find()) {
            n += Integer.parseInt(m.group(1));
        }
        return n;
    }

    static int maxAttempts(String listing) {
        Matcher m = Pattern.compile("; attempts: (\\d+)\\)").matcher(listing);
        int n = 0;
        while (m.find()) {
            n = Math.max(n, Integer.parseInt(m.group(1)));
        }
        return n;
    }
}
