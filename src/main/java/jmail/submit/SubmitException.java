package jmail.submit;

/**
 * A submission the shim refuses before anything is queued. The message is meant for the
 * user as is; {@link #exitCode()} is the {@code sysexits.h} status the shim exits with.
 */
public abstract sealed class SubmitException extends Exception permits DataException, UsageException {

    SubmitException(String message) {
        super(message);
    }

    /** The process exit status for this failure. */
    public abstract int exitCode();
}
