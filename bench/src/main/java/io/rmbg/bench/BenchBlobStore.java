package io.rmbg.bench;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.BlobStore;
import io.rmbg.core.blob.BlobStoreFactory;
import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's blob store: sources come from memory, results are counted and dropped, so the
 * figures show our CPU work (hashing happens in the caller) and not a network, and memory stays
 * flat over thousands of images. One per JVM; the MiniCluster runs in this JVM too.
 */
final class BenchBlobStore implements BlobStore {
    static final String BUCKET = "bench";
    private static final Map<String, byte[]> SOURCES = new ConcurrentHashMap<>();
    static final AtomicLong PUT_BYTES = new AtomicLong();
    static final AtomicLong PUTS = new AtomicLong();

    static String addSource(String name, byte[] bytes) {
        String uri = "s3://" + BUCKET + "/uploads/" + name;
        SOURCES.put(uri, bytes);
        return uri;
    }

    static BlobStoreFactory factory() {
        return BenchBlobStore::new;
    }

    @Override
    public String put(
            BlobKind kind, String sha256, String extension, String contentType, byte[] bytes) {
        PUTS.incrementAndGet();
        PUT_BYTES.addAndGet(bytes.length);
        return "s3://" + BUCKET + "/" + ContentAddress.key(kind, sha256, extension);
    }

    @Override
    public byte[] get(String uri, long maxBytes) throws ProcessingException {
        byte[] bytes = SOURCES.get(uri);
        if (bytes == null) {
            throw new ProcessingException(ErrorCode.SOURCE_NOT_FOUND, "no object at " + uri);
        }
        return bytes;
    }

    @Override
    public void close() {}
}
