package jmail.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordMapTest {
    @TempDir
    Path tmp;

    private Path map(String text, String mode) throws Exception {
        Path p = tmp.resolve("sasl_passwd");
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    @Test
    void looksUpRelayhostAsWrittenThenBareHost() throws Exception {
        Path p = map("# comment\n[smtp.example.net]:587 alerts@example.com:pa:ss #word é\nsmtp.example.org  other:x\n", "rw-------");
        PasswordMap m = PasswordMap.load("hash:" + p);
        PasswordMap.Credentials c = m.lookup(HostPort.parse("[smtp.example.net]:587", 25)).orElseThrow();
        assertEquals("alerts@example.com", c.user());
        assertEquals("pa:ss #word é", c.password());
        assertEquals("other", m.lookup(HostPort.parse("[smtp.example.org]:465", 25)).orElseThrow().user());
        assertTrue(m.lookup(HostPort.parse("smtp.example.net:587", 25)).isEmpty(), "a [host]:587 key does not match host:587");
        assertFalse(c.toString().contains("pa:ss"));
    }

    @Test
    void refusesAMapOthersCanRead() throws Exception {
        Path p = map("[smtp.example.net]:587 u:p\n", "rw-r--r--");
        ConfigError e = assertThrows(ConfigError.class, () -> PasswordMap.load(p.toString()));
        assertEquals(p + ": the password map is readable or writable by others; run: chmod 600 " + p, e.getMessage());
    }
}
