package io.rmbg.core.reuse;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.blob.InMemoryBlobStore;
import io.rmbg.core.records.BlobRef;
import io.rmbg.core.records.ImageParams;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The reuse policy: keys, the LRU in front of the index, blob checks and graceful misses. */
class ResultReuseTest {
    private static final byte[] IMAGE = "an image".getBytes(StandardCharsets.UTF_8);

    private final InMemoryBlobStore blobs = new InMemoryBlobStore();
    private final InMemoryResultIndex index = new InMemoryResultIndex();
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<String> events = new ArrayList<>();
    private ResultReuse reuse;

    @BeforeEach
    void setUp() {
        InMemoryBlobStore.OBJECTS.clear();
        reuse =
                new ResultReuse(
                        index,
                        blobs,
                        new ReuseSettings(true, 2, 60_000),
                        new ResultReuse.Listener() {
                            @Override
                            public void hit() {
                                events.add("hit");
                            }

                            @Override
                            public void miss() {
                                events.add("miss");
                            }

                            @Override
                            public void unavailable() {
                                events.add("unavailable");
                            }

                            @Override
                            public void stale() {
                                events.add("stale");
                            }
                        },
                        now::get);
    }

    @Test
    void aKeyFromTheOriginalsDigestIsTheKeyFromItsBytes() {
        // the pipeline hashes the original once and passes the digest on
        String digest = ContentAddress.sha256Hex(IMAGE);

        assertThat(reuse.keyForDigest(digest, "isnet", "v1", ImageParams.DEFAULTS))
                .isEqualTo(reuse.keyFor(IMAGE, "isnet", "v1", ImageParams.DEFAULTS));
        assertThat(ResultReuse.OFF.keyForDigest(digest, "isnet", "v1", ImageParams.DEFAULTS))
                .isNull();
    }

    @Test
    void theKeyChangesWithEverythingThatChangesTheOutputAndNothingElse() {
        String key = reuse.keyFor(IMAGE, "isnet", "v1", ImageParams.DEFAULTS);
        assertThat(key).hasSize(64);
        assertThat(reuse.keyFor(IMAGE.clone(), "isnet", "v1", ImageParams.DEFAULTS)).isEqualTo(key);
        assertThat(
                        List.of(
                                reuse.keyFor(
                                        "other".getBytes(), "isnet", "v1", ImageParams.DEFAULTS),
                                reuse.keyFor(IMAGE, "rmbg-2.0", "v1", ImageParams.DEFAULTS),
                                reuse.keyFor(IMAGE, "isnet", "v2", ImageParams.DEFAULTS),
                                reuse.keyFor(
                                        IMAGE,
                                        "isnet",
                                        "v1",
                                        new ImageParams(null, 0.5, null, false)),
                                reuse.keyFor(
                                        IMAGE,
                                        "isnet",
                                        "v1",
                                        new ImageParams(null, null, "#ffffff", false)),
                                reuse.keyFor(
                                        IMAGE,
                                        "isnet",
                                        "v1",
                                        new ImageParams(null, null, null, true))))
                .doesNotContain(key)
                .doesNotHaveDuplicates();
        // Spelling of the colour does not matter; the params that do not change pixels do not
        // either.
        assertThat(
                        reuse.keyFor(
                                IMAGE,
                                "isnet",
                                "v1",
                                new ImageParams(null, null, "#FFFFFF", false)))
                .isEqualTo(
                        reuse.keyFor(
                                IMAGE,
                                "isnet",
                                "v1",
                                new ImageParams(null, null, "#ffffff", false)));
        assertThat(reuse.keyFor(IMAGE, "isnet", "v1", new ImageParams("isnet", null, null, false)))
                .isEqualTo(key);
    }

    @Test
    void optedOutSensitiveOrDisabledJobsHaveNoKey() {
        assertThat(
                        reuse.keyFor(
                                IMAGE,
                                "isnet",
                                "v1",
                                new ImageParams(null, null, null, false, false, false)))
                .isNull();
        assertThat(
                        reuse.keyFor(
                                IMAGE,
                                "isnet",
                                "v1",
                                new ImageParams(null, null, null, false, true, true)))
                .isNull();
        assertThat(ResultReuse.OFF.keyFor(IMAGE, "isnet", "v1", ImageParams.DEFAULTS)).isNull();
    }

    @Test
    void aRememberedResultIsFoundWhileItsBlobsExist() throws Exception {
        String key = reuse.keyFor(IMAGE, "isnet", "v1", ImageParams.DEFAULTS);
        assertThat(reuse.find(key)).isEmpty();
        JobResult done = completed();
        reuse.remember(key, done);

        assertThat(index.entries).containsKey(key);
        assertThat(reuse.find(key)).contains(ReusableResult.of(done));
        assertThat(events).containsExactly("miss", "hit");
    }

    @Test
    void anotherSlotFindsTheEntryInTheSharedIndex() throws Exception {
        String key = reuse.keyFor(IMAGE, "isnet", "v1", ImageParams.DEFAULTS);
        reuse.remember(key, completed());
        ResultReuse otherSlot =
                new ResultReuse(index, blobs, ReuseSettings.DEFAULTS, ResultReuse.Listener.NONE);

        assertThat(otherSlot.find(key)).isPresent();
        assertThat(index.finds).isEqualTo(1);
        assertThat(otherSlot.find(key)).isPresent();
        assertThat(index.finds).as("the second look is answered by the slot's LRU").isEqualTo(1);
    }

    @Test
    void anEntryWhoseBlobIsGoneIsForgottenOnceItsCheckHasExpired() throws Exception {
        String key = reuse.keyFor(IMAGE, "isnet", "v1", ImageParams.DEFAULTS);
        JobResult done = completed();
        reuse.remember(key, done);
        InMemoryBlobStore.OBJECTS.remove(done.processed().uri());

        assertThat(reuse.find(key)).as("checked a moment ago: trusted").isPresent();
        now.addAndGet(60_001);
        assertThat(reuse.find(key)).as("checked again: the cut-out is gone").isEmpty();
        assertThat(index.entries).doesNotContainKey(key);
        assertThat(events).containsExactly("hit", "stale", "miss");
        assertThat(reuse.find(key)).isEmpty();
    }

    @Test
    void theLruHoldsAtMostItsCapacity() throws Exception {
        for (int i = 0; i < 3; i++) {
            reuse.remember("key-" + i, completed());
        }
        index.entries.clear(); // only the LRU can answer now
        assertThat(reuse.find("key-0")).as("evicted").isEmpty();
        assertThat(reuse.find("key-2")).isPresent();
    }

    @Test
    void anUnreachableIndexIsAMissNeverAFailure() throws Exception {
        String key = reuse.keyFor(IMAGE, "isnet", "v1", ImageParams.DEFAULTS);
        index.unreachable.set(true);

        assertThat(reuse.find(key)).isEmpty();
        reuse.remember(key, completed()); // logs, does not throw
        assertThat(events).containsExactly("unavailable", "miss", "unavailable");
    }

    private JobResult completed() throws Exception {
        BlobRef original = store(BlobKind.ORIGINAL, "jpg", IMAGE);
        BlobRef mask = store(BlobKind.MASK, "png", "mask".getBytes());
        BlobRef cutOut = store(BlobKind.PROCESSED, "png", "cut-out".getBytes());
        return JobResult.builder("job", "user", JobStatus.COMPLETED)
                .original(original)
                .mask(mask)
                .processed(cutOut)
                .size(4, 3)
                .model("isnet", "v1")
                .build();
    }

    private BlobRef store(BlobKind kind, String ext, byte[] bytes) {
        String sha = io.rmbg.core.blob.ContentAddress.sha256Hex(bytes);
        String uri = blobs.put(kind, sha, ext, "image/png", bytes);
        return new BlobRef(uri, sha, bytes.length, 4, 3, "image/png");
    }
}
