package io.rmbg.core.process;

import io.rmbg.core.blob.InMemoryBlobStore;
import io.rmbg.core.crypto.BlobSealer;
import io.rmbg.core.crypto.MasterKey;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.reuse.InMemoryResultIndex;
import io.rmbg.core.reuse.ReuseSettings;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Result reuse through the real remover and a real model: one inference for one image. */
class BackgroundRemoverReuseTest {
    @TempDir static Path dir;
    private static ModelOptions model;

    private final InMemoryResultIndex index = new InMemoryResultIndex();
    private final AtomicInteger modelImages = new AtomicInteger();
    private final AtomicInteger hits = new AtomicInteger();
    private final AtomicInteger misses = new AtomicInteger();

    @BeforeAll
    static void writeModel() throws Exception {
        Path file = dir.resolve("colour-key.onnx");
        SyntheticModels.writeColourKeyModel(file, 1024);
        model = new ModelOptions(file.toString(), "rmbg-2.0", "cpu", 1);
    }

    @BeforeEach
    void clearStore() {
        InMemoryBlobStore.OBJECTS.clear();
    }

    @Test
    void theSameImageUnderThreeJobIdsOfTwoUsersRunsTheModelOnce() throws Exception {
        byte[] png = png(320, 240);
        try (BackgroundRemover remover = remover(ReuseSettings.DEFAULTS)) {
            JobResult first = run(remover, event("alice", png, ImageParams.DEFAULTS));
            JobResult second = run(remover, event("alice", png, ImageParams.DEFAULTS));
            JobResult third = run(remover, event("bob", png, ImageParams.DEFAULTS));

            assertThat(modelImages).hasValue(1);
            assertThat(hits).hasValue(2);
            assertThat(misses).hasValue(1);
            assertThat(first.reused()).isFalse();
            for (JobResult reused : new JobResult[] {second, third}) {
                assertThat(reused.isCompleted()).isTrue();
                assertThat(reused.reused()).isTrue();
                assertThat(reused.original()).isEqualTo(first.original());
                assertThat(reused.mask()).isEqualTo(first.mask());
                assertThat(reused.processed()).isEqualTo(first.processed());
                assertThat(reused.originalPath()).isEqualTo(first.originalPath());
                assertThat(reused.imageWidth()).isEqualTo(320);
                assertThat(reused.imageHeight()).isEqualTo(240);
                assertThat(reused.fileSizeKb()).isEqualTo(first.fileSizeKb());
                assertThat(reused.model()).isEqualTo(first.model());
                assertThat(reused.modelVersion()).isEqualTo(first.modelVersion());
                assertThat(reused.timings().inference()).isZero();
            }
            assertThat(third.userId()).isEqualTo("bob");
        }
        assertThat(index.closed).as("the remover closes its index").isTrue();
    }

    @Test
    void optingOutOrChangingAnOutputParamRunsTheModelAgain() throws Exception {
        byte[] png = png(200, 150);
        try (BackgroundRemover remover = remover(ReuseSettings.DEFAULTS)) {
            run(remover, event("alice", png, ImageParams.DEFAULTS));
            JobResult optedOut =
                    run(
                            remover,
                            event(
                                    "alice",
                                    png,
                                    new ImageParams(null, null, null, false, false, false)));
            JobResult sensitive =
                    run(
                            remover,
                            event(
                                    "alice",
                                    png,
                                    new ImageParams(null, null, null, false, true, true)));
            JobResult thresholded =
                    run(remover, event("alice", png, new ImageParams(null, 0.5, null, false)));

            assertThat(modelImages).hasValue(4);
            assertThat(optedOut.reused()).isFalse();
            assertThat(sensitive.reused()).isFalse();
            assertThat(thresholded.reused()).isFalse();
            assertThat(index.entries).as("the sensitive and opted-out jobs fed nothing").hasSize(2);
        }
    }

    @Test
    void aDeletedBlobMakesTheNextJobRecomputeAndStoreItAgain() throws Exception {
        byte[] png = png(160, 120);
        try (BackgroundRemover remover = remover(new ReuseSettings(true, 100, 0))) {
            JobResult first = run(remover, event("alice", png, ImageParams.DEFAULTS));
            InMemoryBlobStore.OBJECTS.remove(first.mask().uri());

            JobResult again = run(remover, event("alice", png, ImageParams.DEFAULTS));

            assertThat(again.reused()).isFalse();
            assertThat(modelImages).hasValue(2);
            assertThat(InMemoryBlobStore.OBJECTS).containsKey(first.mask().uri());
            assertThat(run(remover, event("bob", png, ImageParams.DEFAULTS)).reused()).isTrue();
        }
    }

    @Test
    void anUnreachableIndexStillCompletesEveryJobAndTheSlotsOwnCacheStillServes() throws Exception {
        index.unreachable.set(true);
        byte[] png = png(160, 120);
        try (BackgroundRemover remover = remover(ReuseSettings.DEFAULTS)) {
            JobResult first = run(remover, event("alice", png, ImageParams.DEFAULTS));
            JobResult second = run(remover, event("alice", png, ImageParams.DEFAULTS));
            assertThat(first.isCompleted()).isTrue();
            assertThat(second.isCompleted()).isTrue();
            assertThat(second.reused()).as("from the slot's LRU").isTrue();
        }
        assertThat(modelImages).hasValue(1);
        assertThat(index.entries).isEmpty();
    }

    private BackgroundRemover remover(ReuseSettings reuse) {
        return BackgroundRemover.builder(
                        model, RemoverSettings.defaults(2), new InMemoryBlobStore())
                // A master key, so that sensitive jobs are computed (sealed) rather than failed.
                .sealing(
                        new BlobSealer(
                                MasterKey.fromBase64(
                                        Base64.getEncoder().encodeToString(new byte[32])),
                                false))
                .listener(
                        new BackgroundRemover.Listener() {
                            @Override
                            public void modelCall(int images, long millis) {
                                modelImages.addAndGet(images);
                            }

                            @Override
                            public void resultCacheHit() {
                                hits.incrementAndGet();
                            }

                            @Override
                            public void resultCacheMiss() {
                                misses.incrementAndGet();
                            }
                        })
                .reuse(index, reuse)
                .open();
    }

    private static JobResult run(BackgroundRemover remover, ImageEvent event) throws Exception {
        return remover.submit(event).result().get(60, TimeUnit.SECONDS);
    }

    private static ImageEvent event(String user, byte[] image, ImageParams params) {
        return new ImageEvent(
                UUID.randomUUID().toString(),
                user,
                null,
                Base64.getEncoder().encodeToString(image),
                params,
                null,
                new String[0],
                0L,
                System.currentTimeMillis(),
                "test/0@0");
    }

    private static byte[] png(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.GREEN);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.RED);
        g.fillOval(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
