package jmail.submit;

import java.util.function.UnaryOperator;

/**
 * Rewrites the addr-specs inside an address-list header value and leaves every other character
 * (display names, comments, spacing) as written: {@code "(Cron Daemon)" <user>} becomes
 * {@code "(Cron Daemon)" <user@example.com>}, {@code root (Cron Daemon)} becomes
 * {@code root@example.com (Cron Daemon)}. Group syntax is left alone (it never holds the bare
 * local names this is for).
 *
 * <p>SECURITY: the value is untrusted header text; the caller checks it parses with
 * {@link HeaderAddresses} first, and the replacement addresses come from the configuration or
 * from that parse, never from free text.
 */
final class HeaderAddressRewriter {

    private HeaderAddressRewriter() {
    }

    /** The value with each element's address replaced by {@code f(address)}; null if it has a group. */
    static String rewrite(String value, UnaryOperator<String> f) {
        StringBuilder out = new StringBuilder(value.length() + 32);
        int start = 0;
        int depth = 0;
        boolean quoted = false;
        boolean angle = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                i++;
            } else if (quoted) {
                quoted = c != '"';
            } else if (depth > 0) {
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            } else if (c == '"') {
                quoted = true;
            } else if (c == '(') {
                depth = 1;
            } else if (c == '<') {
                angle = true;
            } else if (c == '>') {
                angle = false;
            } else if (!angle && (c == ':' || c == ';')) {
                return null;
            } else if (!angle && c == ',') {
                out.append(element(value.substring(start, i), f)).append(',');
                start = i + 1;
            }
        }
        return out.append(element(value.substring(start), f)).toString();
    }

    /** One mailbox: the text inside its angle brackets, or else its first word outside comments. */
    private static String element(String e, UnaryOperator<String> f) {
        int[] span = angleSpan(e);
        if (span == null) {
            span = bareSpan(e);
        }
        if (span == null || span[0] == span[1]) {
            return e;
        }
        return e.substring(0, span[0]) + f.apply(e.substring(span[0], span[1])) + e.substring(span[1]);
    }

    private static int[] angleSpan(String e) {
        boolean quoted = false;
        int depth = 0;
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\\') {
                i++;
            } else if (quoted) {
                quoted = c != '"';
            } else if (depth > 0) {
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            } else if (c == '"') {
                quoted = true;
            } else if (c == '(') {
                depth = 1;
            } else if (c == '<') {
                int close = e.indexOf('>', i);
                return close < 0 ? null : new int[] {i + 1, close};
            }
        }
        return null;
    }

    private static int[] bareSpan(String e) {
        int i = 0;
        while (i < e.length()) {
            char c = e.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
            } else if (c == '(') {
                i = skipComment(e, i);
            } else {
                break;
            }
        }
        int start = i;
        boolean quoted = false;
        for (; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(')) {
                break;
            }
        }
        return new int[] {start, Math.min(i, e.length())};
    }

    private static int skipComment(String e, int start) {
        int depth = 0;
        for (int i = start; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i + 1;
            }
        }
        return e.length();
    }
}
