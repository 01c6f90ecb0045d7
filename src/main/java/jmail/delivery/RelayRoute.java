package jmail.delivery;

import java.util.List;
import jmail.config.HostPort;

/** Every message goes to the relayhost ({@code [host]:port}), whatever the recipient domain. */
record RelayRoute(HostPort relay) implements Route {
    @Override
    public String destination(String recipientDomain) {
        return relay.asWritten();
    }

    @Override
    public List<NextHop> hops(String destination) {
        return List.of(new NextHop(relay.host(), relay.host(), relay.port()));
    }
}
