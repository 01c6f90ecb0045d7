package jmail.submit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Sender rewriting for locally submitted mail ({@code sender_rewrite}, {@code sender_rewrite_maps},
 * {@code sender_rewrite_reply_to}): the address a relay will accept from the authenticated account,
 * used for the envelope sender and the From: address alike, because relays answer
 * {@code 553 sender not owned by user} when either does not match. A per-user entry wins over the
 * one default.
 *
 * <p>SECURITY: the map is read by every local user's shim, so it holds nothing secret; a user can
 * only be rewritten to the address the administrator chose for them.
 */
public final class SenderRewrite {
    /** No rewriting. */
    public static final SenderRewrite NONE = new SenderRewrite(null, Map.of(), false);

    private final String fallback;
    private final Map<String, String> perUser;
    private final boolean replyTo;

    private SenderRewrite(String fallback, Map<String, String> perUser, boolean replyTo) {
        this.fallback = fallback;
        this.perUser = perUser;
        this.replyTo = replyTo;
    }

    /**
     * From the settings: {@code address} "" for no default, {@code mapFile} "" for no map (a file of
     * "login address" lines, # comments).
     *
     * @throws IllegalArgumentException naming the setting or file line that is wrong
     */
    public static SenderRewrite of(String address, String mapFile, boolean replyTo) throws IOException {
        String fallback = address.isBlank() ? null : checked(address.strip(), "sender_rewrite");
        Map<String, String> map = new HashMap<>();
        if (!mapFile.isBlank()) {
            Path file = Path.of(mapFile.strip().replaceFirst("^(hash|texthash|lmdb|btree|cdb|dbm):", ""));
            int n = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                n++;
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                String[] kv = l.split("\\s+", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException(file + ":" + n + ": expected \"login address\"");
                }
                map.put(kv[0], checked(kv[1], file + ":" + n));
            }
        }
        if (fallback == null && map.isEmpty()) {
            return NONE;
        }
        return new SenderRewrite(fallback, Map.copyOf(map), replyTo);
    }

    private static String checked(String address, String where) {
        if (!Addresses.isValid(address) || address.indexOf('@') < 1) {
            throw new IllegalArgumentException(where + ": \"" + Addresses.printable(address)
                    + "\" is not a full address (user@domain)");
        }
        return address;
    }

    /** The address mail of this local user goes out as, or null to leave it alone. */
    String target(String localUser) {
        return perUser.getOrDefault(localUser, fallback);
    }

    /** Whether the original From address is kept in an added Reply-To. */
    boolean keepsReplyTo() {
        return replyTo;
    }
}
