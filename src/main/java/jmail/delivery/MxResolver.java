package jmail.delivery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import jmail.mail.Dsn;

/**
 * The mail exchangers of a domain, best first (RFC 5321 5.1): its MX hosts by preference with their
 * IPv4 addresses, or the domain itself when it has no MX. DNS goes through the JDK's resolver, or
 * {@code smtp_dns_server} when set (tests run one on loopback).
 *
 * <p>SECURITY: answers come from the network; host names are only used as lookup keys and in text.
 */
public record MxResolver(String dnsServer) {
    /** One exchanger: its name, MX preference (-1 when it is the domain's own address) and addresses. */
    public record Exchanger(String host, int preference, List<String> addresses) {
    }

    /** A lookup failed: the status says whether for good (5.4.4, no such domain) or for now (4.4.3). */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Dsn dsn;

        Failure(Dsn dsn) {
            super(dsn.reason());
            this.dsn = dsn;
        }

        public Dsn dsn() {
            return dsn;
        }
    }

    /** The exchangers of {@code domain}; those without an address are left out, as Postfix does. */
    public List<Exchanger> exchangers(String domain) throws Failure {
        List<String[]> mx = lookup(domain, "MX");
        if (mx.isEmpty()) {
            return List.of(new Exchanger(domain, -1, addresses(domain)));
        }
        mx.sort(Comparator.comparingInt(rr -> Integer.parseInt(rr[0])));
        List<Exchanger> out = new ArrayList<>();
        for (String[] rr : mx) {
            String host = stripDot(rr[1]);
            try {
                out.add(new Exchanger(host, Integer.parseInt(rr[0]), addresses(host)));
            } catch (Failure ignored) {
                // an MX host without an address is skipped
            }
        }
        if (out.isEmpty()) {
            throw new Failure(new Dsn("4.4.4", "no MX host for " + domain + " has an address"));
        }
        return out;
    }

    /** The IPv4 addresses of {@code host}; a failure when it has none. */
    public List<String> addresses(String host) throws Failure {
        List<String> out = new ArrayList<>();
        for (String[] a : lookup(host, "A")) {
            out.add(a[0]);
        }
        if (out.isEmpty()) {
            throw new Failure(new Dsn("5.4.4", "Host or domain name not found. Name service error for name=" + host
                    + " type=A: Host found but no data record of requested type"));
        }
        return out;
    }

    private List<String[]> lookup(String name, String type) throws Failure {
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        env.put("java.naming.provider.url", dnsServer.isEmpty() ? "dns:" : "dns://" + dnsServer);
        env.put("com.sun.jndi.dns.timeout.initial", "2000");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        List<String[]> out = new ArrayList<>();
        try {
            DirContext ctx = new InitialDirContext(env);
            try {
                Attributes attrs = ctx.getAttributes(name, new String[] {type});
                Attribute attr = attrs.get(type);
                if (attr != null) {
                    NamingEnumeration<?> e = attr.getAll();
                    while (e.hasMore()) {
                        out.add(String.valueOf(e.next()).strip().split("\\s+"));
                    }
                }
            } finally {
                ctx.close();
            }
        } catch (NameNotFoundException e) {
            throw new Failure(new Dsn("5.4.4", "Host or domain name not found. Name service error for name=" + name
                    + " type=" + type + ": Host not found"));
        } catch (NamingException e) {
            throw new Failure(new Dsn("4.4.3", "Host or domain name not found. Name service error for name=" + name
                    + " type=" + type + ": Host not found, try again"));
        }
        return out;
    }

    private static String stripDot(String h) {
        String s = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
        return s.toLowerCase(Locale.ROOT);
    }
}
