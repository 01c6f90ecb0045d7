package jmail.lifecycle;

import static jmail.lifecycle.Scenario.WAIT;
import static jmail.lifecycle.Scenario.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import jmail.testing.TestDns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No relayhost: MX lookup through a DNS server on loopback, preference order, fallback to the
 * address record, IP literals, NXDOMAIN, and the OP25B hint when the connection times out.
 */
class DirectDeliveryIT {
    @TempDir
    Path tmp;

    private static JmailHarness direct(Path dir, TestDns dns, int port) throws Exception {
        return new JmailHarness(dir).set("smtp_dns_server", "\"127.0.0.1:" + dns.port() + "\"")
                .set("smtp_direct_port", String.valueOf(port)).set("smtp_connect_timeout", "2s");
    }

    @Test
    void mxPreferenceAddressFallbackLiteralsAndNxdomain() throws Exception {
        try (TestDns dns = TestDns.start(); ScriptedRelay mx = ScriptedRelay.builder().start()) {
            dns.addMx("example.net", 20, "mx-b.example.net").addMx("example.net", 10, "mx-a.example.net")
                    .addA("mx-a.example.net", "127.0.0.1").addA("mx-b.example.net", "127.0.0.1")
                    .addMx("example.org", 10, "dead.example.org").addMx("example.org", 20, "alive.example.org")
                    .addA("dead.example.org", "127.0.0.3").addA("alive.example.org", "127.0.0.1")
                    .addA("a-only.example.test", "127.0.0.1")
                    .addMx("example.com", 10, "mx.example.com").addA("mx.example.com", "127.0.0.1");
            try (JmailHarness h = direct(tmp, dns, mx.port()).start()) {
                String pref = Scenario.send(h, "alice@example.com", "Subject: 1\n\nx\n", "bob@example.net");
                String fallback = Scenario.send(h, "alice@example.com", "Subject: 2\n\nx\n", "carol@example.org");
                String aOnly = Scenario.send(h, "alice@example.com", "Subject: 3\n\nx\n", "dave@a-only.example.test");
                String literal = Scenario.send(h, "alice@example.com", "Subject: 4\n\nx\n", "erin@[127.0.0.1]");
                String nx = Scenario.send(h, "alice@example.com", "Subject: 5\n\nx\n", "frank@nowhere.example.test");
                mx.awaitMessages(5, WAIT);
                h.awaitEmptyQueue(WAIT);

                String log = h.logText();
                int p = mx.port();
                assertTrue(log.contains(pref + ": to=<bob@example.net>, relay=mx-a.example.net[127.0.0.1]:" + p), log);
                assertTrue(log.contains(fallback + ": to=<carol@example.org>, relay=alive.example.org[127.0.0.1]:" + p), log);
                assertTrue(log.contains(aOnly + ": to=<dave@a-only.example.test>, relay=a-only.example.test[127.0.0.1]:" + p), log);
                assertTrue(log.contains(literal + ": to=<erin@[127.0.0.1]>, relay=127.0.0.1[127.0.0.1]:" + p), log);
                assertTrue(log.contains(nx + ": to=<frank@nowhere.example.test>, relay=none"), log);
                assertTrue(log.contains("dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for "
                        + "name=nowhere.example.test type=MX: Host not found)"), log);
                assertFalse(dns.queries().stream().anyMatch(qn -> qn.contains("127.0.0.1")), dns.queries().toString());
                assertTrue(dns.queries().contains("a-only.example.test MX"), dns.queries().toString());

                ScriptedRelay.Received bounce = mx.messages().stream().filter(m -> m.sender().isEmpty()).findFirst().orElseThrow();
                assertEquals(List.of("alice@example.com"), bounce.recipients());
                assertTrue(Scenario.parse(bounce).status().contains("Final-Recipient: rfc822; frank@nowhere.example.test\r\n"));
            }
        }
    }

    @Test
    void timedOutConnectionNamesOp25bInJmailqAndTheLog() throws Exception {
        try (TestDns dns = TestDns.start(); Blackhole hole = new Blackhole()) {
            dns.addMx("example.net", 10, "mx.example.net").addA("mx.example.net", "127.0.0.1");
            try (JmailHarness h = direct(tmp, dns, hole.port()).start()) {
                String id = Scenario.send(h, "alice@example.com", "Subject: s\n\nx\n", "bob@example.net");
                h.await(WAIT, () -> q(h).contains("OP25B"), "the OP25B hint");
                String reason = "connect to mx.example.net[127.0.0.1]:" + hole.port() + ": Connection timed out - outbound port 25 "
                        + "may be blocked by your network (OP25B); set relayhost to your provider's submission server on port 587 "
                        + "(see jmailctl check)";
                assertTrue(q(h).contains("(" + reason + "; attempts: "), q(h));
                assertTrue(h.logText().contains(id + ": to=<bob@example.net>, relay=none"), h.logText());
                assertTrue(h.logText().contains("dsn=4.4.1, status=deferred (" + reason + ")"), h.logText());
            }
        }
    }
}
