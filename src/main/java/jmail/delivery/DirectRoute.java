package jmail.delivery;

import java.util.ArrayList;
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
 * Direct delivery (no relayhost): the recipient domain's MX hosts in preference order, or the
 * domain's own address when it has no MX (RFC 5321 5.1); {@code [192.0.2.1]} and bracketed names
 * skip the MX lookup. DNS goes through the JDK's resolver, or {@code smtp_dns_server} when set.
 */
record DirectRoute(String dnsServer, int port) implements Route {

    @Override
    public String destination(String recipientDomain) {
        return recipientDomain;
    }

    @Override
    public List<NextHop> hops(String domain) throws HopFailure {
        if (domain.startsWith("[") && domain.endsWith("]")) {
            String inner = domain.substring(1, domain.length() - 1);
            if (inner.toLowerCase(Locale.ROOT).startsWith("ipv6:")) {
                inner = inner.substring(5);
            }
            if (inner.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                return List.of(new NextHop(inner, inner, port));
            }
            return addresses(inner);
        }
        List<NextHop> out = new ArrayList<>();
        List<String[]> mx = lookup(domain, "MX");
        if (mx.isEmpty()) {
            return addresses(domain);
        }
        mx.sort((a, b) -> Integer.compare(Integer.parseInt(a[0]), Integer.parseInt(b[0])));
        for (String[] rr : mx) {
            String host = stripDot(rr[1]);
            try {
                out.addAll(addresses(host));
            } catch (HopFailure ignored) {
                // an MX host without an address is skipped, as Postfix does
            }
        }
        if (out.isEmpty()) {
            throw new HopFailure(new Dsn("4.4.4", "no MX host for " + domain + " has an address"));
        }
        return out;
    }

    private List<NextHop> addresses(String host) throws HopFailure {
        List<NextHop> out = new ArrayList<>();
        for (String[] a : lookup(host, "A")) {
            out.add(new NextHop(host, a[0], port));
        }
        if (out.isEmpty()) {
            throw new HopFailure(new Dsn("5.4.4", "Host or domain name not found. Name service error for name=" + host
                    + " type=A: Host found but no data record of requested type"));
        }
        return out;
    }

    private List<String[]> lookup(String name, String type) throws HopFailure {
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
            throw new HopFailure(new Dsn("5.4.4", "Host or domain name not found. Name service error for name=" + name
                    + " type=" + type + ": Host not found"));
        } catch (NamingException e) {
            throw new HopFailure(new Dsn("4.4.3", "Host or domain name not found. Name service error for name=" + name
                    + " type=" + type + ": Host not found, try again"));
        }
        return out;
    }

    private static String stripDot(String h) {
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
