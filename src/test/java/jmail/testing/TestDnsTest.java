package jmail.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import org.junit.jupiter.api.Test;

class TestDnsTest {

    @Test
    void jndiResolvesMxAndA() throws Exception {
        try (TestDns dns = TestDns.start()) {
            dns.addMx("example.com", 20, "mx2.example.com")
                    .addMx("Example.COM.", 10, "mx1.example.com")
                    .addA("mx1.example.com", "127.0.0.1")
                    .addA("mx1.example.com", "127.0.0.2");
            DirContext ctx = new InitialDirContext(dns.jndiEnvironment());
            try {
                assertEquals(List.of("10 mx1.example.com.", "20 mx2.example.com."),
                        sorted(ctx.getAttributes("example.com", new String[] {"MX"}).get("MX")));
                assertEquals(List.of("127.0.0.1", "127.0.0.2"),
                        sorted(ctx.getAttributes("mx1.example.com", new String[] {"A"}).get("A")));
            } finally {
                ctx.close();
            }
            assertEquals(2, dns.queryCount());
            assertEquals(List.of("example.com MX", "mx1.example.com A"), dns.queries());
        }
    }

    @Test
    void unknownNameIsNxdomainAndKnownNameWithoutTheTypeIsEmpty() throws Exception {
        try (TestDns dns = TestDns.start()) {
            dns.addA("host.example.com", "192.0.2.1").addAAAA("host.example.com", "2001:db8::1");
            DirContext ctx = new InitialDirContext(dns.jndiEnvironment());
            try {
                assertThrows(NameNotFoundException.class,
                        () -> ctx.getAttributes("nosuch.example.com", new String[] {"MX"}));
                Attributes none = ctx.getAttributes("host.example.com", new String[] {"MX"});
                assertNull(none.get("MX"));
                assertEquals(List.of("2001:db8::1"),
                        sorted(ctx.getAttributes("host.example.com", new String[] {"AAAA"}).get("AAAA")));
            } finally {
                ctx.close();
            }
        }
    }

    @Test
    void servFailIsAnError() throws Exception {
        try (TestDns dns = TestDns.start()) {
            dns.addMx("broken.example", 10, "mx.broken.example").servFail("broken.example");
            DirContext ctx = new InitialDirContext(dns.jndiEnvironment());
            try {
                assertThrows(NamingException.class, () -> ctx.getAttributes("broken.example", new String[] {"MX"}));
            } finally {
                ctx.close();
            }
        }
    }

    @Test
    void headerFlagsOnTheWire() throws Exception {
        try (TestDns dns = TestDns.start(); DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            dns.addMx("example.com", 10, "mx.example.com");
            udp.setSoTimeout(2000);

            byte[] query = query(0x1234, true, "example.com", TestDns.TYPE_MX);
            byte[] r = exchange(udp, dns, query);
            assertEquals(0x12, r[0]);
            assertEquals(0x34, r[1]);
            int flags = ((r[2] & 0xFF) << 8) | (r[3] & 0xFF);
            assertEquals(0x8000, flags & 0x8000, "QR");
            assertEquals(0x0400, flags & 0x0400, "AA");
            assertEquals(0x0100, flags & 0x0100, "RD copied");
            assertEquals(0x0080, flags & 0x0080, "RA");
            assertEquals(0, flags & 0xF, "NOERROR");
            assertEquals(1, r[5], "QDCOUNT");
            assertEquals(1, r[7], "ANCOUNT");
            assertArrayEquals(Arrays.copyOfRange(query, 12, query.length), Arrays.copyOfRange(r, 12, query.length));

            byte[] nx = exchange(udp, dns, query(7, false, "nope.example.com", TestDns.TYPE_A));
            int nxFlags = ((nx[2] & 0xFF) << 8) | (nx[3] & 0xFF);
            assertEquals(0, nxFlags & 0x0100, "RD not set in the query, not set in the answer");
            assertEquals(3, nxFlags & 0xF, "NXDOMAIN");
            assertEquals(0, nx[7], "ANCOUNT");
            assertEquals(2, dns.queryCount());
        }
    }

    private static byte[] exchange(DatagramSocket udp, TestDns dns, byte[] query) throws Exception {
        udp.send(new DatagramPacket(query, query.length, InetAddress.getLoopbackAddress(), dns.port()));
        DatagramPacket p = new DatagramPacket(new byte[1024], 1024);
        udp.receive(p);
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    private static byte[] query(int id, boolean rd, String name, int type) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) (id >> 8), (byte) id, (byte) (rd ? 0x01 : 0x00), 0, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            b.write(label.length());
            b.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        b.writeBytes(new byte[] {0, 0, (byte) type, 0, 1});
        return b.toByteArray();
    }

    private static List<String> sorted(Attribute attr) throws NamingException {
        List<String> values = new ArrayList<>();
        NamingEnumeration<?> e = attr.getAll();
        while (e.hasMore()) {
            values.add(e.next().toString());
        }
        Collections.sort(values);
        return values;
    }
}
