package jmail.submit;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Envelope address rules: qualification, IDN domains to punycode, and a sanity check. */
final class Addresses {

    private static final int MAX_LOCAL_OCTETS = 64;
    private static final int MAX_DOMAIN_OCTETS = 253;
    private static final String ATEXT_SYMBOLS = "!#$%&'*+-/=?^_`{|}~.";

    private Addresses() {
    }

    /**
     * Turns what a user wrote ("root", "&lt;a@x&gt;", "Jane &lt;jane@bücher.example&gt;") into the
     * envelope form: one addr-spec, qualified with {@code @myorigin} when bare, domain in
     * punycode. "" and "&lt;&gt;" give "" (the null sender).
     */
    static String normalize(String addr, String myorigin) throws DataException {
        String a = addr.strip();
        if (a.isEmpty() || a.equals("<>")) {
            return "";
        }
        HeaderAddresses.Parsed parsed = HeaderAddresses.parse(a);
        if (!parsed.ok() || parsed.addresses().size() != 1) {
            throw new DataException("bad address syntax: " + printable(addr));
        }
        String spec = parsed.addresses().get(0);
        int at = spec.lastIndexOf('@');
        String local = at < 0 ? spec : spec.substring(0, at);
        String domain = at < 0 ? myorigin : spec.substring(at + 1);
        String result = local + "@" + asciiDomain(domain, addr);
        if (!isValid(result)) {
            throw new DataException("bad address syntax: " + printable(addr));
        }
        return result;
    }

    private static String asciiDomain(String domain, String original) throws DataException {
        if (domain.startsWith("[") || domain.chars().allMatch(c -> c < 0x80)) {
            return domain;
        }
        try {
            return IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            throw new DataException("bad international domain in " + printable(original) + ": " + e.getMessage());
        }
    }

    /**
     * A plausible envelope address: "local@domain" or a bare "local" (valid before
     * qualification). Refuses white space, control characters and angle brackets anywhere.
     */
    static boolean isValid(String addr) {
        if (addr == null || addr.isEmpty()) {
            return false;
        }
        for (int i = 0; i < addr.length(); i++) {
            char c = addr.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || Character.isWhitespace(c)) {
                return false;
            }
        }
        int at = addr.lastIndexOf('@');
        String local = at < 0 ? addr : addr.substring(0, at);
        return isValidLocal(local) && (at < 0 || isValidDomain(addr.substring(at + 1)));
    }

    private static boolean isValidLocal(String local) {
        if (local.isEmpty() || local.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL_OCTETS) {
            return false;
        }
        if (local.length() >= 2 && local.startsWith("\"") && local.endsWith("\"")) {
            return true;
        }
        // Consecutive or edge dots are tolerated, as Postfix does: real mailboxes have them.
        return local.chars().allMatch(c -> c >= 0x80 || Character.isLetterOrDigit(c) && c < 0x80
                || ATEXT_SYMBOLS.indexOf(c) >= 0);
    }

    private static boolean isValidDomain(String domain) {
        if (domain.startsWith("[")) {
            return domain.length() > 2 && domain.endsWith("]") && domain.indexOf(']') == domain.length() - 1;
        }
        if (domain.isEmpty() || domain.getBytes(StandardCharsets.UTF_8).length > MAX_DOMAIN_OCTETS) {
            return false;
        }
        for (String label : domain.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                // Underscores are not RFC 1035 but live on in internal host names, so they pass.
                return false;
            }
            if (!label.chars().allMatch(c -> c >= 0x80 || c == '-' || c == '_' || c < 0x80 && Character.isLetterOrDigit(c))) {
                return false;
            }
        }
        return true;
    }

    /** True when the local part is not ASCII, so only an SMTPUTF8 relay can take it. */
    static boolean needsSmtpUtf8(String addr) {
        int at = addr.lastIndexOf('@');
        String local = at < 0 ? addr : addr.substring(0, at);
        return !local.chars().allMatch(c -> c < 0x80);
    }

    /** Equality for de-duplication: local parts are case-sensitive, domains are not. */
    static String dedupeKey(String addr) {
        int at = addr.lastIndexOf('@');
        return at < 0 ? addr : addr.substring(0, at + 1) + addr.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    static String printable(String s) {
        String p = s.replaceAll("[\\x00-\\x1f\\x7f]", "?");
        return p.length() > 80 ? p.substring(0, 80) + "..." : p;
    }
}
