package jmail.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code systemctl reload jmail} = SIGHUP: jmaild re-reads main.conf without losing queued mail, and a
 * broken main.conf leaves the running configuration in force.
 */
class ReloadIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void sighupAppliesANewRelayToMailAlreadyQueued() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.start();
             JmailHarness h = new JmailHarness(tmp).relay(JmailHarness.freePort()).start()) {
            assertEquals(0, h.sendmail("Subject: one\n\nqueued while the relay was wrong\n", "user@example.test").exit());
            h.await(WAIT, () -> h.logText().contains("status=deferred"), "the first attempt to fail");

            h.relay(relay.port());
            hangUp(h);
            h.await(WAIT, () -> h.logText().contains("jmail/master[" + h.daemon().pid() + "]: reloaded configuration " + h.conf()),
                    "the reload");
            assertEquals(0, h.jmailctl("flush").exit());

            ScriptedRelay.Received m = relay.awaitMessages(1, WAIT).get(0);
            assertEquals(List.of("user@example.test"), m.recipients());
            assertTrue(m.contentAsString().endsWith("\r\n\r\nqueued while the relay was wrong\r\n"), m.contentAsString());
            h.awaitEmptyQueue(WAIT);
        }
    }

    @Test
    void aBrokenMainConfOnReloadKeepsTheRunningOne() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.start();
             JmailHarness h = new JmailHarness(tmp).relay(JmailHarness.freePort()).start()) {
            Path running = Files.copy(h.conf(), tmp.resolve("running.conf"));
            h.relay(relay.port()).set("relayhots", "\"[127.0.0.1]:1\"");
            hangUp(h);
            h.await(WAIT, () -> h.logText().contains("warning: reload failed, keeping the running configuration: "),
                    "the reload to be refused");
            assertTrue(h.logText().contains("relayhots (did you mean relayhost?)"), h.logText());
            assertTrue(h.daemon().isAlive(), "jmaild keeps running");

            // The old configuration (a relay port where nothing listens) is still the one in force: mail queues.
            // (sendmail itself refuses the broken file, so it is given the running one.)
            JmailHarness.Run sent = h.sendmail("Subject: two\n\nstill accepted\n", "-C", running.toString(), "user@example.test");
            assertEquals(0, sent.exit(), sent.all());
            h.await(WAIT, () -> h.logText().contains("status=deferred"), "delivery with the old relayhost");
            assertTrue(relay.messages().isEmpty(), "the broken file's relay was not used");
        }
    }

    @Test
    void aListenAddressInUseOnReloadRestartsTheRunningListener() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             JmailHarness h = new JmailHarness(tmp).relay(JmailHarness.freePort()).start()) {
            Path running = Files.copy(h.conf(), tmp.resolve("running.conf"));
            h.set("smtpd_listen", "[\"127.0.0.1:" + taken.getLocalPort() + "\"]");
            hangUp(h);
            h.await(WAIT, () -> h.logText().contains("warning: reload failed, keeping the running configuration: cannot listen on [127.0.0.1:"
                    + taken.getLocalPort() + "]"), "the reload to be refused");

            // The listener is back on its old port: sendmail gets through over SMTP, not via maildrop.
            JmailHarness.Run sent = h.sendmail("Subject: three\n\nback on the old port\n", "-C", running.toString(), "user@example.test");
            assertEquals(0, sent.exit(), sent.all());
            h.await(WAIT, () -> h.logText().contains("jmail/smtpd["), "the message to arrive over SMTP");
            assertTrue(h.daemon().isAlive(), "jmaild keeps running");
        }
    }

    private static void hangUp(JmailHarness h) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(h.daemon().pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }
}
