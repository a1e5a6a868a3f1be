package io.rmbg.local;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.BlobStore;
import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A blob store in a map, for operator-harness tests that run without an S3 server. */
final class MapBlobStore implements BlobStore {
    static final Map<String, byte[]> OBJECTS = new ConcurrentHashMap<>();

    @Override
    public String put(
            BlobKind kind, String sha256, String extension, String contentType, byte[] bytes) {
        String uri = "s3://test/" + ContentAddress.key(kind, sha256, extension);
        OBJECTS.put(uri, bytes);
        return uri;
    }

    @Override
    public byte[] get(String uri, long maxBytes) throws ProcessingException {
        byte[] bytes = OBJECTS.get(uri);
        if (bytes == null) {
            throw new ProcessingException(ErrorCode.SOURCE_NOT_FOUND, "no object at " + uri);
        }
        return bytes;
    }

    @Override
    public void close() {}
}
