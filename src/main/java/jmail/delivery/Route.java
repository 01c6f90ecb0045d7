package jmail.delivery;

import java.util.List;
import jmail.mail.Dsn;

/** Where mail for a recipient domain goes: the relayhost for every domain, or the domain's MX hosts. */
interface Route {
    /** The key that groups recipients sharing next hops (one key for a relayhost). */
    String destination(String recipientDomain);

    /** The next hops for a destination, best first. */
    List<NextHop> hops(String destination) throws HopFailure;

    /** The reason to record when this route's next hop failed as a whole; routes may add advice. */
    default Dsn explain(Dsn failure) {
        return failure;
    }

    /** The password-map key for a hop, or null when this route uses no credentials. */
    default String credentialsKey() {
        return null;
    }
}
