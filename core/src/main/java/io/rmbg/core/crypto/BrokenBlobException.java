package io.rmbg.core.crypto;

/**
 * A referenced blob that cannot be served: {@link Problem#MISSING} from the store, or {@link
 * Problem#CORRUPT} (bytes that do not match the address, or a sealed blob that does not
 * authenticate). The message names the blob and what to do.
 */
public final class BrokenBlobException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the blob. */
    public enum Problem {
        MISSING,
        CORRUPT
    }

    private final Problem problem;
    private final String uri;

    public BrokenBlobException(Problem problem, String uri, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
        this.uri = uri;
    }

    public Problem problem() {
        return problem;
    }

    public String uri() {
        return uri;
    }
}
