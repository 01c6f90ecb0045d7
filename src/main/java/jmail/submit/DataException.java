package jmail.submit;

/** Bad input data: an address or message the shim cannot accept ({@code EX_DATAERR}, 65). */
public final class DataException extends SubmitException {

    public static final int EX_DATAERR = 65;

    public DataException(String message) {
        super(message);
    }

    @Override
    public int exitCode() {
        return EX_DATAERR;
    }
}
