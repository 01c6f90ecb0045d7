package jmail.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.Test;

class ScriptedRelayTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void recordsOneTransactionExactly() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder()
                .capabilities("8BITMIME", "SIZE 1048576", "AUTH PLAIN LOGIN").start();
             Client c = new Client(relay.port())) {
            assertEquals(List.of("220 relay.example.com ESMTP"), c.reply());
            c.send("EHLO client.example");
            assertEquals(List.of("250-relay.example.com", "250-8BITMIME", "250-SIZE 1048576", "250 AUTH PLAIN LOGIN"),
                    c.reply());
            c.send("MAIL FROM:<a@x> BODY=8BITMIME");
            c.expect(250);
            c.send("RCPT TO:<b@y>");
            c.expect(250);
            c.send("DATA");
            c.expect(354);
            String payload = "Subject: hi\r\n\r\n..leading dot\r\nbody\r\n.\r\n";
            c.sendRaw(payload);
            c.expect(250);
            c.send("QUIT");
            c.expect(221);

            ScriptedRelay.Received m = relay.awaitMessages(1, WAIT).get(0);
            assertEquals("MAIL FROM:<a@x> BODY=8BITMIME", m.mailFromLine());
            assertEquals("a@x", m.sender());
            assertEquals(List.of("b@y"), m.recipients());
            assertArrayEquals(payload.getBytes(StandardCharsets.US_ASCII), m.data());
            assertEquals("Subject: hi\r\n\r\n.leading dot\r\nbody\r\n", m.contentAsString());
            assertEquals(List.of("EHLO client.example", "MAIL FROM:<a@x> BODY=8BITMIME", "RCPT TO:<b@y>", "DATA", "QUIT"),
                    relay.commandLines());
            assertEquals("EHLO client.example\r\nMAIL FROM:<a@x> BODY=8BITMIME\r\nRCPT TO:<b@y>\r\nDATA\r\n"
                    + payload + "QUIT\r\n", relay.transcript(0).clientText());
            assertEquals(1, relay.connectionCount());
        }
    }

    @Test
    void pipelinedCommandsAndSeveralTransactionsPerConnection() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.start(); Client c = new Client(relay.port())) {
            c.expect(220);
            c.send("EHLO client.example");
            assertTrue(c.reply().contains("250-PIPELINING"));
            c.send("MAIL FROM:<a@x>", "RCPT TO:<b@y>", "RCPT TO:<c@y>", "DATA");
            c.expect(250);
            c.expect(250);
            c.expect(250);
            c.expect(354);
            c.sendRaw("one\r\n.\r\nRSET\r\nNOOP\r\nMAIL FROM:<>\r\nRCPT TO:<d@y>\r\nDATA\r\n");
            for (int i = 0; i < 5; i++) {
                c.expect(250);
            }
            c.expect(354);
            c.sendRaw("two\r\n.\r\nQUIT\r\n");
            c.expect(250);
            c.expect(221);
            c.assertClosedByPeer();

            List<ScriptedRelay.Received> ms = relay.awaitMessages(2, WAIT);
            assertEquals(List.of("b@y", "c@y"), ms.get(0).recipients());
            assertEquals("one\r\n", ms.get(0).contentAsString());
            assertEquals("", ms.get(1).sender());
            assertEquals(List.of("d@y"), ms.get(1).recipients());
            assertEquals("two\r\n.\r\n", ms.get(1).dataAsString());
        }
    }

    @Test
    void scriptedRepliesChangeWhileRunning() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder()
                .replyToMail("451 4.7.1 try again later")
                .replyToRcpt("bad@y", "550 5.1.1 no such user")
                .start();
             Client c = new Client(relay.port())) {
            c.expect(220);
            c.send("EHLO client.example");
            c.reply();
            c.send("MAIL FROM:<a@x>");
            assertEquals("451 4.7.1 try again later", c.expect(451));

            relay.replyToMail(null);
            c.send("MAIL FROM:<a@x>");
            c.expect(250);
            c.send("RCPT TO:<BAD@y>");
            assertEquals("550 5.1.1 no such user", c.expect(550));
            c.send("DATA");
            assertEquals("554 5.5.1 Error: no valid recipients", c.expect(554));
            c.send("RCPT TO:<good@y>");
            c.expect(250);

            relay.replyToDataCommand("451 4.3.0 not now");
            c.send("DATA");
            c.expect(451);
            relay.replyToDataCommand(null);
            relay.replyToData("552 5.3.4 too big");
            c.send("DATA");
            c.expect(354);
            c.sendRaw("x\r\n.\r\n");
            c.expect(552);
            assertTrue(relay.messages().isEmpty());

            relay.clearScript();
            c.send("MAIL FROM:<a@x>", "RCPT TO:<bad@y>", "RCPT TO:<good@y>", "DATA");
            c.expect(250);
            c.expect(250);
            c.expect(250);
            c.expect(354);
            c.sendRaw("x\r\n.\r\n");
            c.expect(250);
            assertEquals(List.of("bad@y", "good@y"), relay.awaitMessages(1, WAIT).get(0).recipients());
        }
    }

    @Test
    void sizeParameterAboveTheAdvertisedLimitIsRefused() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().capabilities("SIZE 1000").start();
             Client c = new Client(relay.port())) {
            c.expect(220);
            c.send("EHLO client.example");
            assertEquals(List.of("250-relay.example.com", "250 SIZE 1000"), c.reply());
            c.send("MAIL FROM:<a@x> SIZE=1001");
            assertEquals("552 5.3.4 Message size exceeds fixed limit", c.expect(552));
            c.send("MAIL FROM:<a@x> SIZE=1000");
            c.expect(250);
        }
    }

    @Test
    void authPlainAndLoginInAllForms() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().requireAuth("user", "password").start()) {
            String plain = b64("\0user\0password");
            try (Client c = helloed(relay)) {
                c.send("MAIL FROM:<a@x>");
                assertEquals("530 5.7.0 Authentication required", c.expect(530));
                c.send("AUTH PLAIN " + plain);
                assertEquals("235 2.7.0 Authentication successful", c.expect(235));
                c.send("MAIL FROM:<a@x>");
                c.expect(250);
            }
            try (Client c = helloed(relay)) {
                c.send("AUTH PLAIN");
                assertEquals("334 ", c.expect(334));
                c.send(plain);
                c.expect(235);
            }
            try (Client c = helloed(relay)) {
                c.send("AUTH LOGIN");
                assertEquals("334 VXNlcm5hbWU6", c.expect(334));
                c.send(b64("user"));
                assertEquals("334 UGFzc3dvcmQ6", c.expect(334));
                c.send(b64("password"));
                c.expect(235);
            }
            try (Client c = helloed(relay)) {
                c.send("AUTH LOGIN " + b64("user"));
                assertEquals("334 UGFzc3dvcmQ6", c.expect(334));
                c.send(b64("wrong"));
                assertEquals("535 5.7.8 Error: authentication failed", c.expect(535));
                c.send("MAIL FROM:<a@x>");
                c.expect(530);
            }
            assertEquals("user", relay.transcript(0).authenticatedUser());
            assertNull(relay.transcript(3).authenticatedUser());
            assertEquals(List.of("AUTH PLAIN " + plain, "AUTH PLAIN", plain, "AUTH LOGIN", b64("user"), b64("password"),
                    "AUTH LOGIN " + b64("user"), b64("wrong")), relay.authLines());
            assertTrue(relay.commandLines().contains(b64("password")));
        }
    }

    @Test
    void authOptions() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder()
                .capabilities("AUTH LOGIN PLAIN")
                .plainRequiresInitialResponse()
                .loginChallenges("", "")
                .rejectAllAuth()
                .start();
             Client c = helloed(relay)) {
            c.send("AUTH PLAIN");
            c.expect(501);
            c.send("AUTH PLAIN " + b64("\0any\0thing"));
            c.expect(535);
            relay.rejectAllAuth(false);
            c.send("AUTH LOGIN");
            assertEquals("334 ", c.expect(334));
            c.send(b64("any"));
            assertEquals("334 ", c.expect(334));
            c.send(b64("thing"));
            c.expect(235); // no requireAuth: any credentials pass
            c.send("AUTH CRAM-MD5");
            c.expect(503); // already authenticated
        }
    }

    @Test
    void startTlsWithRawClient() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls()
                .capabilities("8BITMIME")
                .capabilitiesAfterTls("8BITMIME", "AUTH PLAIN")
                .start();
             Client c = helloed(relay)) {
            assertEquals(List.of("250-relay.example.com", "250-8BITMIME", "250 STARTTLS"), c.lastReply);
            c.send("STARTTLS");
            c.expect(220);
            c.startTls(TestCerts.localhost().clientContext());
            c.send("EHLO client.example");
            assertEquals(List.of("250-relay.example.com", "250-8BITMIME", "250 AUTH PLAIN"), c.reply());
            c.send("STARTTLS");
            c.expect(554);
            c.send("MAIL FROM:<a@x>", "RCPT TO:<b@y>", "DATA");
            c.expect(250);
            c.expect(250);
            c.expect(354);
            c.sendRaw("secret\r\n.\r\n");
            c.expect(250);
            assertTrue(relay.transcript(0).tls());
            assertTrue(relay.transcript(0).clientText().contains("secret\r\n.\r\n"));
            assertEquals("secret\r\n", relay.awaitMessages(1, WAIT).get(0).contentAsString());
        }
    }

    @Test
    void startTlsDiscardsPlaintextSentAheadOfTheHandshake() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().start(); Client c = helloed(relay)) {
            assertTrue(c.lastReply.contains("250 STARTTLS"));
            c.send("STARTTLS", "NOOP");
            c.expect(220);
            c.startTls(TestCerts.localhost().clientContext());
            c.send("EHLO client.example");
            assertFalse(c.reply().toString().contains("STARTTLS"));
            assertEquals(6, relay.transcript(0).discardedAfterStartTls());
            assertFalse(relay.commandLines().contains("NOOP"));
        }
    }

    @Test
    void wrongNameAndExpiredCertificatesFailVerification() throws Exception {
        try (ScriptedRelay good = ScriptedRelay.builder().implicitTls(TestCerts.localhost()).start();
             ScriptedRelay wrong = ScriptedRelay.builder().tls(TestCerts.wrongName()).start();
             ScriptedRelay expired = ScriptedRelay.builder().tls(TestCerts.expired()).start()) {
            try (Client c = new Client(good.port())) {
                c.startTls(TestCerts.localhost().clientContext());
                c.expect(220);
            }
            try (Client c = helloed(wrong)) {
                c.send("STARTTLS");
                c.expect(220);
                // Trusts the certificate, so only the name can be wrong.
                assertThrows(SSLHandshakeException.class, () -> c.startTls(TestCerts.wrongName().clientContext()));
            }
            try (Client c = helloed(expired)) {
                c.send("STARTTLS");
                c.expect(220);
                SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                        () -> c.startTls(TestCerts.expired().clientContext()));
                assertTrue(hasCause(e, CertificateExpiredException.class), () -> String.valueOf(e));
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (wrong.transcript(0).tlsFailure() == null && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(wrong.transcript(0).tlsFailure() != null);
            assertFalse(wrong.transcript(0).tls());
        }
    }

    @Test
    void stallsAndDrops() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().acceptButSilent().start();
             Client c = new Client(relay.port())) {
            c.socket.setSoTimeout(200);
            c.send("EHLO client.example");
            assertThrows(SocketTimeoutException.class, c::reply);
            assertEquals("EHLO client.example", relay.awaitCommand("EHLO", WAIT));
        }
        ScriptedRelay stalling = ScriptedRelay.builder().stopReadingInData().start();
        try (Client c = helloed(stalling)) {
            c.send("MAIL FROM:<a@x>", "RCPT TO:<b@y>", "DATA");
            c.expect(250);
            c.expect(250);
            c.expect(354);
            c.sendRaw("x\r\n.\r\n");
            c.socket.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, c::reply);
            long start = System.nanoTime();
            stalling.close(); // ends the stall
            assertTrue(System.nanoTime() - start < 1_000_000_000L);
            c.assertClosedByPeer();
        } finally {
            stalling.close();
        }
        try (ScriptedRelay relay = ScriptedRelay.builder().dropAfter("DATA").start(); Client c = helloed(relay)) {
            c.send("MAIL FROM:<a@x>", "RCPT TO:<b@y>", "DATA");
            c.expect(250);
            c.expect(250);
            c.assertClosedByPeer();
        }
        try (ScriptedRelay relay = ScriptedRelay.builder().start(); Client c = helloed(relay)) {
            relay.dropAfter(ScriptedRelay.MID_DATA);
            c.send("MAIL FROM:<a@x>", "RCPT TO:<b@y>", "DATA");
            c.expect(250);
            c.expect(250);
            c.expect(354);
            c.sendRaw("first line\r\n");
            c.assertClosedByPeer();
            assertTrue(relay.messages().isEmpty());
        }
        try (ScriptedRelay relay = ScriptedRelay.builder().dropAfter(ScriptedRelay.END_OF_DATA).start();
             Client c = helloed(relay)) {
            c.send("MAIL FROM:<a@x>", "RCPT TO:<b@y>", "DATA");
            c.expect(250);
            c.expect(250);
            c.expect(354);
            c.sendRaw("x\r\n.\r\n");
            c.assertClosedByPeer();
            assertTrue(relay.transcript(0).clientText().endsWith("x\r\n.\r\n"));
            assertTrue(relay.messages().isEmpty());
        }
    }

    @Test
    void greetingsAndVerbOverrides() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().greeting("421 4.3.2 busy").start();
             Client c = new Client(relay.port())) {
            c.expect(421);
            c.assertClosedByPeer();
        }
        try (ScriptedRelay relay = ScriptedRelay.builder().greeting("554 5.3.2 go away").start();
             Client c = new Client(relay.port())) {
            c.expect(554);
            c.send("EHLO client.example");
            c.expect(503);
            c.send("QUIT");
            c.expect(221);
        }
        try (ScriptedRelay relay = ScriptedRelay.builder()
                .replyTo("EHLO", "502 5.5.2 Error: command not recognized").start();
             Client c = new Client(relay.port())) {
            c.expect(220);
            c.send("EHLO client.example");
            c.expect(502);
            c.send("HELO client.example");
            assertEquals("250 relay.example.com", c.expect(250));
        }
    }

    @Test
    void concurrentConnections() throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try (ScriptedRelay relay = ScriptedRelay.start()) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                done.add(pool.submit(() -> {
                    try (Client c = helloed(relay)) {
                        c.send("MAIL FROM:<s" + id + "@x>", "RCPT TO:<r@y>", "DATA");
                        c.expect(250);
                        c.expect(250);
                        c.expect(354);
                        c.sendRaw("msg " + id + "\r\n.\r\n");
                        c.expect(250);
                        c.send("QUIT");
                        c.expect(221);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            assertEquals(n, relay.awaitMessages(n, WAIT).size());
            assertEquals(n, relay.connectionCount());
            AssertionError timeout = assertThrows(AssertionError.class,
                    () -> relay.awaitMessages(n + 1, Duration.ofMillis(50)));
            assertTrue(timeout.getMessage().contains("9 message(s)"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void jakartaMailDoesStartTlsAndAuthPlain() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls()
                .capabilities("PIPELINING", "8BITMIME", "SIZE 1048576", "AUTH PLAIN LOGIN")
                .requireAuth("user", "password")
                .start()) {
            Properties p = new Properties();
            p.put("mail.smtp.host", "127.0.0.1");
            p.put("mail.smtp.port", String.valueOf(relay.port()));
            p.put("mail.smtp.localhost", "client.example"); // no local host name lookup
            p.put("mail.from", "a@example.org"); // Message-ID without a local host name lookup
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
            p.put("mail.smtp.ssl.socketFactory", TestCerts.localhost().clientContext().getSocketFactory());
            p.put("mail.smtp.ssl.checkserveridentity", "true");
            p.put("mail.smtp.auth", "true");
            p.put("mail.smtp.auth.mechanisms", "PLAIN");
            p.put("mail.smtp.connectiontimeout", "5000");
            p.put("mail.smtp.timeout", "5000");
            Session session = Session.getInstance(p);
            MimeMessage msg = new MimeMessage(session);
            msg.setFrom(new InternetAddress("a@example.org"));
            msg.setRecipient(Message.RecipientType.TO, new InternetAddress("b@example.net"));
            msg.setSubject("interop");
            msg.setText("hello\n.dot line\n");
            msg.saveChanges();
            try (SMTPTransport t = (SMTPTransport) session.getTransport("smtp")) {
                t.connect("user", "password");
                t.sendMessage(msg, msg.getAllRecipients());
            }

            ScriptedRelay.Received m = relay.awaitMessages(1, WAIT).get(0);
            ScriptedRelay.Transcript tr = relay.transcript(0);
            assertTrue(tr.tls());
            assertEquals("user", tr.authenticatedUser());
            assertEquals(List.of("AUTH PLAIN " + b64("user\0user\0password")), tr.authLines()); // authzid = authcid
            assertEquals("a@example.org", m.sender());
            assertEquals(List.of("b@example.net"), m.recipients());
            assertTrue(m.dataAsString().contains("\r\n..dot line\r\n"));
            assertTrue(m.contentAsString().contains("\r\nhello\r\n.dot line\r\n"));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** Connects, reads the greeting and sends EHLO; the EHLO reply is in {@code lastReply}. */
    private static Client helloed(ScriptedRelay relay) throws IOException {
        Client c = new Client(relay.port());
        c.expect(220);
        c.send("EHLO client.example");
        c.expect(250);
        return c;
    }

    /** A bare SMTP client over a socket: sends lines, reads (multi-line) replies. */
    private static final class Client implements AutoCloseable {
        Socket socket;
        InputStream in;
        OutputStream out;
        List<String> lastReply;

        Client(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(3000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        /** Sends the lines, each with CRLF, in one write (so several lines are pipelined). */
        void send(String... lines) throws IOException {
            StringBuilder b = new StringBuilder();
            for (String l : lines) {
                b.append(l).append("\r\n");
            }
            sendRaw(b.toString());
        }

        void sendRaw(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Reads one reply, all its lines. */
        List<String> reply() throws IOException {
            List<String> lines = new ArrayList<>();
            while (true) {
                String l = line();
                if (l == null) {
                    throw new IOException("connection closed; got " + lines);
                }
                lines.add(l);
                if (l.length() < 4 || l.charAt(3) != '-') {
                    lastReply = lines;
                    return lines;
                }
            }
        }

        /** Reads one reply, asserts its code and returns its last line. */
        String expect(int code) throws IOException {
            List<String> r = reply();
            assertTrue(r.get(r.size() - 1).startsWith(code + " "), () -> "expected " + code + ", got " + r);
            return r.get(r.size() - 1);
        }

        String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                b.write(c);
            }
            if (c == -1 && b.size() == 0) {
                return null;
            }
            String s = b.toString(StandardCharsets.UTF_8);
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }

        /** Wraps the connection in TLS, verifying the certificate and the name 127.0.0.1. */
        void startTls(SSLContext ctx) throws IOException {
            SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(socket, "127.0.0.1", socket.getPort(), true);
            SSLParameters params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(params);
            ssl.startHandshake();
            socket = ssl;
            in = new BufferedInputStream(ssl.getInputStream());
            out = ssl.getOutputStream();
        }

        /** Asserts the relay closed the connection: end of stream or a reset. */
        void assertClosedByPeer() {
            try {
                assertEquals(-1, in.read());
            } catch (SocketTimeoutException e) {
                throw new AssertionError("connection still open", e);
            } catch (IOException e) {
                // connection reset: also closed
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
