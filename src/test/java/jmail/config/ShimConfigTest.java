package jmail.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shim's fast reader must give exactly what the daemon's reader gives, or step aside. */
class ShimConfigTest {
    private static final List<String> SHIM_KEYS = List.of("myhostname", "myorigin", "queue_directory", "sender_rewrite",
            "sender_rewrite_maps");

    @TempDir
    Path tmp;

    private Path conf(String text) throws Exception {
        Path p = tmp.resolve("main.conf");
        Files.writeString(p, text);
        return p;
    }

    private void assertSameAsFullReader(Path p) throws Exception {
        SubmitSettings fast = ShimConfig.load(p, w -> { });
        JmailConfig full = JmailConfig.load(p, w -> { });
        for (String k : SHIM_KEYS) {
            assertEquals(full.string(k), fast.string(k), k);
        }
        assertEquals(full.list("smtpd_listen"), fast.list("smtpd_listen"));
        assertEquals(full.list("mynetworks"), fast.list("mynetworks"));
        assertEquals(full.bool("sender_rewrite_reply_to"), fast.bool("sender_rewrite_reply_to"));
        assertEquals(full.myorigin(), fast.myorigin());
        assertEquals(full.queueDirectory(), fast.queueDirectory());
    }

    @Test
    void shippedFilesAreReadFastAndAlike() throws Exception {
        for (String f : List.of("conf/main.conf", "conf/dev.conf")) {
            Path p = Path.of(f);
            assertInstanceOf(ShimConfig.class, ShimConfig.load(p, w -> { }), f);
            assertSameAsFullReader(p);
        }
    }

    @Test
    void plainValuesCommentsAndListsMatchTheFullReader() throws Exception {
        Path p = conf("# comment\n// comment\nmyhostname = \"h.example.com\"  # trailing\nmyorigin: example.net\n"
                + "queue_directory = /var/spool/jmail//ignored\nsmtpd_listen = [\"127.0.0.1:2525\", \"[::1]:2525\"]\n"
                + "mynetworks = \"127.0.0.0/8, [::1]/128\"\nsender_rewrite = \"alerts@example.com\"\nsender_rewrite_reply_to = yes\n"
                + "myorigin = example.org\n");
        assertInstanceOf(ShimConfig.class, ShimConfig.load(p, w -> { }));
        assertSameAsFullReader(p);
        assertEquals("example.org", ShimConfig.load(p, w -> { }).myorigin());
    }

    @Test
    void anythingOutsideThePlainSubsetGoesToTheFullReader() throws Exception {
        for (String text : List.of("myorigin = ${HOME}\n", "include \"other.conf\"\n", "myorigin = \"\"\"x\"\"\"\n",
                "a { b = 1 }\n", "myorigin = \"example.com\" junk\n", "smtpd_listen = [\n  \"127.0.0.1:25\"\n]\n",
                "myorigin = example.com:25\n")) {
            assertNull(ShimConfig.parse(text), text);
        }
        Path p = conf("smtpd_listen = [\n  \"127.0.0.1:2525\"\n]\n");
        assertInstanceOf(JmailConfig.class, ShimConfig.load(p, w -> { }));
    }

    @Test
    void errorsAreTheDaemonsErrors() throws Exception {
        Path p = conf("relayhost = [smtp.example.net]:587\n");
        assertEquals(assertThrows(ConfigError.class, () -> JmailConfig.load(p, w -> { })).getMessage(),
                assertThrows(ConfigError.class, () -> ShimConfig.load(p, w -> { })).getMessage());
        Path q = conf("myorigni = \"example.com\"\n");
        assertEquals(q + ":1: unknown setting myorigni (did you mean myorigin?)",
                assertThrows(ConfigError.class, () -> ShimConfig.load(q, w -> { })).getMessage());
    }
}
