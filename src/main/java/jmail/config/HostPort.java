package jmail.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Postfix next-hop: {@code [host]:port} means "this host, no MX lookup"; {@code host:port} means
 * "look up MX for host" (for a relayhost, jmail treats both as the host itself when it has no MX).
 */
public record HostPort(String host, int port, boolean bracketed, String asWritten) {
    private static final Pattern FORM = Pattern.compile("^(\\[([^\\]]+)\\]|([^:\\[\\]]+|[0-9a-fA-F:]+))(?::(\\d{1,5}))?$");

    static HostPort parse(String text, int defaultPort, String key, JmailConfig conf) throws ConfigError {
        try {
            return parse(text, defaultPort);
        } catch (IllegalArgumentException e) {
            throw conf.bad(key, e.getMessage());
        }
    }

    public static HostPort parse(String text, int defaultPort) {
        String t = text.strip();
        Matcher m = FORM.matcher(t);
        if (t.isEmpty() || !m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not host:port or [host]:port");
        }
        boolean bracketed = m.group(2) != null;
        String host = bracketed ? m.group(2) : m.group(3);
        int port = m.group(4) == null ? defaultPort : Integer.parseInt(m.group(4));
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("\"" + text + "\" has port " + port + ", outside 1-65535");
        }
        return new HostPort(host, port, bracketed, t);
    }

    @Override
    public String toString() {
        return asWritten;
    }
}
