package jmail.submit;

/** A command line sendmail does not accept ({@code EX_USAGE}, 64); the caller prints usage. */
public final class UsageException extends SubmitException {

    public static final int EX_USAGE = 64;

    public UsageException(String message) {
        super(message);
    }

    @Override
    public int exitCode() {
        return EX_USAGE;
    }
}
