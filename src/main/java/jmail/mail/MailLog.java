package jmail.mail;

import java.io.PrintStream;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The mail log: one line per event in Postfix's syslog format
 * ({@code Dec  3 16:58:39 host jmail/smtp[42]: 1A2B3C: to=<...>, relay=..., status=sent (...)}),
 * so that tools such as pflogsumm read it. Written to stdout, which systemd hands to the journal.
 *
 * <p>SECURITY: callers pass no secrets; reasons come from remote replies and are kept on one line.
 */
public final class MailLog {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);
    private static volatile PrintStream out = System.out;
    private static volatile String host = "localhost";
    private static final long PID = ProcessHandle.current().pid();

    private MailLog() {
    }

    public static void configure(String hostname, PrintStream stream) {
        host = hostname.contains(".") ? hostname.substring(0, hostname.indexOf('.')) : hostname;
        out = stream;
    }

    /** Logs {@code text} as program {@code jmail/<program>}. */
    public static void log(String program, String text) {
        String line = STAMP.format(ZonedDateTime.now()) + " " + host + " jmail/" + program + "[" + PID + "]: "
                + text.replace('\n', ' ').replace('\r', ' ');
        PrintStream o = out;
        synchronized (o) {
            o.println(line);
            o.flush();
        }
    }

    public static void warning(String program, String text) {
        log(program, "warning: " + text);
    }
}
