package io.rmbg.core.reuse;

import java.util.Optional;

/**
 * The durable side of result reuse: reuse key → the earlier result that any slot and any later run
 * can find ({@link JdbcResultIndex}: table {@code result_reuse}, docs/contracts.md §5).
 *
 * <p>Every method may fail with {@link ResultIndexException} when the index cannot be reached;
 * callers treat that as a miss, never as a failed job.
 */
public interface ResultIndex extends AutoCloseable {

    Optional<ReusableResult> find(String key);

    /** Records (or replaces) the result under {@code key}; idempotent. */
    void remember(String key, ReusableResult result);

    /** Drops a stale entry (one of its blobs is gone). */
    void forget(String key);

    @Override
    void close();
}
