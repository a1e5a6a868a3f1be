package io.rmbg.core.reuse;

import java.io.Serializable;

/**
 * How result reuse runs in one slot.
 *
 * @param enabled {@code reuse.enabled}: serve identical earlier results instead of running the
 *     model (an event opts out with {@code params.reuse=false})
 * @param cacheEntries {@code reuse.cache-entries}: entries of the slot's in-memory LRU in front of
 *     the shared index
 * @param verifyTtlMs {@code reuse.verify-ttl-ms}: how long a check that an entry's blobs exist is
 *     trusted before the next use checks again
 */
public record ReuseSettings(boolean enabled, int cacheEntries, long verifyTtlMs)
        implements Serializable {
    public static final int DEFAULT_CACHE_ENTRIES = 10_000;
    public static final long DEFAULT_VERIFY_TTL_MS = 60_000;

    public static final ReuseSettings DEFAULTS =
            new ReuseSettings(true, DEFAULT_CACHE_ENTRIES, DEFAULT_VERIFY_TTL_MS);
    public static final ReuseSettings OFF =
            new ReuseSettings(false, DEFAULT_CACHE_ENTRIES, DEFAULT_VERIFY_TTL_MS);

    public ReuseSettings {
        if (cacheEntries < 0) {
            throw new IllegalArgumentException(
                    "reuse.cache-entries cannot be negative: " + cacheEntries);
        }
        if (verifyTtlMs < 0) {
            throw new IllegalArgumentException(
                    "reuse.verify-ttl-ms cannot be negative: " + verifyTtlMs);
        }
    }
}
