package jmail.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text source of a Postfix lookup table ({@code postmap(1)} input): {@code key value} per line,
 * {@code #} comments on their own lines, continuation lines start with white space. A {@code hash:},
 * {@code texthash:}, {@code lmdb:} or {@code btree:} prefix names the same text file.
 */
final class PostmapFile {
    private PostmapFile() {
    }

    static Path path(String mapSpec) {
        String s = mapSpec.strip();
        int colon = s.indexOf(':');
        if (colon > 0 && s.substring(0, colon).matches("hash|texthash|lmdb|btree|cdb|dbm")) {
            s = s.substring(colon + 1);
        }
        return Path.of(s);
    }

    /** Reads key/value pairs; {@code separator} is the character allowed to end a key besides white space. */
    static Map<String, String> read(Path file, String keySeparators) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, String> out = new LinkedHashMap<>();
        String pending = null;
        for (String raw : lines) {
            if (raw.isBlank() || raw.stripLeading().startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(raw.charAt(0)) && pending != null) {
                pending = pending + " " + raw.strip();
                continue;
            }
            add(out, pending, keySeparators);
            pending = raw.strip();
        }
        add(out, pending, keySeparators);
        return out;
    }

    private static void add(Map<String, String> out, String line, String keySeparators) {
        if (line == null) {
            return;
        }
        int end = 0;
        while (end < line.length() && !Character.isWhitespace(line.charAt(end)) && keySeparators.indexOf(line.charAt(end)) < 0) {
            end++;
        }
        String key = line.substring(0, end);
        String rest = line.substring(end);
        if (!rest.isEmpty() && keySeparators.indexOf(rest.charAt(0)) >= 0) {
            rest = rest.substring(1);
        }
        out.putIfAbsent(key, rest.strip());
    }
}
