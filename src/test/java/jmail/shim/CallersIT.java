package jmail.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every program the issue names, with its exact argv and a realistic standard input, through
 * bin/sendmail to one jmaild and a relay on loopback; each asserts the MAIL FROM, the RCPTs and the
 * DATA payload byte for byte (generated Date and Message-ID values masked). One daemon serves all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallersIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String USER = System.getProperty("user.name");
    private static final String ADDED = "Date: DATE\r\nMessage-ID: <ID>\r\n";

    private Path tmp;
    private ScriptedRelay relay;
    private JmailHarness h;

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("jmail-callers");
        relay = ScriptedRelay.builder().start();
        Path aliases = tmp.resolve("aliases");
        Files.writeString(aliases, "# /etc/aliases\nroot: admin@example.net\npostmaster: root\n");
        h = new JmailHarness(tmp).relay(relay.port());
        h.set("alias_maps", "\"" + aliases + "\"").start();
    }

    @AfterAll
    void stop() {
        h.close();
        relay.close();
        Wire.deleteTree(tmp);
    }

    private ScriptedRelay.Received deliver(String stdin, String... argv) throws Exception {
        return deliver(stdin.getBytes(StandardCharsets.UTF_8), argv);
    }

    private ScriptedRelay.Received deliver(byte[] stdin, String... argv) throws Exception {
        return Wire.deliver(h, relay, stdin, argv);
    }

    @Test
    void cronie() throws Exception {
        ScriptedRelay.Received m = deliver("From: \"(Cron Daemon)\" <ops>\nTo: ops\n"
                        + "Subject: Cron <ops@host1> /usr/local/bin/backup\nX-Cron-Env: <SHELL=/bin/sh>\n"
                        + "X-Cron-Env: <HOME=/home/ops>\n\nバックアップ完了: 3 files\n",
                "-FCronDaemon", "-i", "-odi", "-oem", "-oi", "-t", "-f", "ops");
        Wire.assertReceived(m, "MAIL FROM:<ops@example.com> BODY=8BITMIME", List.of("ops@example.com"),
                "From: \"(Cron Daemon)\" <ops@example.com>\r\nTo: ops@example.com\r\n"
                + "Subject: Cron <ops@host1> /usr/local/bin/backup\r\nX-Cron-Env: <SHELL=/bin/sh>\r\n"
                + "X-Cron-Env: <HOME=/home/ops>\r\n" + ADDED
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n"
                + "\r\nバックアップ完了: 3 files\r\n.\r\n");
    }

    @Test
    void debianCronToRootGoesThroughTheAliases() throws Exception {
        ScriptedRelay.Received m = deliver("From: root (Cron Daemon)\nTo: root\n"
                        + "Subject: Cron <root@host1> test -x /usr/sbin/anacron || run-parts --report /etc/cron.daily\n"
                        + "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n"
                        + "X-Cron-Env: <SHELL=/bin/sh>\n\n/etc/cron.daily/logrotate:\nerror: skipping \"/var/log/syslog\"\n",
                "-FCronDaemon", "-i", "-B8BITMIME", "-oem", "root");
        Wire.assertReceived(m, "MAIL FROM:<" + USER + "@example.com>", List.of("admin@example.net"),
                "From: root@example.com (Cron Daemon)\r\nTo: root@example.com\r\n"
                + "Subject: Cron <root@host1> test -x /usr/sbin/anacron || run-parts --report /etc/cron.daily\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n"
                + "X-Cron-Env: <SHELL=/bin/sh>\r\n" + ADDED
                + "\r\n/etc/cron.daily/logrotate:\r\nerror: skipping \"/var/log/syslog\"\r\n.\r\n");
    }

    @Test
    void busyboxCrondSeparateAndClusteredFlags() throws Exception {
        for (String[] argv : List.of(new String[] {"-t", "-oem", "-i"}, new String[] {"-ti"})) {
            ScriptedRelay.Received m = deliver("To: ops\nSubject: cron: /etc/periodic/daily\n\n.\nrun-parts done\n", argv);
            Wire.assertReceived(m, "MAIL FROM:<" + USER + "@example.com>", List.of("ops@example.com"),
                    "To: ops@example.com\r\nSubject: cron: /etc/periodic/daily\r\nFrom: " + USER + "@example.com\r\n"
                    + ADDED + "\r\n..\r\nrun-parts done\r\n.\r\n");
        }
    }

    @Test
    void phpMailWithCrlfInputAndSeparateOrGluedSender() throws Exception {
        String php = "To: customer@example.net\r\nSubject: Order 1001\r\nX-PHP-Originating-Script: 33:order.php\r\n"
                + "From: Shop <shop@example.com>\r\n\r\nThank you.\r\n.\r\nRegards\r\n";
        String expected = "To: customer@example.net\r\nSubject: Order 1001\r\nX-PHP-Originating-Script: 33:order.php\r\n"
                + "From: Shop <shop@example.com>\r\n" + ADDED + "\r\nThank you.\r\n..\r\nRegards\r\n.\r\n";
        ScriptedRelay.Received plain = deliver(php, "-t", "-i");
        Wire.assertReceived(plain, "MAIL FROM:<" + USER + "@example.com>", List.of("customer@example.net"),
                expected);
        for (String[] argv : List.of(new String[] {"-t", "-i", "-f", "shop@example.com"},
                new String[] {"-t", "-i", "-fshop@example.com"})) {
            ScriptedRelay.Received m = deliver(php, argv);
            Wire.assertReceived(m, "MAIL FROM:<shop@example.com>", List.of("customer@example.net"),
                    expected);
        }
    }

    @Test
    void phpMailerKeepsItsCompleteHeaderUntouched() throws Exception {
        String msg = "Date: Thu, 3 Dec 2026 10:00:00 +0000\r\nTo: Customer <customer@example.net>\r\n"
                + "From: Shop <shop@example.com>\r\nSubject: Your order\r\nMessage-ID: <a1b2c3@example.com>\r\n"
                + "X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=iso-8859-1\r\n\r\nHello\r\n";
        ScriptedRelay.Received m = deliver(msg, "-oi", "-fshop@example.com", "-t");
        Wire.assertReceivedVerbatim(m, "MAIL FROM:<shop@example.com>", List.of("customer@example.net"),
                msg + ".\r\n");
    }

    @Test
    void symfonyMailerSpeaksPipelinedSmtpOnStdio() throws Exception {
        String message = "From: App <app@example.com>\r\nTo: user@example.net\r\nSubject: Welcome\r\n"
                + "Date: Thu, 3 Dec 2026 10:00:00 +0000\r\nMessage-ID: <sym1@example.com>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + "..leading dot\r\nWelcome!\r\n";
        String dialogue = "EHLO [127.0.0.1]\r\nMAIL FROM:<app@example.com>\r\nRCPT TO:<user@example.net>\r\nDATA\r\n"
                + message + ".\r\nQUIT\r\n";
        int before = relay.messages().size();
        JmailHarness.Run run = h.sendmail(dialogue, "-bs");
        assertEquals(0, run.exit(), run.all());
        // EHLO's continuation lines (250-) vary with the listener's extensions; the final lines are the dialogue.
        List<String> codes = run.out().lines().map(l -> l.substring(0, 4)).filter(c -> !c.equals("250-")).toList();
        assertEquals(List.of("220 ", "250 ", "250 ", "250 ", "354 ", "250 ", "221 "), codes, run.out());
        assertTrue(run.out().endsWith("\r\n"), run.out());
        ScriptedRelay.Received m = relay.awaitMessages(before + 1, WAIT).get(before);
        Wire.assertWellFormed(m);
        Wire.assertReceivedVerbatim(m, "MAIL FROM:<app@example.com>", List.of("user@example.net"),
                message + ".\r\n");
    }

    @Test
    void symfonyMailerTMode() throws Exception {
        String msg = "From: App <app@example.com>\nTo: user@example.net\nCc: copy@example.net\nSubject: Reset\n"
                + "Date: Thu, 3 Dec 2026 10:00:00 +0000\nMessage-ID: <sym2@example.com>\nMIME-Version: 1.0\n"
                + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nReset link\n";
        ScriptedRelay.Received m = deliver(msg, "-t", "-i");
        assertEquals(List.of("user@example.net", "copy@example.net"), m.recipients());
        assertEquals(msg.replace("\n", "\r\n") + ".\r\n", m.dataAsString());
    }

    @Test
    void gitSendEmailBccOnlyOnTheCommandLine() throws Exception {
        String patch = "From: Dev One <dev@example.com>\nTo: list@example.net\nCc: reviewer@example.net\n"
                + "Subject: [PATCH] frob: fix the frobnicator\nDate: Thu, 3 Dec 2026 10:00:00 +0000\n"
                + "Message-ID: <20261203100000.1234-1-dev@example.com>\nX-Mailer: git-send-email 2.39.5\n"
                + "MIME-Version: 1.0\nContent-Transfer-Encoding: 8bit\n\n---\n .gitignore | 1 +\n"
                + "diff --git a/.gitignore b/.gitignore\n--- a/.gitignore\n+++ b/.gitignore\n@@ -1 +1,2 @@\n"
                + " target/\n+.idea/\n.\n-- \n2.39.5\n";
        ScriptedRelay.Received m = deliver(patch, "-i", "-f", "dev@example.com", "list@example.net", "reviewer@example.net",
                "hidden@example.net");
        Wire.assertReceivedVerbatim(m, "MAIL FROM:<dev@example.com>", List.of("list@example.net", "reviewer@example.net", "hidden@example.net"),
                patch.replace("\n", "\r\n").replace("\r\n.\r\n", "\r\n..\r\n") + ".\r\n");
        assertFalse(m.dataAsString().contains("hidden"));
    }

    @Test
    void muttWithDsnFlagsAndRecipientsAfterDoubleDash() throws Exception {
        String msg = "Date: Thu, 3 Dec 2026 11:00:00 +0100\nFrom: Me <me@example.com>\nTo: to@example.net\n"
                + "Cc: cc@example.net\nSubject: =?utf-8?Q?Gr=C3=BC=C3=9Fe?=\nMessage-ID: <Z1@host1.example.com>\n"
                + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Disposition: inline\n"
                + "Content-Transfer-Encoding: 8bit\nUser-Agent: Mutt/2.2.12 (2023-09-09)\n\nGrüße aus Köln\n";
        ScriptedRelay.Received m = deliver(msg, "-oem", "-oi", "-B8BITMIME", "-f", "me@example.com", "-N", "success,failure",
                "-R", "hdrs", "--", "to@example.net", "cc@example.net", "bcc@example.net");
        Wire.assertReceivedVerbatim(m, "MAIL FROM:<me@example.com> BODY=8BITMIME", List.of("to@example.net", "cc@example.net", "bcc@example.net"),
                msg.replace("\n", "\r\n") + ".\r\n");
    }

    @Test
    void rubyMail() throws Exception {
        String msg = "Date: Thu, 03 Dec 2026 10:00:00 +0000\nFrom: app@example.com\nTo: to@example.net\n"
                + "Message-ID: <656f@host1.mail>\nSubject: Ruby\nMime-Version: 1.0\nContent-Type: text/plain;\n"
                + " charset=UTF-8\nContent-Transfer-Encoding: 7bit\n\nhello from ruby\n";
        ScriptedRelay.Received m = deliver(msg, "-i", "-f", "app@example.com", "--", "to@example.net");
        Wire.assertReceivedVerbatim(m, "MAIL FROM:<app@example.com>", List.of("to@example.net"),
                msg.replace("\n", "\r\n") + ".\r\n");
    }

    @Test
    void logwatchBareFromName() throws Exception {
        ScriptedRelay.Received m = deliver("To: root\nFrom: Logwatch\nSubject: Logwatch for host1 (Linux)\n"
                + "MIME-Version: 1.0\nContent-Transfer-Encoding: 7bit\nContent-Type: text/plain; charset=\"iso-8859-1\"\n\n"
                + "\n ################### Logwatch 7.7 (07/22/22) ####################\n", "-t");
        Wire.assertReceived(m, "MAIL FROM:<" + USER + "@example.com>", List.of("admin@example.net"),
                "To: root@example.com\r\nFrom: Logwatch@example.com\r\nSubject: Logwatch for host1 (Linux)\r\n"
                + "MIME-Version: 1.0\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/plain; charset=\"iso-8859-1\"\r\n"
                + ADDED + "\r\n\r\n ################### Logwatch 7.7 (07/22/22) ####################\r\n.\r\n");
    }

    @Test
    void mdadmUnqualifiedFromWithDisplayName() throws Exception {
        ScriptedRelay.Received m = deliver("From: mdadm monitoring <root>\nTo: root\nSubject: Fail event on /dev/md0:host1\n\n"
                + "This is an automatically generated mail message from mdadm\nrunning on host1\n", "-t", "-froot");
        Wire.assertReceived(m, "MAIL FROM:<root@example.com>", List.of("admin@example.net"),
                "From: mdadm monitoring <root@example.com>\r\nTo: root@example.com\r\n"
                + "Subject: Fail event on /dev/md0:host1\r\n" + ADDED + "\r\n"
                + "This is an automatically generated mail message from mdadm\r\nrunning on host1\r\n.\r\n");
    }

    @Test
    void unattendedUpgrades() throws Exception {
        ScriptedRelay.Received m = deliver("Content-Type: text/plain; charset=\"utf-8\"\nMIME-Version: 1.0\n"
                + "Content-Transfer-Encoding: 8bit\nSubject: [host1] unattended-upgrades result: SUCCESS\nFrom: root\n"
                + "To: root\n\nUnattended upgrade result: All upgrades installed\n", "-oi", "-t");
        Wire.assertReceived(m, "MAIL FROM:<" + USER + "@example.com>", List.of("admin@example.net"),
                "Content-Type: text/plain; charset=\"utf-8\"\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: 8bit\r\n"
                + "Subject: [host1] unattended-upgrades result: SUCCESS\r\nFrom: root@example.com\r\nTo: root@example.com\r\n"
                + ADDED + "\r\nUnattended upgrade result: All upgrades installed\r\n.\r\n");
    }

    @Test
    void bsdMailxForSmartd() throws Exception {
        ScriptedRelay.Received m = deliver("To: root\nSubject: SMART error (FailedReadSmartSelfTestLog) detected on host: host1\n\n"
                + "This message was generated by the smartd daemon running on host1.\n", "-oi", "-f", "ops@host1.example.com", "-t");
        Wire.assertReceived(m, "MAIL FROM:<ops@host1.example.com>", List.of("admin@example.net"),
                "To: root@example.com\r\nSubject: SMART error (FailedReadSmartSelfTestLog) detected on host: host1\r\n"
                + "From: ops@host1.example.com\r\n" + ADDED
                + "\r\nThis message was generated by the smartd daemon running on host1.\r\n.\r\n");
    }

    @Test
    void sudoAsRoot() throws Exception {
        ScriptedRelay.Received m = deliver("To: root\nFrom: root\nAuto-Submitted: auto-generated\n"
                + "Subject: *** SECURITY information for host1 ***\n\n"
                + "host1 : Dec  3 10:00:00 : ops : user NOT in sudoers ; TTY=pts/0 ; PWD=/home/ops ; USER=root ; COMMAND=/bin/sh\n",
                "-t");
        assertEquals(List.of("admin@example.net"), m.recipients());
        assertEquals("To: root@example.com\r\nFrom: root@example.com\r\nAuto-Submitted: auto-generated\r\n"
                + "Subject: *** SECURITY information for host1 ***\r\n" + ADDED + "\r\n"
                + "host1 : Dec  3 10:00:00 : ops : user NOT in sudoers ; TTY=pts/0 ; PWD=/home/ops ; USER=root ; COMMAND=/bin/sh\r\n.\r\n",
                Wire.normalized(m));
    }

    @Test
    void atdJobOutput() throws Exception {
        ScriptedRelay.Received m = deliver("Subject: Output from your job        7\nTo: ops\n\nbackup finished\n", "-i", "ops");
        Wire.assertReceived(m, "MAIL FROM:<" + USER + "@example.com>", List.of("ops@example.com"),
                "Subject: Output from your job        7\r\nTo: ops@example.com\r\nFrom: " + USER + "@example.com\r\n"
                + ADDED + "\r\nbackup finished\r\n.\r\n");
    }

    @Test
    void fail2banWithoutIStopsAtALoneDot() throws Exception {
        ScriptedRelay.Received m = deliver("Subject: [Fail2Ban] sshd: banned 192.0.2.7 from host1\n"
                + "Date: Thu, 3 Dec 2026 10:00:00 +0000\nFrom: Fail2Ban <fail2ban>\nTo: root\n\nHi,\n"
                + "The IP 192.0.2.7 has just been banned by Fail2Ban after\n5 attempts against sshd.\n"
                + ".\nthis comes after the lone dot and is not part of the message\n", "-f", "fail2ban", "root");
        assertEquals("MAIL FROM:<fail2ban@example.com>", m.mailFromLine());
        assertEquals(List.of("admin@example.net"), m.recipients());
        assertTrue(m.dataAsString().contains("\r\nDate: Thu, 3 Dec 2026 10:00:00 +0000\r\n"), "its own Date is kept");
        assertEquals("Subject: [Fail2Ban] sshd: banned 192.0.2.7 from host1\r\nDate: DATE\r\n"
                + "From: Fail2Ban <fail2ban@example.com>\r\nTo: root@example.com\r\nMessage-ID: <ID>\r\n\r\nHi,\r\n"
                + "The IP 192.0.2.7 has just been banned by Fail2Ban after\r\n5 attempts against sshd.\r\n.\r\n", Wire.normalized(m));
    }

    @Test
    void queueCommandsThroughSendmailAndItsOtherNames() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("alt-bin"));
        Path sendmail = JmailHarness.dist().resolve("bin/sendmail").toAbsolutePath();
        Files.createSymbolicLink(bin.resolve("mailq"), sendmail);
        Files.createSymbolicLink(bin.resolve("newaliases"), sendmail);
        h.awaitEmptyQueue(WAIT);
        JmailHarness.Run bp = h.sendmail("", "-bp");
        assertEquals(0, bp.exit(), bp.all());
        assertEquals("Mail queue is empty\n", bp.out());
        JmailHarness.Run mailq = run(bin.resolve("mailq"));
        assertEquals(0, mailq.exit(), mailq.all());
        assertEquals("Mail queue is empty\n", mailq.out());
        JmailHarness.Run bi = h.sendmail("", "-bi");
        assertEquals(new JmailHarness.Run(0, "", ""), bi);
        assertEquals(new JmailHarness.Run(0, "", ""), run(bin.resolve("newaliases")));
        JmailHarness.Run q = h.sendmail("", "-q");
        assertEquals(0, q.exit(), q.all());
    }

    private JmailHarness.Run run(Path program) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(program.toString());
        pb.environment().put("JMAIL_CONF", h.conf().toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new JmailHarness.Run(p.waitFor(), out, err);
    }

    @Test
    void pythonSmtpHandlerAndSmtplibSpeakToTheListener() throws Exception {
        Path script = tmp.resolve("client.py");
        Files.writeString(script, String.join("\n",
                "import logging, logging.handlers, smtplib, sys",
                "port = int(sys.argv[1])",
                "h = logging.handlers.SMTPHandler(('127.0.0.1', port), 'app@example.com', ['ops@example.net'], 'app error')",
                "log = logging.getLogger('app'); log.addHandler(h)",
                "log.error('disk almost full')",
                "with smtplib.SMTP('127.0.0.1', port) as s:",
                "    s.sendmail('django@example.com', ['user@example.net'],",
                "               b'From: django@example.com\\r\\nTo: user@example.net\\r\\nSubject: reset\\r\\n\\r\\n.dot\\r\\nbye\\r\\n')",
                ""));
        int before = relay.messages().size();
        Process p = new ProcessBuilder("python3", script.toString(), String.valueOf(h.port())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        List<ScriptedRelay.Received> got = relay.awaitMessages(before + 2, WAIT).subList(before, before + 2);
        ScriptedRelay.Received logging = got.stream().filter(r -> r.sender().equals("app@example.com")).findFirst().orElseThrow();
        ScriptedRelay.Received django = got.stream().filter(r -> r.sender().equals("django@example.com")).findFirst().orElseThrow();
        got.forEach(Wire::assertWellFormed);
        assertEquals(List.of("ops@example.net"), logging.recipients());
        String text = logging.dataAsString();
        assertTrue(text.contains("\r\nSubject: app error\r\n"), text);
        assertTrue(text.contains("From: app@example.com\r\n"), text);
        assertTrue(text.endsWith("\r\n\r\ndisk almost full\r\n.\r\n"), text);
        assertEquals(List.of("user@example.net"), django.recipients());
        assertEquals("From: django@example.com\r\nTo: user@example.net\r\nSubject: reset\r\n\r\n..dot\r\nbye\r\n.\r\n",
                django.dataAsString());
    }
}
