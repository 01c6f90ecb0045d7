package jmail.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny authoritative DNS server on UDP 127.0.0.1 (ephemeral port) that answers MX, A and AAAA
 * queries from records added by the test. Names it has no record for get NXDOMAIN; names that
 * have records, but none of the asked type, get NOERROR with an empty answer. Only UDP, only
 * class IN, one question per query, no recursion (RA is set anyway so stub resolvers are happy).
 *
 * <pre>{@code
 * try (TestDns dns = TestDns.start()) {
 *     dns.addMx("example.com", 10, "mx.example.com").addA("mx.example.com", "127.0.0.1");
 *     DirContext ctx = new InitialDirContext(dns.jndiEnvironment());
 * }
 * }</pre>
 */
public final class TestDns implements AutoCloseable {

    /** Record type numbers (RFC 1035, RFC 3596). */
    public static final int TYPE_A = 1;
    public static final int TYPE_MX = 15;
    public static final int TYPE_AAAA = 28;
    public static final int TYPE_ANY = 255;

    private static final int RCODE_FORMERR = 1;
    private static final int RCODE_SERVFAIL = 2;
    private static final int RCODE_NXDOMAIN = 3;
    private static final int RCODE_NOTIMP = 4;
    private static final int RCODE_REFUSED = 5;
    private static final int TTL = 60;
    private static final int UDP_LIMIT = 512;

    /** One resource record: for MX {@code preference} and {@code target}, for A/AAAA {@code address}. */
    private record Rr(int type, int preference, String target, byte[] address) {
    }

    private final DatagramSocket socket;
    private final Thread thread;
    private final Map<String, List<Rr>> records = new HashMap<>();
    private final Set<String> servFail = new HashSet<>();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private volatile boolean silent;

    private TestDns() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::serve, "test-dns-" + socket.getLocalPort());
        thread.setDaemon(true);
    }

    /** Binds UDP 127.0.0.1 on an ephemeral port and starts answering. */
    public static TestDns start() {
        try {
            TestDns dns = new TestDns();
            dns.thread.start();
            return dns;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The UDP port, on 127.0.0.1. */
    public int port() {
        return socket.getLocalPort();
    }

    /** {@code dns://127.0.0.1:PORT}, for JNDI's {@code java.naming.provider.url}. */
    public String providerUrl() {
        return "dns://127.0.0.1:" + port();
    }

    /**
     * A JNDI environment for {@code new InitialDirContext(env)} that asks only this server,
     * with a short timeout (500 ms, one retry) so tests fail fast.
     */
    public Hashtable<String, Object> jndiEnvironment() {
        Hashtable<String, Object> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        env.put("java.naming.provider.url", providerUrl());
        env.put("com.sun.jndi.dns.timeout.initial", "500");
        env.put("com.sun.jndi.dns.timeout.retries", "1");
        return env;
    }

    /** Adds an MX record {@code domain. MX pref host.}. */
    public TestDns addMx(String domain, int preference, String host) {
        return add(domain, new Rr(TYPE_MX, preference, normalize(host), null));
    }

    /** Adds an A record; {@code ipv4} must be a dotted-quad literal. */
    public TestDns addA(String host, String ipv4) {
        return add(host, new Rr(TYPE_A, 0, null, parseIpv4(ipv4)));
    }

    /** Adds an AAAA record; {@code ipv6} must be an IPv6 literal such as {@code ::1}. */
    public TestDns addAAAA(String host, String ipv6) {
        if (!ipv6.contains(":")) {
            throw new IllegalArgumentException("not an IPv6 literal: " + ipv6);
        }
        try {
            // A literal containing ':' is parsed, never looked up.
            InetAddress a = InetAddress.getByName(ipv6);
            if (!(a instanceof Inet6Address)) {
                throw new IllegalArgumentException("not an IPv6 literal: " + ipv6);
            }
            return add(host, new Rr(TYPE_AAAA, 0, null, a.getAddress()));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 literal: " + ipv6, e);
        }
    }

    /** Answers every query for {@code name} with SERVFAIL (a temporary failure). */
    public synchronized TestDns servFail(String name) {
        servFail.add(normalize(name));
        return this;
    }

    /** While on, the server reads queries (and counts them) but never answers. */
    public void silent(boolean on) {
        silent = on;
    }

    /** Removes all records and SERVFAIL names (the query log stays). */
    public synchronized void clear() {
        records.clear();
        servFail.clear();
    }

    /** Number of queries received so far (answered or not). */
    public int queryCount() {
        return queries.size();
    }

    /** The queries received so far, as {@code "name TYPE"} (e.g. {@code "example.com MX"}, {@code "x TYPE99"}). */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    /** Stops the server. */
    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized TestDns add(String name, Rr rr) {
        records.computeIfAbsent(normalize(name), k -> new ArrayList<>()).add(rr);
        return this;
    }

    private static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private static byte[] parseIpv4(String ipv4) {
        String[] parts = ipv4.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 literal: " + ipv4);
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            int v = Integer.parseInt(parts[i]);
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("not an IPv4 literal: " + ipv4);
            }
            b[i] = (byte) v;
        }
        return b;
    }

    private static String typeName(int type) {
        return switch (type) {
            case TYPE_A -> "A";
            case TYPE_MX -> "MX";
            case TYPE_AAAA -> "AAAA";
            case TYPE_ANY -> "ANY";
            default -> "TYPE" + type;
        };
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                return; // closed
            }
            byte[] query = Arrays.copyOf(packet.getData(), packet.getLength());
            byte[] response = answer(query);
            if (response == null || silent) {
                continue;
            }
            try {
                socket.send(new DatagramPacket(response, response.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    /** Builds the response to one query packet, or null if it is not worth answering. */
    private byte[] answer(byte[] q) {
        if (q.length < 12 || (q[2] & 0x80) != 0) {
            return null; // too short, or a response
        }
        int flags = u16(q, 2);
        int opcode = (flags >> 11) & 0xF;
        int qdcount = u16(q, 4);
        if (opcode != 0) {
            queries.add("opcode " + opcode);
            return header(q, flags, RCODE_NOTIMP, 0, 0, false);
        }
        if (qdcount != 1) {
            queries.add("qdcount " + qdcount);
            return header(q, flags, RCODE_FORMERR, 0, 0, false);
        }
        StringBuilder name = new StringBuilder();
        int end = readName(q, 12, name);
        if (end < 0 || end + 4 > q.length) {
            queries.add("malformed");
            return header(q, flags, RCODE_FORMERR, 0, 0, false);
        }
        int qtype = u16(q, end);
        int qclass = u16(q, end + 2);
        int questionEnd = end + 4;
        String qname = normalize(name.toString());
        queries.add(qname + " " + typeName(qtype));

        ByteArrayOutputStream answers = new ByteArrayOutputStream();
        int ancount = 0;
        int rcode;
        synchronized (this) {
            List<Rr> rrs = records.get(qname);
            if (qclass != 1 && qclass != 255) {
                rcode = RCODE_REFUSED;
            } else if (servFail.contains(qname)) {
                rcode = RCODE_SERVFAIL;
            } else if (rrs == null) {
                rcode = RCODE_NXDOMAIN;
            } else {
                rcode = 0;
                for (Rr rr : rrs) {
                    if (qtype == rr.type() || qtype == TYPE_ANY) {
                        writeRecord(answers, rr);
                        ancount++;
                    }
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] body = answers.toByteArray();
        boolean truncated = questionEnd + body.length > UDP_LIMIT;
        out.writeBytes(header(q, flags, rcode, 1, truncated ? 0 : ancount, truncated));
        out.write(q, 12, questionEnd - 12); // the question, echoed byte for byte
        if (!truncated) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    /** A 12-byte response header: QR, AA, RA set; opcode and RD copied from the query; TC if truncated. */
    private static byte[] header(byte[] q, int queryFlags, int rcode, int qdcount, int ancount, boolean truncated) {
        int flags = 0x8000 | (queryFlags & 0x7800) | 0x0400 | (truncated ? 0x0200 : 0) | (queryFlags & 0x0100)
                | 0x0080 | rcode;
        return new byte[] {
            q[0], q[1],
            (byte) (flags >> 8), (byte) flags,
            (byte) (qdcount >> 8), (byte) qdcount,
            (byte) (ancount >> 8), (byte) ancount,
            0, 0, 0, 0,
        };
    }

    private static void writeRecord(ByteArrayOutputStream out, Rr rr) {
        out.write(0xC0); // owner name: pointer to the question name at offset 12
        out.write(12);
        writeU16(out, rr.type());
        writeU16(out, 1); // IN
        writeU16(out, TTL >> 16);
        writeU16(out, TTL & 0xFFFF);
        byte[] rdata;
        if (rr.type() == TYPE_MX) {
            ByteArrayOutputStream r = new ByteArrayOutputStream();
            writeU16(r, rr.preference());
            writeName(r, rr.target());
            rdata = r.toByteArray();
        } else {
            rdata = rr.address();
        }
        writeU16(out, rdata.length);
        out.writeBytes(rdata);
    }

    private static void writeName(ByteArrayOutputStream out, String name) {
        if (!name.isEmpty()) {
            for (String label : name.split("\\.")) {
                byte[] b = label.getBytes(StandardCharsets.US_ASCII);
                out.write(b.length);
                out.writeBytes(b);
            }
        }
        out.write(0);
    }

    /**
     * Reads a (possibly compressed) name at {@code pos} into {@code name}, dot-separated.
     * Returns the offset just after the name as it appears at {@code pos}, or -1 if malformed.
     */
    private static int readName(byte[] p, int pos, StringBuilder name) {
        int end = -1;
        for (int jumps = 0; jumps < 16; ) {
            if (pos >= p.length) {
                return -1;
            }
            int len = p[pos] & 0xFF;
            if (len == 0) {
                return end >= 0 ? end : pos + 1;
            }
            if ((len & 0xC0) == 0xC0) {
                if (pos + 1 >= p.length) {
                    return -1;
                }
                if (end < 0) {
                    end = pos + 2;
                }
                pos = ((len & 0x3F) << 8) | (p[pos + 1] & 0xFF);
                jumps++;
                continue;
            }
            if ((len & 0xC0) != 0 || pos + 1 + len > p.length) {
                return -1;
            }
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(new String(p, pos + 1, len, StandardCharsets.US_ASCII));
            pos += 1 + len;
        }
        return -1;
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    private static void writeU16(ByteArrayOutputStream out, int v) {
        out.write((v >> 8) & 0xFF);
        out.write(v & 0xFF);
    }
}
