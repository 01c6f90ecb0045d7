package jmail.security;

import static jmail.security.Fixtures.WAIT;
import static jmail.security.Fixtures.awaitQueueShows;
import static jmail.security.Fixtures.quoted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SASL to the relay (B17, B18): only offered mechanisms, exact wire forms of PLAIN and LOGIN, the
 * legacy {@code AUTH=} line, a 535 defers without MAIL, and the mechanism filter.
 */
class RelaySaslIT {
    private static final String USER = "user@example.com";
    private static final String PASSWORD = "secret";
    private static final String PLAIN_BLOB = "AHVzZXJAZXhhbXBsZS5jb20Ac2VjcmV0";

    @TempDir
    Path tmp;

    @Test
    void onlyAnOfferedMechanismIsTriedAndPlainCarriesItsInitialResponse() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth(USER, PASSWORD)
                .capabilities("AUTH CRAM-MD5 PLAIN LOGIN", "8BITMIME").start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD).start()) {
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            relay.awaitMessages(1, WAIT);
            assertEquals(List.of("AUTH PLAIN " + PLAIN_BLOB), relay.authLines());
        }
    }

    @Test
    void a535EndsTheSessionWithQuitNoMailAndJmailqShowsTheReply() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth(USER, PASSWORD).rejectAllAuth()
                .capabilities("AUTH PLAIN LOGIN", "8BITMIME").start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD).start()) {
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            String listing = awaitQueueShows(h, "535 5.7.8 Error: authentication failed");
            assertTrue(listing.contains("user@example.test"), listing);
            relay.awaitConnections(1, WAIT);
            h.await(WAIT, () -> relay.transcript(0).closed(), "the first session to end");
            List<String> first = relay.transcript(0).commandLines();
            assertEquals("QUIT", first.get(first.size() - 1), first.toString());
            assertTrue(relay.commandLines().stream().noneMatch(l -> l.startsWith("MAIL")), relay.commandLines().toString());
            assertFalse(h.logText().contains("status=sent"), h.logText());
            assertTrue(h.logText().contains("status=deferred"), h.logText());
        }
    }

    @Test
    void legacyAuthEqualsLineIsUnderstood() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth(USER, PASSWORD)
                .capabilities("AUTH=LOGIN PLAIN", "SIZE 1000").start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD).start()) {
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            relay.awaitMessages(1, WAIT);
            assertEquals(USER, relay.transcript(0).authenticatedUser());
        }
    }

    @Test
    void loginAnswersEmptyChallengesWithUserThenPassword() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth(USER, PASSWORD)
                .loginChallenges("", "UGFzc3dvcmQA").capabilities("AUTH LOGIN").start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD).start()) {
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            relay.awaitMessages(1, WAIT);
            assertEquals(List.of("AUTH LOGIN", "dXNlckBleGFtcGxlLmNvbQ==", "c2VjcmV0"), relay.authLines());
        }
    }

    @Test
    void plainSendsItsInitialResponseOnTheAuthLine() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth(USER, PASSWORD)
                .plainRequiresInitialResponse().capabilities("AUTH PLAIN").start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD).start()) {
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            relay.awaitMessages(1, WAIT);
            assertEquals(List.of("AUTH PLAIN " + PLAIN_BLOB), relay.authLines());
        }
    }

    @Test
    void mechanismFilterIsHonoured() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth(USER, PASSWORD)
                .capabilities("AUTH PLAIN LOGIN").start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD)) {
            h.set("smtp_sasl_mechanism_filter", quoted("login")).start();
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            relay.awaitMessages(1, WAIT);
            assertEquals("AUTH LOGIN", relay.authLines().get(0));
        }
    }

    @Test
    void mechanismsOutsideTheFilterAreNeverTried() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth(USER, PASSWORD)
                .capabilities("AUTH CRAM-MD5 DIGEST-MD5").start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD).start()) {
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            awaitQueueShows(h, "user@example.test");
            h.await(WAIT, () -> h.logText().contains("status=deferred"), "a deferral");
            assertTrue(relay.authLines().isEmpty(), relay.commandLines().toString());
            assertTrue(relay.commandLines().stream().noneMatch(l -> l.startsWith("MAIL")), relay.commandLines().toString());
        }
    }

    @Test
    void aRelayThatOffersNoAuthGetsTheMailAndTheLogAWarning() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().capabilities("8BITMIME").start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD).start()) {
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            relay.awaitMessages(1, WAIT);
            h.await(WAIT, () -> h.logText().contains("offers no AUTH; sending without authentication"), "the warning");
            assertTrue(relay.authLines().isEmpty());
        }
    }
}
