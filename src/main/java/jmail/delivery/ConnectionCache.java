package jmail.delivery;

import java.util.List;
import java.util.Optional;
import jmail.config.PasswordMap.Credentials;

/**
 * One delivery worker's open connection, kept between messages to the same destination so a burst
 * costs one TLS handshake and one AUTH, not one per message. Not thread-safe: one per worker.
 */
final class ConnectionCache implements AutoCloseable {
    private String destination;
    private SmtpConnection connection;

    /** A usable connection to one of {@code hops}, reusing the open one when it goes to the same place. */
    SmtpConnection get(String dest, List<NextHop> hops, SmtpConnection.Settings settings,
                       java.util.function.Function<NextHop, Optional<Credentials>> creds) throws HopFailure {
        if (connection != null && dest.equals(destination) && connection.isUsable()) {
            return connection;
        }
        close();
        HopFailure last = null;
        for (NextHop hop : hops) {
            try {
                connection = SmtpConnection.open(hop, settings, creds.apply(hop));
                destination = dest;
                return connection;
            } catch (HopFailure f) {
                last = f;
            }
        }
        throw last != null ? last : new HopFailure(new jmail.mail.Dsn("4.4.4", "no next hop for " + dest));
    }

    /** Whether an open connection to {@code dest} is at hand (it may still turn out to be dead). */
    boolean holds(String dest) {
        return connection != null && dest.equals(destination);
    }

    /** Forgets a connection that failed mid-session. */
    void discard() {
        close();
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
            destination = null;
        }
    }
}
