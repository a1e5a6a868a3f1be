package io.rmbg.job.functions;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.BlobStore;
import io.rmbg.core.blob.BlobStoreFactory;
import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.records.DeadLetter;

/**
 * Keeps every dead letter within the size the dead-letter topic accepts: a value larger than {@code
 * maxValueBytes} (an unusable record close to the events topic's limit) is stored as a blob under
 * {@code dead-letters/<sha256>.bin} and the dead letter carries its reference instead. A record the
 * producer refused would fail the sink, and, replayed after the restart, the job again.
 *
 * <p>The store retries transient failures for its budget; past it the job restarts and the record
 * is offloaded again, which content addressing makes harmless.
 */
public final class OffloadLargeDeadLetters extends RichMapFunction<DeadLetter, DeadLetter> {
    private static final long serialVersionUID = 1L;
    private static final String OCTETS = "application/octet-stream";

    private final BlobStoreFactory blobStores;
    private final long maxValueBytes;
    private transient BlobStore blobs;

    public OffloadLargeDeadLetters(BlobStoreFactory blobStores, long maxValueBytes) {
        this.blobStores = blobStores;
        this.maxValueBytes = maxValueBytes;
    }

    @Override
    public void open(OpenContext openContext) {
        blobs = blobStores.create();
    }

    @Override
    public DeadLetter map(DeadLetter letter) throws Exception {
        byte[] value = letter.source().value();
        if (value.length <= maxValueBytes) {
            return letter;
        }
        String uri =
                blobs.put(
                        BlobKind.DEAD_LETTER,
                        ContentAddress.sha256Hex(value),
                        "bin",
                        OCTETS,
                        value);
        return letter.offloadedTo(uri);
    }

    @Override
    public void close() {
        if (blobs != null) {
            blobs.close();
        }
    }
}
