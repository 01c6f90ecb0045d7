package jmail.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import jmail.mail.MailLog;
import jmail.queue.QueueException;
import jmail.queue.QueueStore;

/**
 * Postfix's qmgr: finds messages that are due and hands them to a fixed set of delivery workers, each
 * of which keeps its SMTP connection open while it has work. New mail wakes it at once; otherwise it
 * sleeps until the next recipient falls due (at most {@code queue_run_delay}). Attempt times live in
 * the queue, so the schedule survives a restart.
 */
public final class Scheduler implements AutoCloseable {
    private static final String STOP = "";
    private final QueueStore store;
    private final Delivery delivery;
    private final int concurrency;
    private final long runDelayMillis;
    private final BlockingQueue<String> work;
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final Object wake = new Object();
    private boolean woken;
    private volatile boolean running = true;
    private final Thread manager;
    private final Thread[] workers;

    public Scheduler(QueueStore store, Delivery delivery, int concurrency, Duration queueRunDelay) {
        this.store = store;
        this.delivery = delivery;
        this.concurrency = Math.max(1, concurrency);
        this.runDelayMillis = Math.max(100, queueRunDelay.toMillis());
        this.work = new ArrayBlockingQueue<>(this.concurrency);
        this.manager = new Thread(this::manage, "jmail-qmgr");
        this.workers = new Thread[this.concurrency];
        for (int i = 0; i < this.concurrency; i++) {
            workers[i] = new Thread(this::work, "jmail-smtp-" + i);
        }
    }

    public void start() {
        for (Thread w : workers) {
            w.start();
        }
        manager.start();
    }

    /** Something changed (new mail, a flush): look at the queue now rather than at the next poll. */
    public void wakeUp() {
        synchronized (wake) {
            woken = true;
            wake.notifyAll();
        }
    }

    /** The operator's flush: forget destination backoff too. */
    public void flush() {
        delivery.forgetBackoff();
        wakeUp();
    }

    public Set<String> active() {
        return Set.copyOf(busy);
    }

    public String lastDelivery() {
        return delivery.lastDelivery();
    }

    public String lastError() {
        return delivery.lastError();
    }

    private void manage() {
        try {
            delivery.sweepFinished();
        } catch (QueueException e) {
            MailLog.warning("qmgr", e.getMessage());
        }
        while (running) {
            long sleep = runDelayMillis;
            try {
                int free = concurrency - busy.size();
                if (free > 0) {
                    List<String> due = store.due(free, Set.copyOf(busy));
                    for (String id : due) {
                        busy.add(id);
                        work.put(id);
                    }
                }
                if (busy.size() < concurrency) {
                    long now = store.clock().millis();
                    sleep = store.nextDue(Set.copyOf(busy)).map(t -> Math.max(0, t - now)).orElse(runDelayMillis);
                    sleep = Math.min(sleep, runDelayMillis);
                }
            } catch (QueueException e) {
                MailLog.warning("qmgr", e.getMessage());
                sleep = 1000;
            } catch (InterruptedException e) {
                return;
            }
            synchronized (wake) {
                if (!woken && sleep > 0 && running) {
                    try {
                        wake.wait(sleep);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                woken = false;
            }
        }
    }

    private void work() {
        try (ConnectionCache cache = new ConnectionCache()) {
            while (running) {
                String id;
                try {
                    id = work.poll(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (id == null) {
                    cache.close();
                    continue;
                }
                if (id.equals(STOP)) {
                    return;
                }
                try {
                    delivery.attempt(id, cache);
                } catch (QueueException | RuntimeException e) {
                    MailLog.warning("qmgr", id + ": delivery attempt failed: " + e.getMessage());
                } finally {
                    busy.remove(id);
                    wakeUp();
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        wakeUp();
        // Workers are not interrupted: an interrupt during an H2 write closes the database's file channel.
        // They finish the attempt in progress and see running == false within their 2 s poll.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Thread w : workers) {
            try {
                w.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        manager.interrupt(); // it may wait in work.put() for workers that are gone
    }
}
