package jmail.delivery;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import jmail.config.AliasMap;
import jmail.config.ConfigError;
import jmail.config.HostPort;
import jmail.config.JmailConfig;
import jmail.config.PasswordMap;
import jmail.queue.QueueStore;

/** Builds the delivery side (route, SMTP settings, bounces, scheduler) from main.conf. */
public final class DeliveryAgent {
    private DeliveryAgent() {
    }

    public static Scheduler create(JmailConfig c, QueueStore store, PasswordMap passwords) throws ConfigError {
        String relay = c.relayhost();
        HostPort relayHop = relay.isEmpty() ? null : HostPort.parse(relay, 25);
        Route route = relayHop == null ? new DirectRoute(c.string("smtp_dns_server"), (int) c.number("smtp_direct_port"))
                : new RelayRoute(relayHop);
        List<String> mechs = new ArrayList<>();
        for (String m : c.list("smtp_sasl_mechanism_filter")) {
            mechs.add(m.toUpperCase(Locale.ROOT));
        }
        if (mechs.isEmpty()) {
            mechs = List.of("PLAIN", "LOGIN");
        }
        String ca = c.string("smtp_tls_CAfile");
        TlsPolicy tls = new TlsPolicy(c.tlsLevel(), c.bool("smtp_tls_wrappermode"), ca.isEmpty() ? null : Path.of(ca),
                TlsPolicy.protocols(c.string("smtp_tls_mandatory_protocols")));
        SmtpConnection.Settings settings = new SmtpConnection.Settings(c.myhostname(), tls, c.bool("smtp_sasl_auth_enable"),
                c.list("smtp_sasl_security_options").contains("noplaintext"), mechs,
                (int) c.duration("smtp_connect_timeout").toMillis(), (int) c.duration("smtp_read_timeout").toMillis());
        Delivery.Policy policy = new Delivery.Policy(c.duration("minimal_backoff_time"), c.duration("maximal_backoff_time"),
                c.duration("maximal_queue_lifetime"), c.duration("bounce_queue_lifetime"), c.duration("delay_warning_time"));
        Bouncer bouncer = new Bouncer(store, c.myhostname(), doubleBounceRecipients(c));
        Delivery delivery = new Delivery(store, route, settings,
                hop -> relayHop == null ? Optional.empty() : passwords.lookup(relayHop), policy, bouncer);
        return new Scheduler(store, delivery, (int) c.number("default_destination_concurrency_limit"), c.duration("queue_run_delay"));
    }

    /** {@code 2bounce_notice_recipient} through alias_maps, bare names qualified with myorigin ("" = nobody). */
    private static List<String> doubleBounceRecipients(JmailConfig c) throws ConfigError {
        String who = c.string("2bounce_notice_recipient").strip();
        if (who.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String a : AliasMap.load(c.string("alias_maps")).expand(who)) {
            out.add(a.contains("@") ? a : a + "@" + c.myorigin());
        }
        return out;
    }
}
