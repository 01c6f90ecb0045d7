package jmail.queue;

import java.util.List;

/** One message as the queue holds it: envelope, state of each recipient, and whether it is held. */
public record QueuedMessage(String id, long arrivedAt, String sender, long size, boolean held, boolean active,
                            List<Recipient> recipients) {

    /** One envelope recipient and where its delivery stands. */
    public record Recipient(int number, String address, String original, Status status, int attempts,
                            long nextAttemptAt, String dsnStatus, String lastReason) {
    }

    public enum Status { PENDING, SENT, BOUNCED }

    public List<Recipient> pending() {
        return recipients.stream().filter(r -> r.status() == Status.PENDING).toList();
    }

    /** The most recent deferral reason among pending recipients, or null when none was tried yet. */
    public String reason() {
        return pending().stream().map(Recipient::lastReason).filter(r -> r != null && !r.isEmpty())
                .findFirst().orElse(null);
    }
}
