package jmail.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * main.conf, read once, validated, then immutable. Keys and defaults live in {@code jmail/reference.conf};
 * an unknown key is an error with a did-you-mean hint, a Postfix key jmail does not implement is a warning.
 *
 * <p>SECURITY: the file is trusted (root-owned); values are checked for type and range, never executed.
 */
public final class JmailConfig implements SubmitSettings {
    public static final String DEFAULT_PATH = "/etc/jmail/main.conf";

    private final Path file;
    private final Config conf;

    private JmailConfig(Path file, Config conf) {
        this.file = file;
        this.conf = conf;
    }

    /** The config file to use: {@code -C FILE} if given, else {@code $JMAIL_CONF}, else /etc/jmail/main.conf. */
    public static Path locate(String cFlag) {
        if (cFlag != null && !cFlag.isEmpty()) {
            return Path.of(cFlag);
        }
        String env = System.getenv("JMAIL_CONF");
        return Path.of(env != null && !env.isEmpty() ? env : DEFAULT_PATH);
    }

    /** Loads and validates; warnings (unimplemented Postfix keys) go to {@code warn}. */
    public static JmailConfig load(Path file, Consumer<String> warn) throws ConfigError {
        if (!Files.isRegularFile(file)) {
            throw new ConfigError(file + ": no such file (give another with -C FILE or JMAIL_CONF)");
        }
        if (!Files.isReadable(file)) {
            throw new ConfigError(file + ": cannot read it (permission denied)");
        }
        Config reference = ConfigFactory.parseResources(JmailConfig.class, "reference.conf", ConfigParseOptions.defaults().setAllowMissing(false));
        Config user;
        try {
            user = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException.Parse e) {
            throw new ConfigError(parseHint(file, e));
        } catch (ConfigException e) {
            throw new ConfigError(file + ": " + e.getMessage());
        }
        Set<String> known = reference.root().keySet();
        for (Map.Entry<String, ConfigValue> e : user.root().entrySet()) {
            String key = e.getKey();
            if (known.contains(key)) {
                continue;
            }
            String where = where(file, e.getValue());
            if (KnownPostfixKeys.ADVICE.containsKey(key)) {
                warn.accept(where + ": warning: " + key + " is a Postfix setting jmail ignores: " + KnownPostfixKeys.ADVICE.get(key));
                continue;
            }
            String guess = closest(key, known);
            throw new ConfigError(where + ": unknown setting " + key + (guess == null ? "" : " (did you mean " + guess + "?)"));
        }
        JmailConfig c = new JmailConfig(file, user.withFallback(reference).resolve());
        c.validate();
        if (user.hasPath("smtp_sasl_password_maps") && !c.string("smtp_sasl_password_maps").isEmpty()
                && !c.bool("smtp_sasl_auth_enable")) {
            warn.accept(file + ": warning: smtp_sasl_password_maps is set but smtp_sasl_auth_enable = no, so no credentials will be sent");
        }
        return c;
    }

    private void validate() throws ConfigError {
        for (String key : List.of("minimal_backoff_time", "maximal_backoff_time", "maximal_queue_lifetime",
                "bounce_queue_lifetime", "queue_run_delay", "delay_warning_time", "smtp_connect_timeout",
                "smtp_read_timeout", "smtpd_timeout")) {
            duration(key);
        }
        for (String key : List.of("message_size_limit", "smtpd_recipient_limit", "smtpd_client_connection_count_limit",
                "default_destination_concurrency_limit", "smtp_direct_port")) {
            if (number(key) < 0) {
                throw bad(key, "must not be negative");
            }
        }
        for (String key : List.of("smtp_sasl_auth_enable", "smtp_tls_wrappermode", "smtpd_forbid_bare_newline")) {
            bool(key);
        }
        String level = tlsLevel();
        if (!List.of("none", "may", "encrypt", "verify", "secure").contains(level)) {
            throw bad("smtp_tls_security_level", "is \"" + level + "\"; use none, may, encrypt, verify or secure");
        }
        for (String opt : list("smtp_sasl_security_options")) {
            if (!opt.equals("noplaintext") && !opt.equals("noanonymous")) {
                throw bad("smtp_sasl_security_options", "has \"" + opt + "\"; jmail knows noplaintext and noanonymous");
            }
        }
        for (String mech : list("smtp_sasl_mechanism_filter")) {
            if (!mech.equalsIgnoreCase("plain") && !mech.equalsIgnoreCase("login")) {
                throw bad("smtp_sasl_mechanism_filter", "has \"" + mech + "\"; jmail speaks plain and login");
            }
        }
        for (String listen : list("smtpd_listen")) {
            HostPort.parse(listen, 25, "smtpd_listen", this);
        }
        if (!relayhost().isEmpty()) {
            HostPort.parse(relayhost(), 25, "relayhost", this);
        }
        for (String net : list("mynetworks")) {
            if (net.replace(" ", "").endsWith("/0")) {
                throw bad("mynetworks", "has " + net + ", which admits every client: jmail would relay anyone's mail with "
                        + "your credentials (an open relay); list only the networks of your own hosts");
            }
        }
        for (String key : List.of("myhostname", "myorigin")) {
            String v = string(key);
            if (!v.isEmpty() && !v.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")) {
                throw bad(key, "is \"" + v + "\", not a domain name (letters, digits, '-' and '.')");
            }
        }
        if (string("queue_directory").isEmpty()) {
            throw bad("queue_directory", "must name a directory");
        }
    }

    // ---- typed accessors

    public Path file() {
        return file;
    }

    public String myhostname() {
        String h = string("myhostname");
        return h.isEmpty() ? Hostname.local() : h;
    }

    public String myorigin() {
        String o = string("myorigin");
        return o.isEmpty() ? myhostname() : o;
    }

    public String relayhost() {
        return string("relayhost").strip();
    }

    public String tlsLevel() {
        return string("smtp_tls_security_level").strip().toLowerCase(Locale.ROOT);
    }

    public Path queueDirectory() {
        return Path.of(string("queue_directory"));
    }

    public String string(String key) {
        try {
            return conf.getString(key);
        } catch (ConfigException.WrongType e) {
            throw new IllegalStateException(where(file, conf.getValue(key)) + ": " + key + " must be a single value");
        }
    }

    public boolean bool(String key) throws ConfigError {
        try {
            return conf.getBoolean(key);
        } catch (ConfigException.WrongType e) {
            throw bad(key, "must be yes or no");
        }
    }

    public long number(String key) throws ConfigError {
        try {
            return conf.getLong(key);
        } catch (ConfigException.WrongType e) {
            throw bad(key, "must be a whole number");
        }
    }

    public Duration duration(String key) throws ConfigError {
        ConfigValue v = conf.getValue(key);
        try {
            return Durations.parse(String.valueOf(v.unwrapped()));
        } catch (IllegalArgumentException e) {
            throw bad(key, e.getMessage());
        }
    }

    /** A list given either as {@code ["a", "b"]} or as one comma/space-separated string. */
    public List<String> list(String key) {
        ConfigValue v = conf.getValue(key);
        List<String> out = new ArrayList<>();
        if (v.valueType() == ConfigValueType.LIST) {
            for (Object o : conf.getList(key).unwrapped()) {
                String s = String.valueOf(o).strip();
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        } else {
            for (String s : String.valueOf(v.unwrapped()).split("[,\\s]+")) {
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    ConfigError bad(String key, String why) {
        ConfigValue v = conf.hasPath(key) ? conf.getValue(key) : null;
        return new ConfigError((v == null ? file.toString() : where(file, v)) + ": " + key + " " + why);
    }

    // ---- error texts

    private static String where(Path file, ConfigValue v) {
        int line = v.origin().lineNumber();
        return line > 0 && v.origin().filename() != null && v.origin().filename().equals(file.toString())
                ? file + ":" + line : file.toString();
    }

    private static String parseHint(Path file, ConfigException.Parse e) {
        int line = e.origin() == null ? -1 : e.origin().lineNumber();
        String text = "";
        if (line > 0) {
            try {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                text = line <= lines.size() ? lines.get(line - 1).strip() : "";
            } catch (IOException ignored) {
                // the hint is a courtesy; the line number alone still helps
            }
        }
        String at = file + (line > 0 ? ":" + line : "");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^([A-Za-z0-9_]+)\\s*=\\s*([^\"\\[{].*|\\[[^\"].*)$").matcher(text);
        if (m.matches()) {
            return at + ": cannot parse `" + text + "`: quote values that contain : [ ] # // , = or spaces, e.g. "
                    + m.group(1) + " = \"" + m.group(2).strip() + "\"";
        }
        String why = e.getMessage().replaceFirst("^.*?: \\d+: ", "");
        return at + ": cannot parse" + (text.isEmpty() ? "" : " `" + text + "`") + ": " + why;
    }

    static String closest(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : new TreeSet<>(known)) {
            int d = editDistance(key.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 4) ? best : null;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
