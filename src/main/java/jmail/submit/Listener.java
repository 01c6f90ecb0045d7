package jmail.submit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jmail.config.HostPort;
import jmail.mail.MailLog;
import jmail.queue.QueueStore;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * The SMTP listener (Postfix's smtpd): one SubEthaSMTP server per {@code smtpd_listen} address.
 *
 * <p>SECURITY: binds only the configured addresses (SubEthaSMTP's default is every interface) and
 * serves only clients inside {@code mynetworks}; everyone else gets {@code 554 5.7.1} at connect.
 * Because everything accepted is relayed onward, this check is what keeps jmail from ever being an
 * open relay.
 */
public final class Listener implements AutoCloseable {
    /** What the listener needs from the rest of the daemon. */
    public record Settings(QueueStore store, RecipientResolver resolver, String hostname, List<String> listen,
                           Networks mynetworks, long sizeLimit, int recipientLimit, int connectionLimit,
                           int timeoutSeconds, boolean forbidBareNewline, Runnable onQueued) {
    }

    private final List<SMTPServer> servers = new ArrayList<>();

    private Listener() {
    }

    public static Listener start(Settings s) throws IOException {
        Listener l = new Listener();
        try {
            for (String address : s.listen()) {
                HostPort hp = HostPort.parse(address, 25);
                SMTPServer server = SMTPServer.port(hp.port())
                        .bindAddress(resolveLiteral(hp.host()))
                        .hostName(s.hostname())
                        .softwareName("jmail")
                        .serverSocketFactory(ReplyRewritingServerSocket::new)
                        .messageHandlerFactory(ctx -> new QueueingHandler(s, ctx))
                        .sessionHandler(new NetworkGate(s.mynetworks()))
                        .maxConnections(s.connectionLimit())
                        .maxRecipients(s.recipientLimit())
                        .maxMessageSize((int) Math.min(Integer.MAX_VALUE, Math.max(1, s.sizeLimit())))
                        .connectionTimeout(s.timeoutSeconds(), TimeUnit.SECONDS)
                        .insertReceivedHeaders(false)
                        .build();
                server.start();
                l.servers.add(server);
                MailLog.log("master", "listening on " + hp.host() + ":" + server.getPortAllocated());
            }
        } catch (RuntimeException | IOException e) {
            l.close();
            throw e instanceof IOException io ? io : new IOException(rootMessage(e), e);
        }
        return l;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /** Listener addresses are IP literals or "localhost"; never a DNS lookup. */
    static InetAddress resolveLiteral(String host) throws UnknownHostException {
        if (host.equalsIgnoreCase("localhost")) {
            return InetAddress.getLoopbackAddress();
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:.]+")) {
            throw new UnknownHostException("smtpd_listen wants an IP address, not the name " + host);
        }
        return InetAddress.getByName(host);
    }

    /** The ports actually bound, in {@code smtpd_listen} order (port 0 in the config picks a free one). */
    public List<Integer> ports() {
        return servers.stream().map(SMTPServer::getPortAllocated).toList();
    }

    @Override
    public void close() {
        for (SMTPServer s : servers) {
            try {
                s.stop();
            } catch (RuntimeException ignored) {
                // stopping anyway
            }
        }
    }

    /** Rejects clients outside mynetworks before they can say anything. */
    private record NetworkGate(Networks mynetworks) implements SessionHandler {
        @Override
        public SessionAcceptance accept(Session session) {
            InetSocketAddress remote = session.getRealRemoteAddress();
            if (remote == null || remote.getAddress() == null || !mynetworks.contains(remote.getAddress())) {
                MailLog.log("smtpd", "NOQUEUE: reject: connect from " + QueueingHandler.describe(remote)
                        + ": 554 5.7.1 client not in mynetworks");
                return SessionAcceptance.failure(554, "5.7.1 Access denied: client not in mynetworks");
            }
            return SessionAcceptance.success();
        }

        @Override
        public void onSessionEnd(Session session) {
        }
    }
}
