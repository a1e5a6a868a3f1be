package io.rmbg.core.blob;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A blob store in a map, for operator tests that run without an S3 server. */
public final class InMemoryBlobStore implements BlobStore {
    public static final Map<String, byte[]> OBJECTS = new ConcurrentHashMap<>();
    public static volatile boolean closed;

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
    public void close() {
        closed = true;
    }
}
