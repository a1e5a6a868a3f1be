package io.rmbg.udf.blob;

import java.io.Serializable;

/** Creates a {@link BlobStore} where a function runs: stores themselves are not serialisable. */
@FunctionalInterface
public interface BlobStoreFactory extends Serializable {
    BlobStore create();

    /** S3 through {@link S3BlobStore}, riding out outages shorter than {@code retryBudget}. */
    static BlobStoreFactory s3(S3Options options, java.time.Duration retryBudget) {
        return () -> new RetryingBlobStore(new S3BlobStore(options), retryBudget);
    }
}
