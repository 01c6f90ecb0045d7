package jmail.delivery;

import java.time.Duration;

/**
 * When to try a deferred recipient again: {@code minimal_backoff_time} doubled per attempt, never more
 * than {@code maximal_backoff_time}, so the gaps never shrink (nullmailer hammered relays once a minute).
 */
record Backoff(Duration minimal, Duration maximal) {
    long delayMillis(int attemptsSoFar) {
        long min = minimal.toMillis();
        long max = Math.max(min, maximal.toMillis());
        int doublings = Math.min(Math.max(0, attemptsSoFar - 1), 30);
        long d = min << doublings;
        return d <= 0 || d > max ? max : d;
    }
}
