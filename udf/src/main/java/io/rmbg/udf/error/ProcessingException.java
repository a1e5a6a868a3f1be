package io.rmbg.udf.error;

import static java.util.Objects.requireNonNull;

/**
 * A failure that ends a job with a stable {@link ErrorCode} and a message a person can act on. The
 * message is stored in the job's row, so it must never contain credentials or image bytes.
 */
public class ProcessingException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public ProcessingException(ErrorCode code, String message) {
        super(message);
        this.code = requireNonNull(code, "code cannot be null");
    }

    public ProcessingException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = requireNonNull(code, "code cannot be null");
    }

    public ErrorCode code() {
        return code;
    }
}
