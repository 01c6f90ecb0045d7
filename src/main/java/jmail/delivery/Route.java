package jmail.delivery;

import java.util.List;

/** Where mail for a recipient domain goes: the relayhost for every domain, or the domain's MX hosts. */
interface Route {
    /** The key that groups recipients sharing next hops (one key for a relayhost). */
    String destination(String recipientDomain);

    /** The next hops for a destination, best first. */
    List<NextHop> hops(String destination) throws HopFailure;

    /** The password-map key for a hop, or null when this route uses no credentials. */
    default String credentialsKey() {
        return null;
    }
}
