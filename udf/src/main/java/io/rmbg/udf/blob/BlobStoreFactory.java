package io.rmbg.udf.blob;

import java.io.Serializable;

/** Creates a {@link BlobStore} where a function runs: stores themselves are not serialisable. */
@FunctionalInterface
public interface BlobStoreFactory extends Serializable {
    BlobStore create();

    static BlobStoreFactory s3(S3Options options) {
        return () -> new S3BlobStore(options);
    }
}
