package io.rmbg.core.blob;

/**
 * The kinds of blob the job stores, each under its own key prefix (docs/contracts.md §4): the three
 * of a job, and the values of dead letters too large for the dead-letter topic.
 */
public enum BlobKind {
    ORIGINAL("original"),
    MASK("mask"),
    PROCESSED("processed"),
    DEAD_LETTER("dead-letters");

    private final String prefix;

    BlobKind(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }
}
