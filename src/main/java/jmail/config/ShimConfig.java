package jmail.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * main.conf for the sendmail front end, read without Typesafe Config: loading that library is the
 * largest part of the shim's start-up (about 25 ms), and every cron job and PHP {@code mail()} pays it.
 *
 * <p>Only the plain subset the shipped files use is read here: {@code key = value} lines with a quoted
 * or simple value or a one-line list, and comment lines. Anything else (objects, includes,
 * substitutions, multi-line values), a key jmail does not know, or a value this reader cannot be sure
 * of sends the whole file to {@link JmailConfig}, so the answer and every error message are exactly
 * the daemon's.
 */
public final class ShimConfig implements SubmitSettings {
    private final Path file;
    private final Map<String, Object> values;

    private ShimConfig(Path file, Map<String, Object> values) {
        this.file = file;
        this.values = values;
    }

    /** Reads {@code file} quickly when it is plain, else through {@link JmailConfig#load}. */
    public static SubmitSettings load(Path file, Consumer<String> warn) throws ConfigError {
        Map<String, Object> reference = reference();
        if (reference != null && Files.isRegularFile(file) && Files.isReadable(file)) {
            try {
                Map<String, Object> user = parse(Files.readString(file, StandardCharsets.UTF_8));
                if (user != null && reference.keySet().containsAll(user.keySet())) {
                    Map<String, Object> merged = new HashMap<>(reference);
                    merged.putAll(user);
                    return new ShimConfig(file, merged);
                }
            } catch (IOException | RuntimeException e) {
                // fall through: the full reader gives the precise error
            }
        }
        return JmailConfig.load(file, warn);
    }

    private static Map<String, Object> reference() {
        try (InputStream in = ShimConfig.class.getResourceAsStream("reference.conf")) {
            return in == null ? null : parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        }
    }

    /** Key to String or List of String; null when the text leaves the plain subset. */
    static Map<String, Object> parse(String text) {
        Map<String, Object> out = new HashMap<>();
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("//")) {
                continue;
            }
            int i = 0;
            while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_')) {
                i++;
            }
            if (i == 0) {
                return null;
            }
            String key = line.substring(0, i);
            String rest = line.substring(i).stripLeading();
            if (!rest.startsWith("=") && !rest.startsWith(":")) {
                return null;
            }
            Object value = value(rest.substring(1).strip());
            if (value == null) {
                return null;
            }
            out.put(key, value);
        }
        return out;
    }

    private static Object value(String v) {
        if (v.startsWith("[")) {
            int end = listEnd(v);
            if (end < 0 || !onlyComment(v.substring(end + 1))) {
                return null;
            }
            List<String> items = new ArrayList<>();
            String inner = v.substring(1, end).strip();
            if (!inner.isEmpty()) {
                for (String part : splitOutsideQuotes(inner)) {
                    Object item = scalar(part.strip());
                    if (!(item instanceof String s)) {
                        return null;
                    }
                    items.add(s);
                }
            }
            return List.copyOf(items);
        }
        return scalar(v);
    }

    /** A quoted string (JSON escapes) or a simple unquoted token, with an optional trailing comment. */
    private static Object scalar(String v) {
        if (v.startsWith("\"")) {
            if (v.startsWith("\"\"\"")) {
                return null;
            }
            StringBuilder b = new StringBuilder();
            int i = 1;
            while (i < v.length() && v.charAt(i) != '"') {
                char c = v.charAt(i);
                if (c == '\\') {
                    if (i + 1 >= v.length()) {
                        return null;
                    }
                    char e = v.charAt(++i);
                    switch (e) {
                        case '"', '\\', '/' -> b.append(e);
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        default -> {
                            return null;
                        }
                    }
                } else {
                    b.append(c);
                }
                i++;
            }
            if (i >= v.length() || !onlyComment(v.substring(i + 1))) {
                return null;
            }
            return b.toString();
        }
        int cut = commentStart(v);
        String token = (cut < 0 ? v : v.substring(0, cut)).strip();
        if (token.isEmpty()) {
            return null;
        }
        for (char c : token.toCharArray()) {
            if ("\"[]{}$:=,+\\`^?!@*&'".indexOf(c) >= 0) {
                return null;
            }
        }
        return token;
    }

    private static List<String> splitOutsideQuotes(String s) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    /** The index of the ']' closing a one-line list, skipping quoted strings; -1 if none. */
    private static int listEnd(String v) {
        boolean quoted = false;
        for (int i = 1; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ']' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static boolean onlyComment(String s) {
        String t = s.strip();
        return t.isEmpty() || t.startsWith("#") || t.startsWith("//");
    }

    private static int commentStart(String s) {
        int hash = s.indexOf('#');
        int slashes = s.indexOf("//");
        if (hash < 0) {
            return slashes;
        }
        return slashes < 0 ? hash : Math.min(hash, slashes);
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public String myhostname() {
        String h = string("myhostname");
        return h.isEmpty() ? Hostname.local() : h;
    }

    @Override
    public String myorigin() {
        String o = string("myorigin");
        return o.isEmpty() ? myhostname() : o;
    }

    @Override
    public Path queueDirectory() {
        return Path.of(string("queue_directory"));
    }

    @Override
    public String string(String key) {
        Object v = values.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalStateException(file + ": " + key + " must be a single value");
        }
        return s;
    }

    @Override
    public boolean bool(String key) throws ConfigError {
        switch (string(key)) {
            case "yes", "true", "on":
                return true;
            case "no", "false", "off":
                return false;
            default:
                throw new ConfigError(file + ": " + key + " must be yes or no");
        }
    }

    @Override
    public List<String> list(String key) {
        Object v = values.get(key);
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (Object o : l) {
                String s = String.valueOf(o).strip();
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        } else if (v instanceof String s) {
            for (String part : s.split("[,\\s]+")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        }
        return out;
    }

}
