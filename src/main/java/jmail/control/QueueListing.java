package jmail.control;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import jmail.queue.QueuedMessage;

/**
 * Renders queue rows: Postfix's {@code mailq} text (showq_compat) and {@code postqueue -j} JSON lines.
 * Two views of the same records, nothing else.
 */
final class QueueListing {
    private static final DateTimeFormatter ARRIVAL = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());
    /** Where the sender and recipient addresses start: ID and mark (15), size (8), arrival (1 + 20), 1. */
    static final int RECIPIENT_COLUMN = 45;
    private final PrintStream out;
    private final boolean json;
    private long bytes;
    private int count;

    QueueListing(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    void add(QueuedMessage m, String queueName) {
        count++;
        bytes += m.size();
        List<QueuedMessage.Recipient> rcpts = m.pending();
        if (json) {
            StringBuilder b = new StringBuilder("{\"queue_name\": ").append(q(queueName))
                    .append(", \"queue_id\": ").append(q(m.id()))
                    .append(", \"arrival_time\": ").append(m.arrivedAt() / 1000)
                    .append(", \"message_size\": ").append(m.size())
                    .append(", \"forced_expire\": false")
                    .append(", \"sender\": ").append(q(m.sender()))
                    .append(", \"recipients\": [");
            for (int i = 0; i < rcpts.size(); i++) {
                QueuedMessage.Recipient r = rcpts.get(i);
                b.append(i == 0 ? "" : ", ").append("{\"address\": ").append(q(r.address()));
                if (r.lastReason() != null && !r.lastReason().isEmpty()) {
                    b.append(", \"delay_reason\": ").append(q(r.lastReason()));
                }
                b.append(", \"attempts\": ").append(r.attempts()).append("}");
            }
            out.println(b.append("]}"));
            return;
        }
        if (count == 1) {
            out.println("-Queue ID-     --Size-- ----Arrival Time---- -Sender/Recipient-------");
        }
        // as Postfix: the status mark sticks to the ID, the sender and the recipients share one column
        String mark = m.active() ? "*" : m.held() ? "!" : "";
        out.printf(Locale.ROOT, "%-15s%8d %20.20s %s%n", m.id() + mark, m.size(),
                ARRIVAL.format(Instant.ofEpochMilli(m.arrivedAt())), m.sender().isEmpty() ? "MAILER-DAEMON" : m.sender());
        String lastReason = null;
        for (QueuedMessage.Recipient r : rcpts) {
            String reason = r.lastReason();
            if (reason != null && !reason.isEmpty() && !reason.equals(lastReason)) {
                out.println("(" + reason + (r.attempts() > 0 ? "; attempts: " + r.attempts() : "") + ")");
                lastReason = reason;
            }
            out.printf(Locale.ROOT, "%" + RECIPIENT_COLUMN + "s%s%n", "", r.address());
        }
        out.println();
    }

    void finish() {
        if (json) {
            return;
        }
        if (count == 0) {
            out.println("Mail queue is empty");
        } else {
            out.printf(Locale.ROOT, "-- %d Kbytes in %d Request%s.%n", (bytes + 1023) / 1024, count, count == 1 ? "" : "s");
        }
    }

    static String q(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
