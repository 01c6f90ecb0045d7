package jmail.security;

import static jmail.security.Fixtures.WAIT;
import static jmail.security.Fixtures.awaitQueueShows;
import static jmail.security.Fixtures.quoted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import jmail.testing.TestCerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to the relay (issue 5, B20): certificate checks under verify, STARTTLS stripping, the
 * post-TLS capability list, implicit TLS, and when a failed handshake may fall back to cleartext.
 */
class RelayTlsIT {
    private static final String USER = "alerts@example.com";
    private static final String PASSWORD = "s3cret-Pass";

    @TempDir
    Path tmp;

    @Test
    void verifyRefusesASelfSignedCertificateTheJdkDoesNotTrust() throws Exception {
        assertCertificateRefused(TestCerts.localhost(), null);
    }

    @Test
    void verifyRefusesACertificateForAnotherName() throws Exception {
        assertCertificateRefused(TestCerts.wrongName(), TestCerts.wrongName());
    }

    @Test
    void verifyRefusesAnExpiredCertificate() throws Exception {
        assertCertificateRefused(TestCerts.expired(), TestCerts.expired());
    }

    private void assertCertificateRefused(TestCerts.Cert presented, TestCerts.Cert trusted) throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls(presented).requireAuth(USER, PASSWORD).start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD)) {
            h.set("smtp_tls_security_level", quoted("verify"));
            if (trusted != null) {
                h.set("smtp_tls_CAfile", quoted(Fixtures.pem(tmp.resolve("ca.pem"), trusted)));
            }
            h.start();
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            String listing = awaitQueueShows(h, "certificate verify failed");
            assertTrue(listing.contains("user@example.test"), listing);
            assertTrue(relay.authLines().isEmpty(), relay.commandLines().toString());
            assertTrue(relay.commandLines().stream().noneMatch(l -> l.startsWith("MAIL")), relay.commandLines().toString());
            assertFalse(relay.transcript(0).clientText().contains(PASSWORD));
            assertTrue(relay.messages().isEmpty());
        }
    }

    @Test
    void verifyAcceptsTheRelayWhenSmtpTlsCaFileTrustsIt() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls(TestCerts.localhost()).requireAuth(USER, PASSWORD).start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD)) {
            h.set("smtp_tls_security_level", quoted("secure"))
                    .set("smtp_tls_CAfile", quoted(Fixtures.pem(tmp.resolve("ca.pem"), TestCerts.localhost()))).start();
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            relay.awaitMessages(1, WAIT);
            assertTrue(relay.transcript(0).tls());
            assertEquals(USER, relay.transcript(0).authenticatedUser());
        }
    }

    @Test
    void strippedStartTlsWithCredentialsDefersNamingTheSettingAndSendsNothing() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().requireAuth(USER, PASSWORD)
                .capabilities("PIPELINING", "AUTH PLAIN LOGIN", "8BITMIME").start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD).start()) {
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            String listing = awaitQueueShows(h, "TLS is required, but was not offered");
            assertTrue(listing.contains("smtp_sasl_security_options"), listing);
            assertEquals("EHLO client.example.com", relay.commandLines().get(0));
            assertTrue(relay.authLines().isEmpty(), relay.commandLines().toString());
            assertTrue(relay.commandLines().stream().noneMatch(l -> l.startsWith("MAIL")), relay.commandLines().toString());
            assertFalse(relay.transcript(0).clientText().contains(PASSWORD));
        }
    }

    @Test
    void encryptWithoutStartTlsDefersNamingTheTlsLevel() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port())) {
            h.set("smtp_tls_security_level", quoted("encrypt")).start();
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            String listing = awaitQueueShows(h, "TLS is required, but was not offered");
            assertTrue(listing.contains("smtp_tls_security_level"), listing);
            assertTrue(relay.commandLines().stream().noneMatch(l -> l.startsWith("MAIL")), relay.commandLines().toString());
        }
    }

    @Test
    void authIsChosenFromThePostTlsCapabilitiesAndNeverSentBeforeTls() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth(USER, PASSWORD)
                .capabilities("STARTTLS", "AUTH PLAIN")
                .capabilitiesAfterTls("AUTH LOGIN", "SIZE 1000").start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD).start()) {
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            relay.awaitMessages(1, WAIT);
            List<String> lines = relay.transcript(0).commandLines();
            assertEquals(List.of("EHLO client.example.com", "STARTTLS", "EHLO client.example.com", "AUTH LOGIN"),
                    lines.subList(0, 4), lines.toString());
            assertEquals(USER, relay.transcript(0).authenticatedUser());
        }
    }

    @Test
    void underMayAFailedHandshakeFallsBackToCleartextWhenNoCredentialsWouldBeSent() throws Exception {
        try (ScriptedRelay relay = brokenStartTlsRelay();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port()).start()) {
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            relay.awaitMessages(1, WAIT);
            ScriptedRelay.Transcript retry = relay.transcripts().get(relay.transcripts().size() - 1);
            assertFalse(retry.commandLines().contains("STARTTLS"), retry.commandLines().toString());
            h.awaitEmptyQueue(WAIT);
        }
    }

    @Test
    void underMayAFailedHandshakeNeverFallsBackToCleartextWithCredentials() throws Exception {
        try (ScriptedRelay relay = brokenStartTlsRelay();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD)) {
            // even where the operator allowed plaintext AUTH, a handshake that was attempted and failed looks like an attack
            h.set("smtp_sasl_security_options", quoted("noanonymous")).start();
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            awaitQueueShows(h, "TLS handshake with");
            Thread.sleep(1500);
            assertTrue(relay.authLines().isEmpty(), relay.commandLines().toString());
            assertTrue(relay.commandLines().stream().noneMatch(l -> l.startsWith("MAIL")), relay.commandLines().toString());
            for (ScriptedRelay.Transcript t : relay.transcripts()) {
                assertFalse(t.clientText().contains(PASSWORD));
            }
        }
    }

    /** Says "220" to STARTTLS but keeps talking plaintext, so the client's handshake fails. */
    private static ScriptedRelay brokenStartTlsRelay() {
        return ScriptedRelay.builder().capabilities("PIPELINING", "STARTTLS", "AUTH PLAIN LOGIN", "8BITMIME")
                .replyTo("STARTTLS", "220 2.0.0 Ready to start TLS").start();
    }

    @Test
    void aTls12RelayIsFineByDefaultButRefusedWhenMandatoryProtocolsSayTls13() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().tlsProtocols("TLSv1.2").start();
             JmailHarness h = new JmailHarness(tmp).relay(relay.port())) {
            h.set("smtp_tls_security_level", quoted("encrypt")).start();
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            relay.awaitMessages(1, WAIT);
            assertTrue(relay.transcript(0).tls());
        }
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().tlsProtocols("TLSv1.2").start();
             JmailHarness h = new JmailHarness(Files.createDirectories(tmp.resolve("tls13"))).relay(relay.port())) {
            h.set("smtp_tls_security_level", quoted("encrypt"))
                    .set("smtp_tls_mandatory_protocols", quoted(">=TLSv1.3")).start();
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            awaitQueueShows(h, "TLS handshake with");
            assertTrue(relay.transcript(0).tlsFailure() != null, relay.transcript(0).toString());
            assertTrue(relay.commandLines().stream().noneMatch(l -> l.startsWith("MAIL")), relay.commandLines().toString());
        }
    }

    @Test
    void wrapperModeSpeaksTlsFromTheFirstByte() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().implicitTls(TestCerts.localhost()).requireAuth(USER, PASSWORD).start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD)) {
            h.set("smtp_tls_wrappermode", "yes").set("smtp_tls_security_level", quoted("verify"))
                    .set("smtp_tls_CAfile", quoted(Fixtures.pem(tmp.resolve("ca.pem"), TestCerts.localhost()))).start();
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            relay.awaitMessages(1, WAIT);
            assertTrue(relay.transcript(0).tls());
            assertFalse(relay.transcript(0).commandLines().contains("STARTTLS"));
            assertEquals(USER, relay.transcript(0).authenticatedUser());
        }
    }

    @Test
    void wrapperModeUnderVerifyRefusesAnUntrustedCertificate() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().implicitTls(TestCerts.wrongName()).requireAuth(USER, PASSWORD).start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD)) {
            h.set("smtp_tls_wrappermode", "yes").set("smtp_tls_security_level", quoted("verify"))
                    .set("smtp_tls_CAfile", quoted(Fixtures.pem(tmp.resolve("ca.pem"), TestCerts.wrongName()))).start();
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            awaitQueueShows(h, "certificate verify failed");
            assertTrue(relay.commandLines().isEmpty(), relay.commandLines().toString());
        }
    }
}
