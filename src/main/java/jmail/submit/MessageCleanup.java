package jmail.submit;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The shim's cleanup of a message read from standard input, what Postfix's cleanup and
 * nullmailer-inject do: CRLF line ends with no bare CR or NUL, the header/body split, missing
 * From/Date/Message-ID added, Bcc removed, recipients extracted for {@code -t}, and lines kept
 * within 998 octets. Existing headers are kept byte for byte. The result is not dot-stuffed.
 */
public final class MessageCleanup {

    private static final String ATEXT_SYMBOLS = "!#$%&'*+-/=?^_`{|}~ ";
    private static final java.util.Set<String> QUALIFIED_HEADERS = java.util.Set.of("from", "sender", "reply-to", "to", "cc",
            "resent-from", "resent-sender", "resent-to", "resent-cc");

    /**
     * What the command line and the configuration say about this submission.
     *
     * @param extractRecipients {@code -t}
     * @param dotEndsInput      false with {@code -i}/{@code -oi}
     * @param envelopeSender    {@code -f} as given; "" is the null sender; null when not given
     * @param fullName          {@code -F}, or null
     * @param localUser         the submitting user's login name
     * @param myorigin          domain for bare names ("root" becomes "root@myorigin")
     * @param myhostname        this host's name, the right side of generated Message-IDs
     * @param clock             time for the Date header and Message-ID
     * @param senderRewrite     the sender_rewrite settings
     */
    public record Options(boolean extractRecipients, boolean dotEndsInput, String envelopeSender, String fullName,
                          String localUser, String myorigin, String myhostname, Clock clock,
                          SenderRewrite senderRewrite) {
        public Options {
            Objects.requireNonNull(localUser, "localUser");
            Objects.requireNonNull(myorigin, "myorigin");
            Objects.requireNonNull(myhostname, "myhostname");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(senderRewrite, "senderRewrite");
        }

        /** Without sender rewriting. */
        public Options(boolean extractRecipients, boolean dotEndsInput, String envelopeSender, String fullName,
                       String localUser, String myorigin, String myhostname, Clock clock) {
            this(extractRecipients, dotEndsInput, envelopeSender, fullName, localUser, myorigin, myhostname, clock,
                    SenderRewrite.NONE);
        }
    }

    /**
     * A message ready to queue.
     *
     * @param message          final bytes with CRLF line ends, not dot-stuffed
     * @param envelopeSender   qualified sender, "" for the null sender
     * @param headerRecipients recipients found by {@code -t}, qualified and de-duplicated, in
     *                         header order; empty without {@code -t}
     * @param eightBit         whether any byte of {@code message} is 0x80 or above
     * @param needsSmtpUtf8    whether the sender or a header recipient has a non-ASCII local part
     */
    public record Result(byte[] message, String envelopeSender, List<String> headerRecipients,
                         boolean eightBit, boolean needsSmtpUtf8) {
        public Result {
            headerRecipients = List.copyOf(headerRecipients);
        }
    }

    private MessageCleanup() {
    }

    /** Reads the message from {@code in} (up to EOF, or a "." line when asked) and cleans it. */
    public static Result clean(InputStream in, Options o) throws IOException, DataException {
        return clean(in, o, Ids.RANDOM);
    }

    static Result clean(InputStream in, Options o, RandomGenerator random) throws IOException, DataException {
        String sender = o.envelopeSender() == null
                ? normalizeAddress(o.localUser(), o.myorigin())
                : normalizeAddress(o.envelopeSender(), o.myorigin());
        Message m = Message.split(MessageLines.read(in, o.dotEndsInput()));
        List<String> recipients = o.extractRecipients() ? extractRecipients(m, o.myorigin()) : List.of();
        // Always, not only with -t: a Bcc line must never reach the To and Cc recipients.
        m.removeAll("Bcc");
        m.removeAll("Resent-Bcc");
        qualifyHeaderAddresses(m, o.myorigin());
        String target = o.senderRewrite().target(o.localUser());
        String fromAddress = sender.isEmpty() ? normalizeAddress(o.localUser(), o.myorigin()) : sender;
        if (target != null) {
            String original = rewriteFrom(m, target);
            addReplyTo(m, o.senderRewrite(), original != null ? original : fromAddress, target);
            sender = sender.isEmpty() ? sender : target;
            fromAddress = target;
        }
        addOriginHeaders(m, o, fromAddress, random);
        BodyEncoding.apply(m);
        byte[] bytes = m.toBytes();
        boolean utf8 = needsSmtpUtf8(sender) || recipients.stream().anyMatch(MessageCleanup::needsSmtpUtf8);
        return new Result(bytes, sender, recipients, BodyEncoding.hasEightBit(bytes), utf8);
    }

    /**
     * Recipients from To, Cc and Bcc; or, when the message has any Resent-To, Resent-Cc or
     * Resent-Bcc, from those alone (it is being re-sent, as sendmail decides).
     */
    private static List<String> extractRecipients(Message m, String myorigin) throws DataException {
        boolean resent = m.has("Resent-To") || m.has("Resent-Cc") || m.has("Resent-Bcc");
        String prefix = resent ? "Resent-" : "";
        Map<String, String> found = new LinkedHashMap<>();
        for (HeaderField h : m.headers) {
            if (!h.is(prefix + "To") && !h.is(prefix + "Cc") && !h.is(prefix + "Bcc")) {
                continue;
            }
            HeaderAddresses.Parsed parsed = HeaderAddresses.parse(h.value());
            if (!parsed.ok()) {
                throw new DataException("-t: cannot read the " + h.name() + ": header: " + parsed.errors().get(0));
            }
            for (String addr : parsed.addresses()) {
                String n = normalizeAddress(addr, myorigin);
                found.putIfAbsent(Addresses.dedupeKey(n), n);
            }
        }
        return new ArrayList<>(found.values());
    }

    /**
     * Appends {@code @myorigin} to bare names in the address headers (what Postfix does for local
     * submissions): cron's {@code From: root (Cron Daemon)} and mdadm's {@code <root>} would
     * otherwise reach receivers that reject or misfile an address without a domain.
     */
    private static void qualifyHeaderAddresses(Message m, String myorigin) {
        for (int i = 0; i < m.headers.size(); i++) {
            HeaderField h = m.headers.get(i);
            if (!QUALIFIED_HEADERS.contains(h.name().toLowerCase(Locale.ROOT))) {
                continue;
            }
            HeaderAddresses.Parsed parsed = HeaderAddresses.parse(h.value());
            if (!parsed.ok() || parsed.addresses().stream().allMatch(a -> a.contains("@"))) {
                continue;
            }
            String v = HeaderAddressRewriter.rewrite(h.value(), a -> a.contains("@") ? a : a + "@" + myorigin);
            if (v != null) {
                m.headers.set(i, HeaderField.generated(h.name(), v.strip(), HeaderField.PREFERRED_LINE));
            }
        }
    }

    /** Puts {@code target} in the From header's one mailbox; returns the address it replaced, or null. */
    private static String rewriteFrom(Message m, String target) {
        for (int i = 0; i < m.headers.size(); i++) {
            HeaderField h = m.headers.get(i);
            if (!h.is("From")) {
                continue;
            }
            HeaderAddresses.Parsed parsed = HeaderAddresses.parse(h.value());
            if (!parsed.ok() || parsed.addresses().size() != 1) {
                return null;
            }
            String v = HeaderAddressRewriter.rewrite(h.value(), a -> target);
            if (v == null) {
                return null;
            }
            m.headers.set(i, HeaderField.generated("From", v.strip(), HeaderField.PREFERRED_LINE));
            return parsed.addresses().get(0);
        }
        return null;
    }

    private static void addReplyTo(Message m, SenderRewrite rewrite, String original, String target) {
        if (rewrite.keepsReplyTo() && !m.has("Reply-To") && !Addresses.dedupeKey(original).equals(Addresses.dedupeKey(target))) {
            m.headers.add(HeaderField.generated("Reply-To", original, HeaderField.PREFERRED_LINE));
        }
    }

    private static void addOriginHeaders(Message m, Options o, String addr, RandomGenerator random)
            throws DataException {
        if (!m.has("From")) {
            String name = o.fullName() == null ? "" : o.fullName().strip();
            String value = name.isEmpty() ? addr : displayName(name) + " <" + addr + ">";
            m.headers.add(HeaderField.generated("From", value, HeaderField.PREFERRED_LINE));
        }
        ZonedDateTime now = ZonedDateTime.now(o.clock());
        if (!m.has("Date")) {
            m.headers.add(HeaderField.generated("Date", MailDates.rfc5322(now), HeaderField.MAX_LINE));
        }
        if (!m.has("Message-ID")) {
            String id = MailDates.compactUtc(now) + "." + MailDates.hex16(random.nextLong()) + "@" + o.myhostname();
            m.headers.add(HeaderField.generated("Message-ID", "<" + id + ">", HeaderField.MAX_LINE));
        }
    }

    /** A -F name as an RFC 5322 phrase: plain words, a quoted string, or encoded-words. */
    static String displayName(String name) {
        if (!name.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return String.join(" ", EncodedWords.encode(name));
        }
        boolean plain = name.chars().allMatch(c -> Character.isLetterOrDigit(c) || ATEXT_SYMBOLS.indexOf(c) >= 0)
                && !name.contains("  ");
        if (plain && !name.startsWith("=?")) {
            return name;
        }
        return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * The envelope form of an address as a user wrote it: surrounding {@code <>}, display
     * name, comments and source route dropped, a bare name qualified with {@code @myorigin}, a
     * non-ASCII domain converted to punycode ({@code user@bücher.example} becomes
     * {@code user@xn--bcher-kva.example}). "" and "&lt;&gt;" give "" (the null sender).
     *
     * @throws DataException when it is not one well-formed address
     */
    public static String normalizeAddress(String addr, String myorigin) throws DataException {
        return Addresses.normalize(addr, myorigin);
    }

    /**
     * A plausible envelope address: "local@domain", or a bare "local" (valid before
     * qualification). No white space, control characters or angle brackets.
     */
    public static boolean isValidAddress(String addr) {
        return Addresses.isValid(addr);
    }

    /** Whether the address's local part is non-ASCII, so only an SMTPUTF8 relay can take it. */
    public static boolean needsSmtpUtf8(String addr) {
        return Addresses.needsSmtpUtf8(addr);
    }

    /**
     * Normalized recipient lists joined, first spelling kept, duplicates dropped (domains
     * compare case-insensitively): how {@code -t} merges header and command-line recipients.
     */
    public static List<String> mergeRecipients(List<String> first, List<String> second) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (List<String> list : List.of(first, second)) {
            for (String addr : list) {
                merged.putIfAbsent(Addresses.dedupeKey(addr), addr);
            }
        }
        return List.copyOf(merged.values());
    }

    /** Holds the generator apart: address checks alone never pay for seeding it. */
    private static final class Ids {
        static final RandomGenerator RANDOM = UniqueRandom.create();
    }
}
