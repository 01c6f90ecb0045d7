package jmail.queue;

/**
 * Group commit: many threads ask for "everything committed so far is on disk"; one of them runs the
 * fsync for all who asked before it started, the rest wait for it. One fsync then covers a burst.
 */
final class GroupSync {
    interface Syncer {
        void sync() throws Exception;
    }

    private final Syncer syncer;
    private long requested;
    private long completed;
    private boolean running;
    private Exception lastFailure;
    private long failedUpTo = -1;

    GroupSync(Syncer syncer) {
        this.syncer = syncer;
    }

    /** Returns once a sync that started after this call has finished; rethrows its failure. */
    void await() throws Exception {
        long ticket;
        synchronized (this) {
            ticket = ++requested;
            while (completed < ticket && running) {
                wait();
            }
            if (completed >= ticket) {
                if (failedUpTo >= ticket) {
                    throw lastFailure;
                }
                return;
            }
            running = true;
        }
        long upTo;
        synchronized (this) {
            upTo = requested;
        }
        Exception failure = null;
        try {
            syncer.sync();
        } catch (Exception e) {
            failure = e;
        }
        synchronized (this) {
            completed = upTo;
            running = false;
            if (failure != null) {
                lastFailure = failure;
                failedUpTo = upTo;
            }
            notifyAll();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
