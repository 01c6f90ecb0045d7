package jmail.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jmail.config.JmailConfig;
import org.junit.jupiter.api.Test;

/**
 * conf/main.conf (installed as /etc/jmail/main.conf) documents every key of reference.conf with its
 * real default, one commented line each, and loads cleanly as it is shipped.
 */
class MainConfTest {
    private static final Pattern SETTING = Pattern.compile("^(#\\s)?([A-Za-z0-9_]+) = (.+?)(\\s+#.*)?$");

    @Test
    void everyKeyOfReferenceConfIsShownWithItsDefault() throws IOException {
        String reference;
        try (InputStream in = JmailConfig.class.getResourceAsStream("reference.conf")) {
            reference = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> defaults = settings(reference, false);
        Map<String, String> shown = settings(Files.readString(Path.of("conf/main.conf")), true);
        assertEquals(defaults, shown);
    }

    @Test
    void theShippedFileLoadsWithoutWarnings() throws Exception {
        List<String> warnings = new ArrayList<>();
        JmailConfig c = JmailConfig.load(Path.of("conf/main.conf"), warnings::add);
        assertEquals(List.of(), warnings);
        assertEquals(Path.of("/var/spool/jmail"), c.queueDirectory());
    }

    @Test
    void theRelaySetupComesFirst() throws IOException {
        String conf = Files.readString(Path.of("conf/main.conf"));
        int relay = conf.indexOf("#   relayhost = \"[smtp.example.net]:587\"\n#   smtp_sasl_auth_enable = yes\n");
        assertEquals(true, relay > 0 && relay < conf.indexOf("# --- "), "the OP25B example precedes the key groups");
    }

    /** key -> value of "key = value" lines (commented ones: only those after a "# --- group" heading). */
    private static Map<String, String> settings(String text, boolean commented) {
        Map<String, String> m = new TreeMap<>();
        boolean inGroups = !commented;
        for (String line : text.split("\n")) {
            inGroups |= line.startsWith("# --- ");
            Matcher s = SETTING.matcher(line);
            if (inGroups && s.matches() && (s.group(1) != null) == commented) {
                m.put(s.group(2), s.group(3));
            }
        }
        return m;
    }
}
