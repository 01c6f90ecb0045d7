package jmail.queue;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Queue IDs in Postfix's spirit: short, upper-case hex, increasing with arrival time. The value is
 * microseconds since the epoch, bumped so that no two IDs issued by one process are equal.
 */
public final class QueueId {
    private static final AtomicLong LAST = new AtomicLong();

    private QueueId() {
    }

    public static String next(Clock clock) {
        long now = clock.millis() * 1000;
        long id = LAST.updateAndGet(prev -> Math.max(prev + 1, now));
        return Long.toHexString(id).toUpperCase(java.util.Locale.ROOT);
    }

    public static boolean isValid(String s) {
        return s != null && s.matches("[0-9A-F]{6,16}");
    }
}
