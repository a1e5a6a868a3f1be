package io.rmbg.udf.blob;

/** The three kinds of blob a job stores, each under its own key prefix (CONTRACTS.md §4). */
public enum BlobKind {
    ORIGINAL("original"),
    MASK("mask"),
    PROCESSED("processed");

    private final String prefix;

    BlobKind(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }
}
