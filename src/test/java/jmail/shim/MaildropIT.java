package jmail.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * B30: nothing is lost while jmaild is down. The shim leaves the message in the maildrop (exit 0,
 * silent), jmailq lists it, and the daemon delivers it when it starts; any local user can submit;
 * a broken file is set aside, not retried forever; with no way to store the message, exit 75.
 */
class MaildropIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void submittedWhileTheDaemonIsDownListedThenDeliveredOnStart() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port()).start()) {
            h.stop();
            JmailHarness.Run run = h.sendmail("Subject: off\n\nq\n", "-i", "r@example.net");
            assertEquals(new JmailHarness.Run(0, "", ""), run);
            Path maildrop = h.queueDirectory().resolve("maildrop");
            assertEquals(1, files(maildrop).size());
            String listing = h.jmailq().out();
            assertTrue(listing.contains("r@example.net"), listing);
            assertTrue(listing.contains("maildrop"), listing);
            String status = h.jmailctl("status").out();
            assertTrue(status.contains("jmaild: not running\n"), status);
            assertTrue(status.contains("maildrop: 1 message(s) not yet picked up (they are queued when jmaild starts)\n"), status);

            h.start();
            ScriptedRelay.Received m = relay.awaitMessages(1, WAIT).get(0);
            Wire.assertWellFormed(m);
            assertEquals(List.of("r@example.net"), m.recipients());
            assertTrue(m.dataAsString().startsWith("Subject: off\r\n"), m.dataAsString());
            assertTrue(m.dataAsString().endsWith("\r\n\r\nq\r\n.\r\n"), m.dataAsString());
            h.awaitEmptyQueue(WAIT);
            assertEquals(List.of(), files(maildrop));
        }
    }

    @Test
    void anyLocalUserCanSubmitWithAndWithoutTheDaemon() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "skipped: running sendmail as another user (nobody) needs root to switch users");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (ScriptedRelay relay = ScriptedRelay.builder().start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port()).start()) {
            Files.setPosixFilePermissions(h.conf(), PosixFilePermissions.fromString("rw-r--r--"));
            Files.setPosixFilePermissions(h.queueDirectory(), PosixFilePermissions.fromString("rwxr-xr-x"));
            JmailHarness.Run online = asNobody(h, "Subject: online\n\nx\n", "-i", "r@example.net");
            assertEquals(new JmailHarness.Run(0, "", ""), online);
            ScriptedRelay.Received a = relay.awaitMessages(1, WAIT).get(0);
            assertEquals("nobody@example.com", a.sender());

            h.stop();
            JmailHarness.Run offline = asNobody(h, "Subject: offline\n\nx\n", "-i", "r@example.net");
            assertEquals(new JmailHarness.Run(0, "", ""), offline);
            h.start();
            ScriptedRelay.Received b = relay.awaitMessages(2, WAIT).get(1);
            assertEquals("nobody@example.com", b.sender());
            assertTrue(b.dataAsString().startsWith("Subject: offline\r\nFrom: nobody@example.com\r\n"), b.dataAsString());
            h.await(WAIT, () -> h.logText().contains("uid=65534 from=<nobody@example.com>"), "the pickup log line");
        }
    }

    private static JmailHarness.Run asNobody(JmailHarness h, String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                JmailHarness.dist().resolve("bin/sendmail").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(new java.io.File("/"));
        pb.environment().put("JMAIL_CONF", h.conf().toString());
        pb.environment().put("HOME", "/nonexistent");
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getErrorStream().transferTo(err);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new JmailHarness.Run(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aCorruptMaildropFileIsSetAsideWithALogLine() throws Exception {
        try (JmailHarness h = new JmailHarness(tmp).start()) {
            Path maildrop = h.queueDirectory().resolve("maildrop");
            Files.writeString(maildrop.resolve(".garbage.tmp"), "half written");
            Files.move(maildrop.resolve(".garbage.tmp"), maildrop.resolve("1700000000000.1.garbage"));
            Path corrupt = maildrop.resolve("corrupt").resolve("1700000000000.1.garbage");
            h.await(WAIT, () -> h.logText().contains("1700000000000.1.garbage: not a valid maildrop file"), "the log line");
            assertEquals("half written", Files.readString(corrupt));
            assertTrue(h.logText().contains("moved to " + corrupt.getParent()), h.logText());
        }
    }

    @Test
    void neitherDaemonNorMaildropExits75NamingThePath() throws Exception {
        JmailHarness h = new JmailHarness(tmp);
        Path notADirectory = tmp.resolve("queue-is-a-file");
        Files.writeString(notADirectory, "");
        h.set("queue_directory", "\"" + notADirectory + "\"");
        JmailHarness.Run run = h.sendmail("x\n", "r@example.net");
        assertEquals(75, run.exit(), run.all());
        assertEquals("", run.out());
        assertTrue(run.err().contains(notADirectory.resolve("maildrop").toString()), run.err());
        assertTrue(run.err().contains("nothing was queued"), run.err());
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
