package jmail.submit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jmail.config.AliasMap;
import jmail.queue.QueueStore.NewRecipient;

/**
 * Turns the recipients a local client gave into the addresses to deliver to: bare names (and names
 * {@code @myorigin}, which the shim qualified) go through {@code alias_maps}, then get {@code @myorigin}; duplicates collapse (domains compared
 * case-insensitively). The trivial-rewrite and local alias steps of Postfix, for a null client.
 */
public final class RecipientResolver {
    private final AliasMap aliases;
    private final String myorigin;

    public RecipientResolver(AliasMap aliases, String myorigin) {
        this.aliases = aliases;
        this.myorigin = myorigin;
    }

    public List<NewRecipient> resolve(List<String> given) {
        Map<String, NewRecipient> out = new LinkedHashMap<>();
        for (String original : given) {
            String addr = stripBrackets(original);
            List<String> targets = aliases.expand(localName(addr));
            for (String t : targets) {
                String q = qualify(t);
                out.putIfAbsent(key(q), new NewRecipient(q, original));
            }
        }
        return new ArrayList<>(out.values());
    }

    /** The local part of a bare name or of an address in myorigin: what aliases apply to. */
    private String localName(String addr) {
        int at = addr.lastIndexOf('@');
        if (at > 0 && addr.substring(at + 1).equalsIgnoreCase(myorigin)) {
            String local = addr.substring(0, at);
            return aliases.has(local) ? local : addr;
        }
        return addr;
    }

    /** {@code root} becomes {@code root@myorigin}; the null sender stays empty. */
    public String qualify(String address) {
        String a = stripBrackets(address);
        if (a.isEmpty() || a.contains("@")) {
            return a;
        }
        return a + "@" + myorigin;
    }

    static String stripBrackets(String a) {
        String s = a.strip();
        if (s.startsWith("<") && s.endsWith(">")) {
            s = s.substring(1, s.length() - 1).strip();
        }
        return s;
    }

    private static String key(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? address : address.substring(0, at) + "@" + address.substring(at + 1).toLowerCase(Locale.ROOT);
    }
}
