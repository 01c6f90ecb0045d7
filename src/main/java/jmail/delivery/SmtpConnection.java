package jmail.delivery;

import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import javax.net.ssl.SSLException;
import jmail.config.PasswordMap.Credentials;
import jmail.mail.Dsn;
import jmail.mail.MailLog;
import jmail.queue.QueuedMessage;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * One SMTP client connection to a next hop, through Angus's SMTP transport: EHLO, STARTTLS per policy,
 * AUTH (by {@link SaslLogin}) with the map's credentials, then any number of messages.
 *
 * <p>SECURITY: the password never reaches Angus, and no exception text built here contains it. With
 * {@code noplaintext} (the default) it goes only over TLS: STARTTLS is then required, and a relay that
 * does not offer it gets no AUTH and no mail. Under {@code may}, a failed handshake is retried in
 * cleartext only when no credentials would be sent.
 */
final class SmtpConnection implements AutoCloseable {
    /** Settings shared by every connection. */
    record Settings(String heloName, TlsPolicy tls, boolean saslEnabled, boolean noPlaintext, List<String> mechanisms,
                    int connectTimeoutMillis, int readTimeoutMillis) {
    }

    private final NextHop hop;
    private final Session session;
    private final SMTPTransport transport;

    private SmtpConnection(NextHop hop, Session session, SMTPTransport transport) {
        this.hop = hop;
        this.session = session;
        this.transport = transport;
    }

    static SmtpConnection open(NextHop hop, Settings s, Optional<Credentials> creds) throws HopFailure {
        boolean useCreds = s.saslEnabled() && creds.isPresent();
        if (useCreds && s.noPlaintext() && !s.tls().offered()) {
            throw new HopFailure(new Dsn("4.7.0", "credentials for " + hop.host() + " would go in cleartext: "
                    + "smtp_tls_security_level = none while smtp_sasl_security_options has noplaintext; "
                    + "set smtp_tls_security_level = may (or encrypt)"));
        }
        try {
            return connect(hop, s, creds, useCreds, s.tls().offered());
        } catch (HandshakeFailed f) {
            // Postfix's "may": an opportunistic handshake that fails is retried in cleartext, but only when no
            // password would then travel in the clear (a failed handshake is exactly what an active attacker causes).
            if (s.tls().required() || useCreds) {
                throw new HopFailure(f.dsn);
            }
            MailLog.warning("smtp", f.dsn.reason() + "; smtp_tls_security_level = may: retrying " + hop.describe()
                    + " without TLS");
            try {
                return connect(hop, s, creds, false, false);
            } catch (HandshakeFailed impossible) {
                throw new HopFailure(impossible.dsn);
            }
        }
    }

    /** A TLS handshake failed; under {@code may} without credentials this is worth a cleartext retry. */
    private static final class HandshakeFailed extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Dsn dsn;

        HandshakeFailed(Dsn dsn) {
            super(dsn.reason(), null, false, false);
            this.dsn = dsn;
        }
    }

    private static SmtpConnection connect(NextHop hop, Settings s, Optional<Credentials> creds, boolean useCreds,
                                          boolean tryTls) throws HopFailure, HandshakeFailed {
        String proto = s.tls().wrapperMode() ? "smtps" : "smtp";
        String pre = "mail." + proto + ".";
        Properties p = new Properties();
        p.put(pre + "localhost", s.heloName());
        p.put(pre + "connectiontimeout", String.valueOf(s.connectTimeoutMillis()));
        p.put(pre + "timeout", String.valueOf(s.readTimeoutMillis()));
        p.put(pre + "writetimeout", String.valueOf(s.readTimeoutMillis()));
        p.put(pre + "sendpartial", "true");
        p.put(pre + "quitwait", "false");
        p.put(pre + "allow8bitmime", "false");
        p.put(pre + "auth", "false"); // SaslLogin does AUTH, after STARTTLS, from the post-TLS EHLO reply
        p.put(pre + "sasl.enable", "false");
        p.put("mail.mime.allowutf8", "true");
        if (tryTls) {
            try {
                s.tls().apply(p, proto, useCreds && s.noPlaintext());
            } catch (GeneralSecurityException | IOException e) {
                throw new HopFailure(new Dsn("4.7.5", "cannot load smtp_tls_CAfile: " + e.getMessage()));
            }
        }
        Session session = Session.getInstance(p);
        SMTPTransport t;
        try {
            t = (SMTPTransport) session.getTransport(proto);
            t.connect(hop.address(), hop.port(), null, null);
        } catch (MessagingException e) {
            Dsn d = describeConnectFailure(hop, e, useCreds && s.noPlaintext() && !s.tls().required());
            if (tryTls && !s.tls().wrapperMode() && find(e, SSLException.class) != null) {
                throw new HandshakeFailed(d);
            }
            throw new HopFailure(d);
        }
        if (useCreds) {
            authenticate(t, hop, s, creds.get());
        }
        return new SmtpConnection(hop, session, t);
    }

    /** AUTH on the connected transport; on any failure the connection is closed with QUIT. */
    private static void authenticate(SMTPTransport t, NextHop hop, Settings s, Credentials c) throws HopFailure {
        try {
            if (s.noPlaintext() && !t.isSSL()) {
                throw new HopFailure(new Dsn("4.7.4", "TLS is required, but was not offered by host " + hop.describe()
                        + " (credentials are never sent in cleartext: smtp_sasl_security_options = noplaintext)"));
            }
            if (SaslLogin.authenticate(t, t.getLastServerResponse(), c, s.mechanisms(), hop) == SaslLogin.Result.NOT_OFFERED) {
                MailLog.warning("smtp", hop.describe() + " offers no AUTH; sending without authentication");
            }
        } catch (HopFailure f) {
            closeQuietly(t);
            throw f;
        } catch (MessagingException e) {
            closeQuietly(t);
            throw new HopFailure(describeSessionFailure(hop, e));
        }
    }

    private static void closeQuietly(SMTPTransport t) {
        try {
            t.close();
        } catch (MessagingException ignored) {
            // the peer is gone either way
        }
    }

    NextHop hop() {
        return hop;
    }

    boolean isUsable() {
        return transport.isConnected();
    }

    /**
     * Sends one message to the given recipients; returns each recipient's result by recipient number.
     * Throws {@link HopFailure} when the connection broke, so no recipient can be called sent.
     */
    Map<Integer, Dsn> send(QueuedMessage msg, Path body, List<QueuedMessage.Recipient> rcpts) throws HopFailure {
        Map<Integer, Dsn> out = new HashMap<>();
        Map<String, Integer> numbers = new HashMap<>();
        InternetAddress[] addrs = new InternetAddress[rcpts.size()];
        boolean utf8 = !isAscii(msg.sender());
        for (int i = 0; i < rcpts.size(); i++) {
            InternetAddress a = new InternetAddress();
            a.setAddress(rcpts.get(i).address());
            addrs[i] = a;
            numbers.put(rcpts.get(i).address(), rcpts.get(i).number());
            utf8 |= !isAscii(rcpts.get(i).address());
        }
        long size;
        boolean eightBit;
        try {
            size = Files.size(body);
            eightBit = hasEightBit(body);
        } catch (IOException e) {
            throw new HopFailure(new Dsn("4.3.0", "cannot read queued message: " + e.getMessage()));
        }
        long limit = sizeLimit();
        if (limit > 0 && size > limit) {
            Dsn d = new Dsn("5.3.4", "message size " + size + " exceeds size limit " + limit + " of server " + hop.describe());
            rcpts.forEach(r -> out.put(r.number(), d));
            return out;
        }
        if (utf8 && !transport.supportsExtension("SMTPUTF8")) {
            Dsn d = new Dsn("5.6.7", "SMTPUTF8 is required, but was not offered by host " + hop.describe());
            rcpts.forEach(r -> out.put(r.number(), d));
            return out;
        }
        SMTPMessage m = EightBitDowngrade.message(session, body, eightBit && !transport.supportsExtension("8BITMIME"));
        m.setEnvelopeFrom(msg.sender().isEmpty() ? "<>" : msg.sender());
        m.setSendPartial(true);
        StringBuilder ext = new StringBuilder();
        if (transport.supportsExtension("SIZE")) {
            ext.append("SIZE=").append(size);
        }
        if ((eightBit || utf8) && transport.supportsExtension("8BITMIME")) {
            ext.append(ext.length() > 0 ? " " : "").append("BODY=8BITMIME");
        }
        // SMTPUTF8 itself: Angus appends it to every MAIL when the relay offers it (mail.mime.allowutf8),
        // and a second copy draws "555 duplicate parameter" from strict relays.
        if (ext.length() > 0) {
            m.setMailExtension(ext.toString());
        }
        try {
            transport.sendMessage(m, addrs);
            Dsn ok = Dsn.fromReply(transport.getLastReturnCode(), transport.getLastServerResponse());
            rcpts.forEach(r -> out.put(r.number(), ok));
            return out;
        } catch (SMTPSendFailedException e) {
            return partial(e, rcpts, numbers);
        } catch (SendFailedException e) {
            return partial(e, rcpts, numbers);
        } catch (MessagingException e) {
            throw new HopFailure(describeSessionFailure(hop, e));
        }
    }

    private Map<Integer, Dsn> partial(MessagingException top, List<QueuedMessage.Recipient> rcpts, Map<String, Integer> numbers)
            throws HopFailure {
        Map<Integer, Dsn> out = new HashMap<>();
        Dsn whole = null;
        for (Exception e = top; e != null; e = e instanceof MessagingException me ? me.getNextException() : null) {
            if (e instanceof SMTPAddressFailedException af) {
                Integer n = numbers.get(af.getAddress().getAddress());
                if (n != null) {
                    out.put(n, Dsn.fromReply(af.getReturnCode(), oneLine(af.getMessage())));
                }
            } else if (e instanceof SMTPSenderFailedException sf) {
                whole = Dsn.fromReply(sf.getReturnCode(), oneLine(sf.getMessage()));
            } else if (e instanceof SMTPSendFailedException sf && whole == null && sf.getReturnCode() > 0) {
                whole = Dsn.fromReply(sf.getReturnCode(), oneLine(sf.getMessage()));
            } else if (e.getCause() instanceof IOException || e instanceof MessagingException me && me.getNextException() instanceof IOException) {
                throw new HopFailure(describeSessionFailure(hop, (MessagingException) e));
            }
        }
        if (whole == null) {
            whole = new Dsn("4.0.0", "delivery to " + hop.describe() + " failed: " + oneLine(top.getMessage()));
        }
        for (QueuedMessage.Recipient r : rcpts) {
            out.putIfAbsent(r.number(), whole);
        }
        return out;
    }

    private long sizeLimit() {
        String v = transport.getExtensionParameter("SIZE");
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v.strip().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static Dsn describeConnectFailure(NextHop hop, MessagingException e, boolean becauseOfCredentials) {
        Throwable cause = rootCause(e);
        String where = "connect to " + hop.describe();
        String text = oneLine(e.getMessage());
        if (cause instanceof ConnectException) {
            return new Dsn("4.4.1", where + ": Connection refused");
        }
        // connected, then silence: "Read timed out" (a refused SYN-less port says "Connect timed out")
        if (cause instanceof SocketTimeoutException && String.valueOf(cause.getMessage()).startsWith("Read timed out")) {
            return new Dsn("4.4.2", "conversation with " + hop.describe() + " timed out while receiving the initial server greeting");
        }
        if (cause instanceof SocketTimeoutException) {
            return new Dsn("4.4.1", where + ": Connection timed out" + (hop.port() == 25 ? DirectRoute.OP25B_HINT : ""));
        }
        if (cause instanceof NoRouteToHostException) {
            return new Dsn("4.4.1", where + ": No route to host");
        }
        if (cause instanceof UnknownHostException) {
            return new Dsn("4.4.4", where + ": Host not found");
        }
        if (find(e, CertificateException.class) != null || find(e, CertPathValidatorException.class) != null
                || find(e, CertPathBuilderException.class) != null) {
            return new Dsn("4.7.5", "TLS with " + hop.describe() + " failed: certificate verify failed: " + oneLine(cause.getMessage()));
        }
        if (find(e, SSLException.class) != null) {
            return new Dsn("4.7.5", "TLS handshake with " + hop.describe() + " failed: "
                    + oneLine(find(e, SSLException.class).getMessage()));
        }
        if (text.toLowerCase(Locale.ROOT).contains("starttls is required")) {
            return new Dsn("4.7.4", "TLS is required, but was not offered by host " + hop.describe()
                    + (becauseOfCredentials ? " (STARTTLS not offered; credentials are never sent in cleartext: "
                    + "smtp_sasl_security_options = noplaintext; to allow it set smtp_sasl_security_options = noanonymous)"
                    : " (STARTTLS not offered; smtp_tls_security_level requires it)"));
        }
        java.util.regex.Matcher greeting = java.util.regex.Pattern.compile("\\[?([245]\\d\\d)[ -](.*)").matcher(text.replaceFirst("^.*response: ", ""));
        if (text.contains("bad greeting") && greeting.find()) {
            int code = Integer.parseInt(greeting.group(1));
            return new Dsn(code / 100 == 5 ? "4.0.0" : Dsn.fromReply(code, greeting.group(2)).status(),
                    "host " + hop.describe() + " refused to talk to me: " + code + " " + greeting.group(2).replace("]", "").strip());
        }
        if (cause instanceof IOException) {
            return new Dsn("4.4.2", "lost connection with " + hop.describe() + ": " + oneLine(cause.getMessage()));
        }
        return new Dsn("4.4.0", where + ": " + text);
    }

    static Dsn describeSessionFailure(NextHop hop, MessagingException e) {
        Throwable cause = rootCause(e);
        // Angus enforces the write timeout by closing our own socket: "Socket closed" means that, not the peer
        if (cause instanceof SocketTimeoutException || "Socket closed".equals(cause.getMessage())) {
            return new Dsn("4.4.2", "conversation with " + hop.describe() + " timed out");
        }
        return new Dsn("4.4.2", "lost connection with " + hop.describe() + ": " + oneLine(cause.getMessage() == null
                ? e.getMessage() : cause.getMessage()));
    }

    /** The first exception of type {@code type} in the cause (and next-exception) chain of {@code e}, or null. */
    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 20; depth++) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            t = t instanceof MessagingException me && me.getNextException() != null ? me.getNextException() : t.getCause();
        }
        return null;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (true) {
            Throwable next = t instanceof MessagingException me && me.getNextException() != null ? me.getNextException() : t.getCause();
            if (next == null || next == t) {
                return t;
            }
            t = next;
        }
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n]+", " ").strip();
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    private static boolean hasEightBit(Path body) throws IOException {
        try (InputStream in = Files.newInputStream(body)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] < 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Override
    public void close() {
        closeQuietly(transport);
    }
}
