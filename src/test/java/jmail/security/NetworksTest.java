package jmail.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import jmail.submit.Networks;
import org.junit.jupiter.api.Test;

/** mynetworks matching: the check that keeps jmail from being an open relay. */
class NetworksTest {
    private static final Networks DEFAULT = Networks.parse(List.of("127.0.0.0/8", "[::1]/128"));

    @Test
    void theDefaultAdmitsLoopbackOnly() throws Exception {
        assertTrue(DEFAULT.contains(InetAddress.getByName("127.0.0.1")));
        assertTrue(DEFAULT.contains(InetAddress.getByName("127.255.0.9")));
        assertTrue(DEFAULT.contains(InetAddress.getByName("::1")));
        assertFalse(DEFAULT.contains(InetAddress.getByName("128.0.0.1")));
        assertFalse(DEFAULT.contains(InetAddress.getByName("10.0.0.1")));
        assertFalse(DEFAULT.contains(InetAddress.getByName("::2")));
        assertFalse(DEFAULT.contains(InetAddress.getByName("0.0.0.0")));
    }

    @Test
    void prefixesAreMatchedBitByBit() throws Exception {
        Networks n = Networks.parse(List.of("127.0.0.1/32", "192.0.2.128/25", "2001:db8::/33"));
        assertTrue(n.contains(InetAddress.getByName("127.0.0.1")));
        assertFalse(n.contains(InetAddress.getByName("127.0.0.2")));
        assertTrue(n.contains(InetAddress.getByName("192.0.2.200")));
        assertFalse(n.contains(InetAddress.getByName("192.0.2.127")));
        assertTrue(n.contains(InetAddress.getByName("2001:db8:7fff::1")));
        assertFalse(n.contains(InetAddress.getByName("2001:db8:8000::1")));
    }

    @Test
    void anIpv4NetworkNeverMatchesAnIpv6ClientAndViceVersa() throws Exception {
        Networks v4 = Networks.parse(List.of("0.0.0.0/0"));
        assertFalse(v4.contains(InetAddress.getByName("2001:db8::1")));
        Networks v6 = Networks.parse(List.of("::/0"));
        assertFalse(v6.contains(InetAddress.getByName("192.0.2.1")));
    }

    @Test
    void namesAndBadPrefixesAreConfigurationErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Networks.parse(List.of("localhost")));
        assertEquals("mynetworks: \"localhost\" is not an address or address/bits", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Networks.parse(List.of("127.0.0.1/33")));
        assertThrows(IllegalArgumentException.class, () -> Networks.parse(List.of("127.0.0.1/x")));
        assertThrows(IllegalArgumentException.class, () -> Networks.parse(List.of("example.com/8")));
    }
}
