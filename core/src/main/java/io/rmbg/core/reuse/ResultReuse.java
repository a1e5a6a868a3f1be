package io.rmbg.core.reuse;

import io.rmbg.core.blob.BlobStore;
import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.records.BlobRef;
import io.rmbg.core.records.ImageParams;
import io.rmbg.core.records.JobResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * Result reuse for one slot: the same image with the same model version and the same
 * output-changing params is answered with the earlier job's mask and cut-out instead of running the
 * model again.
 *
 * <p>A bounded in-memory LRU sits in front of the shared, durable {@link ResultIndex}. Before an
 * entry is trusted, the blobs it names must exist in the store (a HEAD each, trusted for {@code
 * reuse.verify-ttl-ms}); an entry with a missing blob is forgotten in both tiers and the image is
 * recomputed, so a row never points at a missing blob. An index that cannot be reached makes a
 * miss, never a failed job. Sensitive images and events with {@code params.reuse=false} neither use
 * nor feed the index.
 */
public final class ResultReuse {
    private static final Logger LOG = LoggerFactory.getLogger(ResultReuse.class);

    /** What reuse reports: one call per eligible job, and trouble with the index. */
    public interface Listener {
        Listener NONE = new Listener() {};

        default void hit() {}

        default void miss() {}

        /** The index could not be reached, or a blob's presence could not be checked. */
        default void unavailable() {}

        /** An entry named a blob that is gone: it was forgotten and the image is recomputed. */
        default void stale() {}
    }

    /** No reuse at all: every key is null. */
    public static final ResultReuse OFF =
            new ResultReuse(
                    null, null, ReuseSettings.OFF, Listener.NONE, System::currentTimeMillis);

    private final ResultIndex index;
    private final BlobStore blobs;
    private final ReuseSettings settings;
    private final Listener listener;
    private final LongSupplier clock;
    private final Map<String, Verified> recent;

    private record Verified(ReusableResult result, long checkedAtMillis) {}

    public ResultReuse(
            ResultIndex index, BlobStore blobs, ReuseSettings settings, Listener listener) {
        this(index, blobs, settings, listener, System::currentTimeMillis);
    }

    ResultReuse(
            ResultIndex index,
            BlobStore blobs,
            ReuseSettings settings,
            Listener listener,
            LongSupplier clock) {
        this.settings = requireNonNull(settings, "settings cannot be null");
        this.index = settings.enabled() ? requireNonNull(index, "index cannot be null") : null;
        this.blobs = settings.enabled() ? requireNonNull(blobs, "blobs cannot be null") : null;
        this.listener = requireNonNull(listener, "listener cannot be null");
        this.clock = clock;
        int capacity = settings.cacheEntries();
        this.recent =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Verified> eldest) {
                        return size() > capacity;
                    }
                };
    }

    /**
     * The reuse key of an image, or null when the job may not reuse: SHA-256 over the original's
     * SHA-256, the model profile and version, and the params that change the output ({@code
     * threshold}, {@code background}, {@code post_process_mask}).
     */
    public String keyFor(byte[] original, String profile, String modelVersion, ImageParams params) {
        if (!settings.enabled() || !params.reuse() || params.sensitive()) {
            return null;
        }
        return keyForDigest(ContentAddress.sha256Hex(original), profile, modelVersion, params);
    }

    /**
     * As {@link #keyFor}, from the original's SHA-256 (hex) where the caller has it already, so the
     * image is not hashed twice.
     */
    public String keyForDigest(
            String originalSha256, String profile, String modelVersion, ImageParams params) {
        if (!settings.enabled() || !params.reuse() || params.sensitive()) {
            return null;
        }
        String material =
                String.join(
                        "\n",
                        "rmbg-reuse-v1",
                        originalSha256,
                        profile,
                        String.valueOf(modelVersion),
                        String.valueOf(params.threshold()),
                        params.background() == null
                                ? "null"
                                : params.background().toLowerCase(Locale.ROOT),
                        String.valueOf(params.postProcessMask()));
        return ContentAddress.sha256Hex(material.getBytes(StandardCharsets.UTF_8));
    }

    /** The earlier result under {@code key} whose blobs all exist, if there is one. */
    public Optional<ReusableResult> find(String key) {
        Optional<ReusableResult> found = lookUp(key);
        if (found.isPresent()) {
            listener.hit();
        } else {
            listener.miss();
        }
        return found;
    }

    private Optional<ReusableResult> lookUp(String key) {
        long now = clock.getAsLong();
        Verified cached;
        synchronized (recent) {
            cached = recent.get(key);
        }
        if (cached != null && now - cached.checkedAtMillis() < settings.verifyTtlMs()) {
            return Optional.of(cached.result());
        }
        ReusableResult candidate;
        if (cached != null) {
            candidate = cached.result();
        } else {
            try {
                Optional<ReusableResult> stored = index.find(key);
                if (stored.isEmpty()) {
                    return Optional.empty();
                }
                candidate = stored.get();
            } catch (ResultIndexException e) {
                unavailable("reading the index", e);
                return Optional.empty();
            }
        }
        try {
            for (BlobRef blob : candidate.blobs()) {
                if (!blobs.exists(blob.uri())) {
                    LOG.warn(
                            "Result reuse entry {} names {}, which is gone; the image is"
                                    + " recomputed and the entry forgotten",
                            key,
                            blob.uri());
                    listener.stale();
                    forget(key);
                    return Optional.empty();
                }
            }
        } catch (ProcessingException e) {
            unavailable("checking the blobs of entry " + key, e);
            return Optional.empty();
        }
        synchronized (recent) {
            recent.put(key, new Verified(candidate, now));
        }
        return Optional.of(candidate);
    }

    /** Offers a completed job's result for later reuse under {@code key}; failures only log. */
    public void remember(String key, JobResult completed) {
        ReusableResult result = ReusableResult.of(completed);
        synchronized (recent) {
            recent.put(key, new Verified(result, clock.getAsLong()));
        }
        try {
            index.remember(key, result);
        } catch (ResultIndexException e) {
            unavailable("writing the index", e);
        }
    }

    private void forget(String key) {
        synchronized (recent) {
            recent.remove(key);
        }
        try {
            index.forget(key);
        } catch (ResultIndexException e) {
            unavailable("forgetting a stale entry", e);
        }
    }

    private void unavailable(String what, Exception e) {
        listener.unavailable();
        LOG.warn("Result reuse skipped: {} failed ({})", what, e.getMessage());
    }

    /** Closes the index. */
    public void close() {
        if (index != null) {
            index.close();
        }
    }
}
