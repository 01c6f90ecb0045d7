package jmail.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code alias_maps}: an aliases(5) file ({@code root: admin@example.com, ops}) that maps bare local
 * names to real addresses, so cron mail for root reaches a person. Lookups are case-insensitive and
 * recursive (with a loop guard); a missing file means no aliases.
 */
public final class AliasMap {
    private final Map<String, String> entries;

    private AliasMap(Map<String, String> entries) {
        this.entries = entries;
    }

    public static AliasMap load(String mapSpec) throws ConfigError {
        if (mapSpec == null || mapSpec.isBlank()) {
            return new AliasMap(Map.of());
        }
        Path file = PostmapFile.path(mapSpec);
        if (!Files.exists(file)) {
            return new AliasMap(Map.of());
        }
        try {
            Map<String, String> raw = PostmapFile.read(file, ":");
            Map<String, String> lower = new java.util.HashMap<>();
            raw.forEach((k, v) -> lower.putIfAbsent(k.toLowerCase(Locale.ROOT), v));
            return new AliasMap(lower);
        } catch (IOException e) {
            throw new ConfigError(file + ": cannot read the alias map: " + e.getMessage());
        }
    }

    public boolean has(String localName) {
        return entries.containsKey(localName.toLowerCase(Locale.ROOT));
    }

    /**
     * Expands a bare local name; names with no alias come back as they are. Pipes, files and
     * :include: targets cannot be delivered by a null client and are dropped.
     */
    public List<String> expand(String localName) {
        Set<String> out = new LinkedHashSet<>();
        expand(localName, out, new LinkedHashSet<>(), 0);
        return new ArrayList<>(out);
    }

    private void expand(String name, Set<String> out, Set<String> seen, int depth) {
        String key = name.toLowerCase(Locale.ROOT);
        String value = name.contains("@") ? null : entries.get(key);
        if (value == null || depth > 10 || !seen.add(key)) {
            out.add(name);
            return;
        }
        for (String target : value.split(",")) {
            String t = target.strip();
            if (t.isEmpty() || t.startsWith("|") || t.startsWith("/") || t.startsWith(":include:")) {
                continue;
            }
            if (t.startsWith("\"") && t.endsWith("\"") && t.length() > 1) {
                t = t.substring(1, t.length() - 1);
            }
            if (t.equalsIgnoreCase(name)) {
                out.add(t);
            } else {
                expand(t, out, seen, depth + 1);
            }
        }
    }
}
