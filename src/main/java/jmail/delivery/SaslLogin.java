package jmail.delivery;

import jakarta.mail.MessagingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jmail.config.PasswordMap.Credentials;
import jmail.mail.Dsn;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * SMTP AUTH PLAIN and LOGIN on an open Angus transport, done here rather than by Angus because Angus
 * sends the user name as PLAIN's authorization identity, ignores the legacy {@code AUTH=} EHLO line
 * and drops the connection without QUIT after a 535.
 *
 * <p>SECURITY: the caller guarantees TLS when the policy demands it. The password goes only into the
 * base64 AUTH lines; no message built here contains it (only the server's reply is quoted).
 */
final class SaslLogin {
    /** What happened: done, or the relay offers no AUTH at all. */
    enum Result { AUTHENTICATED, NOT_OFFERED }

    private SaslLogin() {
    }

    /**
     * Picks the first mechanism of {@code allowed} that the last EHLO reply offered and authenticates;
     * throws a 4.7.x {@link HopFailure} when no allowed mechanism is offered or the relay refuses.
     */
    static Result authenticate(SMTPTransport t, String ehloReply, Credentials c, List<String> allowed, NextHop hop)
            throws HopFailure, MessagingException {
        Set<String> offered = offeredMechanisms(ehloReply);
        if (offered.isEmpty()) {
            return Result.NOT_OFFERED;
        }
        String mechanism = allowed.stream().filter(offered::contains).findFirst().orElse(null);
        if (mechanism == null) {
            throw new HopFailure(new Dsn("4.7.0", "SASL authentication failed; server " + hop.describe() + " offers "
                    + String.join(" ", offered) + " but smtp_sasl_mechanism_filter allows only " + String.join(" ", allowed)));
        }
        int code;
        if (mechanism.equals("PLAIN")) {
            String blob = base64("\0" + c.user() + "\0" + c.password());
            code = t.simpleCommand("AUTH PLAIN " + blob);
            if (code == 334) {
                // a server that ignored the initial response asks for it again (B18)
                code = t.simpleCommand(blob);
            }
        } else {
            code = t.simpleCommand("AUTH LOGIN");
            if (code == 334) {
                code = t.simpleCommand(base64(c.user()));
            }
            if (code == 334) {
                code = t.simpleCommand(base64(c.password()));
            }
        }
        if (code == 334) {
            t.simpleCommand("*");
        }
        if (code != 235) {
            throw new HopFailure(new Dsn("4.7.8", "SASL authentication failed; server " + hop.describe() + " said: "
                    + redact(SmtpConnection.oneLine(t.getLastServerResponse()), c)));
        }
        return Result.AUTHENTICATED;
    }

    /** Mechanisms from {@code 250-AUTH A B} and the pre-RFC {@code 250-AUTH=A B} lines of an EHLO reply. */
    static Set<String> offeredMechanisms(String ehloReply) {
        Set<String> out = new LinkedHashSet<>();
        if (ehloReply == null) {
            return out;
        }
        for (String line : ehloReply.split("\r?\n")) {
            String l = line.length() > 4 ? line.substring(4).strip().toUpperCase(Locale.ROOT) : "";
            if (l.startsWith("AUTH ") || l.startsWith("AUTH=")) {
                for (String m : l.substring(5).strip().split("[\\s=]+")) {
                    if (!m.isEmpty()) {
                        out.add(m);
                    }
                }
            }
        }
        return out;
    }

    /** The server's reply ends up in jmailq and the log; a server that echoes what it got must not leak it there. */
    static String redact(String reply, Credentials c) {
        String out = reply;
        // Angus reads replies as ISO-8859-1, so a non-ASCII password comes back as its UTF-8 bytes read that way
        String asRead = new String(c.password().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        for (String secret : new String[] {base64("\0" + c.user() + "\0" + c.password()), base64(c.password()), c.password(), asRead}) {
            if (!secret.isEmpty()) {
                out = out.replace(secret, "<hidden>");
            }
        }
        return out;
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
