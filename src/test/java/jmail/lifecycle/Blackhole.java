package jmail.lifecycle;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback port that silently drops new connections, as a firewall that blocks port 25 does: a
 * listener that never accepts, with its accept backlog filled, so the kernel ignores further SYNs
 * and the client's connect times out instead of being refused.
 */
final class Blackhole implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> fillers = new ArrayList<>();

    Blackhole() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            try {
                s.connect(server.getLocalSocketAddress(), 500);
                fillers.add(s);
            } catch (SocketTimeoutException e) {
                s.close();
                return;
            }
        }
        throw new IllegalStateException("the accept backlog never filled up");
    }

    int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        for (Socket s : fillers) {
            s.close();
        }
        server.close();
    }
}
