package jmail.mail;

/** Exit codes from BSD {@code sysexits.h}, the contract every sendmail caller relies on. */
public final class Sysexits {
    public static final int OK = 0;
    public static final int USAGE = 64;
    public static final int DATAERR = 65;
    public static final int NOINPUT = 66;
    public static final int UNAVAILABLE = 69;
    public static final int SOFTWARE = 70;
    public static final int CANTCREAT = 73;
    public static final int IOERR = 74;
    public static final int TEMPFAIL = 75;
    public static final int NOPERM = 77;
    public static final int CONFIG = 78;

    private Sysexits() {
    }
}
