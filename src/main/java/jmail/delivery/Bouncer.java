package jmail.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import jmail.mail.MailLog;
import jmail.queue.QueueException;
import jmail.queue.QueueId;
import jmail.queue.QueueStore;
import jmail.queue.QueuedMessage;
import jmail.queue.Spool;

/**
 * Postfix's bounce: tells the envelope sender which recipients failed for good, as an RFC 3464
 * delivery status notification ({@code multipart/report; report-type=delivery-status}) with the
 * original headers, queued with the null sender. A message from the null sender is never bounced
 * to its (empty) sender: a failed bounce goes to {@code 2bounce_notice_recipient} once, and a failed
 * postmaster copy is only logged, so notices never loop. Also writes the one delay notice of
 * {@code delay_warning_time}.
 */
final class Bouncer {
    /** What kind of notice: who gets it, its subject, the text before the list and the DSN action. */
    private enum Kind {
        BOUNCE("bounce", "Undelivered Mail Returned to Sender", "failed",
                "I'm sorry to have to inform you that your message could not\r\n"
                        + "be delivered to one or more recipients. The reasons are below.\r\n"),
        DELAY("delay", "Delayed Mail (still being retried)", "delayed",
                "####################################################################\r\n"
                        + "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n"
                        + "####################################################################\r\n\r\n"
                        + "Your message could not be delivered for some time. The mail system\r\n"
                        + "will keep trying; the reasons for the delay are below.\r\n"),
        DOUBLE_BOUNCE("2bounce", "Postmaster Copy: Undelivered Mail", "failed",
                "A delivery status notification (a bounce) could not be delivered.\r\n"
                        + "It is not bounced again; this copy goes to the postmaster instead.\r\n");

        final String client;
        final String subject;
        final String action;
        final String intro;

        Kind(String client, String subject, String action, String intro) {
            this.client = client;
            this.subject = subject;
            this.action = action;
            this.intro = intro;
        }
    }

    private final QueueStore store;
    private final String myhostname;
    private final List<String> doubleBounceRecipients;
    private final Clock clock;

    /** {@code doubleBounceRecipients}: {@code 2bounce_notice_recipient}, already alias-expanded and qualified. */
    Bouncer(QueueStore store, String myhostname, List<String> doubleBounceRecipients) {
        this.store = store;
        this.myhostname = myhostname;
        this.doubleBounceRecipients = List.copyOf(doubleBounceRecipients);
        this.clock = store.clock();
    }

    /**
     * Reports recipients that failed for good. A bounce (null sender) that fails goes to the
     * postmaster once; a failed postmaster copy is only logged, so nothing loops.
     */
    void bounce(QueuedMessage msg, List<QueuedMessage.Recipient> failed) throws QueueException {
        if (!msg.sender().isEmpty()) {
            send(Kind.BOUNCE, msg, failed, List.of(msg.sender()));
            return;
        }
        boolean doubleBounce = store.client(msg.id()).map(Kind.DOUBLE_BOUNCE.client::equals).orElse(false);
        if (doubleBounce || doubleBounceRecipients.isEmpty()) {
            MailLog.log("bounce", msg.id() + ": undeliverable postmaster notification discarded");
            return;
        }
        send(Kind.DOUBLE_BOUNCE, msg, failed, doubleBounceRecipients);
    }

    /** delay_warning_time: tells the sender the message is still waiting, and why. */
    void delayNotice(QueuedMessage msg, List<QueuedMessage.Recipient> pending) throws QueueException {
        send(Kind.DELAY, msg, pending, List.of(msg.sender()));
    }

    private void send(Kind kind, QueuedMessage msg, List<QueuedMessage.Recipient> rcpts, List<String> to) throws QueueException {
        String id = QueueId.next(clock);
        byte[] report;
        try {
            report = report(kind, msg, rcpts, id, String.join(", ", to));
        } catch (IOException e) {
            throw new QueueException("cannot read " + msg.id() + " to report on it: " + e.getMessage(), e);
        }
        try (Spool.Draft d = store.spool().create(id)) {
            d.write(report, 0, report.length);
            store.enqueue(d, "", to.stream().map(a -> new QueueStore.NewRecipient(a, a)).toList(), kind.client);
        } catch (IOException e) {
            throw new QueueException("cannot queue a notice for " + msg.id() + ": " + e.getMessage(), e);
        }
        String what = switch (kind) {
            case BOUNCE -> "sender non-delivery notification";
            case DELAY -> "sender delay notification";
            default -> "postmaster non-delivery notification";
        };
        MailLog.log("bounce", msg.id() + ": " + what + ": " + id);
        MailLog.log("qmgr", id + ": from=<>, size=" + report.length + ", nrcpt=" + to.size() + " (queue active)");
    }

    private byte[] report(Kind kind, QueuedMessage msg, List<QueuedMessage.Recipient> rcpts, String id, String to)
            throws IOException {
        String boundary = id + "/" + myhostname;
        DateTimeFormatter rfc = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT);
        String now = rfc.format(ZonedDateTime.now(clock));
        String arrival = rfc.format(ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(msg.arrivedAt()), clock.getZone()));
        StringBuilder b = new StringBuilder();
        b.append("From: MAILER-DAEMON@").append(myhostname).append(" (Mail Delivery System)\r\n")
                .append("To: ").append(to).append("\r\n")
                .append("Subject: ").append(kind.subject).append("\r\n")
                .append("Date: ").append(now).append("\r\n")
                .append("Message-ID: <").append(id).append("@").append(myhostname).append(">\r\n")
                .append("Auto-Submitted: auto-replied\r\n")
                .append("MIME-Version: 1.0\r\n")
                .append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"").append(boundary).append("\"\r\n")
                .append("\r\nThis is a MIME-encapsulated message.\r\n\r\n")
                .append("--").append(boundary).append("\r\n")
                .append("Content-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
                .append("This is the mail system at host ").append(myhostname).append(".\r\n\r\n")
                .append(kind.intro).append("\r\n");
        for (QueuedMessage.Recipient r : rcpts) {
            b.append("<").append(r.address()).append(">: ").append(ascii(r.lastReason())).append("\r\n");
        }
        b.append("\r\n--").append(boundary).append("\r\n")
                .append("Content-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n")
                .append("Reporting-MTA: dns; ").append(myhostname).append("\r\n")
                .append("X-Jmail-Queue-ID: ").append(msg.id()).append("\r\n")
                .append("Arrival-Date: ").append(arrival).append("\r\n");
        for (QueuedMessage.Recipient r : rcpts) {
            b.append("\r\nFinal-Recipient: rfc822; ").append(r.address()).append("\r\n");
            if (!r.original().equals(r.address())) {
                b.append("Original-Recipient: rfc822; ").append(r.original()).append("\r\n");
            }
            String fallback = kind == Kind.DELAY ? "4.0.0" : "5.0.0";
            b.append("Action: ").append(kind.action).append("\r\n")
                    .append("Status: ").append(r.dsnStatus() == null ? fallback : r.dsnStatus()).append("\r\n");
            String reason = ascii(r.lastReason());
            b.append("Diagnostic-Code: ").append(reason.matches("^[245]\\d\\d .*") ? "smtp; " : "X-jmail; ")
                    .append(reason).append("\r\n");
        }
        b.append("\r\n--").append(boundary).append("\r\n")
                .append("Content-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(headers(msg.id()));
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** The original header section, up to the blank line, with CRLF line ends. */
    private byte[] headers(String id) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new java.io.BufferedInputStream(store.spool().open(id))) {
            int prev = -1;
            int c;
            boolean lineStart = true;
            while ((c = in.read()) != -1) {
                if (lineStart && (c == '\r' || c == '\n')) {
                    break;
                }
                if (c == '\n' && prev != '\r') {
                    out.write('\r');
                }
                out.write(c);
                lineStart = c == '\n';
                prev = c;
            }
        }
        return out.toByteArray();
    }

    private static String ascii(String s) {
        return s == null ? "" : s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
