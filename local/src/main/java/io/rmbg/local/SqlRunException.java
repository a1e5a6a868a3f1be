package io.rmbg.local;

/** A failure of {@code bin/rmbg sql} whose message says what went wrong and what to do. */
public final class SqlRunException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SqlRunException(String message) {
        super(message);
    }

    public SqlRunException(String message, Throwable cause) {
        super(message, cause);
    }
}
