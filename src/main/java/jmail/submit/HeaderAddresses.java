package jmail.submit;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Extracts the addr-specs from an RFC 5322 address-list header value (To, Cc, Bcc, ...):
 * display names (quoted or encoded-word), comments, groups, empty groups and obsolete source
 * routes. It never throws: what it cannot read is reported in {@link Parsed#errors()} and parsing
 * resumes at the next comma, so callers decide whether garbage matters.
 */
public final class HeaderAddresses {

    /**
     * The result of one parse.
     *
     * @param addresses addr-specs in header order, "local@domain", or a bare "local" when the
     *                  header names no domain; a quoted local part keeps its quotes
     * @param errors    one message per part that could not be read, empty when all was fine
     */
    public record Parsed(List<String> addresses, List<String> errors) {
        public Parsed {
            addresses = List.copyOf(addresses);
            errors = List.copyOf(errors);
        }

        public boolean ok() {
            return errors.isEmpty();
        }
    }

    // An RFC 2047 encoded-word is one word even when it holds specials (broken mailers put
    // "Doe, John" in a Q word); otherwise the comma would cut a bogus address out of the name.
    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?[^?\\s]+\\?[bBqQ]\\?[^?\\s]*\\?=");
    private static final String SPECIALS = "()<>[]:;@\\,.\"";

    private enum Kind { ATOM, ENCODED, QUOTED, LITERAL, SPECIAL, JUNK }

    private record Token(Kind kind, String text, int offset) {
        boolean is(char special) {
            return kind == Kind.SPECIAL && text.charAt(0) == special;
        }

    }

    private final String source;
    private final List<Token> tokens = new ArrayList<>();
    private final List<String> addresses = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private int pos;

    private HeaderAddresses(String source) {
        this.source = source;
    }

    /** Parses an unfolded (or folded: CR and LF count as white space) header value. */
    public static Parsed parse(CharSequence headerValue) {
        HeaderAddresses p = new HeaderAddresses(headerValue.toString());
        p.tokenize();
        p.parseList();
        return new Parsed(p.addresses, p.errors);
    }

    // ---- tokens ----

    private void tokenize() {
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
            } else if (c == '(') {
                i = skipComment(i);
            } else if (c == '"') {
                i = delimited(i, '"', Kind.QUOTED, "unterminated quoted string");
            } else if (c == '[') {
                i = delimited(i, ']', Kind.LITERAL, "unterminated domain literal");
            } else if ("<>@,;:.".indexOf(c) >= 0) {
                tokens.add(new Token(Kind.SPECIAL, String.valueOf(c), i++));
            } else if (SPECIALS.indexOf(c) >= 0) {
                tokens.add(new Token(Kind.JUNK, String.valueOf(c), i++));
            } else {
                i = atom(i);
            }
        }
    }

    private int atom(int start) {
        if (source.startsWith("=?", start)) {
            Matcher m = ENCODED_WORD.matcher(source).region(start, source.length());
            if (m.lookingAt()) {
                tokens.add(new Token(Kind.ENCODED, m.group(), start));
                return m.end();
            }
        }
        int i = start;
        while (i < source.length() && !isAtomEnd(source.charAt(i))) {
            i++;
        }
        tokens.add(new Token(Kind.ATOM, source.substring(start, i), start));
        return i;
    }

    private static boolean isAtomEnd(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || SPECIALS.indexOf(c) >= 0;
    }

    private int skipComment(int start) {
        int depth = 0;
        for (int i = start; i < source.length(); i++) {
            char c = source.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i + 1;
            }
        }
        errors.add("unterminated comment at \"" + excerpt(start) + "\"");
        return source.length();
    }

    private int delimited(int start, char close, Kind kind, String problem) {
        for (int i = start + 1; i < source.length(); i++) {
            char c = source.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == close) {
                tokens.add(new Token(kind, source.substring(start, i + 1), start));
                return i + 1;
            }
        }
        errors.add(problem + " at \"" + excerpt(start) + "\"");
        tokens.add(new Token(Kind.JUNK, source.substring(start), start));
        return source.length();
    }

    // ---- grammar ----

    private void parseList() {
        boolean inGroup = false;
        while (pos < tokens.size()) {
            int start = pos;
            while (pos < tokens.size() && !isItemEnd(tokens.get(pos))) {
                pos++;
            }
            Token stop = pos < tokens.size() ? tokens.get(pos) : null;
            if (stop != null && stop.is(':')) {
                if (inGroup || start == pos) {
                    fail(start, "unexpected ':'");
                    continue;
                }
                inGroup = true;
                pos++;
                continue;
            }
            if (stop != null && stop.is('<')) {
                pos++;
                if (!angleAddress(start)) {
                    continue;
                }
            } else if (start < pos && !addrSpec(start, pos)) {
                fail(start, "not an address");
                continue;
            }
            if (pos >= tokens.size()) {
                break;
            }
            Token sep = tokens.get(pos++);
            if (sep.is(';')) {
                // Outside a group, "a@x; b@y" is what people type; read it as a list.
                inGroup = false;
            } else if (!sep.is(',')) {
                fail(start, "unexpected \"" + sep.text() + "\"");
            }
        }
    }

    private static boolean isItemEnd(Token t) {
        return t.is(',') || t.is(';') || t.is(':') || t.is('<');
    }

    /** Reads "route? addr-spec >" after a '<'; on success pos is past the '>'. */
    private boolean angleAddress(int itemStart) {
        if (pos < tokens.size() && tokens.get(pos).is('@')) {
            // Obsolete source route "@hop1,@hop2:": RFC 5321 says to ignore it.
            while (pos < tokens.size() && !tokens.get(pos).is(':') && !tokens.get(pos).is('>')) {
                pos++;
            }
            if (pos < tokens.size() && tokens.get(pos).is(':')) {
                pos++;
            }
        }
        int start = pos;
        while (pos < tokens.size() && !tokens.get(pos).is('>')) {
            pos++;
        }
        if (pos >= tokens.size()) {
            fail(itemStart, "missing '>'");
            return false;
        }
        int end = pos++;
        if (start == end) {
            // "<>" names nobody; it is not an error worth stopping for.
            return true;
        }
        if (!addrSpec(start, end)) {
            fail(itemStart, "not an address");
            return false;
        }
        return true;
    }

    /** local-part ["@" domain] from tokens [from, to); adds it and returns true when well formed. */
    private boolean addrSpec(int from, int to) {
        StringBuilder sb = new StringBuilder();
        int i = from;
        if (!word(i, to)) {
            return false;
        }
        sb.append(tokens.get(i++).text());
        while (i < to && tokens.get(i).is('.')) {
            if (!word(i + 1, to)) {
                return false;
            }
            sb.append('.').append(tokens.get(i + 1).text());
            i += 2;
        }
        if (i < to) {
            if (!tokens.get(i).is('@') || !domain(i + 1, to, sb.append('@'))) {
                return false;
            }
        }
        addresses.add(sb.toString());
        return true;
    }

    private boolean word(int i, int to) {
        // An encoded-word is display text, never a mailbox (nullmailer bug: "=?UTF-8?B?...?=@host").
        return i < to && (tokens.get(i).kind() == Kind.ATOM || tokens.get(i).kind() == Kind.QUOTED);
    }

    private boolean domain(int i, int to, StringBuilder sb) {
        if (i + 1 == to && tokens.get(i).kind() == Kind.LITERAL) {
            sb.append(tokens.get(i).text());
            return true;
        }
        if (i >= to || tokens.get(i).kind() != Kind.ATOM) {
            return false;
        }
        sb.append(tokens.get(i++).text());
        while (i < to) {
            if (!tokens.get(i).is('.') || i + 1 >= to || tokens.get(i + 1).kind() != Kind.ATOM) {
                return false;
            }
            sb.append('.').append(tokens.get(i + 1).text());
            i += 2;
        }
        return true;
    }

    /**
     * Records a problem with the item starting at token {@code from}, then skips past the next
     * comma, or up to the next ';' so that a group still closes.
     */
    private void fail(int from, String problem) {
        int offset = from < tokens.size() ? tokens.get(from).offset() : source.length();
        errors.add(problem + " in \"" + excerpt(offset) + "\"");
        while (pos < tokens.size() && !tokens.get(pos).is(',') && !tokens.get(pos).is(';')) {
            pos++;
        }
        if (pos < tokens.size() && tokens.get(pos).is(',')) {
            pos++;
        }
    }

    private String excerpt(int offset) {
        String rest = source.substring(Math.min(offset, source.length())).strip();
        int comma = rest.indexOf(',');
        String part = comma > 0 ? rest.substring(0, comma) : rest;
        return part.length() > 60 ? part.substring(0, 60) + "..." : part;
    }
}
