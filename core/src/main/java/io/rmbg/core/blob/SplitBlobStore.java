package io.rmbg.core.blob;

import io.rmbg.core.error.ProcessingException;

/**
 * Reads sources through one store and writes results through another: the job can read users'
 * uploads with credentials that cannot write, and write results with credentials that cannot read
 * the upload area (settings {@code s3.source.*}).
 */
public final class SplitBlobStore implements BlobStore {
    private final BlobStore sources;
    private final BlobStore results;

    public SplitBlobStore(BlobStore sources, BlobStore results) {
        this.sources = sources;
        this.results = results;
    }

    @Override
    public String put(
            BlobKind kind, String sha256, String extension, String contentType, byte[] bytes)
            throws ProcessingException {
        return results.put(kind, sha256, extension, contentType, bytes);
    }

    @Override
    public byte[] get(String uri, long maxBytes) throws ProcessingException {
        return sources.get(uri, maxBytes);
    }

    /** Results are what anyone asks about: the original, mask and cut-out this job stored. */
    @Override
    public boolean exists(String uri) throws ProcessingException {
        return results.exists(uri);
    }

    @Override
    public void close() {
        try {
            sources.close();
        } finally {
            results.close();
        }
    }
}
