package io.rmbg.local;

import io.rmbg.core.blob.BlobKind;
import io.rmbg.core.blob.BlobStore;
import io.rmbg.core.blob.BlobStoreFactory;
import io.rmbg.core.blob.S3BlobStore;
import io.rmbg.core.blob.S3Options;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.event.ImageEventParser;
import io.rmbg.core.event.ParseOutcome;
import io.rmbg.core.records.SourceRecord;
import io.rmbg.job.config.ConfigKeys;
import io.rmbg.job.config.PipelineConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a user can learn about sources, against real S3 servers: nothing about objects outside
 * {@code source.allowed}, and nothing that tells a forbidden object from a missing one. Sources are
 * read with {@code s3.source.*} and results written with {@code s3.*} when they differ.
 */
class SourceIsolationITCase {
    private static final String READER_KEY = "uploads-reader";
    private static final String READER_SECRET = "uploads-reader-secret";
    private static final byte[] PHOTO = SampleImages.jpeg(64, 48);

    @TempDir static Path dir;
    private static LocalS3 results;
    private static LocalS3 uploads;
    private static PipelineConfig config;

    @BeforeAll
    static void start() throws Exception {
        PipelineConfig base = PipelineConfig.defaults();
        results =
                S3Fixture.start(
                        dir.resolve("results"),
                        base.get(ConfigKeys.S3_ACCESS_KEY),
                        base.get(ConfigKeys.S3_SECRET_KEY));
        uploads = S3Fixture.start(dir.resolve("uploads"), READER_KEY, READER_SECRET);
        config =
                base.toBuilder()
                        .set(ConfigKeys.S3_ENDPOINT, results.endpoint())
                        .set(ConfigKeys.S3_SOURCE_ENDPOINT, uploads.endpoint())
                        .set(ConfigKeys.S3_SOURCE_ACCESS_KEY, READER_KEY)
                        .set(ConfigKeys.S3_SOURCE_SECRET_KEY, READER_SECRET)
                        .build();
        S3Fixture.createBucket(config.s3(), "rmbg");
        S3Fixture.createBucket(config.sourceS3(), "rmbg");
        S3Fixture.put(config.sourceS3(), "rmbg", "uploads/victim/photo.jpg", PHOTO);
        S3Fixture.put(config.sourceS3(), "rmbg", "uploads/u1/photo.jpg", PHOTO);
    }

    @AfterAll
    static void stop() throws Exception {
        uploads.close();
        results.close();
    }

    @Test
    void anotherUsersObjectIsRefusedInTheSameWordsAsAMissingOne() {
        String existing = refusal("u1", "s3://rmbg/uploads/victim/photo.jpg");
        String missing = refusal("u1", "s3://rmbg/uploads/victim/nothing.jpg");
        assertThat(existing.replace("photo", "nothing")).isEqualTo(missing);
        assertThat(existing).contains("upload it under s3://rmbg/uploads/u1/");
    }

    @Test
    void sourcesAreReadWithTheSourceCredentialsAndResultsWrittenWithTheResultCredentials()
            throws Exception {
        try (BlobStore store =
                BlobStoreFactory.s3(config.s3(), config.sourceS3(), Duration.ZERO).create()) {
            assertThat(store.get("s3://rmbg/uploads/u1/photo.jpg", 1 << 20)).isEqualTo(PHOTO);
            String uri =
                    store.put(
                            BlobKind.MASK,
                            "ab".repeat(32),
                            "png",
                            "image/png",
                            "mask".getBytes(UTF_8));
            assertThat(uri).isEqualTo("s3://rmbg/mask/" + "ab".repeat(32) + ".png");
        }
        try (S3BlobStore r = new S3BlobStore(config.s3());
                S3BlobStore u = new S3BlobStore(config.sourceS3())) {
            assertThat(
                            r.client()
                                    .headObject(
                                            b ->
                                                    b.bucket("rmbg")
                                                            .key(
                                                                    "mask/"
                                                                            + "ab".repeat(32)
                                                                            + ".png"))
                                    .contentLength())
                    .isEqualTo(4);
            assertThat(u.client().listObjectsV2(b -> b.bucket("rmbg").prefix("mask/")).contents())
                    .isEmpty();
            assertThatThrownBy(() -> r.get("s3://rmbg/uploads/u1/photo.jpg", 1 << 20))
                    .as("the results store has no uploads")
                    .isInstanceOf(ProcessingException.class);
        }
    }

    @Test
    void aForbiddenReadIsReportedLikeAMissingObject() throws Exception {
        S3Options wrongSecret =
                new S3Options(
                        uploads.endpoint(),
                        "us-east-1",
                        "rmbg",
                        READER_KEY,
                        "not-the-secret",
                        true);
        try (S3BlobStore forbidden = new S3BlobStore(wrongSecret);
                S3BlobStore allowed = new S3BlobStore(config.sourceS3())) {
            ProcessingException denied = catchGet(forbidden, "s3://rmbg/uploads/u1/photo.jpg");
            ProcessingException absent = catchGet(allowed, "s3://rmbg/uploads/u1/gone.jpg");
            assertThat(denied.code())
                    .isEqualTo(ErrorCode.SOURCE_NOT_FOUND)
                    .isEqualTo(absent.code());
            assertThat(denied.getMessage().replace("photo", "gone")).isEqualTo(absent.getMessage());
            assertThat(denied.getMessage())
                    .doesNotContain("403")
                    .doesNotContain("Signature")
                    .doesNotContain("Access");
        }
    }

    private static String refusal(String user, String uri) {
        ImageEventParser parser = new ImageEventParser(config.imageLimits(), config.sourcePolicy());
        String json = "{\"user_id\":\"" + user + "\",\"image_uri\":\"" + uri + "\"}";
        ParseOutcome outcome =
                parser.parse(new SourceRecord("image-events", 0, 1, 0, json.getBytes(UTF_8)), 0);
        assertThat(outcome).isInstanceOf(ParseOutcome.Rejected.class);
        ParseOutcome.Rejected rejected = (ParseOutcome.Rejected) outcome;
        assertThat(rejected.errorCode()).isEqualTo(ErrorCode.SOURCE_NOT_ALLOWED);
        return rejected.errorMessage();
    }

    private static ProcessingException catchGet(BlobStore store, String uri) {
        try {
            store.get(uri, 1 << 20);
        } catch (ProcessingException e) {
            return e;
        }
        throw new AssertionError("expected " + uri + " to be unreadable");
    }
}
