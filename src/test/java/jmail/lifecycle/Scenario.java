package jmail.lifecycle;

import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;

/** Shared steps of the lifecycle scenarios: submitting, reading jmailq, parsing DSNs. */
final class Scenario {
    static final Duration WAIT = Duration.ofSeconds(60);

    private Scenario() {
    }

    /** The text jmailq prints (stdout), or "" if it could not run. */
    static String q(JmailHarness h, String... args) {
        try {
            return h.jmailq(args).out();
        } catch (Exception e) {
            return "";
        }
    }

    /** Queues a message through bin/sendmail and returns its queue ID (from the daemon's log). */
    static String send(JmailHarness h, String from, String body, String... rcpts) throws Exception {
        int before = count(h.logText(), "jmail/smtpd\\[\\d+\\]: [0-9A-F]+: client=");
        String[] args = new String[rcpts.length + 3];
        args[0] = "-f";
        args[1] = from;
        args[2] = "--";
        System.arraycopy(rcpts, 0, args, 3, rcpts.length);
        JmailHarness.Run run = h.sendmail(body, args);
        if (run.exit() != 0) {
            throw new AssertionError("sendmail exited " + run.exit() + ": " + run.all());
        }
        h.await(WAIT, () -> count(h.logText(), "jmail/smtpd\\[\\d+\\]: [0-9A-F]+: client=") > before, "the message in the log");
        Matcher m = Pattern.compile("jmail/smtpd\\[\\d+\\]: ([0-9A-F]+): client=").matcher(h.logText());
        String id = null;
        for (int i = 0; i <= before && m.find(); i++) {
            id = m.group(1);
        }
        return id;
    }

    /** Submits {@code n} messages in one SMTP session to the daemon's loopback listener. */
    static void submitOverSmtp(JmailHarness h, int n, String from, String rcpt) throws Exception {
        try (Socket s = new Socket("127.0.0.1", h.port())) {
            s.setSoTimeout(60_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            expect(in, "220");
            say(out, "EHLO test.example.com");
            expect(in, "250");
            for (int i = 0; i < n; i++) {
                say(out, "MAIL FROM:<" + from + ">");
                expect(in, "250");
                say(out, "RCPT TO:<" + rcpt + ">");
                expect(in, "250");
                say(out, "DATA");
                expect(in, "354");
                say(out, "Subject: burst " + i + "\r\n\r\nmessage " + i + "\r\n.");
                expect(in, "250");
            }
            say(out, "QUIT");
        }
    }

    private static void say(OutputStream out, String line) throws Exception {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void expect(BufferedReader in, String code) throws Exception {
        String line;
        do {
            line = in.readLine();
            if (line == null || !line.startsWith(code)) {
                throw new AssertionError("expected " + code + ", got " + line);
            }
        } while (line.charAt(3) == '-');
    }

    static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    static long commands(ScriptedRelay relay, String prefix) {
        return relay.commandLines().stream().filter(l -> l.startsWith(prefix)).count();
    }

    /** Messages the relay received from the null sender (bounces and notices). */
    static List<ScriptedRelay.Received> notices(ScriptedRelay relay) {
        return relay.messages().stream().filter(m -> m.sender().isEmpty()).toList();
    }

    /** Parses a notice as MIME and checks it is an RFC 3464 report; returns its three parts' text. */
    static Dsn parse(ScriptedRelay.Received r) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(r.content()));
        if (!m.isMimeType("multipart/report")) {
            throw new AssertionError("not multipart/report: " + m.getContentType());
        }
        String type = m.getContentType().replaceAll("\\s+", " ");
        if (!type.contains("report-type=delivery-status")) {
            throw new AssertionError("no report-type=delivery-status: " + type);
        }
        MimeMultipart mp = (MimeMultipart) m.getContent();
        if (mp.getCount() != 3) {
            throw new AssertionError("expected 3 parts, got " + mp.getCount());
        }
        return new Dsn(m.getSubject(), String.join(",", m.getHeader("To")), text(mp.getBodyPart(0)), part(mp.getBodyPart(1), "message/delivery-status"),
                part(mp.getBodyPart(2), "text/rfc822-headers"));
    }

    private static String part(BodyPart p, String type) throws Exception {
        if (!p.isMimeType(type)) {
            throw new AssertionError("expected " + type + ", got " + p.getContentType());
        }
        return text(p);
    }

    private static String text(BodyPart p) throws Exception {
        try (InputStream in = p.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** A parsed delivery status notification. */
    record Dsn(String subject, String to, String notification, String status, String originalHeaders) {
    }
}
