package io.rmbg.core.model;

/** A model could not be fetched; the message says why and what the user can do instead. */
public final class ModelUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public ModelUnavailableException(String message) {
        super(message);
    }

    public ModelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
