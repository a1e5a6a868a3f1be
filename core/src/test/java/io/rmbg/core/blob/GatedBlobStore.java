package io.rmbg.core.blob;

import io.rmbg.core.error.ProcessingException;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * {@link InMemoryBlobStore} whose reads wait at a gate until the test opens it, and which records
 * every write: to hold a job in its fetch until Flink's timeout fires, then see what it does next.
 */
public final class GatedBlobStore implements BlobStore {
    public static volatile CountDownLatch reading;
    public static volatile CountDownLatch gate;
    public static final List<String> PUTS = new CopyOnWriteArrayList<>();

    private final InMemoryBlobStore store = new InMemoryBlobStore();

    /** Closes the gate and forgets the writes. */
    public static void reset() {
        reading = new CountDownLatch(1);
        gate = new CountDownLatch(1);
        PUTS.clear();
    }

    @Override
    public String put(
            BlobKind kind, String sha256, String extension, String contentType, byte[] bytes) {
        PUTS.add(kind.prefix() + "/" + sha256);
        return store.put(kind, sha256, extension, contentType, bytes);
    }

    @Override
    public byte[] get(String uri, long maxBytes) throws ProcessingException {
        reading.countDown();
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return store.get(uri, maxBytes);
    }

    @Override
    public void close() {
        store.close();
    }
}
