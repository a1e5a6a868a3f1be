package io.rmbg.core.crypto;

/**
 * A stored blob that cannot be trusted: its bytes do not match its address, or a sealed blob does
 * not authenticate (tampered, truncated, or sealed with another master key). The message says
 * which.
 */
public final class SealedBlobException extends Exception {
    private static final long serialVersionUID = 1L;

    public SealedBlobException(String message) {
        super(message);
    }

    public SealedBlobException(String message, Throwable cause) {
        super(message, cause);
    }
}
