package jmail.delivery;

import jmail.mail.Dsn;

/**
 * The next hop as a whole failed (refused, timed out, TLS or AUTH failure): every recipient of the
 * message shares the result, and the relay itself is backed off.
 */
final class HopFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Dsn dsn;

    HopFailure(Dsn dsn) {
        super(dsn.reason());
        this.dsn = dsn;
    }

    Dsn dsn() {
        return dsn;
    }
}
