package jmail.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay is down, then refuses with 421, then drops the connection in the middle of DATA, then
 * works: every message arrives exactly once, and a refusing relay is not hammered.
 */
class RelayFlapIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int MESSAGES = 30;

    @TempDir
    Path tmp;

    @Test
    void outageThen421ThenMidDataDropLosesAndDuplicatesNothing() throws Exception {
        int relayPort = JmailHarness.freePort();
        try (JmailHarness h = new JmailHarness(tmp).relay(relayPort).start()) {
            Set<String> accepted = new TreeSet<>();
            try (SmtpSession smtp = new SmtpSession(h.port())) {
                for (int i = 0; i < MESSAGES; i++) {
                    String tag = "flap-" + i;
                    assertEquals(250, smtp.send("load@example.com", "user@example.net", SmtpSession.tagged(tag, 20)));
                    accepted.add(tag);
                }
            }
            h.await(WAIT, () -> h.logText().contains("Connection refused"), "a refused connection to the relay that is down");

            try (ScriptedRelay refusing = ScriptedRelay.builder().port(relayPort)
                    .greeting("421 4.3.2 relay.example.com Service not available, closing channel").start()) {
                refusing.awaitConnections(1, WAIT);
                Thread.sleep(3000);
                // minimal_backoff_time is 1s: a few tries per second at most, not a connection per message
                int tries = refusing.connectionCount();
                System.out.println("RelayFlapIT: " + tries + " connections to the 421 relay in about 3 s");
                assertTrue(tries <= 20, "the 421 relay got " + tries + " connections in about 3 s");
                assertEquals(List.of(), refusing.messages());
            }

            try (ScriptedRelay dropping = ScriptedRelay.builder().port(relayPort).dropAfter(ScriptedRelay.MID_DATA).start()) {
                dropping.awaitConnections(2, WAIT);
                assertEquals(List.of(), dropping.messages());
            }

            try (ScriptedRelay relay = ScriptedRelay.builder().port(relayPort).start()) {
                h.jmailctl("flush");
                h.await(WAIT, () -> new HashSet<>(CrashIT.tags(relay.messages())).containsAll(accepted), "all messages at the relay");
                h.awaitEmptyQueue(WAIT);
                List<String> tags = CrashIT.tags(relay.messages());
                assertEquals(accepted.size(), tags.size(), "each message exactly once: " + tags);
                assertEquals(accepted, new TreeSet<>(tags));
            }
        }
    }
}
