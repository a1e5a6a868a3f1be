package io.rmbg.core.process;

import io.rmbg.core.blob.InMemoryBlobStore;
import io.rmbg.core.crypto.BlobSealer;
import io.rmbg.core.crypto.MasterKey;
import io.rmbg.core.records.JobResult;
import io.rmbg.core.records.JobStatus;
import io.rmbg.core.reuse.InMemoryResultIndex;
import io.rmbg.core.reuse.ReuseSettings;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static io.rmbg.core.process.TestJobs.inline;
import static io.rmbg.core.process.TestJobs.redLeftBlueRight;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Under {@code security.encrypt-all} the remover seals every job's blobs and neither asks nor fills
 * the reuse index, even for events that do not say {@code sensitive}.
 */
class SealedRemoverTest {
    @TempDir Path dir;

    @Test
    void encryptAllSealsEveryJobAndTurnsReuseOff() throws Exception {
        Path model = dir.resolve("colour-key-320.onnx");
        SyntheticModels.writeColourKeyModel(model, 320);
        BlobSealer everything =
                new BlobSealer(
                        MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])),
                        true);
        InMemoryResultIndex index = new InMemoryResultIndex();
        byte[] png = redLeftBlueRight(60, 40);
        JobResult first;
        JobResult second;
        try (BackgroundRemover remover =
                BackgroundRemover.builder(
                                new ModelOptions(model.toString(), "u2net", "cpu", 1),
                                RemoverSettings.defaults(2),
                                new InMemoryBlobStore())
                        .sealing(everything)
                        .reuse(index, ReuseSettings.DEFAULTS)
                        .open()) {
            first = remover.submit(inline("encrypt-all 1", png)).result().get(30, TimeUnit.SECONDS);
            second =
                    remover.submit(inline("encrypt-all 2", png)).result().get(30, TimeUnit.SECONDS);
        }

        for (JobResult result : new JobResult[] {first, second}) {
            assertThat(result.status()).isEqualTo(JobStatus.COMPLETED);
            assertThat(result.original().uri()).endsWith(".enc");
            assertThat(result.processed().uri()).endsWith(".enc");
            assertThat(result.reused()).isFalse();
        }
        assertThat(index.finds).isZero();
        assertThat(index.entries).isEmpty();
    }
}
