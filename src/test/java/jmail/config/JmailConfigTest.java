package jmail.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JmailConfigTest {
    @TempDir
    Path tmp;

    private Path conf(String text) throws Exception {
        Path p = tmp.resolve("main.conf");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void defaultsArePostfixsAndTheSafeOnes() throws Exception {
        JmailConfig c = JmailConfig.load(conf(""), w -> { });
        assertEquals(Duration.ofSeconds(300), c.duration("minimal_backoff_time"));
        assertEquals(Duration.ofSeconds(4000), c.duration("maximal_backoff_time"));
        assertEquals(Duration.ofDays(5), c.duration("maximal_queue_lifetime"));
        assertEquals(10240000, c.number("message_size_limit"));
        assertEquals(List.of("127.0.0.1:25"), c.list("smtpd_listen"));
        assertEquals("may", c.tlsLevel());
        assertEquals(List.of("noplaintext", "noanonymous"), c.list("smtp_sasl_security_options"));
        assertEquals(c.myhostname(), c.myorigin());
    }

    @Test
    void unquotedPostfixRelayhostIsOneLineNamingFileLineAndFix() throws Exception {
        Path p = conf("myhostname = \"a.example.com\"\nrelayhost = [smtp.example.net]:587\n");
        ConfigError e = assertThrows(ConfigError.class, () -> JmailConfig.load(p, w -> { }));
        assertEquals(p + ":2: cannot parse `relayhost = [smtp.example.net]:587`: quote values that contain : [ ] # // , = or spaces, "
                + "e.g. relayhost = \"[smtp.example.net]:587\"", e.getMessage());
    }

    @Test
    void unknownKeyGetsADidYouMean() throws Exception {
        Path p = conf("smtp_sasl_pasword_maps = \"/etc/jmail/sasl_passwd\"\n");
        ConfigError e = assertThrows(ConfigError.class, () -> JmailConfig.load(p, w -> { }));
        assertEquals(p + ":1: unknown setting smtp_sasl_pasword_maps (did you mean smtp_sasl_password_maps?)", e.getMessage());
    }

    @Test
    void unimplementedPostfixKeyIsAWarningNamingIt() throws Exception {
        List<String> warnings = new ArrayList<>();
        JmailConfig.load(conf("inet_interfaces = \"loopback-only\"\n"), warnings::add);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("inet_interfaces is a Postfix setting jmail ignores"), warnings.get(0));
        assertTrue(warnings.get(0).contains("smtpd_listen"), warnings.get(0));
    }

    @Test
    void badDurationNamesKeyAndForm() throws Exception {
        Path p = conf("minimal_backoff_time = \"5 minutes\"\n");
        ConfigError e = assertThrows(ConfigError.class, () -> JmailConfig.load(p, w -> { }));
        assertTrue(e.getMessage().startsWith(p + ":1: minimal_backoff_time \"5 minutes\" is not a duration"), e.getMessage());
    }

    @Test
    void postfixDurationsAndBareSeconds() throws Exception {
        JmailConfig c = JmailConfig.load(conf("minimal_backoff_time = 90\nmaximal_backoff_time = 2h\nmaximal_queue_lifetime = 1w\n"), w -> { });
        assertEquals(Duration.ofSeconds(90), c.duration("minimal_backoff_time"));
        assertEquals(Duration.ofHours(2), c.duration("maximal_backoff_time"));
        assertEquals(Duration.ofDays(7), c.duration("maximal_queue_lifetime"));
    }

    @Test
    void listsAsHoconListsOrCommaStrings() throws Exception {
        JmailConfig c = JmailConfig.load(conf("smtp_sasl_security_options = \"noanonymous\"\n"
                + "smtp_sasl_mechanism_filter = \"plain, login\"\nmynetworks = [\"127.0.0.0/8\", \"[::1]/128\"]\n"), w -> { });
        assertEquals(List.of("noanonymous"), c.list("smtp_sasl_security_options"));
        assertEquals(List.of("plain", "login"), c.list("smtp_sasl_mechanism_filter"));
        assertEquals(List.of("127.0.0.0/8", "[::1]/128"), c.list("mynetworks"));
    }

    @Test
    void badTlsLevelAndMechanismAreRefused() throws Exception {
        Path p = conf("smtp_tls_security_level = \"maybe\"\n");
        assertTrue(assertThrows(ConfigError.class, () -> JmailConfig.load(p, w -> { })).getMessage()
                .contains("use none, may, encrypt, verify or secure"));
        Path q = conf("smtp_sasl_mechanism_filter = \"cram-md5\"\n");
        assertTrue(assertThrows(ConfigError.class, () -> JmailConfig.load(q, w -> { })).getMessage()
                .contains("jmail speaks plain and login"));
    }

    @Test
    void missingFileIsClear() {
        Path p = tmp.resolve("nope.conf");
        assertEquals(p + ": no such file (give another with -C FILE or JMAIL_CONF)",
                assertThrows(ConfigError.class, () -> JmailConfig.load(p, w -> { })).getMessage());
    }

    @Test
    void passwordMapWithoutAuthEnableWarns() throws Exception {
        List<String> warnings = new ArrayList<>();
        JmailConfig.load(conf("smtp_sasl_password_maps = \"/etc/jmail/sasl_passwd\"\n"), warnings::add);
        assertFalse(warnings.isEmpty());
        assertTrue(warnings.get(0).contains("smtp_sasl_auth_enable = no"), warnings.get(0));
    }

    @Test
    void aMynetworksThatAdmitsEveryoneIsRefusedAsAnOpenRelay() throws Exception {
        Path p = conf("mynetworks = [\"127.0.0.0/8\", \"0.0.0.0/0\"]\n");
        ConfigError e = assertThrows(ConfigError.class, () -> JmailConfig.load(p, w -> { }));
        assertTrue(e.getMessage().startsWith(p + ":1: mynetworks has 0.0.0.0/0, which admits every client"), e.getMessage());
    }

    @Test
    void aHostnameWithSpacesIsRefused() throws Exception {
        Path p = conf("myhostname = \"bad host name\"\n");
        assertEquals(p + ":1: myhostname is \"bad host name\", not a domain name (letters, digits, '-' and '.')",
                assertThrows(ConfigError.class, () -> JmailConfig.load(p, w -> { })).getMessage());
    }
}
