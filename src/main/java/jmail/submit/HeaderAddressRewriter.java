package jmail.submit;

import java.util.function.IntPredicate;
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
        while (true) {
            int end = find(value, start, true, c -> c == ',' || c == ':' || c == ';');
            if (end < value.length() && value.charAt(end) != ',') {
                return null;
            }
            out.append(element(value.substring(start, end), f));
            if (end == value.length()) {
                return out.toString();
            }
            out.append(',');
            start = end + 1;
        }
    }

    /** One mailbox: the text inside its angle brackets, or else its first word outside comments. */
    private static String element(String e, UnaryOperator<String> f) {
        int open = find(e, 0, false, c -> c == '<');
        int from;
        int to;
        if (open < e.length()) {
            from = open + 1;
            to = e.indexOf('>', from);
            if (to < 0) {
                return e;
            }
        } else {
            from = find(e, 0, false, c -> !isWsp(c) && c != '(');
            to = find(e, from, false, c -> isWsp(c) || c == '(');
        }
        return from == to ? e : e.substring(0, from) + f.apply(e.substring(from, to)) + e.substring(to);
    }

    /**
     * The index of the first character from {@code from} that {@code stop} accepts and that is not
     * inside a quoted string or comment (nor, with {@code skipAngles}, an angle address);
     * the length of {@code s} when there is none.
     */
    private static int find(String s, int from, boolean skipAngles, IntPredicate stop) {
        boolean quoted = false;
        boolean angle = false;
        int depth = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (quoted) {
                quoted = c != '"';
            } else if (depth > 0) {
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            } else if (angle) {
                angle = c != '>';
            } else if (stop.test(c)) {
                return i;
            } else if (c == '"') {
                quoted = true;
            } else if (c == '(') {
                depth = 1;
            } else if (c == '<' && skipAngles) {
                angle = true;
            }
        }
        return s.length();
    }

    private static boolean isWsp(int c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }
}
