package io.rmbg.core.process;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.BlobStore;
import io.rmbg.core.blob.InMemoryBlobStore;
import io.rmbg.core.error.ProcessingException;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link InMemoryBlobStore} that records what is asked of it, and runs a test's {@link BeforePut}
 * before each write: to fail one kind of blob, slow it down, hold it, or throw an {@link Error}.
 * Unlike the shared store it knows whether <i>it</i> was closed.
 */
final class RecordingBlobStore implements BlobStore {
    /** Runs before a blob of {@code kind} is written; what it throws is the write's failure. */
    @FunctionalInterface
    interface BeforePut {
        void run(BlobKind kind) throws ProcessingException;
    }

    private final InMemoryBlobStore store = new InMemoryBlobStore();
    private final BeforePut beforePut;
    private final List<BlobKind> stored = new CopyOnWriteArrayList<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    RecordingBlobStore() {
        this(kind -> {});
    }

    RecordingBlobStore(BeforePut beforePut) {
        this.beforePut = beforePut;
    }

    /** Fails every write of {@code failing} as {@code failure} does. */
    static RecordingBlobStore failingWrites(BlobKind failing, ProcessingException failure) {
        return new RecordingBlobStore(
                kind -> {
                    if (kind == failing) {
                        throw failure;
                    }
                });
    }

    @Override
    public String put(
            BlobKind kind, String sha256, String extension, String contentType, byte[] bytes)
            throws ProcessingException {
        beforePut.run(kind);
        String uri = store.put(kind, sha256, extension, contentType, bytes);
        stored.add(kind);
        return uri;
    }

    @Override
    public byte[] get(String uri, long maxBytes) throws ProcessingException {
        reads.incrementAndGet();
        return store.get(uri, maxBytes);
    }

    /** The kinds of blob written, in order. */
    List<BlobKind> stored() {
        return List.copyOf(stored);
    }

    int reads() {
        return reads.get();
    }

    boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
