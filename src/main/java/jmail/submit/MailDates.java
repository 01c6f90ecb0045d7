package jmail.submit;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * RFC 5322 date-time and Message-ID time stamps written by hand: DateTimeFormatter's day and
 * month names start the locale providers (CLDR), about 40 ms of the shim's run, for twelve fixed
 * English words.
 */
final class MailDates {
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    private MailDates() {
    }

    /** "Thu, 3 Dec 2026 17:16:47 +0900" (RFC 5322 section 3.3). */
    static String rfc5322(ZonedDateTime t) {
        StringBuilder b = new StringBuilder(31);
        b.append(DAYS[t.getDayOfWeek().getValue() - 1]).append(", ").append(t.getDayOfMonth()).append(' ')
                .append(MONTHS[t.getMonthValue() - 1]).append(' ').append(t.getYear()).append(' ');
        two(b, t.getHour()).append(':');
        two(b, t.getMinute()).append(':');
        two(b, t.getSecond()).append(' ');
        int offset = t.getOffset().getTotalSeconds() / 60;
        b.append(offset < 0 ? '-' : '+');
        two(b, Math.abs(offset) / 60);
        return two(b, Math.abs(offset) % 60).toString();
    }

    /** "20261203171647" in UTC, the time part of generated Message-IDs. */
    static String compactUtc(ZonedDateTime t) {
        ZonedDateTime u = t.withZoneSameInstant(ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(14).append(u.getYear());
        two(b, u.getMonthValue());
        two(b, u.getDayOfMonth());
        two(b, u.getHour());
        two(b, u.getMinute());
        return two(b, u.getSecond()).toString();
    }

    /** Sixteen lower-case hex digits. */
    static String hex16(long v) {
        String h = Long.toHexString(v);
        return "0".repeat(16 - h.length()) + h;
    }

    private static StringBuilder two(StringBuilder b, int v) {
        return b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }
}
