package jmail.control;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import jmail.config.ConfigError;
import jmail.config.HostPort;
import jmail.config.JmailConfig;
import jmail.config.PasswordMap;
import jmail.delivery.MxResolver;
import jmail.mail.Sysexits;

/**
 * {@code jmailctl check [recipient@domain]}: tells a newcomer whether mail would flow and, if not,
 * which lines to write. One line per check ({@code ok} or {@code FAIL}), then a verdict with the exact
 * main.conf and password-map lines. It sends no mail: it stops before MAIL FROM.
 *
 * <p>SECURITY: talks to the configured relay and the recipient's MX only; reads the password map
 * but prints user names and map keys only, never a password.
 */
public final class Check {
    private static final String MAP_EXAMPLE = "/etc/jmail/sasl_passwd";
    private final JmailConfig conf;
    private final PrintStream out;
    private final int timeoutMillis;
    private final boolean sasl;
    private final Set<String> fixes = new LinkedHashSet<>();
    private boolean failed;

    private Check(JmailConfig conf, PrintStream out) throws ConfigError {
        this.conf = conf;
        this.out = out;
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, conf.duration("smtp_connect_timeout").toMillis());
        this.sasl = conf.bool("smtp_sasl_auth_enable");
    }

    /** Runs every check that applies; 0 when mail would flow, 69 otherwise. */
    public static int run(JmailConfig conf, String recipient, PrintStream out) throws ConfigError {
        return new Check(conf, out).run(recipient);
    }

    private int run(String recipient) throws ConfigError {
        String relay = conf.relayhost();
        out.println("jmailctl check: " + conf.file() + (relay.isEmpty() ? ", no relayhost (direct delivery)" : ", relayhost = " + relay));
        if (recipient != null) {
            checkDirect(recipient, relay.isEmpty());
        } else if (relay.isEmpty()) {
            fail("relayhost: not set, so jmail delivers directly to port 25, which most networks block (OP25B)");
            suggestRelay();
        }
        if (!relay.isEmpty()) {
            checkRelay(HostPort.parse(relay, 25));
        }
        if (failed) {
            out.println("verdict: FAIL - mail would not flow. Fix:");
            fixes.forEach(f -> out.println("  " + f));
            return Sysexits.UNAVAILABLE;
        }
        out.println("verdict: ok - mail would flow" + (relay.isEmpty() ? " directly" : " through " + relay));
        return Sysexits.OK;
    }

    // ------------------------------------------------------------------ direct delivery

    private void checkDirect(String recipient, boolean mattersForDelivery) throws ConfigError {
        String domain = recipient.substring(recipient.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        List<MxResolver.Exchanger> mx;
        try {
            mx = new MxResolver(conf.string("smtp_dns_server")).exchangers(domain);
        } catch (MxResolver.Failure f) {
            result(mattersForDelivery, "MX " + domain + ": " + f.getMessage());
            return;
        }
        List<String> names = new ArrayList<>();
        for (MxResolver.Exchanger e : mx) {
            names.add((e.preference() < 0 ? "no MX, address of " : e.preference() + " ") + e.host() + " " + e.addresses());
        }
        ok("MX " + domain + ": " + String.join(", ", names));
        MxResolver.Exchanger best = mx.get(0);
        int port = (int) conf.number("smtp_direct_port");
        String where = "TCP to " + best.host() + "[" + best.addresses().get(0) + "]:" + port;
        try (SmtpProbe p = SmtpProbe.connect(best.addresses().get(0), port, timeoutMillis)) {
            ok(where + ": open");
        } catch (SocketTimeoutException e) {
            String text = where + ": timed out - outbound port 25 is probably blocked by your network (OP25B)";
            if (mattersForDelivery) {
                fail(text);
                suggestRelay();
            } else {
                ok(text + "; that is fine, mail goes through the relayhost");
            }
        } catch (IOException e) {
            result(mattersForDelivery, where + ": " + (e instanceof ConnectException ? "refused" : SmtpProbe.oneLine(String.valueOf(e.getMessage()))));
        }
    }

    private void suggestRelay() {
        fixes.add("main.conf: relayhost = \"[smtp.example.net]:587\"   (your provider's submission server)");
        fixes.add("main.conf: smtp_sasl_auth_enable = yes");
        fixes.add("main.conf: smtp_sasl_password_maps = \"" + MAP_EXAMPLE + "\"");
        fixes.add(MAP_EXAMPLE + ": [smtp.example.net]:587    you@example.net:your-password   (then chmod 600 " + MAP_EXAMPLE + ")");
    }

    // ------------------------------------------------------------------ relayhost

    private void checkRelay(HostPort hop) throws ConfigError {
        boolean wrapper = conf.bool("smtp_tls_wrappermode");
        if (hop.port() == 465 && !wrapper) {
            fail("relayhost port 465 speaks TLS from the first byte, but smtp_tls_wrappermode = no");
            fixes.add("main.conf: smtp_tls_wrappermode = yes");
        } else if (wrapper && (hop.port() == 587 || hop.port() == 25)) {
            fail("smtp_tls_wrappermode = yes, but port " + hop.port() + " starts in plain text and uses STARTTLS");
            fixes.add("main.conf: smtp_tls_wrappermode = no");
        }
        Optional<PasswordMap.Credentials> creds = sasl ? checkPasswordMap(hop) : Optional.empty();
        String address;
        try {
            address = InetAddress.getByName(hop.host()).getHostAddress();
        } catch (IOException e) {
            fail("relayhost " + hop.host() + ": host not found");
            return;
        }
        String where = hop.host() + "[" + address + "]:" + hop.port();
        SmtpProbe p;
        try {
            p = SmtpProbe.connect(address, hop.port(), timeoutMillis);
            ok("TCP to " + where + ": open");
        } catch (SocketTimeoutException e) {
            fail("TCP to " + where + ": timed out (a firewall drops the connection, or the host is down)");
            fixes.add("check relayhost against your provider's documentation; try port 587, or 465 with smtp_tls_wrappermode = yes");
            return;
        } catch (IOException e) {
            fail("TCP to " + where + ": " + (e instanceof ConnectException ? "refused (nothing listens on that port)" : e.getMessage()));
            fixes.add("check relayhost against your provider's documentation (host and port)");
            return;
        }
        try (p) {
            converse(p, hop, wrapper, creds);
        } catch (IOException | GeneralSecurityException e) {
            fail("conversation with " + where + ": " + SmtpProbe.oneLine(String.valueOf(e.getMessage())));
        }
    }

    private void converse(SmtpProbe p, HostPort hop, boolean wrapper, Optional<PasswordMap.Credentials> creds)
            throws IOException, GeneralSecurityException {
        boolean tls = false;
        if (wrapper) {
            tls(p.startTls(hop.host(), caFile()), "TLS (wrapper mode)");
            tls = true;
        }
        SmtpProbe.Reply greeting = p.read();
        if (greeting.code() != 220) {
            fail("greeting: " + greeting.text());
            return;
        }
        ok("greeting: " + greeting.text());
        SmtpProbe.Reply ehlo = p.command("EHLO " + conf.myhostname());
        if (ehlo.code() != 250) {
            fail("EHLO: " + ehlo.text());
            return;
        }
        ok("EHLO: " + String.join(", ", ehlo.lines().subList(1, ehlo.lines().size())));
        String level = conf.tlsLevel();
        if (!tls && SmtpProbe.offers(ehlo, "STARTTLS") && !level.equals("none")) {
            SmtpProbe.Reply r = p.command("STARTTLS");
            if (r.code() != 220) {
                fail("STARTTLS: " + r.text());
                return;
            }
            tls(p.startTls(hop.host(), caFile()), "STARTTLS");
            tls = true;
            ehlo = p.command("EHLO " + conf.myhostname());
        } else if (!tls) {
            boolean needed = !level.equals("none") && !level.equals("may") || creds.isPresent() && noPlaintext();
            result(needed, "STARTTLS: " + (level.equals("none") ? "not used (smtp_tls_security_level = none)" : "not offered by the relay"));
            if (needed) {
                fixes.add("use your provider's TLS port: relayhost = \"[" + hop.host() + "]:587\" (STARTTLS) or port 465 with "
                        + "smtp_tls_wrappermode = yes");
            }
        }
        checkAuth(p, ehlo, tls, creds);
    }

    private void tls(SmtpProbe.TlsInfo info, String how) {
        String level = conf.tlsLevel();
        boolean mustVerify = level.equals("verify") || level.equals("secure");
        if (info.verifyFailure() == null) {
            ok(how + ": " + info.protocol() + ", certificate " + info.subject() + ", verified");
        } else if (mustVerify) {
            fail(how + ": " + info.protocol() + ", certificate " + info.subject() + " not trusted: " + info.verifyFailure());
            fixes.add("main.conf: smtp_tls_CAfile = \"/path/to/your-provider-ca.pem\"   (or smtp_tls_security_level = encrypt)");
        } else {
            ok(how + ": " + info.protocol() + ", certificate " + info.subject() + ", not verified (smtp_tls_security_level = "
                    + level + " does not require it)");
        }
    }

    private void checkAuth(SmtpProbe p, SmtpProbe.Reply ehlo, boolean tls, Optional<PasswordMap.Credentials> creds) throws IOException {
        List<String> offered = SmtpProbe.authMechanisms(ehlo);
        if (!sasl) {
            ok("AUTH: " + (offered.isEmpty() ? "not offered" : "offered (" + String.join(" ", offered) + ")")
                    + "; smtp_sasl_auth_enable = no, so jmail sends without logging in");
            return;
        }
        List<String> usable = new ArrayList<>();
        for (String m : mechanismFilter()) {
            if (offered.contains(m)) {
                usable.add(m);
            }
        }
        if (usable.isEmpty()) {
            fail("AUTH: the relay offers " + (offered.isEmpty() ? "no AUTH" : String.join(" ", offered)) + ", jmail can use "
                    + String.join(" ", mechanismFilter()));
            return;
        }
        ok("AUTH mechanisms: " + String.join(" ", offered));
        if (creds.isEmpty()) {
            return;
        }
        if (!tls && noPlaintext()) {
            fail("AUTH: not tried, the password would go in cleartext (smtp_sasl_security_options = noplaintext)");
            return;
        }
        SmtpProbe.Reply r = p.authenticate(usable.get(0), creds.get().user(), creds.get().password());
        String line = "AUTH " + usable.get(0) + " as " + creds.get().user() + ": " + r.text();
        if (r.code() == 235) {
            ok(line);
        } else {
            fail(line);
            fixes.add(conf.string("smtp_sasl_password_maps") + ": correct the user name or password for this relay "
                    + "(many providers want an app password), then jmailctl flush");
        }
    }

    private Optional<PasswordMap.Credentials> checkPasswordMap(HostPort hop) {
        String spec = conf.string("smtp_sasl_password_maps");
        if (spec.isBlank()) {
            fail("password map: smtp_sasl_auth_enable = yes but smtp_sasl_password_maps is empty");
            fixes.add("main.conf: smtp_sasl_password_maps = \"" + MAP_EXAMPLE + "\"");
            fixes.add(MAP_EXAMPLE + ": " + hop.asWritten() + "    you@example.net:your-password");
            return Optional.empty();
        }
        PasswordMap map;
        try {
            map = PasswordMap.load(spec);
        } catch (ConfigError e) {
            fail("password map: " + e.getMessage());
            if (e.getMessage().contains("chmod")) {
                fixes.add("shell: chmod 600 " + e.getMessage().substring(0, e.getMessage().indexOf(": ")));
            } else {
                fixes.add(spec + ": create it with the line: " + hop.asWritten() + "    you@example.net:your-password");
            }
            return Optional.empty();
        }
        Optional<PasswordMap.Credentials> creds = map.lookup(hop);
        if (creds.isPresent()) {
            ok("password map " + map.file() + ": private, has a key for " + hop.asWritten() + " (user " + creds.get().user() + ")");
            return creds;
        }
        Optional<String> near = map.keys().stream().filter(k -> sameHost(k, hop)).findFirst();
        if (near.isPresent()) {
            fail("password map " + map.file() + ": key " + near.get() + " does not match relayhost = " + hop.asWritten()
                    + " (the key must be the relayhost exactly as written)");
            fixes.add("main.conf: relayhost = \"" + near.get() + "\"   (or change the map's key to " + hop.asWritten() + ")");
        } else {
            fail("password map " + map.file() + ": no key for " + hop.asWritten() + " (keys: " + String.join(", ", map.keys()) + ")");
            fixes.add(map.file() + ": " + hop.asWritten() + "    you@example.net:your-password");
        }
        return Optional.empty();
    }

    private static boolean sameHost(String key, HostPort hop) {
        try {
            return HostPort.parse(key, 25).host().equalsIgnoreCase(hop.host());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private List<String> mechanismFilter() {
        List<String> out = new ArrayList<>();
        conf.list("smtp_sasl_mechanism_filter").forEach(m -> out.add(m.toUpperCase(Locale.ROOT)));
        return out.isEmpty() ? List.of("PLAIN", "LOGIN") : out;
    }

    private boolean noPlaintext() {
        return conf.list("smtp_sasl_security_options").contains("noplaintext");
    }

    private Path caFile() {
        String ca = conf.string("smtp_tls_CAfile");
        return ca.isEmpty() ? null : Path.of(ca);
    }

    private void result(boolean isFailure, String text) {
        if (isFailure) {
            fail(text);
        } else {
            ok(text);
        }
    }

    private void ok(String text) {
        out.println("ok   " + text);
    }

    private void fail(String text) {
        failed = true;
        out.println("FAIL " + text);
    }
}
