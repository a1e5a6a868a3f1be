package io.rmbg.core.error;

import static java.util.Objects.requireNonNull;

/**
 * A failure that ends a job with a stable {@link ErrorCode} and a message a person can act on. The
 * message is stored in the job's row, so it must never contain credentials or image bytes.
 *
 * <p>A failure is <i>permanent</i> unless created by {@link #retryable}: only a retryable one (a
 * store that is down, slow or throttling) may be tried again; asking again cannot change a
 * permanent answer (a missing object, denied access, a bad image).
 */
public class ProcessingException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final boolean retryable;

    public ProcessingException(ErrorCode code, String message) {
        this(code, message, null, false);
    }

    public ProcessingException(ErrorCode code, String message, Throwable cause) {
        this(code, message, cause, false);
    }

    protected ProcessingException(
            ErrorCode code, String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.code = requireNonNull(code, "code cannot be null");
        this.retryable = retryable;
    }

    /** A transient failure: the same call may succeed later (an outage, throttling, a timeout). */
    public static ProcessingException retryable(ErrorCode code, String message, Throwable cause) {
        return new ProcessingException(code, message, cause, true);
    }

    public ErrorCode code() {
        return code;
    }

    /** Whether trying the same call again may succeed; false for every answer that is final. */
    public boolean isRetryable() {
        return retryable;
    }
}
