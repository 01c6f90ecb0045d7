package jmail.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.time.Duration;
import java.util.Base64;
import jmail.testing.JmailHarness;
import jmail.testing.TestCerts;

/** Small helpers shared by the security tests. */
final class Fixtures {
    static final Duration WAIT = Duration.ofSeconds(Long.getLong("jmail.test.wait", 60));

    private Fixtures() {
    }

    /** jmailq's text output, or "" if it could not run (polled from await loops). */
    static String q(JmailHarness h) {
        try {
            return h.jmailq().out();
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    /** Waits until jmailq shows {@code text} and returns the listing. */
    static String awaitQueueShows(JmailHarness h, String text) throws InterruptedException {
        h.await(WAIT, () -> q(h).contains(text), "jmailq to show \"" + text + "\"");
        return q(h);
    }

    /** Writes the trust anchor of {@code cert} as a PEM file, for smtp_tls_CAfile. */
    static Path pem(Path file, TestCerts.Cert cert) throws IOException {
        try {
            String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(cert.trustAnchor().getEncoded());
            Files.writeString(file, "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n");
            return file;
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String quoted(Object value) {
        return "\"" + value + "\"";
    }
}
