package jmail.delivery;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import jmail.config.PasswordMap.Credentials;
import jmail.mail.Dsn;
import jmail.mail.MailLog;
import jmail.mail.Outcome;
import jmail.queue.QueueException;
import jmail.queue.QueueStore;
import jmail.queue.QueuedMessage;

/**
 * One delivery attempt of one message (Postfix's qmgr decision plus smtp client): sends every due
 * recipient through its route, records each recipient's outcome, bounces what failed for good and
 * removes the message once nothing is pending.
 *
 * <p>Failures of a whole next hop (refused, timed out, TLS, AUTH) back off that destination as a
 * whole: later messages are deferred with the same reason without a new connection, so a relay that
 * rejects our password does not see one failed login per queued message. A session that breaks after
 * it was set up (a stall in DATA) fails only its own message.
 *
 * <p>Recipients that fail for good are reported to the sender right after the attempt; the sender of
 * a message still deferred after {@code delay_warning_time} gets one delay notice.
 */
public final class Delivery {
    /** Lifetimes and backoff. */
    public record Policy(Duration minimalBackoff, Duration maximalBackoff, Duration maximalQueueLifetime,
                         Duration bounceQueueLifetime, Duration delayWarning) {
    }

    private record DownState(long until, Dsn dsn, int failures) {
    }

    private final QueueStore store;
    private final Route route;
    private final SmtpConnection.Settings settings;
    private final Function<NextHop, Optional<Credentials>> credentials;
    private final Backoff backoff;
    private final Policy policy;
    private final Bouncer bouncer;
    private final Clock clock;
    private final Map<String, DownState> down = new ConcurrentHashMap<>();
    private final Map<String, Object> connecting = new ConcurrentHashMap<>();
    private volatile String lastDelivery = "none yet";
    private volatile String lastError = "none";

    Delivery(QueueStore store, Route route, SmtpConnection.Settings settings,
             Function<NextHop, Optional<Credentials>> credentials, Policy policy, Bouncer bouncer) {
        this.store = store;
        this.route = route;
        this.settings = settings;
        this.credentials = credentials;
        this.backoff = new Backoff(policy.minimalBackoff(), policy.maximalBackoff());
        this.policy = policy;
        this.bouncer = bouncer;
        this.clock = store.clock();
    }

    String lastDelivery() {
        return lastDelivery;
    }

    String lastError() {
        return lastError;
    }

    /** Forgets every destination's backoff (an operator's flush). */
    void forgetBackoff() {
        down.clear();
    }

    void attempt(String id, ConnectionCache cache) throws QueueException {
        Optional<QueuedMessage> loaded = store.load(id);
        if (loaded.isEmpty() || loaded.get().held()) {
            return;
        }
        QueuedMessage msg = loaded.get();
        long now = clock.millis();
        Map<String, List<QueuedMessage.Recipient>> byDestination = new LinkedHashMap<>();
        for (QueuedMessage.Recipient r : msg.pending()) {
            if (r.nextAttemptAt() <= now) {
                byDestination.computeIfAbsent(route.destination(domain(r.address())), k -> new ArrayList<>()).add(r);
            }
        }
        List<QueueStore.Result> results = new ArrayList<>();
        for (Map.Entry<String, List<QueuedMessage.Recipient>> e : byDestination.entrySet()) {
            results.addAll(attempt(msg, e.getKey(), e.getValue(), cache));
        }
        if (!results.isEmpty()) {
            store.record(id, results);
            bounceNewFailures(msg, results);
        }
        if (!finishIfDone(id)) {
            warnIfDelayed(id);
        }
    }

    /** delay_warning_time: one "still trying" notice per message, never for the null sender. */
    private void warnIfDelayed(String id) throws QueueException {
        Duration after = policy.delayWarning();
        Optional<QueuedMessage> msg = store.load(id);
        if (after.isZero() || msg.isEmpty() || msg.get().sender().isEmpty()
                || clock.millis() - msg.get().arrivedAt() < after.toMillis() || !store.markWarned(id)) {
            return;
        }
        bouncer.delayNotice(msg.get(), msg.get().pending());
    }

    /** What talking to one destination gave: each recipient's status, where we were connected, and when. */
    private record Exchange(Map<Integer, Dsn> outcome, String relay, long start, long connected) {
    }

    private List<QueueStore.Result> attempt(QueuedMessage msg, String dest, List<QueuedMessage.Recipient> rcpts,
                                            ConnectionCache cache) {
        Exchange x = exchange(msg, dest, rcpts, cache);
        List<QueueStore.Result> out = new ArrayList<>();
        long now = clock.millis();
        for (QueuedMessage.Recipient r : rcpts) {
            out.add(settle(msg, r, x, now));
        }
        return out;
    }

    private Exchange exchange(QueuedMessage msg, String dest, List<QueuedMessage.Recipient> rcpts, ConnectionCache cache) {
        long start = clock.millis();
        DownState d = down.get(dest);
        Map<Integer, Dsn> outcome = new LinkedHashMap<>();
        if (d != null && d.until() > start) {
            rcpts.forEach(r -> outcome.put(r.number(), d.dsn()));
            return new Exchange(outcome, "none", start, start);
        }
        SmtpConnection conn;
        try {
            conn = connect(dest, cache);
        } catch (HopFailure f) {
            Dsn why = markDown(dest, d, f.dsn());
            rcpts.forEach(r -> outcome.put(r.number(), why));
            return new Exchange(outcome, "none", start, start);
        }
        long connected = clock.millis();
        down.remove(dest);
        try {
            outcome.putAll(conn.send(msg, store.spool().path(msg.id()), rcpts));
        } catch (HopFailure f) {
            // a broken session fails this message only; the next one gets a fresh connection
            cache.discard();
            rcpts.forEach(r -> outcome.put(r.number(), f.dsn()));
        }
        return new Exchange(outcome, conn.hop().describe(), start, connected);
    }

    /** One recipient's fate after an exchange (lifetimes applied), logged Postfix-style. */
    private QueueStore.Result settle(QueuedMessage msg, QueuedMessage.Recipient r, Exchange x, long now) {
        Dsn dsn = x.outcome().get(r.number());
        Outcome o = Outcome.of(dsn);
        Duration lifetime = msg.sender().isEmpty() ? policy.bounceQueueLifetime() : policy.maximalQueueLifetime();
        if (o instanceof Outcome.Deferred && now - msg.arrivedAt() >= lifetime.toMillis()) {
            dsn = new Dsn("5" + dsn.status().substring(1), "delivery time expired: " + dsn.reason());
            o = new Outcome.Bounced(dsn);
        }
        QueuedMessage.Status status = o instanceof Outcome.Sent ? QueuedMessage.Status.SENT
                : o instanceof Outcome.Bounced ? QueuedMessage.Status.BOUNCED : QueuedMessage.Status.PENDING;
        long next = status == QueuedMessage.Status.PENDING ? now + backoff.delayMillis(r.attempts() + 1) : 0;
        String word = status == QueuedMessage.Status.SENT ? "sent" : status == QueuedMessage.Status.BOUNCED ? "bounced" : "deferred";
        MailLog.log("smtp", msg.id() + ": to=<" + r.address() + ">" + (r.original().equals(r.address()) ? "" : ", orig_to=<" + r.original() + ">")
                + ", relay=" + x.relay() + ", delay=" + seconds(now - msg.arrivedAt()) + ", delays=" + delays(msg, x.start(), x.connected(), now)
                + ", dsn=" + dsn.status() + ", status=" + word + " (" + dsn.reason() + ")");
        if (status == QueuedMessage.Status.SENT) {
            lastDelivery = java.time.Instant.ofEpochMilli(now) + " " + msg.id() + " to <" + r.address() + ">";
        } else {
            lastError = java.time.Instant.ofEpochMilli(now) + " " + msg.id() + ": " + dsn.reason();
        }
        return new QueueStore.Result(r.number(), status, dsn.status(), dsn.reason(), next);
    }

    /**
     * The worker's connection to {@code dest}. Opening one is serialised per destination, so that when
     * the relay is down (or rejects our login) the workers waiting behind the first one see its
     * failure and do not each try again.
     */
    private SmtpConnection connect(String dest, ConnectionCache cache) throws HopFailure {
        synchronized (connecting.computeIfAbsent(dest, k -> new Object())) {
            DownState d = down.get(dest);
            if (d != null && d.until() > clock.millis() && !cache.holds(dest)) {
                throw new HopFailure(d.dsn());
            }
            return cache.get(dest, route.hops(dest), settings, credentials);
        }
    }

    /**
     * Tells the sender at once about recipients that failed for good in this attempt, as Postfix does,
     * rather than when the last deferred recipient is done days later.
     */
    private void bounceNewFailures(QueuedMessage msg, List<QueueStore.Result> results) throws QueueException {
        java.util.Set<Integer> failed = new java.util.HashSet<>();
        results.stream().filter(r -> r.status() == QueuedMessage.Status.BOUNCED).forEach(r -> failed.add(r.rcptNumber()));
        if (failed.isEmpty()) {
            return;
        }
        Optional<QueuedMessage> now = store.load(msg.id());
        if (now.isPresent()) {
            bouncer.bounce(now.get(), now.get().recipients().stream().filter(r -> failed.contains(r.number())).toList());
        }
    }

    /** Backs off a destination that could not be reached (unless another worker just did); returns the reason. */
    private Dsn markDown(String dest, DownState before, Dsn failure) {
        Dsn why = route.explain(failure);
        DownState now = down.get(dest);
        if (now == null || now.until() <= clock.millis()) {
            int failures = before == null ? 1 : before.failures() + 1;
            down.put(dest, new DownState(clock.millis() + backoff.delayMillis(failures), why, failures));
        }
        return why;
    }

    /** Removes messages left with nothing pending (a crash between recording the last result and removing it). */
    void sweepFinished() throws QueueException {
        List<String> done = new ArrayList<>();
        store.forEach(java.util.Set.of(), m -> {
            if (m.pending().isEmpty()) {
                done.add(m.id());
            }
        });
        for (String id : done) {
            finishIfDone(id);
        }
    }

    /** Removes the message when no recipient is pending; true if it is gone. */
    private boolean finishIfDone(String id) throws QueueException {
        Optional<QueuedMessage> after = store.load(id);
        if (after.isEmpty() || !after.get().pending().isEmpty()) {
            return after.isEmpty();
        }
        store.remove(id);
        MailLog.log("qmgr", id + ": removed");
        return true;
    }

    private static String domain(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    static String seconds(long millis) {
        if (millis < 10) {
            return "0";
        }
        if (millis < 10_000) {
            return new java.math.BigDecimal(millis / 1000.0).round(new java.math.MathContext(2)).stripTrailingZeros().toPlainString();
        }
        return Long.toString(millis / 1000);
    }

    /** Postfix's delays=a/b/c/d: before the queue manager, in the queue, connection setup, transmission. */
    private static String delays(QueuedMessage msg, long start, long connected, long end) {
        return "0/" + seconds(Math.max(0, start - msg.arrivedAt())) + "/" + seconds(Math.max(0, connected - start))
                + "/" + seconds(Math.max(0, end - connected));
    }
}
