package jmail.security;

import static jmail.security.Fixtures.WAIT;
import static jmail.security.Fixtures.awaitQueueShows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import jmail.testing.JmailHarness;
import jmail.testing.ScriptedRelay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay password map: private or refused, any characters work, and the password is never printed. */
class PasswordMapIT {
    private static final String USER = "alerts@example.com";
    /** Everything a naive parser trips on: a colon, a hash, spaces, non-ASCII. */
    private static final String PASSWORD = "p:a#ss w\u00f6rd \u30d1\u30b9";

    @TempDir
    Path tmp;

    @Test
    void aGroupReadableMapStopsTheDaemonNamingTheFileAndChmod() throws Exception {
        assertRefused("rw-r-----");
    }

    @Test
    void anOtherReadableMapStopsTheDaemonNamingTheFileAndChmod() throws Exception {
        assertRefused("rw----r--");
    }

    private void assertRefused(String mode) throws Exception {
        JmailHarness h = new JmailHarness(tmp).relayWithAuth(2525, USER, PASSWORD);
        Path map = tmp.resolve("sasl_passwd");
        Files.setPosixFilePermissions(map, PosixFilePermissions.fromString(mode));
        JmailHarness.Run run = h.jmaildOnce("-C", h.conf().toString());
        assertEquals(78, run.exit(), run.all());
        assertEquals("jmaild: fatal: " + map + ": the password map is readable or writable by others; run: chmod 600 " + map,
                run.err().strip());
        assertFalse(run.all().contains("p:a#ss"), run.all());
    }

    @Test
    void passwordWithColonHashSpacesAndNonAsciiAuthenticatesWithPlainAndLogin() throws Exception {
        for (String mechanism : List.of("plain", "login")) {
            Path dir = Files.createDirectories(tmp.resolve(mechanism));
            try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth(USER, PASSWORD).start();
                 JmailHarness h = new JmailHarness(dir).relayWithAuth(relay.port(), USER, PASSWORD)) {
                h.set("smtp_sasl_mechanism_filter", Fixtures.quoted(mechanism)).start();
                assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
                relay.awaitMessages(1, WAIT);
                assertEquals(USER, relay.transcript(0).authenticatedUser());
                assertTrue(relay.authLines().get(0).startsWith("AUTH " + mechanism.toUpperCase()), relay.authLines().toString());
            }
        }
    }

    @Test
    void thePasswordAppearsInNoOutputOfAnyCommand() throws Exception {
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().requireAuth(USER, "the-right-one").start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD).start()) {
            List<String> outputs = new ArrayList<>();
            JmailHarness.Run submit = h.sendmail("Subject: t\n\nbody\n", "user@example.test");
            assertEquals(0, submit.exit());
            outputs.add(submit.all());
            String listing = awaitQueueShows(h, "535 5.7.8");
            outputs.add(listing);
            String id = listing.lines().filter(l -> l.matches("^[0-9A-F]{8,}.*")).findFirst().orElseThrow().split("\\s+")[0];
            outputs.add(h.jmailq("--json").all());
            outputs.add(h.jmailctl("status").all());
            outputs.add(h.jmailctl("show", id).all());
            outputs.add(h.jmailctl("check").all());
            outputs.add(h.jmailctl("flush").all());
            outputs.add(h.sendmail(new byte[0], "-bp").all());
            // a failing submission prints an error too
            outputs.add(h.sendmail("x\n", "bad\r\naddress@example.test").all());
            h.await(WAIT, () -> relay.authLines().size() >= 2, "a retried AUTH");
            outputs.add(h.logText());
            for (String secret : secretForms()) {
                for (String out : outputs) {
                    assertFalse(out.contains(secret), "\"" + secret + "\" in: " + out);
                }
            }
        }
    }

    @Test
    void aRelayThatEchoesTheCredentialsInItsReplyDoesNotLeakThemIntoJmailqOrTheLog() throws Exception {
        String blob = secretForms().get(5);
        try (ScriptedRelay relay = ScriptedRelay.builder().tls().capabilities("AUTH PLAIN")
                .replyTo("AUTH", "535 5.7.8 rejected: AUTH PLAIN " + blob + " (" + PASSWORD + ")").start();
             JmailHarness h = new JmailHarness(tmp).relayWithAuth(relay.port(), USER, PASSWORD).start()) {
            assertEquals(0, h.sendmail("Subject: t\n\nbody\n", "user@example.test").exit());
            String listing = awaitQueueShows(h, "535 5.7.8 rejected: AUTH PLAIN <hidden> (<hidden>)");
            for (String secret : secretForms()) {
                assertFalse(listing.contains(secret), listing);
                assertFalse(h.logText().contains(secret), h.logText());
            }
        }
    }

    /** The password as written, its pieces, the base64 forms in which PLAIN and LOGIN carry it, and its mojibake. */
    private static List<String> secretForms() {
        Base64.Encoder b64 = Base64.getEncoder();
        return List.of(PASSWORD, "p:a#ss", "w\u00f6rd", "\u30d1\u30b9",
                b64.encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString(("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8)),
                // the UTF-8 bytes read as ISO-8859-1, as Angus reads server replies
                new String(PASSWORD.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    }
}
