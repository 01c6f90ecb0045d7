package jmail.queue;

/** The queue could not do what was asked; the message says what and where, for the operator. */
public final class QueueException extends Exception {
    private static final long serialVersionUID = 1L;

    public QueueException(String message, Throwable cause) {
        super(message, cause);
    }

    public QueueException(String message) {
        super(message);
    }

    /** True when the cause is a full disk, so the listener can answer 452 4.3.1 rather than 451. */
    public boolean isDiskFull() {
        for (Throwable t = this; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("No space left") || m.contains("ENOSPC") || m.contains("Disk quota")) {
                return true;
            }
        }
        return false;
    }
}
