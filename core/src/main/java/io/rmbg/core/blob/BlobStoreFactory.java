package io.rmbg.core.blob;

import java.io.Serializable;
import java.time.Duration;

/** Creates a {@link BlobStore} where a function runs: stores themselves are not serialisable. */
@FunctionalInterface
public interface BlobStoreFactory extends Serializable {
    BlobStore create();

    /** S3 through {@link S3BlobStore}, riding out outages shorter than {@code retryBudget}. */
    static BlobStoreFactory s3(S3Options options, Duration retryBudget) {
        return s3(options, options, retryBudget);
    }

    /**
     * Results written with {@code results}, sources read with {@code sources} (one client when the
     * two are equal), riding out outages shorter than {@code retryBudget}.
     */
    static BlobStoreFactory s3(S3Options results, S3Options sources, Duration retryBudget) {
        if (results.equals(sources)) {
            return () -> new RetryingBlobStore(new S3BlobStore(results), retryBudget);
        }
        return () -> {
            S3BlobStore in = new S3BlobStore(sources);
            try {
                return new RetryingBlobStore(
                        new SplitBlobStore(in, new S3BlobStore(results)), retryBudget);
            } catch (RuntimeException e) {
                in.close();
                throw e;
            }
        };
    }
}
