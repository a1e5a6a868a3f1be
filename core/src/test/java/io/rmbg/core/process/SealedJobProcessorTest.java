package io.rmbg.core.process;

import io.rmbg.core.blob.ContentAddress;
import io.rmbg.core.blob.InMemoryBlobStore;
import io.rmbg.core.crypto.BlobSealer;
import io.rmbg.core.crypto.BlobVerifier;
import io.rmbg.core.crypto.MasterKey;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.ImageProbe;
import io.rmbg.core.records.BlobRef;
import io.rmbg.core.records.ImageEvent;
import io.rmbg.core.records.ImageParams;
import io.rmbg.core.records.JobResult;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;

import static io.rmbg.core.process.TestJobs.inline;
import static io.rmbg.core.process.TestJobs.redLeftBlueRight;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A sensitive job's original, mask and cut-out are stored sealed at keyed addresses; the rest of
 * the job (sizes, row, trace) reads as for any job, and a plain job is untouched.
 */
class SealedJobProcessorTest {
    private static final ImageParams SENSITIVE =
            new ImageParams(null, null, null, false, true, true);
    private static final BlobSealer SEALER =
            new BlobSealer(
                    MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])), false);

    @Test
    void aSensitiveJobStoresEveryBlobSealedAndReadableBackWithTheKey() throws Exception {
        byte[] png = redLeftBlueRight(40, 20);
        ImageEvent event = inline("sealed", png, SENSITIVE);
        JobProcessor processor =
                new JobProcessor(new InMemoryBlobStore(), ImageLimits.defaults(), SEALER);

        DecodedImage decoded = processor.intake(event, 0L);
        JobResult result =
                processor.finish(
                        new SegmentedImage(decoded, new float[] {1f, 0f}, 2, 1, "p", "v1", 1));

        List<BlobRef> refs = List.of(result.original(), result.mask(), result.processed());
        for (BlobRef ref : refs) {
            assertThat(ref.uri()).endsWith(".enc").contains("/" + ref.sha256() + ".enc");
            byte[] stored = InMemoryBlobStore.OBJECTS.get(ref.uri());
            assertThat(
                            catchThrowableOfType(
                                    () -> ImageProbe.probe(stored), ProcessingException.class))
                    .as("%s is no image as stored", ref.uri())
                    .isNotNull();
            byte[] plain = new BlobVerifier(SEALER).plain(ref.uri(), stored, event.userId());
            assertThat(plain).hasSize((int) ref.bytes());
            assertThat(ref.sha256())
                    .isEqualTo(SEALER.address(event.userId(), ContentAddress.sha256Hex(plain)));
        }
        assertThat(
                        new BlobVerifier(SEALER)
                                .plain(
                                        result.original().uri(),
                                        InMemoryBlobStore.OBJECTS.get(result.original().uri()),
                                        event.userId()))
                .isEqualTo(png);
        assertThat(result.original().contentType()).isEqualTo("image/png");
        assertThat(result.imageWidth()).isEqualTo(40);
    }

    @Test
    void aPlainJobIsStoredAsBefore() throws Exception {
        byte[] png = redLeftBlueRight(30, 10);
        DecodedImage decoded =
                new JobProcessor(new InMemoryBlobStore(), ImageLimits.defaults(), SEALER)
                        .intake(inline("plain", png), 0L);

        assertThat(decoded.original().uri()).endsWith("/" + ContentAddress.sha256Hex(png) + ".png");
    }

    @Test
    void aSensitiveJobWithoutAMasterKeyFailsInsteadOfStoringPlainBytes() {
        byte[] png = redLeftBlueRight(30, 10);
        int before = InMemoryBlobStore.OBJECTS.size();

        assertThatThrownBy(
                        () ->
                                new JobProcessor(new InMemoryBlobStore(), ImageLimits.defaults())
                                        .intake(inline("no-key", png, SENSITIVE), 0L))
                .isInstanceOfSatisfying(
                        ProcessingException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE))
                .hasMessageContaining("no security.master-key");
        assertThat(InMemoryBlobStore.OBJECTS.size()).isEqualTo(before);
    }

    @Test
    void aSensitiveInlineImageIsSealedWhenReadAndOpenedOnlyByTheJob() throws Exception {
        byte[] png = redLeftBlueRight(20, 10);
        ImageEvent event = inline("sealed-inline", png, SENSITIVE);
        ImageEvent sealed = SEALER.sealInline(event);

        assertThat(sealed.imageBase64())
                .startsWith(BlobSealer.SEALED_INLINE)
                .doesNotContain(event.imageBase64().substring(0, 16));
        assertThat(SEALER.sealInline(inline("plain-inline", png)).imageBase64())
                .isEqualTo(Base64.getEncoder().encodeToString(png));
        DecodedImage decoded =
                new JobProcessor(new InMemoryBlobStore(), ImageLimits.defaults(), SEALER)
                        .intake(sealed, 0L);
        assertThat(
                        new BlobVerifier(SEALER)
                                .plain(
                                        decoded.original().uri(),
                                        InMemoryBlobStore.OBJECTS.get(decoded.original().uri()),
                                        event.userId()))
                .isEqualTo(png);

        BlobSealer otherKey =
                new BlobSealer(
                        MasterKey.fromBase64(
                                Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'B')),
                        false);
        assertThatThrownBy(
                        () ->
                                new JobProcessor(
                                                new InMemoryBlobStore(),
                                                ImageLimits.defaults(),
                                                otherKey)
                                        .intake(sealed, 0L))
                .isInstanceOfSatisfying(
                        ProcessingException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE))
                .hasMessageContaining("cannot be opened")
                .hasMessageContaining("sealed with master key");
    }
}
