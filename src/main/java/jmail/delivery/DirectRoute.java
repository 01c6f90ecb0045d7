package jmail.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jmail.mail.Dsn;

/**
 * Direct delivery (no relayhost): the recipient domain's MX hosts in preference order, or the
 * domain's own address when it has no MX (RFC 5321 5.1); {@code [192.0.2.1]} and bracketed names
 * skip the MX lookup.
 *
 * <p>A connection that times out here is the signature of OP25B (networks that silently drop
 * outbound port 25), so the recorded reason says so and points at the relayhost fix, whatever port
 * the test or the admin configured.
 */
record DirectRoute(MxResolver dns, int port) implements Route {
    static final String OP25B_HINT = " - outbound port 25 may be blocked by your network (OP25B); set relayhost to your"
            + " provider's submission server on port 587 (see jmailctl check)";

    DirectRoute(String dnsServer, int port) {
        this(new MxResolver(dnsServer), port);
    }

    @Override
    public String destination(String recipientDomain) {
        return recipientDomain;
    }

    @Override
    public List<NextHop> hops(String domain) throws HopFailure {
        try {
            if (domain.startsWith("[") && domain.endsWith("]")) {
                String inner = domain.substring(1, domain.length() - 1);
                if (inner.toLowerCase(Locale.ROOT).startsWith("ipv6:")) {
                    inner = inner.substring(5);
                }
                if (inner.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                    return List.of(new NextHop(inner, inner, port));
                }
                return hops(inner, dns.addresses(inner));
            }
            List<NextHop> out = new ArrayList<>();
            for (MxResolver.Exchanger mx : dns.exchangers(domain)) {
                out.addAll(hops(mx.host(), mx.addresses()));
            }
            return out;
        } catch (MxResolver.Failure f) {
            throw new HopFailure(f.dsn());
        }
    }

    private List<NextHop> hops(String host, List<String> addresses) {
        return addresses.stream().map(a -> new NextHop(host, a, port)).toList();
    }

    @Override
    public Dsn explain(Dsn failure) {
        String r = failure.reason();
        if (r.contains("Connection timed out") && !r.contains("OP25B")) {
            return new Dsn(failure.status(), r + OP25B_HINT);
        }
        return failure;
    }
}
