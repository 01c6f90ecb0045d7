package jmail.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import jmail.testing.TestDns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jmailctl check}: one line per check, a verdict with the lines to write, exit 0 only when mail would flow. */
class CheckIT {
    @TempDir
    Path tmp;

    @Test
    void workingAuthenticatingRelayPassesEveryCheckAndSendsNoMail() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth("ictsc", "s3cret-pw")
                .capabilities("8BITMIME", "AUTH PLAIN LOGIN").start()) {
            JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), "ictsc", "s3cret-pw");
            JmailHarness.Run run = h.jmailctl("check");
            String[] lines = run.out().split("\n");
            String hop = "127.0.0.1[127.0.0.1]:" + relay.port();
            assertEquals("jmailctl check: " + h.conf() + ", relayhost = [127.0.0.1]:" + relay.port(), lines[0], run.all());
            assertEquals("ok   password map " + tmp.resolve("sasl_passwd") + ": private, has a key for [127.0.0.1]:" + relay.port()
                    + " (user ictsc)", lines[1]);
            assertEquals("ok   TCP to " + hop + ": open", lines[2]);
            assertEquals("ok   greeting: 220 relay.example.com ESMTP", lines[3]);
            assertEquals("ok   EHLO: 8BITMIME, AUTH PLAIN LOGIN, STARTTLS", lines[4]);
            assertTrue(lines[5].matches("ok   STARTTLS: TLSv1\\.[23], certificate .+, not verified \\(smtp_tls_security_level = may "
                    + "does not require it\\)"), lines[5]);
            assertEquals("ok   AUTH mechanisms: PLAIN LOGIN", lines[6]);
            assertEquals("ok   AUTH PLAIN as ictsc: 235 2.7.0 Authentication successful", lines[7]);
            assertEquals("verdict: ok - mail would flow through [127.0.0.1]:" + relay.port(), lines[8]);
            assertEquals(9, lines.length, run.out());
            assertEquals(0, run.exit(), run.all());
            assertFalse(run.all().contains("s3cret-pw"));
            assertTrue(relay.commandLines().stream().noneMatch(l -> l.startsWith("MAIL")), relay.commandLines().toString());
        }
    }

    @Test
    void wrongPasswordFailsWithTheRelaysReplyAndNeverPrintsThePassword() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth("ictsc", "right").capabilities("AUTH PLAIN LOGIN").start()) {
            JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), "ictsc", "wrong-pw");
            JmailHarness.Run run = h.jmailctl("check");
            assertEquals(69, run.exit(), run.all());
            assertTrue(run.out().contains("\nFAIL AUTH PLAIN as ictsc: 535 5.7.8 Error: authentication failed\n"), run.out());
            assertTrue(run.out().contains("\nverdict: FAIL - mail would not flow. Fix:\n  " + tmp.resolve("sasl_passwd")
                    + ": correct the user name or password"), run.out());
            assertFalse(run.all().contains("wrong-pw"));
        }
    }

    @Test
    void mapKeyThatDoesNotMatchTheRelayhostAsWrittenIsNamed() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth("ictsc", "pw").capabilities("AUTH PLAIN LOGIN").start()) {
            JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), "ictsc", "pw");
            h.set("relayhost", "\"127.0.0.1:" + relay.port() + "\"");
            JmailHarness.Run run = h.jmailctl("check");
            assertEquals(69, run.exit(), run.all());
            assertTrue(run.out().contains("FAIL password map " + tmp.resolve("sasl_passwd") + ": key [127.0.0.1]:" + relay.port()
                    + " does not match relayhost = 127.0.0.1:" + relay.port() + " (the key must be the relayhost exactly as written)\n"), run.out());
            assertTrue(run.out().contains("\n  main.conf: relayhost = \"[127.0.0.1]:" + relay.port() + "\""), run.out());
        }
    }

    @Test
    void worldReadableMapAndPort465WithoutWrapperModeAreFlaggedWithTheirFixes() throws Exception {
        JmailHarness h = new JmailHarness(tmp).relayWithAuth(465, "ictsc", "pw");
        Files.setPosixFilePermissions(tmp.resolve("sasl_passwd"), PosixFilePermissions.fromString("rw-r--r--"));
        h.set("smtp_connect_timeout", "2s");
        JmailHarness.Run run = h.jmailctl("check");
        assertEquals(69, run.exit(), run.all());
        String out = run.out();
        assertTrue(out.contains("\nFAIL relayhost port 465 speaks TLS from the first byte, but smtp_tls_wrappermode = no\n"), out);
        assertTrue(out.contains("\nFAIL password map: " + tmp.resolve("sasl_passwd") + ": the password map is readable or writable by others"), out);
        assertTrue(out.contains("\n  main.conf: smtp_tls_wrappermode = yes\n"), out);
        assertTrue(out.contains("\n  shell: chmod 600 " + tmp.resolve("sasl_passwd") + "\n"), out);
    }

    @Test
    void blockedPort25ForDirectDeliveryEndsWithTheRelayhostLinesToAdd() throws Exception {
        try (TestDns dns = TestDns.start(); Blackhole hole = new Blackhole(); ScriptedRelay open = ScriptedRelay.builder().start()) {
            dns.addMx("example.net", 10, "mx.example.net").addA("mx.example.net", "127.0.0.1");
            JmailHarness h = new JmailHarness(tmp).set("smtp_dns_server", "\"127.0.0.1:" + dns.port() + "\"")
                    .set("smtp_direct_port", String.valueOf(hole.port())).set("smtp_connect_timeout", "2s");
            JmailHarness.Run run = h.jmailctl("check", "bob@example.net");
            assertEquals(69, run.exit(), run.all());
            assertEquals(String.join("\n",
                    "jmailctl check: " + h.conf() + ", no relayhost (direct delivery)",
                    "ok   MX example.net: 10 mx.example.net [127.0.0.1]",
                    "FAIL TCP to mx.example.net[127.0.0.1]:" + hole.port() + ": timed out - outbound port 25 is probably blocked "
                            + "by your network (OP25B)",
                    "verdict: FAIL - mail would not flow. Fix:",
                    "  main.conf: relayhost = \"[smtp.example.net]:587\"   (your provider's submission server)",
                    "  main.conf: smtp_sasl_auth_enable = yes",
                    "  main.conf: smtp_sasl_password_maps = \"/etc/jmail/sasl_passwd\"",
                    "  /etc/jmail/sasl_passwd: [smtp.example.net]:587    you@example.net:your-password   (then chmod 600 "
                            + "/etc/jmail/sasl_passwd)", ""), run.out());

            h.set("smtp_direct_port", String.valueOf(open.port()));
            JmailHarness.Run ok = h.jmailctl("check", "bob@example.net");
            assertEquals(0, ok.exit(), ok.all());
            assertTrue(ok.out().contains("\nok   TCP to mx.example.net[127.0.0.1]:" + open.port() + ": open\n"), ok.out());
            assertTrue(ok.out().endsWith("\nverdict: ok - mail would flow directly\n"), ok.out());
            JmailHarness.Run nx = h.jmailctl("check", "bob@nowhere.example.test");
            assertEquals(69, nx.exit(), nx.all());
            assertTrue(nx.out().contains("\nFAIL MX nowhere.example.test: Host or domain name not found."), nx.out());
        }
    }

    @Test
    void relayWithoutStartTlsFailsWhenThePasswordWouldGoInCleartext() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().requireAuth("ictsc", "pw").capabilities("AUTH PLAIN LOGIN").start()) {
            JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), "ictsc", "pw");
            JmailHarness.Run run = h.jmailctl("check");
            assertEquals(69, run.exit(), run.all());
            assertTrue(run.out().contains("\nFAIL STARTTLS: not offered by the relay\n"), run.out());
            assertTrue(run.out().contains("\nFAIL AUTH: not tried, the password would go in cleartext"), run.out());
            assertTrue(relay.authLines().isEmpty(), relay.authLines().toString());
        }
    }
}
