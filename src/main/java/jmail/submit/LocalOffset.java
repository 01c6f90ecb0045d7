package jmail.submit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;

/**
 * The clock for the shim's Date header. java.time's default zone loads and indexes the whole
 * time-zone database (tzdb.dat), about 30 ms of a cold JVM, to learn one offset; when
 * {@code /etc/localtime} ends in a POSIX TZ string without daylight-saving rules ("JST-9",
 * "UTC0", "&lt;+07&gt;-7"), the offset is read from there. Zones with DST rules, a TZ variable or an
 * unreadable file keep java.time's answer.
 */
public final class LocalOffset {
    private LocalOffset() {
    }

    public static Clock clock() {
        ZoneOffset o = System.getenv("TZ") == null ? fromTzif(Path.of("/etc/localtime")) : null;
        return o == null ? Clock.systemDefaultZone() : Clock.system(o);
    }

    static ZoneOffset fromTzif(Path file) {
        try {
            byte[] b = Files.readAllBytes(file);
            int end = b.length - 1;
            if (b.length < 6 || b[0] != 'T' || b[1] != 'Z' || b[2] != 'i' || b[3] != 'f' || b[4] < '2' || b[end] != '\n') {
                return null;
            }
            int start = end - 1;
            while (start >= 0 && b[start] != '\n') {
                start--;
            }
            return fromPosix(new String(b, start + 1, end - start - 1, StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** "JST-9" gives +09:00; null for a rule with DST ("CET-1CEST,M3.5.0,M10.5.0/3") or anything odd. */
    static ZoneOffset fromPosix(String tz) {
        int i = 0;
        if (tz.startsWith("<")) {
            i = tz.indexOf('>') + 1;
            if (i == 0) {
                return null;
            }
        } else {
            while (i < tz.length() && Character.isLetter(tz.charAt(i))) {
                i++;
            }
            if (i < 3) {
                return null;
            }
        }
        String rest = tz.substring(i);
        if (!rest.matches("[+-]?\\d{1,2}(:\\d{2}){0,2}")) {
            return null; // a DST name or rule follows, or no offset at all
        }
        int sign = rest.startsWith("-") ? 1 : -1; // POSIX offsets are west of Greenwich
        String[] hms = rest.replaceFirst("^[+-]", "").split(":");
        int seconds = Integer.parseInt(hms[0]) * 3600 + (hms.length > 1 ? Integer.parseInt(hms[1]) * 60 : 0)
                + (hms.length > 2 ? Integer.parseInt(hms[2]) : 0);
        return seconds > 18 * 3600 ? null : ZoneOffset.ofTotalSeconds(sign * seconds);
    }
}
