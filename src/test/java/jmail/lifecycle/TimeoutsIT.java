package jmail.lifecycle;

import static jmail.lifecycle.Scenario.WAIT;
import static jmail.lifecycle.Scenario.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * B24: a relay that drops SYNs, never greets, or stops reading in the middle of DATA. Each attempt
 * ends after the configured timeout, the message is deferred with the reason, and the next message
 * still gets its turn (one delivery worker, so it really waits for the stalled one).
 */
class TimeoutsIT {
    @TempDir
    Path tmp;

    private JmailHarness daemon(int relayPort) throws Exception {
        return new JmailHarness(tmp).relay(relayPort).set("smtp_connect_timeout", "2s").set("smtp_read_timeout", "2s")
                .set("default_destination_concurrency_limit", "1").set("message_size_limit", "64000000");
    }

    @Test
    void blackholedRelayTimesOutAndSaysSo() throws Exception {
        try (Blackhole hole = new Blackhole(); JmailHarness h = daemon(hole.port()).start()) {
            long t0 = System.nanoTime();
            String id = Scenario.send(h, "alice@example.com", "Subject: s\n\nbody\n", "bob@example.net");
            assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "sendmail returns once queued");
            h.await(WAIT, () -> q(h).contains("Connection timed out"), "the timeout in jmailq");
            String listing = q(h);
            assertTrue(listing.contains(id), listing);
            assertTrue(listing.contains("(connect to 127.0.0.1[127.0.0.1]:" + hole.port() + ": Connection timed out; attempts: "), listing);
            assertTrue(h.logText().contains("dsn=4.4.1, status=deferred (connect to 127.0.0.1[127.0.0.1]:" + hole.port()
                    + ": Connection timed out)"), h.logText());
        }
    }

    @Test
    void stalledGreetingTimesOutAndTheNextMessageStillGoes() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().stallGreeting().start(); JmailHarness h = daemon(relay.port()).start()) {
            String first = Scenario.send(h, "alice@example.com", "Subject: one\n\nbody\n", "bob@example.net");
            h.await(WAIT, () -> q(h).contains("timed out while receiving the initial server greeting"), "the greeting timeout");
            assertTrue(q(h).contains(first), q(h));
            Scenario.send(h, "alice@example.com", "Subject: two\n\nbody\n", "carol@example.net");
            relay.stallGreeting(false);
            relay.awaitMessages(2, WAIT);
            h.awaitEmptyQueue(WAIT);
            assertTrue(h.logText().contains("dsn=4.4.2, status=deferred (conversation with 127.0.0.1[127.0.0.1]:" + relay.port()
                    + " timed out while receiving the initial server greeting)"), h.logText());
        }
    }

    @Test
    void relayThatStopsReadingMidDataIsDeferredAndTheNextMessageIsTried() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().stopReadingInData().start(); JmailHarness h = daemon(relay.port()).start()) {
            StringBuilder body = new StringBuilder("Subject: big\n\n");
            String line = "y".repeat(76) + "\n";
            while (body.length() < 24_000_000) {
                body.append(line);
            }
            String big = Scenario.send(h, "alice@example.com", body.toString(), "bob@example.net");
            String small = Scenario.send(h, "alice@example.com", "Subject: small\n\nbody\n", "carol@example.net");
            h.await(WAIT, () -> h.logText().contains(big + ": to=<bob@example.net>"), "the stalled attempt to end");
            String log = h.logText();
            assertTrue(log.matches("(?s).*" + big + ": to=<bob@example.net>, [^\\n]*dsn=4\\.4\\.2, status=deferred "
                    + "\\(conversation with 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:" + relay.port() + " timed out\\).*"), log);
            relay.stopReadingInData(false);
            h.await(WAIT, () -> relay.messages().stream().anyMatch(m -> m.recipients().contains("carol@example.net")), "the second message");
            assertTrue(h.logText().contains(small + ": to=<carol@example.net>"), h.logText());
            assertEquals(0, relay.messages().stream().filter(m -> m.recipients().contains("bob@example.net")
                    && m.data().length < 1000).count());
        }
    }
}
