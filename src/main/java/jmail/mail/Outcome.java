package jmail.mail;

/** What one delivery attempt did for one recipient: a closed set, so no state is forgotten. */
public sealed interface Outcome {
    Dsn dsn();

    record Sent(Dsn dsn) implements Outcome {
    }

    record Deferred(Dsn dsn) implements Outcome {
    }

    record Bounced(Dsn dsn) implements Outcome {
    }

    static Outcome of(Dsn dsn) {
        if (dsn.isSuccess()) {
            return new Sent(dsn);
        }
        return dsn.isTemporary() ? new Deferred(dsn) : new Bounced(dsn);
    }
}
