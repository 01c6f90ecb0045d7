package jmail.lifecycle;

import static jmail.lifecycle.Scenario.WAIT;
import static jmail.lifecycle.Scenario.commands;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jmaild's log is Postfix's format: the real pflogsumm (Debian package) counts it right. */
class PflogsummIT {
    @TempDir
    Path tmp;

    @Test
    void pflogsummCountsReceivedDeliveredDeferredAndBounced() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder()
                .replyToRcpt("nouser@example.net", "550 5.1.1 <nouser@example.net>: Recipient address rejected")
                .replyToRcpt("later@example.net", "451 4.7.1 try again later").start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port()).start()) {
            Scenario.send(h, "alice@example.com", "Subject: 1\n\nx\n", "ok@example.net");
            Scenario.send(h, "alice@example.com", "Subject: 2\n\nx\n", "nouser@example.net");
            Scenario.send(h, "alice@example.com", "Subject: 3\n\nx\n", "later@example.net");
            relay.awaitMessages(2, WAIT); // the first message and the bounce of the second
            h.await(WAIT, () -> commands(relay, "RCPT TO:<later@example.net>") >= 3, "three deferrals");
            h.stop();
            String log = h.logText();
            Path logFile = tmp.resolve("maillog");
            Files.writeString(logFile, log);
            int deferrals = Scenario.count(log, "to=<later@example.net>, [^\\n]*status=deferred");

            Process p = new ProcessBuilder("pflogsumm", "--syslog-name=jmail", "--problems-first", logFile.toString())
                    .redirectErrorStream(true).start();
            String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), report);
            assertEquals(3, total(report, "received"), report);
            assertEquals(2, total(report, "delivered"), "the first message and the bounce\n" + report);
            assertEquals(1, total(report, "bounced"), report);
            assertTrue(report.matches("(?s).*\\n\\s+1\\s+deferred\\s+\\(" + deferrals + "\\s+deferrals\\)\\n.*"), report);
            assertTrue(report.contains("Recipient address rejected"), report);
        }
    }

    private static int total(String report, String what) {
        Matcher m = Pattern.compile("(?m)^\\s+(\\d+)\\s+" + what + "$").matcher(report);
        if (!m.find()) {
            throw new AssertionError("no \"" + what + "\" total in\n" + report);
        }
        return Integer.parseInt(m.group(1));
    }
}
