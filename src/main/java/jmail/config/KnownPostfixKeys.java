package jmail.config;

import java.util.Map;

/** Postfix parameters an admin may carry over that jmail does not implement, with what to do instead. */
final class KnownPostfixKeys {
    static final Map<String, String> ADVICE = Map.ofEntries(
            Map.entry("inet_interfaces", "jmail listens where smtpd_listen says"),
            Map.entry("inet_protocols", "jmail listens where smtpd_listen says"),
            Map.entry("mydestination", "jmail delivers nothing locally; every message is relayed"),
            Map.entry("mydomain", "set myorigin instead"),
            Map.entry("compatibility_level", "not needed"),
            Map.entry("smtpd_banner", "not configurable"),
            Map.entry("smtpd_relay_restrictions", "only mynetworks clients are served"),
            Map.entry("smtpd_recipient_restrictions", "only mynetworks clients are served"),
            Map.entry("smtp_tls_session_cache_database", "not needed"),
            Map.entry("smtpd_tls_cert_file", "the listener is loopback-only and has no TLS"),
            Map.entry("smtpd_tls_key_file", "the listener is loopback-only and has no TLS"),
            Map.entry("smtpd_tls_security_level", "the listener is loopback-only and has no TLS"),
            Map.entry("smtpd_use_tls", "the listener is loopback-only and has no TLS"),
            Map.entry("smtp_use_tls", "use smtp_tls_security_level"),
            Map.entry("smtp_tls_loglevel", "not configurable"),
            Map.entry("smtp_tls_note_starttls_offer", "not configurable"),
            Map.entry("alias_database", "jmail reads alias_maps as text"),
            Map.entry("append_dot_mydomain", "not needed"),
            Map.entry("biff", "no local delivery"),
            Map.entry("readme_directory", "not needed"),
            Map.entry("recipient_delimiter", "no local delivery"),
            Map.entry("mailbox_size_limit", "no local delivery"),
            Map.entry("home_mailbox", "no local delivery"),
            Map.entry("mailbox_command", "no local delivery"),
            Map.entry("relay_domains", "every message is relayed"),
            Map.entry("transport_maps", "not implemented"),
            Map.entry("sender_canonical_maps", "not implemented"),
            Map.entry("smtp_generic_maps", "not implemented"),
            Map.entry("header_size_limit", "not implemented"),
            Map.entry("smtp_helo_timeout", "jmail uses smtp_read_timeout for every reply"),
            Map.entry("smtp_mail_timeout", "jmail uses smtp_read_timeout for every reply"),
            Map.entry("smtp_rcpt_timeout", "jmail uses smtp_read_timeout for every reply"),
            Map.entry("smtp_data_init_timeout", "jmail uses smtp_read_timeout for every reply"),
            Map.entry("smtp_data_xfer_timeout", "jmail uses smtp_read_timeout for every reply"),
            Map.entry("smtp_data_done_timeout", "jmail uses smtp_read_timeout for every reply"),
            Map.entry("smtp_tls_cert_file", "client certificates are not supported"),
            Map.entry("smtp_tls_key_file", "client certificates are not supported"),
            Map.entry("smtpd_sasl_auth_enable", "the listener has no AUTH; it serves mynetworks only"),
            Map.entry("smtp_tls_policy_maps", "not implemented"),
            Map.entry("smtp_sasl_type", "jmail has its own PLAIN and LOGIN"));

    private KnownPostfixKeys() {
    }
}
