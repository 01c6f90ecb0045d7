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
 * (no bounce loops); its failure is only logged.
 */
final class Bouncer {
    private final QueueStore store;
    private final String myhostname;
    private final String doubleBounceRecipient;
    private final Clock clock;

    Bouncer(QueueStore store, String myhostname, String doubleBounceRecipient) {
        this.store = store;
        this.myhostname = myhostname;
        this.doubleBounceRecipient = doubleBounceRecipient;
        this.clock = store.clock();
    }

    void bounce(QueuedMessage msg, List<QueuedMessage.Recipient> failed) throws QueueException {
        if (msg.sender().isEmpty()) {
            MailLog.log("bounce", msg.id() + ": undeliverable bounce (null sender) discarded, not bounced again");
            return;
        }
        String id = QueueId.next(clock);
        byte[] report;
        try {
            report = report(msg, failed, id);
        } catch (IOException e) {
            throw new QueueException("cannot read " + msg.id() + " to bounce it: " + e.getMessage(), e);
        }
        try (Spool.Draft d = store.spool().create(id)) {
            d.write(report, 0, report.length);
            String to = msg.sender();
            store.enqueue(d, "", List.of(new QueueStore.NewRecipient(to, to)), "bounce");
        } catch (IOException e) {
            throw new QueueException("cannot queue bounce for " + msg.id() + ": " + e.getMessage(), e);
        }
        MailLog.log("bounce", msg.id() + ": sender non-delivery notification: " + id);
    }

    String doubleBounceRecipient() {
        return doubleBounceRecipient;
    }

    private byte[] report(QueuedMessage msg, List<QueuedMessage.Recipient> failed, String id) throws IOException {
        String boundary = id + "/" + myhostname;
        DateTimeFormatter rfc = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT);
        String now = rfc.format(ZonedDateTime.now(clock));
        String arrival = rfc.format(ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(msg.arrivedAt()), clock.getZone()));
        StringBuilder b = new StringBuilder();
        b.append("From: MAILER-DAEMON@").append(myhostname).append(" (Mail Delivery System)\r\n")
                .append("To: ").append(msg.sender()).append("\r\n")
                .append("Subject: Undelivered Mail Returned to Sender\r\n")
                .append("Date: ").append(now).append("\r\n")
                .append("Message-ID: <").append(id).append("@").append(myhostname).append(">\r\n")
                .append("Auto-Submitted: auto-replied\r\n")
                .append("MIME-Version: 1.0\r\n")
                .append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"").append(boundary).append("\"\r\n")
                .append("\r\nThis is a MIME-encapsulated message.\r\n\r\n")
                .append("--").append(boundary).append("\r\n")
                .append("Content-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
                .append("This is the mail system at host ").append(myhostname).append(".\r\n\r\n")
                .append("I'm sorry to have to inform you that your message could not\r\n")
                .append("be delivered to one or more recipients. The reasons are below.\r\n\r\n");
        for (QueuedMessage.Recipient r : failed) {
            b.append("<").append(r.address()).append(">: ").append(ascii(r.lastReason())).append("\r\n");
        }
        b.append("\r\n--").append(boundary).append("\r\n")
                .append("Content-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n")
                .append("Reporting-MTA: dns; ").append(myhostname).append("\r\n")
                .append("X-Jmail-Queue-ID: ").append(msg.id()).append("\r\n")
                .append("Arrival-Date: ").append(arrival).append("\r\n");
        for (QueuedMessage.Recipient r : failed) {
            b.append("\r\nFinal-Recipient: rfc822; ").append(r.address()).append("\r\n");
            if (!r.original().equals(r.address())) {
                b.append("Original-Recipient: rfc822; ").append(r.original()).append("\r\n");
            }
            b.append("Action: failed\r\n")
                    .append("Status: ").append(r.dsnStatus() == null ? "5.0.0" : r.dsnStatus()).append("\r\n");
            String reason = ascii(r.lastReason());
            if (reason.matches("^[245]\\d\\d .*")) {
                b.append("Diagnostic-Code: smtp; ").append(reason).append("\r\n");
            } else {
                b.append("Diagnostic-Code: X-jmail; ").append(reason).append("\r\n");
            }
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
