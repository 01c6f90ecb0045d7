package jmail.submit;

/** Finds a CR not followed by LF or an LF not preceded by CR, across buffer boundaries. */
final class BareNewlineDetector {
    private boolean lastWasCr;
    private boolean found;

    void scan(byte[] b, int off, int len) {
        for (int i = off; i < off + len && !found; i++) {
            byte c = b[i];
            if (lastWasCr && c != '\n') {
                found = true;
            } else if (c == '\n' && !lastWasCr) {
                found = true;
            }
            lastWasCr = c == '\r';
        }
    }

    void finish() {
        if (lastWasCr) {
            found = true;
        }
    }

    boolean found() {
        return found;
    }
}
