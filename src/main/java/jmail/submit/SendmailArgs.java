package jmail.submit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A sendmail command line, parsed the way Postfix's and sendmail's {@code sendmail} parse it:
 * getopt-style clusters ({@code -ti}, {@code -fsender}), options before recipients,
 * {@code --} ending the options, and each recipient argument possibly a comma-separated list.
 *
 * @param mode              what to do: send a message (default), speak SMTP on stdin, ...
 * @param extractRecipients {@code -t}: take recipients from To/Cc/Bcc as well
 * @param dotEndsInput      false with {@code -i}/{@code -oi}: a lone "." line is then content
 * @param sender            {@code -f}/{@code -r} without surrounding {@code <>}; "" is the null
 *                          sender; null when not given
 * @param fullName          {@code -F}, or null
 * @param configFile        {@code -C}, or null
 * @param recipients        recipient arguments as given (split at commas, trimmed, not qualified)
 * @param verbose           {@code -v}
 * @param dsnNotify         {@code -N}, upper case ("NEVER" or e.g. "SUCCESS,FAILURE"), or null
 * @param dsnRet            {@code -R}, "FULL" or "HDRS", or null
 * @param envid             {@code -V}, or null
 * @param bodyType          {@code -B}, "7BIT" or "8BITMIME", or null
 */
public record SendmailArgs(
        Mode mode,
        boolean extractRecipients,
        boolean dotEndsInput,
        String sender,
        String fullName,
        String configFile,
        List<String> recipients,
        boolean verbose,
        String dsnNotify,
        String dsnRet,
        String envid,
        String bodyType) {

    /** What the invocation asks for. */
    public enum Mode { SEND, SMTP_STDIN, LIST_QUEUE, NEWALIASES, FLUSH }

    /** RFC 5322's line limit; no sane argument is longer, and a longer one cannot go on the wire. */
    static final int MAX_ARG_LENGTH = 998;

    // Letters whose option takes a value, attached ("-fsender") or as the next argument.
    // A, p and X are sendmail options Postfix accepts and ignores.
    private static final String WITH_VALUE = "ABCFLNORVXbfhopr";
    // Boolean letters; G, U, m and n are accepted and ignored, as Postfix does.
    private static final String BOOLEAN = "GIUimntv";

    public SendmailArgs {
        recipients = List.copyOf(recipients);
    }

    /** Parses {@code argv} (without the program name); see {@link #parse(List)}. */
    public static SendmailArgs parse(String... argv) throws UsageException, DataException {
        return parse(List.of(argv));
    }

    /**
     * Parses {@code argv} (without the program name).
     *
     * @throws UsageException an unknown option, a missing or bad option value, an argument over
     *                        998 characters, an option after the recipients, or (sending without
     *                        {@code -t}) no recipients at all
     * @throws DataException  a CR, LF or NUL in the sender, full name or a recipient
     */
    public static SendmailArgs parse(List<String> argv) throws UsageException, DataException {
        for (String arg : argv) {
            if (arg.length() > MAX_ARG_LENGTH) {
                throw new UsageException("argument longer than " + MAX_ARG_LENGTH + " characters: "
                        + Addresses.printable(arg.substring(0, 40)) + "...");
            }
        }
        Builder b = new Builder();
        int i = 0;
        boolean endOfOptions = false;
        while (i < argv.size()) {
            String arg = argv.get(i);
            if (arg.equals("--")) {
                endOfOptions = true;
                i++;
                break;
            }
            if (!arg.startsWith("-")) {
                break;
            }
            i = parseCluster(argv, i, b);
        }
        for (; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (!endOfOptions && arg.startsWith("-")) {
                // Options end at the first recipient (POSIX getopt); reading "-oi" as an address
                // would send mail to "-oi@myorigin", so say what went wrong instead.
                throw new UsageException("option " + arg + " after the recipients; put options first");
            }
            b.recipients.addAll(splitList(checkedText("recipient", arg)));
        }
        return b.build();
    }

    /** Parses one "-xyz" argument; returns the index of the next unread argument. */
    private static int parseCluster(List<String> argv, int i, Builder b) throws UsageException, DataException {
        String arg = argv.get(i);
        if (arg.length() == 1) {
            throw new UsageException("missing option letter after -");
        }
        for (int j = 1; j < arg.length(); j++) {
            char c = arg.charAt(j);
            if (c == 'q') {
                // -q, -q30m, -qRsite: the value is only ever attached, so "-q root" keeps root.
                b.mode = Mode.FLUSH;
                return i + 1;
            }
            if (WITH_VALUE.indexOf(c) >= 0) {
                String value;
                if (j + 1 < arg.length()) {
                    value = arg.substring(j + 1);
                } else if (i + 1 < argv.size()) {
                    value = argv.get(++i);
                } else {
                    throw new UsageException("option requires an argument -- " + c);
                }
                b.option(c, value);
                return i + 1;
            }
            if (BOOLEAN.indexOf(c) < 0) {
                throw new UsageException("unknown option -" + c);
            }
            b.flag(c);
        }
        return i + 1;
    }

    /** Splits "a@x, b@y" at commas outside quotes, angle brackets and comments. */
    static List<String> splitList(String arg) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        int angle = 0;
        int paren = 0;
        for (int k = 0; k < arg.length(); k++) {
            char c = arg.charAt(k);
            if (c == '\\' && k + 1 < arg.length()) {
                cur.append(c).append(arg.charAt(++k));
                continue;
            }
            if (c == '"' && paren == 0) {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                paren++;
            } else if (!quoted && c == ')' && paren > 0) {
                paren--;
            } else if (!quoted && paren == 0 && c == '<') {
                angle++;
            } else if (!quoted && paren == 0 && c == '>' && angle > 0) {
                angle--;
            } else if (c == ',' && !quoted && angle == 0 && paren == 0) {
                addTrimmed(out, cur);
                continue;
            }
            cur.append(c);
        }
        addTrimmed(out, cur);
        return out;
    }

    private static void addTrimmed(List<String> out, StringBuilder cur) {
        String s = cur.toString().strip();
        if (!s.isEmpty()) {
            out.add(s);
        }
        cur.setLength(0);
    }

    private static String checkedText(String what, String value) throws DataException {
        for (int k = 0; k < value.length(); k++) {
            char c = value.charAt(k);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new DataException(what + " contains a CR, LF or NUL character: "
                        + value.replaceAll("[\r\n\0]", "?"));
            }
        }
        return value;
    }

    private static final class Builder {
        Mode mode = Mode.SEND;
        boolean extract;
        boolean dotEndsInput = true;
        String sender;
        String fullName;
        String configFile;
        final List<String> recipients = new ArrayList<>();
        boolean verbose;
        String dsnNotify;
        String dsnRet;
        String envid;
        String bodyType;

        void flag(char c) {
            switch (c) {
                case 't' -> extract = true;
                case 'i' -> dotEndsInput = false;
                case 'v' -> verbose = true;
                case 'I' -> mode = Mode.NEWALIASES;
                default -> { } // G, U, m, n: accepted for compatibility, no effect
            }
        }

        void option(char c, String value) throws UsageException, DataException {
            switch (c) {
                case 'f', 'r' -> sender = stripBrackets(checkedText("sender (-" + c + ")", value));
                case 'F' -> fullName = checkedText("full name (-F)", value);
                case 'C' -> configFile = value;
                case 'b' -> mode = mode(value);
                case 'o' -> sendmailOption(value);
                case 'O' -> longOption(value);
                case 'N' -> dsnNotify = notify(value);
                case 'R' -> dsnRet = oneOf("-R", value, "FULL", "HDRS");
                case 'B' -> bodyType = oneOf("-B", value, "7BIT", "8BITMIME");
                case 'V' -> envid = envid(value);
                default -> { } // A, L, X, h, p: accepted for compatibility, no effect
            }
        }

        /** "-oi" and "-o i" are IgnoreDots; every other short option (-odi, -oem) is ignored. */
        private void sendmailOption(String value) {
            if (value.startsWith("i")) {
                dotEndsInput = !isTrue(value.substring(1));
            }
        }

        /** "-O IgnoreDots=true" is the long spelling of -oi; other long options are ignored. */
        private void longOption(String value) {
            int eq = value.indexOf('=');
            String name = (eq < 0 ? value : value.substring(0, eq)).strip();
            if (name.equalsIgnoreCase("IgnoreDots")) {
                dotEndsInput = !isTrue(eq < 0 ? "" : value.substring(eq + 1).strip());
            }
        }

        /** sendmail's boolean option values: empty or T/Y... is true, F/N... is false. */
        private static boolean isTrue(String v) {
            return v.isEmpty() || "tTyY".indexOf(v.charAt(0)) >= 0;
        }

        private static Mode mode(String value) throws UsageException {
            return switch (value) {
                case "m" -> Mode.SEND;
                case "s" -> Mode.SMTP_STDIN;
                case "p" -> Mode.LIST_QUEUE;
                case "i" -> Mode.NEWALIASES;
                default -> throw new UsageException("unsupported mode -b" + value);
            };
        }

        private static String stripBrackets(String value) {
            String v = value.strip();
            if (v.length() >= 2 && v.startsWith("<") && v.endsWith(">")) {
                v = v.substring(1, v.length() - 1).strip();
            }
            return v;
        }

        private static String notify(String value) throws UsageException {
            String v = value.strip().toUpperCase(Locale.ROOT);
            if (v.equals("NEVER")) {
                return v;
            }
            for (String part : v.split(",", -1)) {
                if (!part.equals("SUCCESS") && !part.equals("FAILURE") && !part.equals("DELAY")) {
                    throw new UsageException("bad -N value \"" + value
                            + "\": use never, or a list of success, failure, delay");
                }
            }
            return v;
        }

        private static String oneOf(String option, String value, String... allowed) throws UsageException {
            String v = value.strip().toUpperCase(Locale.ROOT);
            for (String a : allowed) {
                if (a.equals(v)) {
                    return a;
                }
            }
            throw new UsageException("bad " + option + " value \"" + value + "\": use "
                    + String.join(" or ", allowed).toLowerCase(Locale.ROOT));
        }

        /** RFC 3461 ENVID: at most 100 printable ASCII characters. */
        private static String envid(String value) throws UsageException {
            if (value.isEmpty() || value.length() > 100 || !value.chars().allMatch(ch -> ch > 32 && ch < 127)) {
                throw new UsageException("bad -V envelope id: up to 100 printable ASCII characters, no spaces");
            }
            return value;
        }

        SendmailArgs build() throws UsageException {
            if (mode == Mode.SEND && !extract && recipients.isEmpty()) {
                throw new UsageException("no recipients: name them on the command line or use -t");
            }
            return new SendmailArgs(mode, extract, dotEndsInput, sender, fullName, configFile,
                    recipients, verbose, dsnNotify, dsnRet, envid, bodyType);
        }
    }
}
