package io.rmbg.core.reuse;

/** The result reuse index could not be read or written; reuse degrades to recomputing. */
public final class ResultIndexException extends RuntimeException {
    public ResultIndexException(String message, Throwable cause) {
        super(message, cause);
    }
}
