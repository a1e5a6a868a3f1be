package io.rmbg.core.records;

/** The {@code image_process_jobs.status} values; the stored strings are the lower-case names. */
public enum JobStatus {
    PENDING,
    PROCESSING,
    COMPLETED,
    FAILED;

    public String dbValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
