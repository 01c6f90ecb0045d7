package jmail.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Postfix time values: {@code 300s}, {@code 5d}, {@code 1w}; a bare number is seconds. */
final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})\\s*([smhdw]?)");

    private Durations() {
    }

    static Duration parse(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration; write a number and a unit s, m, h, d or w, e.g. 300s or 5d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            case "w" -> Duration.ofDays(7 * n);
            default -> Duration.ofSeconds(n);
        };
    }
}
