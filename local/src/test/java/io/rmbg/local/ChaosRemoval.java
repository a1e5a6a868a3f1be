package io.rmbg.local;

import org.apache.flink.streaming.api.functions.async.AsyncFunction;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.BlobStore;
import io.rmbg.core.blob.BlobStoreFactory;
import io.rmbg.core.blob.RetryingBlobStore;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.blob.S3Options;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.JobResult;
import io.rmbg.job.RmbgPipeline;
import io.rmbg.job.config.PipelineConfig;

import java.time.Duration;
import java.util.Collection;

/**
 * The production background-removal function with {@link Chaos} points: {@code remove.invoke} fails
 * the task while handing an image over, {@code remove.complete} fails an image's future (inside the
 * async operator), and {@code blob.put} makes one blob write fail as the store does when it is
 * unreachable, which the retrying store must absorb.
 */
final class ChaosRemoval {
    private ChaosRemoval() {}

    static AsyncFunction<ImageEvent, JobResult> create(PipelineConfig config) {
        S3Options s3 = config.s3();
        Duration budget = config.storage().retryBudget();
        BlobStoreFactory blobs =
                () -> new RetryingBlobStore(new FlakyStore(new S3BlobStore(s3)), budget);
        return new Function(RmbgPipeline.backgroundRemoval(config, blobs));
    }

    /** Delegates everything; only the hand-over and the completion can die. */
    private static final class Function extends io.rmbg.job.functions.BackgroundRemovalFunction {
        private static final long serialVersionUID = 1L;

        Function(io.rmbg.job.functions.BackgroundRemovalFunction template) {
            super(template);
        }

        @Override
        public void asyncInvoke(ImageEvent event, ResultFuture<JobResult> resultFuture) {
            Chaos.maybeFail("remove.invoke");
            super.asyncInvoke(
                    event,
                    new ResultFuture<>() {
                        @Override
                        public void complete(Collection<JobResult> results) {
                            try {
                                Chaos.maybeFail("remove.complete");
                                resultFuture.complete(results);
                            } catch (Chaos.InjectedFailure e) {
                                resultFuture.completeExceptionally(e);
                            }
                        }

                        @Override
                        public void complete(CollectionSupplier<JobResult> supplier) {
                            try {
                                complete(supplier.get());
                            } catch (Exception e) {
                                resultFuture.completeExceptionally(e);
                            }
                        }

                        @Override
                        public void completeExceptionally(Throwable error) {
                            resultFuture.completeExceptionally(error);
                        }
                    });
        }
    }

    private static final class FlakyStore implements BlobStore {
        private final BlobStore store;

        FlakyStore(BlobStore store) {
            this.store = store;
        }

        @Override
        public String put(
                BlobKind kind, String sha256, String extension, String contentType, byte[] bytes)
                throws ProcessingException {
            try {
                Chaos.maybeFail("blob.put");
            } catch (Chaos.InjectedFailure e) {
                throw ProcessingException.retryable(
                        ErrorCode.STORAGE, "injected: the store is unreachable", e);
            }
            return store.put(kind, sha256, extension, contentType, bytes);
        }

        @Override
        public byte[] get(String uri, long maxBytes) throws ProcessingException {
            return store.get(uri, maxBytes);
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
